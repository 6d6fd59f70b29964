/**
 * The batch kernel: one case of Table 1 evaluated over arrays of inputs (structure of arrays, Float64Array in
 * and out), the same numbers as {@link summarizeAt} bit for bit (test/model/batch.test.ts checks it with
 * fast-check). For sweeps, the explorer's curves and the fleet planner: no object per evaluation, no boxing,
 * and ln(rho) reused while consecutive inputs share rho (a sweep over alpha or Ps).
 *
 * Usage:
 *   const out = createBatchOutputs(n);
 *   summarizeBatch('uniform', { pages, pageSizeBytes, bandwidthBytesPerSecond, alpha, dirtyPagesPerSecond }, out, n);
 *   out.downtimeSeconds[i] // Tdown of the i-th input
 */
import { ModelInputError } from './errors.js';
import { EXPM1_CELL, expFast, expm1Cell, expm1Fast, lnFast } from './fastmath.js';
import { BAND_EDGE_TOLERANCE, ceilPages } from './numerics.js';
import type { EngineParams } from './precopy.js';
import type { Accounting, CaseName } from './types.js';

/**
 * Inputs, one Float64Array per parameter, in base units (as {@link EngineParams} plus alpha). The uniform case
 * reads `dirtyPagesPerSecond`; the hot cases read `hotFraction`, `hotDirtyPagesPerSecond` and
 * `coldDirtyPagesPerSecond`. Entries are assumed valid (as for `summarizeAt`: the caller checks ranges).
 */
export interface BatchInputs {
  readonly pages: Float64Array;
  readonly pageSizeBytes: Float64Array;
  readonly bandwidthBytesPerSecond: Float64Array;
  readonly alpha: Float64Array;
  readonly dirtyPagesPerSecond?: Float64Array;
  readonly hotFraction?: Float64Array;
  readonly hotDirtyPagesPerSecond?: Float64Array;
  readonly coldDirtyPagesPerSecond?: Float64Array;
}

/**
 * Outputs, one array per quantity of {@link Summary}. `converged[i]` is 1 when rho < 1; otherwise only `rho[i]`
 * is meaningful and every other quantity of entry i is NaN (ask `summarizeAt` for the reason).
 */
export interface BatchOutputs {
  readonly converged: Uint8Array;
  readonly rho: Float64Array;
  readonly iterations: Float64Array;
  readonly precopySeconds: Float64Array;
  readonly downtimeSeconds: Float64Array;
  readonly totalSeconds: Float64Array;
  readonly pagesTransferred: Float64Array;
  readonly downtimePages: Float64Array;
  readonly gain: Float64Array;
  readonly networkUtilization: Float64Array;
}

/** Largest batch one call to {@link createBatchOutputs} allocates (9 arrays of 8 bytes and 1 of 1: 73 MB at 1e6). */
export const MAX_BATCH = 1 << 24;

/** 7 cache lines: the 9 output arrays start 0, 7, 14, ..., 56 lines past a 4096-byte boundary (mod 64 lines). */
const STAGGER = 7 * 64;

/**
 * Bytes between the starts of two consecutive output arrays in {@link createBatchOutputs}' buffer: the array's
 * bytes rounded up to whole 64-byte cache lines, then up to 7 lines more than a multiple of 4096 bytes.
 */
function outputStride(capacity: number): number {
  const lineBytes = Math.ceil((capacity * 8) / 64) * 64;
  return lineBytes + ((STAGGER - (lineBytes % 4096) + 4096) % 4096);
}

/**
 * Output arrays for up to `capacity` evaluations (reuse them across calls).
 *
 * All ten are views of one ArrayBuffer (as a C program would take them from one malloc), and the nine
 * Float64Arrays start at different offsets modulo 4096 bytes (7 cache lines apart). Separate allocations of
 * a large size each come from their own mmap, all at the same offset in a page, so entry i of every array falls
 * in the same set of the CPU's L1 data cache (64 sets of 8 ways on x86: bits 6-11 of the address): with 9
 * outputs and 5 separate inputs the kernel's 14 streams fought over 8 ways and every access missed L1 (about 3
 * ns of the kernel's 55-59 per entry, docs/speed.md "Batch kernel, part 5"). Staggered, outputs never share a set.
 * @throws {ModelInputError} capacity not a whole number from 1 to {@link MAX_BATCH}
 */
export function createBatchOutputs(capacity: number): BatchOutputs {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_BATCH) {
    throw new ModelInputError('capacity', capacity, `a whole number from 1 to ${MAX_BATCH}`);
  }
  const stride = outputStride(capacity);
  const buffer = new ArrayBuffer(9 * stride + capacity);
  const f = (k: number) => new Float64Array(buffer, k * stride, capacity);
  return {
    converged: new Uint8Array(buffer, 9 * stride, capacity),
    rho: f(0),
    iterations: f(1),
    precopySeconds: f(2),
    downtimeSeconds: f(3),
    totalSeconds: f(4),
    pagesTransferred: f(5),
    downtimePages: f(6),
    gain: f(7),
    networkUtilization: f(8),
  };
}

function need(name: string, a: Float64Array | undefined, count: number): Float64Array {
  if (a === undefined) throw new ModelInputError(name, undefined, `a Float64Array of at least ${count} entries`);
  if (a.length < count) throw new ModelInputError(name, a.length, `at least ${count} entries`);
  return a;
}

/**
 * Evaluates case `name` at entries 0..count-1 of `input` into `out` (Table 1; the formulas and equation
 * numbers are those of {@link summarizeAt}, computed in the same order so every output is the same double).
 *
 * @throws {ModelInputError} count not a whole number >= 0, or an array the case needs missing or shorter than count
 * @example summarizeBatch('uniform', {pages: Float64Array.of(4096), pageSizeBytes: Float64Array.of(16e3),
 *   bandwidthBytesPerSecond: Float64Array.of(60e3), alpha: Float64Array.of(0.05),
 *   dirtyPagesPerSecond: Float64Array.of(2)}, out, 1) // out.iterations[0] === 4, out.gain[0] === 23.17...
 */
export function summarizeBatch(
  name: CaseName,
  input: BatchInputs,
  out: BatchOutputs,
  count: number,
  accounting: Accounting = 'paper',
): void {
  if (!Number.isInteger(count) || count < 0) throw new ModelInputError('count', count, 'a whole number >= 0');
  const pagesA = need('pages', input.pages, count);
  const sizeA = need('pageSizeBytes', input.pageSizeBytes, count);
  const bwA = need('bandwidthBytesPerSecond', input.bandwidthBytesPerSecond, count);
  const alphaA = need('alpha', input.alpha, count);
  if (out.converged.length < count) throw new ModelInputError('out', out.converged.length, `at least ${count} entries`);
  const consistent = accounting === 'consistent';
  if (name === 'uniform') {
    const dA = need('dirtyPagesPerSecond', input.dirtyPagesPerSecond, count);
    // L = 1, H = 0: multiplying by 1 and adding 0 are exact, so the generic forms reduce to these.
    kernel(0, count, pagesA, sizeA, bwA, alphaA, dA, dA, dA, out, consistent);
  } else {
    const bA = need('hotFraction', input.hotFraction, count);
    const hA = need('hotDirtyPagesPerSecond', input.hotDirtyPagesPerSecond, count);
    const cA = need('coldDirtyPagesPerSecond', input.coldDirtyPagesPerSecond, count);
    kernel(name === 'hotPrecopy' ? 1 : 2, count, pagesA, sizeA, bwA, alphaA, bA, hA, cA, out, consistent);
  }
}

/**
 * The guess of n + 1 in {@link kernelRange}, which saves lnFast(alpha) (one of the kernel's three log/exp calls)
 * at almost every entry without changing a bit of the result.
 *
 * ln(alpha) is estimated from alpha's exponent and the top 20 bits of its mantissa, 1 + f, as
 * e ln 2 + ln c_j + (r - r^2/2) with c_j the middle of the j-th of 128 intervals of [1, 2) and r = (1 + f)/c_j - 1
 * (|r| < 1/256; error below 1e-6), and m = max(1, ceil((est + tol)/L)), L the double ln(rho) < 0. Whatever the
 * estimate, m is kept only when q = fl(exp(fl(m L))) (computed anyway) shows it is the integer the exact rule
 * gives, n + 1 = max(1, ceil(x)) with x = fl(fl(fl(ln alpha) + tol)/L) (iterationsFromLog):
 *   (i)  q <= fl(alpha (1 - eps))                    implies  x < m;
 *   (ii) m = 1, or q > fl(fl(alpha (1 + eps)) rho)  implies  x > m - 1,
 * so ceil(x) = m (or ceil(x) <= 1 when m = 1), with eps = 1000 tol = 1e-9. Why: lnFast and expFast are
 * within 0.52 ulp (src/model/fastmath.ts; a relative error below 2^-52), so (i) gives m L <= ln alpha - eps + d
 * and (ii) (m - 1) L > ln alpha + eps - tol - d... with d < (|ln alpha| + |m L| + |L|) 2^-52 < 1e-12
 * (|ln alpha| < 745 for any double alpha in (0, 1), |m L| and |L| < 1500 when the checks hold: d < 8.4e-13;
 * the rounding of fl(m L), below 2^-53 |m L|, is inside that), while x is within 2^-50 (|x| + tol/|L|) of
 * (ln alpha + tol)/L, i.e. its
 * distance to m and m - 1 in units of 1/|L| is at least eps - tol - 2e-12 > 0. When a check fails (alpha
 * within about 1e-9 of a band edge, a subnormal or invalid alpha, or a wrong guess) n is computed with
 * lnFast(alpha) as summarizeAt does. test/model/batch.test.ts checks it at alphas on both sides of band edges.
 */
const GUESS_BELOW = 1 - 1000 * BAND_EDGE_TOLERANCE;
const GUESS_ABOVE = 1 + 1000 * BAND_EDGE_TOLERANCE;
const TWO_M20 = 2 ** -20;
const TWO_52 = 2 ** 52;
/** alpha's bits: WORD_HALVES[1] is the high word (sign, exponent, top 20 bits of the mantissa) on little-endian. */
const WORD = new Float64Array(1);
const WORD_HALVES = new Uint32Array(WORD.buffer);
/** 1/c_j and ln c_j, c_j = 1 + (j + 0.5)/128 (only an estimate is made with them). */
const INV_C = new Float64Array(128);
const LN_C = new Float64Array(128);
for (let j = 0; j < 128; j++) {
  const c = 1 + (j + 0.5) / 128;
  INV_C[j] = 1 / c;
  LN_C[j] = Math.log(c);
}

/** The last rho seen by {@link kernelRange} and its ln. */
const LAST_RHO = new Float64Array(2);

/** Entries per call of {@link kernelRange}. */
const CHUNK = 4096;

/**
 * mode 0: uniform (a = D); 1: Hot I (D_eff = c*(1-b) + h*b, Eq. 17); 2: Hot II (Dnh = c, L = 1-b, H = b).
 * The loop is {@link kernelRange}, called for CHUNK entries at a time. As one long loop in one call, V8
 * optimised it by on-stack replacement in the middle of its first call, then deoptimised and re-optimised it
 * with the feedback of that partial run, and in some processes it ended up about 1.5x slower for good (70 or
 * 114 ns per entry from one run of the benchmark to the next). Called many times, the loop function is
 * optimised as any hot function is, with complete feedback.
 */
function kernel(
  mode: number,
  count: number,
  pagesA: Float64Array,
  sizeA: Float64Array,
  bwA: Float64Array,
  alphaA: Float64Array,
  a: Float64Array,
  hA: Float64Array,
  cA: Float64Array,
  out: BatchOutputs,
  consistent: boolean,
): void {
  const { converged, rho: rhoO, iterations: nO, precopySeconds: preO, downtimeSeconds: downO } = out;
  const { totalSeconds: totO, pagesTransferred: ptO, downtimePages: dpO, gain: gO, networkUtilization: uO } = out;
  for (let from = 0; from < count; from += CHUNK) {
    const to = count - from > CHUNK ? from + CHUNK : count;
    kernelRange(
      mode,
      from,
      to,
      pagesA,
      sizeA,
      bwA,
      alphaA,
      a,
      hA,
      cA,
      consistent,
      converged,
      rhoO,
      nO,
      preO,
      downO,
      totO,
      ptO,
      dpO,
      gO,
      uO,
    );
  }
}

/** Entries from..to-1 (see {@link kernel}); ln(rho) is computed again at the start of each range (the same double). */
function kernelRange(
  mode: number,
  from: number,
  to: number,
  pagesA: Float64Array,
  sizeA: Float64Array,
  bwA: Float64Array,
  alphaA: Float64Array,
  a: Float64Array,
  hA: Float64Array,
  cA: Float64Array,
  consistent: boolean,
  converged: Uint8Array,
  rhoO: Float64Array,
  nO: Float64Array,
  preO: Float64Array,
  downO: Float64Array,
  totO: Float64Array,
  ptO: Float64Array,
  dpO: Float64Array,
  gO: Float64Array,
  uO: Float64Array,
): void {
  // ln(rho) of the last rho, reused while consecutive entries share rho (a sweep over alpha or Ps). Kept in a
  // typed array, not in locals carried from one iteration to the next: V8's on-stack-replaced code holds such
  // carried doubles boxed, and allocated a number per entry until the regular code took over.
  const last = LAST_RHO;
  const cell = EXPM1_CELL;
  last[0] = Number.NaN;
  last[1] = Number.NaN;
  for (let i = from; i < to; i++) {
    let dirty: number;
    let liveFraction = 1;
    let heldFraction = 0;
    if (mode === 0) dirty = a[i]!;
    else if (mode === 1) {
      const beta = a[i]!;
      dirty = cA[i]! * (1 - beta) + hA[i]! * beta; // D_eff, Eq. 17 (as effectiveDirtyRate)
    } else {
      dirty = cA[i]!;
      heldFraction = a[i]!;
      liveFraction = 1 - heldFraction;
    }
    const tau = sizeA[i]! / bwA[i]!; // tau = S/B first, then rho = D*tau
    const rho = dirty * tau;
    rhoO[i] = rho;
    if (!(rho < 1)) {
      converged[i] = 0;
      nO[i] = preO[i] = downO[i] = totO[i] = ptO[i] = dpO[i] = gO[i] = uO[i] = Number.NaN;
      continue;
    }
    converged[i] = 1;
    let logRho: number;
    if (rho === last[0]) logRho = last[1]!;
    else {
      logRho = lnFast(rho);
      last[0] = rho;
      last[1] = logRho;
    }
    const alpha = alphaA[i]!;
    const pages = pagesA[i]!;
    // n: iterationsFromLog (Eqs. 9-11 with the band-edge tolerance); rho = 0 gives n = 0.
    // n: iterationsFromLog (Eqs. 9-11 with the band-edge tolerance); rho = 0 gives n = 0. q = rho^(n+1).
    // A guess m of n + 1 from a cheap ln(alpha), kept when q = exp(m ln rho) proves it (see GUESS_BELOW);
    // otherwise lnFast(alpha) as summarizeAt does.
    let n = 0;
    let q: number;
    if (rho > 0) {
      WORD[0] = alpha;
      const hi = WORD_HALVES[1]!;
      const j = (hi >>> 13) & 127;
      const r = (1 + (hi & 0xfffff) * TWO_M20) * INV_C[j]! - 1;
      const lnAlpha = ((hi >>> 20) - 1023) * Math.LN2 + LN_C[j]! + (r - 0.5 * r * r);
      let m = Math.ceil((lnAlpha + BAND_EDGE_TOLERANCE) / logRho);
      if (!(m >= 1)) m = 1;
      q = expFast(m * logRho);
      if (q <= alpha * GUESS_BELOW && (m === 1 || q > alpha * GUESS_ABOVE * rho) && m < TWO_52) n = m - 1;
      else {
        n = Math.ceil((lnFast(alpha) + BAND_EDGE_TOLERANCE) / logRho) - 1;
        if (n < 0) n = 0;
        if (n + 1 !== m) q = expFast((n + 1) * logRho);
      }
    } else q = expFast((n + 1) * logRho);
    let oneMinusQ: number;
    if (q <= 0.5) oneMinusQ = 1 - q;
    else {
      // -expm1Fast((n + 1) ln rho) as summarizeAt, through the cell: a call here (V8's inlining budget is spent),
      // which then passes no boxed number
      cell[0] = (n + 1) * logRho;
      expm1Cell();
      oneMinusQ = -cell[0]!;
    }
    const oneMinusQ2 = oneMinusQ + q * (1 - rho);
    const psTau = pages * tau;
    const g = oneMinusQ / (1 - rho);
    const precopySeconds = psTau * liveFraction * g; // Eqs. 7, 20, 27
    const leftFraction = liveFraction * q + heldFraction;
    const downtimeSeconds = psTau * leftFraction; // Eqs. 6, 18, 24-25
    const den = liveFraction * oneMinusQ2 + heldFraction * (1 - rho);
    let downtimeFraction: number;
    let pagesTransferred: number;
    if (!consistent) {
      downtimeFraction = alpha + heldFraction;
      pagesTransferred = ceilPages(pages * (liveFraction * g + downtimeFraction)); // Eqs. 13, 21, 28
    } else {
      downtimeFraction = leftFraction;
      pagesTransferred = ceilPages(pages * (liveFraction * (oneMinusQ2 / (1 - rho)) + heldFraction));
    }
    nO[i] = n;
    preO[i] = precopySeconds;
    downO[i] = downtimeSeconds;
    totO[i] = precopySeconds + downtimeSeconds; // Eq. 8
    ptO[i] = pagesTransferred;
    dpO[i] = pages * downtimeFraction;
    gO[i] = 1 / leftFraction; // Eqs. 14, 22, 29
    uO[i] = (rho * liveFraction * oneMinusQ + downtimeFraction * (1 - rho)) / den; // Eqs. 16, 23, 31
  }
}

/**
 * One case at fixed parameters, evaluated at one alpha at a time (the optimiser's band walk): the same
 * operations in the same order as {@link summarizeAt}, so the same doubles (test/model/batch.test.ts checks
 * it), with rho, tau and ln(rho) computed once by {@link CaseAtAlpha.load} and the results left in fields: no
 * object and no boxed number per evaluation. Reuse one instance; not re-entrant.
 *
 * @example const e = new CaseAtAlpha(); if (e.load(p, 'uniform', 'paper')) { e.at(0.05); e.downtimeSeconds }
 */
export class CaseAtAlpha {
  // Fields start as doubles (NaN) so V8 stores them unboxed and updates them in place.
  pages = Number.NaN;
  tau = Number.NaN;
  rho = Number.NaN;
  logRho = Number.NaN;
  liveFraction = Number.NaN;
  heldFraction = Number.NaN;
  consistent = false;
  /** Outputs of the last {@link CaseAtAlpha.at}, as the fields of {@link Summary} of the same names. */
  iterations = Number.NaN;
  precopySeconds = Number.NaN;
  downtimeSeconds = Number.NaN;
  totalSeconds = Number.NaN;
  pagesTransferred = Number.NaN;
  downtimePages = Number.NaN;
  gain = Number.NaN;
  networkUtilization = Number.NaN;

  /**
   * Reads case `name` of `p` (assumed valid, as for summarizeAt): D, L, H and rho = D*tau as summarizeAt
   * computes them (Eq. 17 for Hot I). Returns whether rho < 1; only then may {@link CaseAtAlpha.at} be called.
   */
  load(p: EngineParams, name: CaseName, accounting: Accounting): boolean {
    let dirty: number;
    let liveFraction = 1;
    let heldFraction = 0;
    if (name === 'uniform') dirty = p.dirtyPagesPerSecond!;
    else if (name === 'hotPrecopy')
      dirty = p.coldDirtyPagesPerSecond! * (1 - p.hotFraction!) + p.hotDirtyPagesPerSecond! * p.hotFraction!; // Eq. 17
    else {
      dirty = p.coldDirtyPagesPerSecond!;
      heldFraction = p.hotFraction!;
      liveFraction = 1 - heldFraction;
    }
    const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
    const rho = dirty * tau;
    this.pages = p.pages;
    this.tau = tau;
    this.rho = rho;
    this.liveFraction = liveFraction;
    this.heldFraction = heldFraction;
    this.consistent = accounting === 'consistent';
    if (!(rho < 1)) return false;
    this.logRho = lnFast(rho);
    return true;
  }

  /** Evaluates at `alpha` (0 < alpha < 1) into the output fields (Table 1, as summarizeAt). */
  at(alpha: number): void {
    const rho = this.rho;
    const logRho = this.logRho;
    const liveFraction = this.liveFraction;
    const heldFraction = this.heldFraction;
    const pages = this.pages;
    let n = 0;
    if (rho > 0) {
      n = Math.ceil((lnFast(alpha) + BAND_EDGE_TOLERANCE) / logRho) - 1; // iterationsFromLog, Eqs. 9-11
      if (n < 0) n = 0;
    }
    const q = expFast((n + 1) * logRho);
    const oneMinusQ = q <= 0.5 ? 1 - q : -expm1Fast((n + 1) * logRho);
    const oneMinusQ2 = oneMinusQ + q * (1 - rho);
    const psTau = pages * this.tau;
    const g = oneMinusQ / (1 - rho);
    const precopySeconds = psTau * liveFraction * g; // Eqs. 7, 20, 27
    const leftFraction = liveFraction * q + heldFraction;
    const downtimeSeconds = psTau * leftFraction; // Eqs. 6, 18, 24-25
    const den = liveFraction * oneMinusQ2 + heldFraction * (1 - rho);
    let downtimeFraction: number;
    if (!this.consistent) {
      downtimeFraction = alpha + heldFraction;
      this.pagesTransferred = ceilPages(pages * (liveFraction * g + downtimeFraction)); // Eqs. 13, 21, 28
    } else {
      downtimeFraction = leftFraction;
      this.pagesTransferred = ceilPages(pages * (liveFraction * (oneMinusQ2 / (1 - rho)) + heldFraction));
    }
    this.iterations = n;
    this.precopySeconds = precopySeconds;
    this.downtimeSeconds = downtimeSeconds;
    this.totalSeconds = precopySeconds + downtimeSeconds; // Eq. 8
    this.downtimePages = pages * downtimeFraction;
    this.gain = 1 / leftFraction; // Eqs. 14, 22, 29
    this.networkUtilization = (rho * liveFraction * oneMinusQ + downtimeFraction * (1 - rho)) / den; // Eqs. 16, 23, 31
  }
}
