/** Field lists shared by the operations' inputs. */

/** The model's input fields (schema keys), shared by predict, optimize, sweep and simulate. */
export const MODEL_FIELDS = [
  'preset',
  'pages',
  'memory',
  'pageSize',
  'bandwidth',
  'dirtyRate',
  'hotFraction',
  'hotRate',
  'coldRate',
  'case',
  'accounting',
  'strict',
] as const;

/** The given fields of a raw input (camelCase names, as commander and JSON bodies spell them), unset ones dropped. */
export function pick(opts: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (opts[f] !== undefined) out[f] = opts[f];
  return out;
}
