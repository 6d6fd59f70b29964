/**
 * Streaming sweeps: the cross product of parameter axes, computed and written as it goes, in memory bounded
 * whatever the number of points (issue 11).
 *
 * - Axes are lazy: a range LO:HI:STEP is its count and the rule `LO + i*STEP` (built by index, in scaled
 *   integers for plain decimals), never an array; counts are checked before anything else.
 * - Validation stays up front and exact: every point is resolved with a numeric mirror of the input schema
 *   (no zod, no object per point); the first point, and any point the mirror rejects, goes through the schema
 *   itself, so error messages are the schema's. When the mirror and the schema ever disagree the sweep falls
 *   back to the schema for every point (slow, same bytes).
 * - Points are resolved in chunks into Float64Arrays and evaluated by the batch kernel
 *   ({@link summarizeBatch}); rows are formatted straight into a string buffer handed to a sink in ~64 KiB
 *   pieces ({@link sweepChunks}, {@link writeSweep} with backpressure).
 * - The bytes are those of the per-point path ({@link referenceRows}: `predict` per point, the rows `precopy sweep`
 *   always wrote); test/sweep/stream.test.ts compares the two.
 */
import { once } from 'node:events';
import { csvField, csvRow } from '../format/csv.js';
import {
  BAND_EDGE_TOLERANCE,
  type BatchOutputs,
  type CaseName,
  type CaseOutcome,
  MAX_PAGES,
  type ModelInput,
  createBatchOutputs,
  predict,
  summarizeAt,
  summarizeBatch,
} from '../model/index.js';
import {
  PAPER_PRESET,
  type PredictInputRaw,
  type ResolvedPredict,
  alphaFromDowntimeLimit,
  flagOf,
  predictSchema,
} from '../schema/index.js';
import { parseDirtyRate, parseDuration, parseRate, parseSize } from '../units/index.js';

/** Largest number of points of one axis, and of a whole sweep. */
export const MAX_SWEEP_POINTS = 10_000_000;

/** An error in a sweep axis (a malformed range, too many points), worded with the CLI's flag names. */
export class SweepInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly value?: string,
    readonly code: 'invalid_value' | 'too_many_points' = 'invalid_value',
  ) {
    super(message);
    this.name = 'SweepInputError';
  }
}

type Kind = 'num' | 'size' | 'rate' | 'dirty' | 'duration';
/** The fields a sweep may vary: how a value is read, and the unit suffix a generated base-unit value gets. */
const FIELDS: Record<string, { kind: Kind; suffix: string }> = {
  pages: { kind: 'num', suffix: '' },
  memory: { kind: 'size', suffix: 'B' },
  pageSize: { kind: 'size', suffix: 'B' },
  bandwidth: { kind: 'rate', suffix: 'B/s' },
  dirtyRate: { kind: 'dirty', suffix: '' },
  hotRate: { kind: 'dirty', suffix: '' },
  coldRate: { kind: 'dirty', suffix: '' },
  alpha: { kind: 'num', suffix: '' },
  downtimeLimit: { kind: 'duration', suffix: 's' },
  hotFraction: { kind: 'num', suffix: '' },
};
/** The fields a sweep may vary. */
export const SWEEP_FIELDS: readonly string[] = Object.keys(FIELDS);

/** Dirty rates in a range keep their own unit: pages/s if bare, bytes/s if a byte rate. */
function dirtyParse(s: string): number {
  return /^\s*[-+0-9.eE]+\s*(pages?(\/s)?)?\s*$/.test(s) ? Number(s.replace(/pages?(\/s)?/, '')) : parseRate(s);
}
function rangeParse(kind: Kind): (s: string) => number {
  if (kind === 'size') return parseSize;
  if (kind === 'rate') return parseRate;
  if (kind === 'duration') return parseDuration;
  if (kind === 'dirty') return dirtyParse;
  return Number;
}

/** One axis: `count` values, the i-th as text by `text(i)` (and as a number by `num(i)` for plain ranges). */
export interface SweepAxis {
  readonly field: string;
  readonly count: number;
  text(i: number): string;
  /** The value as a number when it reads back exactly from `text(i)` (plain numeric ranges), else undefined. */
  readonly num?: (i: number) => number;
}

/**
 * One flag value as a lazy axis: `A,B,C` (a list, each kept as written) or `LO:HI:STEP` (LO + i*STEP for
 * i = 0.. while <= HI, by index). The count is checked before anything else.
 * @throws {SweepInputError} a malformed range, or more than {@link MAX_SWEEP_POINTS} points
 */
export function sweepAxis(field: string, text: string): SweepAxis {
  const spec = FIELDS[field];
  if (!spec) throw new SweepInputError(field, `${flagOf(field)} cannot be swept`);
  if (!text.includes(':')) {
    const values = text.split(',').map((s) => s.trim());
    return { field, count: values.length, text: (i) => values[i]! };
  }
  const parts = text.split(':');
  const bad = () =>
    new SweepInputError(
      field,
      `${flagOf(field)} '${text}' is not a range: expected LO:HI:STEP with LO <= HI and STEP > 0 (or a list A,B,C)`,
      text,
    );
  if (parts.length !== 3) throw bad();
  let lo: number;
  let hi: number;
  let step: number;
  try {
    const parse = rangeParse(spec.kind);
    [lo, hi, step] = parts.map((p) => parse(p)) as [number, number, number];
  } catch {
    throw bad();
  }
  if (![lo, hi, step].every(Number.isFinite) || step <= 0 || hi < lo) throw bad();
  const count = Math.floor((hi - lo) / step + 1e-9) + 1;
  if (count > MAX_SWEEP_POINTS)
    throw new SweepInputError(
      field,
      `${flagOf(field)} '${text}' has ${count} points: at most ${MAX_SWEEP_POINTS}`,
      text,
      'too_many_points',
    );
  const isByteDirty = spec.kind === 'dirty' && /[bB]/.test(parts[0]!.replace(/pages?/, ''));
  const suffix = isByteDirty ? 'B/s' : spec.suffix;
  const decimals = decimalsOf(parts[0]!, parts[2]!);
  const at = (i: number) => gridValue(lo, step, i, decimals);
  // String(x) reads back to x (Number(String(x)) === x for every finite double but -0, which the schema reads
  // as 0), so a plain numeric range needs no text per point.
  const num = spec.kind === 'num' ? (i: number) => at(i) + 0 : undefined;
  return { field, count, text: (i) => `${at(i)}${suffix}`, ...(num ? { num } : {}) };
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
 * The i-th grid point LO + i*STEP, built by index (never by repeated addition). For plain decimals it is
 * computed in scaled integers, so 0.05 + 2*0.05 gives the double nearest 0.15, not 0.15000000000000002.
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
/** The columns of a sweep row, in CSV order. */
export const SWEEP_COLUMNS = [...INPUT_COLUMNS, ...OUTPUT_COLUMNS] as const;

export type SweepRow = Record<string, string | number | boolean | null>;

/**
 * The rows of one resolved point by the per-point path (`predict`, one row per case): the reference the
 * streaming path is tested against, and its fallback. Non-converging cases are rows, not errors.
 */
export function referenceRows(r: ResolvedPredict): SweepRow[] {
  const p = predict(r.input, r.cases, { strict: r.strict, maxRoundsListed: 0 });
  const rows: SweepRow[] = [];
  for (const c of r.cases) {
    const o = p[c] as CaseOutcome;
    const row: SweepRow = { case: c };
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

// Slots of the resolved numbers of a point.
const NUM_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A value of one field at one point: given (raw) and parsed into its base unit (NaN when unreadable). */
interface Slot {
  readonly field: string;
  readonly kind: Kind;
  /** The axis, or undefined for a fixed value. */
  readonly axis?: SweepAxis;
  readonly fixed?: unknown;
  /** Index the cached values below belong to (-1: none yet). */
  at: number;
  /** Parsed value; for dirty rates the pages/s or bytes/s number (see `bytes`). */
  value: number;
  /** Dirty rates: the value is bytes/s (to divide by the page size). */
  bytes: boolean;
}

function parseInto(slot: Slot, raw: unknown): void {
  slot.bytes = false;
  if (typeof raw === 'number') {
    slot.value = Number.isFinite(raw) ? raw : Number.NaN;
    return;
  }
  if (typeof raw !== 'string') {
    slot.value = Number.NaN;
    return;
  }
  try {
    switch (slot.kind) {
      case 'num':
        slot.value = NUM_RE.test(raw) ? Number(raw) : Number.NaN;
        return;
      case 'size':
        slot.value = parseSize(raw);
        return;
      case 'rate':
        slot.value = parseRate(raw);
        return;
      case 'duration':
        slot.value = parseDuration(raw);
        return;
      default: {
        const d = parseDirtyRate(raw);
        if ('pagesPerSecond' in d) slot.value = d.pagesPerSecond;
        else {
          slot.value = d.bytesPerSecond;
          slot.bytes = true;
        }
      }
    }
  } catch {
    slot.value = Number.NaN;
  }
}

/** A planned sweep: the axes, the fixed values, and what is the same at every point (cases, accounting). */
export interface SweepPlan {
  readonly axes: readonly SweepAxis[];
  readonly fixed: Readonly<Record<string, unknown>>;
  /** Number of points (the product of the axis counts). */
  readonly total: number;
}

/**
 * Plans a sweep: `fixed` holds the non-swept fields as given (preset, case, accounting, strict, single values),
 * `axes` the swept fields in order (the last varies fastest). Cheap: nothing is expanded.
 * @throws {SweepInputError} a malformed axis, or one of more than {@link MAX_SWEEP_POINTS} points
 */
export function planSweep(fixed: Record<string, unknown>, axes: readonly (readonly [string, string])[]): SweepPlan {
  const lazy = axes.map(([f, t]) => sweepAxis(f, t));
  return { axes: lazy, fixed: { ...fixed }, total: lazy.reduce((n, a) => n * a.count, 1) };
}

/** The raw input of point `idx` (axis indices), as the schema reads it. */
function rawPoint(plan: SweepPlan, idx: ArrayLike<number>): PredictInputRaw {
  const raw: Record<string, unknown> = { ...plan.fixed };
  plan.axes.forEach((a, i) => {
    raw[a.field] = a.text(idx[i]!);
  });
  return raw as PredictInputRaw;
}

/** Index of the point after `idx` in row-major order (last axis fastest); returns the first axis changed, or -1 at the end. */
function advance(plan: SweepPlan, idx: Int32Array | number[]): number {
  let i = plan.axes.length - 1;
  while (i >= 0) {
    idx[i]! += 1;
    if (idx[i]! < plan.axes[i]!.count) return i;
    idx[i] = 0;
    i -= 1;
  }
  return -1;
}

/** The numbers of one point, resolved as the schema resolves them (NaN pages: invalid). */
interface Point {
  pages: number;
  pageSizeBytes: number;
  bandwidthBytesPerSecond: number;
  alpha: number;
  dirty: number;
  hotFraction: number;
  hot: number;
  cold: number;
}

/** Numeric mirror of the schema's resolveModel/resolvePredict over parsed slots. */
class Resolver {
  readonly slots = new Map<string, Slot>();
  readonly axisSlots: Slot[];
  readonly hasPreset: boolean;
  readonly alphaFromLimit: boolean;

  constructor(readonly plan: SweepPlan) {
    // As resolveModel/resolvePredict: the preset fills the model fields not given, and alpha when neither
    // alpha nor a downtime limit is given.
    const given: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plan.fixed)) if (v !== undefined) given[k] = v;
    for (const a of plan.axes) given[a.field] = '';
    this.hasPreset = plan.fixed.preset === 'paper';
    const fields: Record<string, unknown> = { ...given };
    if (this.hasPreset) {
      for (const k of ['pages', 'pageSize', 'bandwidth', 'dirtyRate', 'hotFraction', 'hotRate', 'coldRate'] as const) {
        if (!(k in given)) fields[k] = PAPER_PRESET[k];
      }
      if (!('alpha' in given) && !('downtimeLimit' in given)) fields.alpha = PAPER_PRESET.alpha;
    }
    this.axisSlots = [];
    for (const [field, spec] of Object.entries(FIELDS)) {
      if (!(field in fields)) continue;
      const axis = plan.axes.find((a) => a.field === field);
      const slot: Slot = {
        field,
        kind: spec.kind,
        axis,
        fixed: fields[field],
        at: -1,
        value: Number.NaN,
        bytes: false,
      };
      if (!axis) parseInto(slot, slot.fixed);
      this.slots.set(field, slot);
    }
    for (const a of plan.axes) this.axisSlots.push(this.slots.get(a.field)!);
    this.alphaFromLimit = this.slots.has('downtimeLimit') && !this.slots.has('alpha');
  }

  /** Brings the axis slots to the point `idx`, re-reading only the axes from `from` on. */
  load(idx: ArrayLike<number>, from: number): void {
    for (let k = from; k < this.axisSlots.length; k++) {
      const s = this.axisSlots[k]!;
      const i = idx[k]!;
      if (s.at === i) continue;
      s.at = i;
      const num = s.axis!.num;
      if (num) {
        s.value = num(i);
        s.bytes = false;
      } else parseInto(s, s.axis!.text(i));
    }
  }

  private v(field: string): number | undefined {
    const s = this.slots.get(field);
    return s === undefined ? undefined : s.value;
  }

  /** Resolves the loaded point into `p`; false when the schema would reject it. */
  resolve(p: Point): boolean {
    const size = this.v('pageSize');
    const pageSizeBytes = size === undefined ? 4096 : size;
    if (!(pageSizeBytes > 0)) return false;
    const pagesV = this.v('pages');
    const memory = this.v('memory');
    if (pagesV !== undefined && memory !== undefined) return false;
    let pages: number;
    if (pagesV !== undefined) {
      if (!(Number.isInteger(pagesV) && pagesV >= 1 && pagesV <= MAX_PAGES)) return false;
      pages = pagesV;
    } else if (memory !== undefined) {
      pages = Math.ceil(memory / pageSizeBytes - 1e-9);
      if (!(memory > 0 && pages <= MAX_PAGES)) return false;
    } else return false;
    const bw = this.v('bandwidth');
    if (bw === undefined || !(bw > 0)) return false;
    p.pages = pages;
    p.pageSizeBytes = pageSizeBytes;
    p.bandwidthBytesPerSecond = bw;
    p.dirty = this.dirty('dirtyRate', pageSizeBytes);
    if (Number.isNaN(p.dirty)) return false;
    const beta = this.v('hotFraction');
    p.hotFraction = beta === undefined ? Number.NaN : beta;
    if (beta !== undefined && !(beta >= 0 && beta < 1)) return false;
    p.hot = this.dirty('hotRate', pageSizeBytes);
    p.cold = this.dirty('coldRate', pageSizeBytes);
    if (Number.isNaN(p.hot) || Number.isNaN(p.cold)) return false;
    const alpha = this.v('alpha');
    if (alpha !== undefined) {
      if (this.slots.has('downtimeLimit')) return false;
      if (!(alpha > 0 && alpha < 1)) return false;
      p.alpha = alpha;
    } else if (this.alphaFromLimit) {
      const limit = this.v('downtimeLimit')!;
      const full = (pages * pageSizeBytes) / bw;
      if (!(limit > 0 && limit < full)) return false;
      p.alpha = alphaFromDowntimeLimit(limit, bw, pages, pageSizeBytes);
    } else return false;
    return true;
  }

  /** A dirty rate in pages/s; NaN when invalid; -1 when absent (stored as absent below). */
  private dirty(field: string, pageSizeBytes: number): number {
    const s = this.slots.get(field);
    if (s === undefined) return -1;
    const v = s.bytes ? s.value / pageSizeBytes : s.value;
    return Number.isFinite(v) && v >= 0 ? v : Number.NaN;
  }
}

/** The outcome of {@link checkSweep}. */
export type SweepCheck =
  | { readonly ok: true }
  /** The first point the schema rejects, as raw input: parse it with `predictSchema` for the error. */
  | { readonly ok: false; readonly raw: PredictInputRaw };

/** What is the same at every point, from the schema's resolution of the first point. */
interface Common {
  readonly cases: readonly CaseName[];
  readonly accounting: 'paper' | 'consistent';
  readonly strict: boolean;
  /** Whether the numeric mirror agreed with the schema at the first point (else: per-point schema path). */
  readonly fast: boolean;
}

const commonOf = new WeakMap<SweepPlan, Common>();

function sameInput(p: Point, m: ModelInput): boolean {
  const opt = (x: number, y: number | undefined) => (y === undefined ? x === -1 || Number.isNaN(x) : Object.is(x, y));
  return (
    Object.is(p.pages, m.pages) &&
    Object.is(p.pageSizeBytes, m.pageSizeBytes) &&
    Object.is(p.bandwidthBytesPerSecond, m.bandwidthBytesPerSecond) &&
    Object.is(p.alpha, m.alpha) &&
    opt(p.dirty, m.dirtyPagesPerSecond) &&
    opt(p.hotFraction, m.hotFraction) &&
    opt(p.hot, m.hotDirtyPagesPerSecond) &&
    opt(p.cold, m.coldDirtyPagesPerSecond)
  );
}

function newPoint(): Point {
  return {
    pages: 0,
    pageSizeBytes: 0,
    bandwidthBytesPerSecond: 0,
    alpha: 0,
    dirty: 0,
    hotFraction: 0,
    hot: 0,
    cold: 0,
  };
}

/**
 * Validates every point before anything is written (bad input never leaves half an output behind). O(points),
 * no object per point. With `strict`, also evaluates every case (alpha > rho is then an error, thrown here).
 * @throws {ModelInputError} strict mode and a point with alpha > rho (as `predict` would)
 */
export function checkSweep(plan: SweepPlan): SweepCheck {
  if (plan.total === 0) {
    commonOf.set(plan, { cases: [], accounting: 'paper', strict: false, fast: true });
    return { ok: true };
  }
  const idx = new Int32Array(plan.axes.length);
  const first = predictSchema.safeParse(rawPoint(plan, idx));
  if (!first.success) return { ok: false, raw: rawPoint(plan, idx) };
  const r = first.data;
  const resolver = new Resolver(plan);
  const p = newPoint();
  resolver.load(idx, 0);
  const fast = resolver.resolve(p) && sameInput(p, r.input);
  const common: Common = { cases: r.cases, accounting: r.accounting, strict: r.strict, fast };
  commonOf.set(plan, common);
  if (!fast) return slowCheck(plan, common);
  let from = 0;
  do {
    resolver.load(idx, from);
    if (!resolver.resolve(p)) {
      const raw = rawPoint(plan, idx);
      if (!predictSchema.safeParse(raw).success) return { ok: false, raw };
      // The schema accepts what the mirror rejected: never expected; stay exact by taking the schema path.
      return slowCheck(plan, common);
    }
    // The model's own checks the schema does not make (Ps rounded from a tiny memory size, alpha from a
    // downtime limit rounding to 1): predict raises its own error, before anything is written.
    if (!(p.pages >= 1 && Number.isInteger(p.pages) && p.alpha > 0 && p.alpha < 1)) {
      predict(pointInput(p), common.cases, { maxRoundsListed: 0 });
    }
    if (common.strict) {
      const input = pointInput(p);
      for (const c of common.cases) strictCheck(input, c);
    }
    from = advance(plan, idx);
  } while (from >= 0);
  return { ok: true };
}

/** Validation through the schema at every point (the fallback when the numeric mirror disagrees). */
function slowCheck(plan: SweepPlan, common: Common): SweepCheck {
  commonOf.set(plan, { ...common, fast: false });
  const idx = new Int32Array(plan.axes.length);
  do {
    const raw = rawPoint(plan, idx);
    const res = predictSchema.safeParse(raw);
    if (!res.success) return { ok: false, raw };
    if (common.strict) predict(res.data.input, res.data.cases, { strict: true, maxRoundsListed: 0 });
  } while (advance(plan, idx) >= 0);
  return { ok: true };
}

function pointInput(p: Point): ModelInput & { accounting?: 'paper' | 'consistent' } {
  return {
    pages: p.pages,
    pageSizeBytes: p.pageSizeBytes,
    bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
    alpha: p.alpha,
    ...(p.dirty >= 0 ? { dirtyPagesPerSecond: p.dirty } : {}),
    ...(p.hotFraction >= 0 ? { hotFraction: p.hotFraction } : {}),
    ...(p.hot >= 0 ? { hotDirtyPagesPerSecond: p.hot } : {}),
    ...(p.cold >= 0 ? { coldDirtyPagesPerSecond: p.cold } : {}),
  };
}

function strictCheck(input: ModelInput, c: CaseName): void {
  const s = summarizeAt(input, c, input.alpha);
  if (s.converged && input.alpha > s.rho * (1 + BAND_EDGE_TOLERANCE)) {
    predict(input, [c], { strict: true, maxRoundsListed: 0 }); // throws the model's own error
  }
}

/** Output formats of a streamed sweep. */
export type SweepFormat = 'csv' | 'jsonl';

/** Points per chunk: the SoA arrays and kernel outputs are sized once for this many. */
const CHUNK = 1024;
/** A string piece handed to the sink once it is this long. */
const PIECE = 1 << 16;

function fmt6(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

function jsonNum(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null'; // JSON.stringify's rule (and -0 -> "0")
}

/**
 * The sweep as text pieces (~64 KiB each), computed lazily: CSV (header first, CRLF, RFC 4180) or JSON lines,
 * the same bytes as {@link referenceRows} written by `csvRow` / `JSON.stringify`. Memory is bounded by the chunk
 * size whatever the number of points. Call {@link checkSweep} first (and stop if it is not ok).
 * @throws {ModelInputError} as `predict` would for a point the schema accepts but the model refuses
 */
export function* sweepChunks(plan: SweepPlan, format: SweepFormat): Generator<string, void, undefined> {
  const common = commonOf.get(plan);
  if (!common) throw new Error('sweepChunks: call checkSweep(plan) first');
  let buf = format === 'csv' ? csvRow(SWEEP_COLUMNS) : '';
  if (plan.total === 0) {
    if (buf) yield buf;
    return;
  }
  if (!common.fast) {
    for (const row of slowRows(plan)) {
      buf += format === 'csv' ? csvRow(SWEEP_COLUMNS.map((c) => row[c])) : `${JSON.stringify(row, jsonReplacer)}\n`;
      if (buf.length >= PIECE) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
    return;
  }
  const resolver = new Resolver(plan);
  const p = newPoint();
  const ins = {
    pages: new Float64Array(CHUNK),
    pageSizeBytes: new Float64Array(CHUNK),
    bandwidthBytesPerSecond: new Float64Array(CHUNK),
    alpha: new Float64Array(CHUNK),
    dirtyPagesPerSecond: new Float64Array(CHUNK),
    hotFraction: new Float64Array(CHUNK),
    hotDirtyPagesPerSecond: new Float64Array(CHUNK),
    coldDirtyPagesPerSecond: new Float64Array(CHUNK),
  };
  const outs: BatchOutputs[] = common.cases.map(() => createBatchOutputs(CHUNK));
  const hasHotGain = common.cases.includes('hotPrecopy') && common.cases.includes('hotDowntime');
  const hpI = common.cases.indexOf('hotPrecopy');
  const hdI = common.cases.indexOf('hotDowntime');
  const has = { dirty: resolver.slots.has('dirtyRate'), beta: resolver.slots.has('hotFraction') };
  const hasHot = resolver.slots.has('hotRate');
  const hasCold = resolver.slots.has('coldRate');
  const csv = format === 'csv';
  const caseText = common.cases.map((c) => (csv ? `,${c},` : `{"case":"${c}",`));
  const idx = new Int32Array(plan.axes.length);
  const lastIn = new Float64Array(8).fill(Number.NaN);
  let lastInputs = '';
  let lastPrefix = '';
  let lastSuffix = '';
  let lastRho = Number.NaN;
  let lastRhoText = '';
  let from = 0;
  let done = false;
  while (!done) {
    let n = 0;
    while (n < CHUNK && !done) {
      resolver.load(idx, from);
      if (!resolver.resolve(p)) throw new Error('sweep: a point changed between validation and output');
      ins.pages[n] = p.pages;
      ins.pageSizeBytes[n] = p.pageSizeBytes;
      ins.bandwidthBytesPerSecond[n] = p.bandwidthBytesPerSecond;
      ins.alpha[n] = p.alpha;
      ins.dirtyPagesPerSecond[n] = p.dirty;
      ins.hotFraction[n] = p.hotFraction;
      ins.hotDirtyPagesPerSecond[n] = p.hot;
      ins.coldDirtyPagesPerSecond[n] = p.cold;
      n++;
      from = advance(plan, idx);
      if (from < 0) done = true;
    }
    for (let k = 0; k < common.cases.length; k++) {
      // The model's own checks, as predict runs them (the schema already enforced them but for Ps rounding
      // to 0 pages from a tiny memory size): any refusal is raised by the model itself.
      summarizeBatch(common.cases[k]!, ins, outs[k]!, n, common.accounting);
    }
    for (let i = 0; i < n; i++) {
      const pages = ins.pages[i]!;
      const alpha = ins.alpha[i]!;
      if (!(pages >= 1 && Number.isInteger(pages) && alpha > 0 && alpha < 1)) {
        predict(pointInput(readPoint(ins, i)), common.cases, { maxRoundsListed: 0 }); // throws as before
      }
      // The input columns, re-formatted only when a value changed (in a sweep most do not from row to row).
      let inputs: string;
      if (
        pages === lastIn[0] &&
        ins.pageSizeBytes[i] === lastIn[1] &&
        ins.bandwidthBytesPerSecond[i] === lastIn[2] &&
        alpha === lastIn[3] &&
        Object.is(ins.dirtyPagesPerSecond[i], lastIn[4]) &&
        Object.is(ins.hotFraction[i], lastIn[5]) &&
        Object.is(ins.hotDirtyPagesPerSecond[i], lastIn[6]) &&
        Object.is(ins.coldDirtyPagesPerSecond[i], lastIn[7])
      ) {
        inputs = lastInputs;
      } else {
        const prefixSame =
          pages === lastIn[0] && ins.pageSizeBytes[i] === lastIn[1] && ins.bandwidthBytesPerSecond[i] === lastIn[2];
        const suffixSame =
          Object.is(ins.dirtyPagesPerSecond[i], lastIn[4]) &&
          Object.is(ins.hotFraction[i], lastIn[5]) &&
          Object.is(ins.hotDirtyPagesPerSecond[i], lastIn[6]) &&
          Object.is(ins.coldDirtyPagesPerSecond[i], lastIn[7]);
        if (!prefixSame) {
          lastPrefix = csv
            ? `${pages},${ins.pageSizeBytes[i]},${ins.bandwidthBytesPerSecond[i]},`
            : `"pages":${pages},"pageSizeBytes":${ins.pageSizeBytes[i]},"bandwidthBytesPerSecond":${ins.bandwidthBytesPerSecond[i]},"alpha":`;
        }
        if (!suffixSame) {
          lastSuffix = csv
            ? `,${has.dirty ? csvNum(ins.dirtyPagesPerSecond[i]!) : ''},${has.beta ? csvNum(ins.hotFraction[i]!) : ''},${hasHot ? csvNum(ins.hotDirtyPagesPerSecond[i]!) : ''},${hasCold ? csvNum(ins.coldDirtyPagesPerSecond[i]!) : ''}`
            : `,"dirtyPagesPerSecond":${has.dirty ? jsonNum(ins.dirtyPagesPerSecond[i]!) : 'null'},"hotFraction":${has.beta ? jsonNum(ins.hotFraction[i]!) : 'null'},"hotDirtyPagesPerSecond":${hasHot ? jsonNum(ins.hotDirtyPagesPerSecond[i]!) : 'null'},"coldDirtyPagesPerSecond":${hasCold ? jsonNum(ins.coldDirtyPagesPerSecond[i]!) : 'null'}`;
        }
        inputs = `${lastPrefix}${alpha}${lastSuffix}`;
        lastIn[0] = pages;
        lastIn[1] = ins.pageSizeBytes[i]!;
        lastIn[2] = ins.bandwidthBytesPerSecond[i]!;
        lastIn[3] = alpha;
        lastIn[4] = ins.dirtyPagesPerSecond[i]!;
        lastIn[5] = ins.hotFraction[i]!;
        lastIn[6] = ins.hotDirtyPagesPerSecond[i]!;
        lastIn[7] = ins.coldDirtyPagesPerSecond[i]!;
        lastInputs = inputs;
      }
      let hotGain = Number.NaN;
      if (hasHotGain && outs[hpI]!.converged[i] && outs[hdI]!.converged[i]) {
        const dd = outs[hdI]!.downtimeSeconds[i]!;
        if (dd !== 0) hotGain = outs[hpI]!.downtimeSeconds[i]! / dd;
      }
      for (let k = 0; k < common.cases.length; k++) {
        const o = outs[k]!;
        const c = common.cases[k]!;
        const rho = o.rho[i]!;
        if (o.converged[i]) {
          const gain = o.gain[i]!;
          let note = '';
          if (c !== 'uniform' && !(ins.hotDirtyPagesPerSecond[i]! > ins.coldDirtyPagesPerSecond[i]!)) {
            note = `hot rate ${ins.hotDirtyPagesPerSecond[i]} pages/s is not above cold rate ${ins.coldDirtyPagesPerSecond[i]} pages/s (the paper assumes Dh > Dnh)`;
          }
          if (alpha > rho * (1 + BAND_EDGE_TOLERANCE)) {
            if (common.strict) predict(pointInput(readPoint(ins, i)), [c], { strict: true, maxRoundsListed: 0 });
            if (rho !== lastRho) {
              lastRho = rho;
              lastRhoText = fmt6(rho);
            }
            const w = `alpha = ${fmt6(alpha)} is above rho = ${lastRhoText}: the first round already leaves at most alpha*Ps pages, so n = 0 (the paper's condition alpha <= rho does not hold)`;
            note = note ? `${note}; ${w}` : w;
          }
          if (!Number.isFinite(gain)) {
            const w = 'gain is unbounded: no page is left to copy at downtime';
            note = note ? `${note}; ${w}` : w;
          }
          if (csv) {
            buf += `${inputs}${caseText[k]}true,${rho},${o.iterations[i]},${o.precopySeconds[i]},${o.downtimeSeconds[i]},${o.totalSeconds[i]},${o.pagesTransferred[i]},${csvNum(gain)},${o.networkUtilization[i]},${csvNum(hotGain)},${note ? csvText(note) : ''}\r\n`;
          } else {
            buf += `${caseText[k]}${inputs},"converged":true,"rho":${rho},"iterations":${o.iterations[i]},"precopySeconds":${o.precopySeconds[i]},"downtimeSeconds":${o.downtimeSeconds[i]},"totalSeconds":${o.totalSeconds[i]},"pagesTransferred":${o.pagesTransferred[i]},"gain":${jsonNum(gain)},"networkUtilization":${o.networkUtilization[i]},"note":${jsonText(note)},"hotGain":${jsonNum(hotGain)}}\n`;
          }
        } else {
          const s = summarizeAt(pointInput(readPoint(ins, i)), c, alpha);
          const reason = s.converged ? '' : s.reason;
          if (csv)
            buf += `${inputs}${caseText[k]}false,${csvNum(rho)},,,,,,,,${csvNum(hotGain)},${csvField(reason)}\r\n`;
          else
            buf += `${caseText[k]}${inputs},"converged":false,"rho":${jsonNum(rho)},"note":${JSON.stringify(reason)},"hotGain":${jsonNum(hotGain)}}\n`;
        }
      }
      if (buf.length >= PIECE) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf) yield buf;
}

/** csvField for text: quoted when it holds a comma, quote, CR or LF (the notes hold commas, never quotes). */
function csvText(s: string): string {
  if (!/[",\r\n]/.test(s)) return s;
  return s.includes('"') ? csvField(s) : `"${s}"`;
}

/** JSON.stringify for text, without the call when nothing needs escaping (the notes never do). */
function jsonText(s: string): string {
  return /^[ !#-[\]-~]*$/.test(s) ? `"${s}"` : JSON.stringify(s); // printable ASCII but " and \\
}

function csvNum(x: number): string {
  return Number.isFinite(x) ? (x === 0 ? '0' : String(x)) : '';
}

function jsonReplacer(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

function readPoint(ins: Record<string, Float64Array>, i: number): Point {
  return {
    pages: ins.pages![i]!,
    pageSizeBytes: ins.pageSizeBytes![i]!,
    bandwidthBytesPerSecond: ins.bandwidthBytesPerSecond![i]!,
    alpha: ins.alpha![i]!,
    dirty: ins.dirtyPagesPerSecond![i]!,
    hotFraction: ins.hotFraction![i]!,
    hot: ins.hotDirtyPagesPerSecond![i]!,
    cold: ins.coldDirtyPagesPerSecond![i]!,
  };
}

/** Every point through the schema and `predict` (the reference path; used when the mirror disagrees). */
function* slowRows(plan: SweepPlan): Generator<SweepRow> {
  if (plan.total === 0) return;
  const idx = new Int32Array(plan.axes.length);
  do {
    const r = predictSchema.parse(rawPoint(plan, idx));
    yield* referenceRows(r);
  } while (advance(plan, idx) >= 0);
}

/**
 * The rows as objects (the API's `rows`, the CLI's table), the same values as the text forms. Materialise
 * only bounded sweeps. Call {@link checkSweep} first.
 */
export function* sweepRecords(plan: SweepPlan): Generator<SweepRow> {
  for (const piece of sweepChunks(plan, 'jsonl')) {
    let start = 0;
    for (let end = piece.indexOf('\n'); end >= 0; end = piece.indexOf('\n', start)) {
      yield JSON.parse(piece.slice(start, end)) as SweepRow;
      start = end + 1;
    }
  }
}

/** A sink: Node's writable streams fit (`process.stdout`, a file stream, an HTTP response). */
export interface SweepSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes the sweep to `sink`, waiting for 'drain' whenever the sink says its buffer is full (backpressure), so
 * memory stays bounded however slow the reader. Call {@link checkSweep} first.
 */
export async function writeSweep(plan: SweepPlan, format: SweepFormat, sink: SweepSink): Promise<void> {
  for (const piece of sweepChunks(plan, format)) {
    if (!sink.write(piece)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
  }
}
