/** Numbers and tables as text, and JSON without NaN/Infinity: shared by every edge and report. */

/** A number for tables: 6 significant digits, no exponent for ordinary magnitudes, never NaN. */
export function fmt(x: number | undefined | null, digits = 6): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '-';
  if (x === Number.POSITIVE_INFINITY) return 'unbounded';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e12)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

/** Right-pads cells into aligned columns; first row is the header. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** JSON for output: Infinity and NaN become null (JSON has neither). */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), indent);
}
