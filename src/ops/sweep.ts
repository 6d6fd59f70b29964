/**
 * The `sweep` operation: predict over lists (`A,B,C`) and ranges (`LO:HI:STEP`) of any numeric field, as a
 * cross product, one row per point and case. Input: the predict input where a field may be a list or range
 * ({@link expandAxis}, each point resolved by {@link sweepInput}); function: {@link sweepRows} per point
 * (rows stream: nothing is held); JSON: {@link SWEEP_COLUMNS} and the rows.
 */
import { type CaseOutcome, predict } from '../model/index.js';
import { z } from 'zod';
import { type ResolvedPredict, flagOf, predictInputSchema, predictSchema } from '../schema/index.js';
import { parseDuration, parseRate, parseSize } from '../units/index.js';
import { OpError } from './errors.js';

/** Each sweep point is a predict input. */
export const sweepInput = predictSchema;

/** The fields a sweep may vary, with the unit suffix a generated base-unit value is written back with. */
export const AXES: Record<string, { parse: (s: string) => number; suffix: string }> = {
  pages: { parse: Number, suffix: '' },
  memory: { parse: parseSize, suffix: 'B' },
  pageSize: { parse: parseSize, suffix: 'B' },
  bandwidth: { parse: parseRate, suffix: 'B/s' },
  dirtyRate: { parse: dirtyParse, suffix: '' },
  hotRate: { parse: dirtyParse, suffix: '' },
  coldRate: { parse: dirtyParse, suffix: '' },
  alpha: { parse: Number, suffix: '' },
  downtimeLimit: { parse: parseDuration, suffix: 's' },
  hotFraction: { parse: Number, suffix: '' },
};

/** Dirty rates in a range keep their own unit: pages/s if bare, bytes/s if a byte rate. */
function dirtyParse(s: string): number {
  return /^\s*[-+0-9.eE]+\s*(pages?(\/s)?)?\s*$/.test(s) ? Number(s.replace(/pages?(\/s)?/, '')) : parseRate(s);
}

export const MAX_SWEEP_POINTS = 10_000_000;

/**
 * Expands one flag value into the values it stands for: `A,B,C` (a list, each kept as written) or
 * `LO:HI:STEP` (LO + i*STEP for i = 0.. while <= HI, built by index so no error accumulates).
 */
export function expandAxis(field: string, text: string): string[] {
  const axis = AXES[field]!;
  if (text.includes(':')) {
    const parts = text.split(':');
    const bad = () =>
      new OpError(
        `${flagOf(field)} '${text}' is not a range: expected LO:HI:STEP with LO <= HI and STEP > 0 (or a list A,B,C)`,
        { field, value: text },
      );
    if (parts.length !== 3) throw bad();
    let lo: number;
    let hi: number;
    let step: number;
    try {
      [lo, hi, step] = parts.map((p) => axis.parse(p)) as [number, number, number];
    } catch {
      throw bad();
    }
    if (![lo, hi, step].every(Number.isFinite) || step <= 0 || hi < lo) throw bad();
    const count = Math.floor((hi - lo) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_POINTS)
      throw new OpError(`${flagOf(field)} '${text}' has ${count} points: at most ${MAX_SWEEP_POINTS}`, {
        code: 'too_many_points',
        field,
        value: text,
      });
    const isByteDirty =
      (field === 'dirtyRate' || field === 'hotRate' || field === 'coldRate') &&
      /[bB]/.test(parts[0]!.replace(/pages?/, ''));
    const suffix = isByteDirty ? 'B/s' : axis.suffix;
    return Array.from(
      { length: count },
      (_, i) => `${gridValue(lo, step, i, decimalsOf(parts[0]!, parts[2]!))}${suffix}`,
    );
  }
  return text.split(',').map((s) => s.trim());
}

/** Decimal places of plain decimal numbers (`0.05` -> 2), or undefined when either has a unit or exponent. */
function decimalsOf(...texts: string[]): number | undefined {
  let d = 0;
  for (const t of texts) {
    const m = /^\s*[+-]?\d*(?:\.(\d*))?\s*$/.exec(t);
    if (!m) return undefined;
    d = Math.max(d, m[1]?.length ?? 0);
  }
  return d <= 15 ? d : undefined;
}

/**
 * The i-th grid point LO + i*STEP, built by index (never by repeated addition). For plain decimals it is computed
 * in scaled integers, so 0.05 + 2*0.05 gives the double nearest 0.15, not 0.15000000000000002.
 */
export function gridValue(lo: number, step: number, i: number, decimals?: number): number {
  if (decimals !== undefined) {
    const scale = 10 ** decimals;
    const a = Math.round(lo * scale);
    const b = Math.round(step * scale);
    if (Math.abs(a) + i * Math.abs(b) < Number.MAX_SAFE_INTEGER) return (a + i * b) / scale;
  }
  return lo + i * step;
}

/** The cross product of the axes, in row-major order (last axis fastest). */
export function* crossProduct(
  axes: readonly (readonly [string, readonly string[]])[],
): Generator<Record<string, string>> {
  const idx = axes.map(() => 0);
  if (axes.some(([, v]) => v.length === 0)) return;
  while (true) {
    const point: Record<string, string> = {};
    axes.forEach(([f, v], i) => {
      point[f] = v[idx[i]!]!;
    });
    yield point;
    let i = axes.length - 1;
    while (i >= 0) {
      idx[i]! += 1;
      if (idx[i]! < axes[i]![1].length) break;
      idx[i] = 0;
      i -= 1;
    }
    if (i < 0) return;
  }
}

const INPUT_COLUMNS = [
  'pages',
  'pageSizeBytes',
  'bandwidthBytesPerSecond',
  'alpha',
  'dirtyPagesPerSecond',
  'hotFraction',
  'hotDirtyPagesPerSecond',
  'coldDirtyPagesPerSecond',
] as const;
const OUTPUT_COLUMNS = [
  'case',
  'converged',
  'rho',
  'iterations',
  'precopySeconds',
  'downtimeSeconds',
  'totalSeconds',
  'pagesTransferred',
  'gain',
  'networkUtilization',
  'hotGain',
  'note',
] as const;
export const SWEEP_COLUMNS = [...INPUT_COLUMNS, ...OUTPUT_COLUMNS] as const;

/** One output row per case for one resolved sweep point. Non-converging cases are rows, not errors. */
export function sweepRows(r: ResolvedPredict): Record<string, string | number | boolean | null>[] {
  const p = predict(r.input, r.cases, { strict: r.strict, maxRoundsListed: 0 });
  const rows: Record<string, string | number | boolean | null>[] = [];
  for (const c of r.cases) {
    const o = p[c] as CaseOutcome;
    const row: Record<string, string | number | boolean | null> = { case: c };
    for (const k of INPUT_COLUMNS) row[k] = (r.input as unknown as Record<string, number | undefined>)[k] ?? null;
    row.converged = o.converged;
    row.rho = o.rho;
    if (o.converged) {
      Object.assign(row, {
        iterations: o.iterations,
        precopySeconds: o.precopySeconds,
        downtimeSeconds: o.downtimeSeconds,
        totalSeconds: o.totalSeconds,
        pagesTransferred: o.pagesTransferred,
        gain: Number.isFinite(o.gain) ? o.gain : null,
        networkUtilization: o.networkUtilization,
        note: o.warnings.filter((w) => !w.startsWith('rounds truncated')).join('; '),
      });
    } else {
      row.note = o.reason;
    }
    row.hotGain = p.hotGain ?? null;
    rows.push(row);
  }
  return rows;
}

/** Raw input of a sweep request: the predict input where a numeric field may be a list `A,B,C` or a range `LO:HI:STEP`. */
export const sweepRawInput = predictInputSchema;

/** The shape of a sweep answer: the column names and one row per point and case. */
export const sweepOutput = z.strictObject({
  columns: z.array(z.enum(SWEEP_COLUMNS)),
  rows: z.array(z.partialRecord(z.enum(SWEEP_COLUMNS), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});
