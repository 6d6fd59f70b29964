/**
 * Exact optimisation of the stop fraction alpha (the paper's Section 6, solved exactly instead of with a
 * generic non-linear solver).
 *
 * Structure used (all from Table 1):
 * - n(alpha) is a non-increasing step function; the "band" of n = k is alpha in [rho^(k+1), rho^k)
 *   (the lower edge belongs to the band, see `iterations`).
 * - Tdown, Tpre-copy and Ttotal depend on alpha only through n: constant on a band. Tdown strictly decreases
 *   and Ttotal strictly increases with n.
 * - Within a band, paper-accounting Unet (Eqs. 16, 23, 31) is affine and increasing in alpha, and paper
 *   PTotalMig (Eqs. 13, 21, 28) is the ceiling of an affine increasing function; in `consistent` accounting
 *   both are constant on a band.
 * So on every band the set of alphas meeting all constraints is an interval [a, c] that starts at the band's
 * lowest alpha, and the objective is constant on it (downtime, total time) or smallest at its start (pages).
 * Energy (src/fleet/energy-model.ts, Liu et al. HPDC 2011: E = e_bytes * PTotalMig * S + E_0 + P_host * Ttotal)
 * is a non-negative combination of pages and total time, so it is constant or smallest at a band's start too,
 * and a limit on it cuts a band like a limit on pages; across bands it is not monotone, so the energy objective
 * walks every band, as the pages objective does.
 * The optimiser walks the bands (in objective order, stopping at the first feasible band when the objective is
 * monotone in n) and returns the whole optimal interval. Cost: O(number of bands visited), each O(1).
 */
import {
  type Accounting,
  CaseAtAlpha,
  type CaseName,
  type EngineParams,
  type ModelInput,
  ModelInputError,
  type NotConverged,
  ceilPages,
  checkAccounting,
  checkAlpha,
  checkHotFraction,
  checkNonNegative,
  checkPages,
  checkPositive,
  expm1Fast,
  iterationsFromLog,
  summarizeAt,
} from '../model/index.js';
import { type EnergyModel, LIU_ENERGY, migrationEnergyJoules } from '../fleet/energy-model.js';

export type Objective = 'downtime' | 'totalTime' | 'pagesTransferred' | 'energy';
export const OBJECTIVES: readonly Objective[] = ['downtime', 'totalTime', 'pagesTransferred', 'energy'];

export interface Constraints {
  /** Unet <= this (the paper's Umax), a fraction > 0. */
  readonly maxNetworkUtilization?: number;
  /** Tdown <= this, seconds. */
  readonly maxDowntimeSeconds?: number;
  /** Ttotal <= this, seconds. */
  readonly maxTotalSeconds?: number;
  /** PTotalMig <= this, pages. */
  readonly maxPagesTransferred?: number;
  /** Energy of the migration <= this, joules (src/fleet/energy-model.ts). */
  readonly maxEnergyJoules?: number;
}
export type ConstraintName = keyof Constraints;

export interface OptimizeProblem extends Omit<ModelInput, 'alpha'> {
  readonly case: CaseName;
  /** Closed range of alpha searched; default {min: 0.001, max: 0.999}. 0 < min <= max < 1. */
  readonly alphaRange?: { readonly min: number; readonly max: number };
  readonly constraints?: Constraints;
  /** Default `downtime` (the paper's objective). */
  readonly objective?: Objective;
  /** Energy coefficients (default Liu et al., {@link LIU_ENERGY}); bytes sent = PTotalMig * S. */
  readonly energy?: EnergyModel;
}

export const DEFAULT_ALPHA_RANGE = { min: 0.001, max: 0.999 } as const;
/** More bands than this (rho extremely close to 1 with a tiny alpha) is refused rather than scanned. */
export const MAX_BANDS = 50_000_000;

export interface ValueAt {
  readonly value: number;
  readonly atAlpha: number;
}

export interface Feasible {
  readonly feasible: true;
  readonly converged: true;
  readonly case: CaseName;
  readonly objective: Objective;
  readonly accounting: Accounting;
  /** Every alpha in this interval is optimal; `recommended` is its log-midpoint (robust to small errors in rho). */
  readonly alpha: {
    readonly min: number;
    readonly max: number;
    readonly minInclusive: boolean;
    readonly maxInclusive: boolean;
    readonly recommended: number;
  };
  readonly rho: number;
  readonly iterations: number;
  readonly downtimeSeconds: number;
  readonly totalSeconds: number;
  readonly pagesTransferred: { readonly min: number; readonly max: number };
  readonly networkUtilization: { readonly min: number; readonly max: number };
  /** Energy over the optimal interval, joules (constant unless paper-accounting pages vary on it). */
  readonly energyJoules: { readonly min: number; readonly max: number };
}

export interface Infeasible {
  readonly feasible: false;
  readonly converged: true;
  readonly case: CaseName;
  readonly objective: Objective;
  readonly accounting: Accounting;
  readonly rho: number;
  /** The smallest Unet any alpha in the range achieves, and where (the lowest such alpha). */
  readonly minNetworkUtilization: number;
  readonly atAlpha: number;
  /** Constraints that no alpha in range meets even alone; all active ones when only their combination fails. */
  readonly violated: readonly ConstraintName[];
  /** The best each constrained quantity can be, and where. */
  readonly best: {
    readonly networkUtilization: ValueAt;
    readonly downtimeSeconds: ValueAt;
    readonly totalSeconds: ValueAt;
    readonly pagesTransferred: ValueAt;
    /** Only when energy is the objective or constrained (it takes a walk over every band). */
    readonly energyJoules?: ValueAt;
  };
}

export interface OptimizeNotConverged {
  readonly feasible: false;
  readonly converged: false;
  readonly case: CaseName;
  readonly objective: Objective;
  readonly rho: number;
  readonly reason: string;
}

export type OptimizeResult = Feasible | Infeasible | OptimizeNotConverged;

function checkProblem(range: { min: number; max: number }): void {
  const { min, max } = range;
  const ok = (x: number) => Number.isFinite(x) && x > 0 && x < 1;
  if (!ok(min) || !ok(max) || min > max) {
    throw new ModelInputError('alphaRange', `${min}:${max}`, '0 < min <= max < 1');
  }
  const c = R.constraints ?? NO_CONSTRAINTS;
  R.uMax = R.dMax = R.tMax = R.pMax = R.eMax = undefined;
  for (const name in c) {
    const key = name as ConstraintName;
    const v = c[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new ModelInputError(key, v, `a finite number > 0`);
    // each limit read once here (the walk compares with them at every band)
    if (key === 'maxNetworkUtilization') R.uMax = v;
    else if (key === 'maxDowntimeSeconds') R.dMax = v;
    else if (key === 'maxTotalSeconds') R.tMax = v;
    else if (key === 'maxPagesTransferred') R.pMax = v;
    else if (key === 'maxEnergyJoules') R.eMax = v;
  }
  const proto = Object.getPrototypeOf(c);
  if (proto !== Object.prototype && proto !== null) {
    // not a plain object (a getter on a prototype is not listed by for-in): by name, as before
    R.uMax = c.maxNetworkUtilization;
    R.dMax = c.maxDowntimeSeconds;
    R.tMax = c.maxTotalSeconds;
    R.pMax = c.maxPagesTransferred;
    R.eMax = c.maxEnergyJoules;
  }
  if (R.energy) {
    for (const [k, v] of Object.entries(R.energy)) {
      if (!Number.isFinite(v) || v < 0) throw new ModelInputError(k, v, 'a finite number >= 0');
    }
  }
  if (R.objective !== undefined && !OBJECTIVES.includes(R.objective)) {
    throw new ModelInputError('objective', R.objective, OBJECTIVES.join(' | '));
  }
}

/**
 * Validates the case parameters with the model's own checks, in the order summarizeUniform / summarizeHot*
 * run them (common parameters with alpha = `alpha`, then the case's rates), on the fields read by
 * {@link readProblem}.
 */
function checkCase(alpha: number): void {
  if (R.case === 'uniform') {
    if (R.dirtyPagesPerSecond === undefined) {
      throw new ModelInputError(
        'dirtyPagesPerSecond',
        undefined,
        'a dirty rate >= 0',
        'dirtyPagesPerSecond is missing: the uniform case needs a dirty rate',
      );
    }
    checkCommonAt(alpha);
    checkNonNegative('dirtyPagesPerSecond', R.dirtyPagesPerSecond, 'pages/s');
    return;
  }
  const missing =
    R.hotFraction === undefined
      ? 'hotFraction'
      : R.hotDirtyPagesPerSecond === undefined
        ? 'hotDirtyPagesPerSecond'
        : R.coldDirtyPagesPerSecond === undefined
          ? 'coldDirtyPagesPerSecond'
          : undefined;
  if (missing !== undefined) {
    throw new ModelInputError(
      missing,
      undefined,
      'a value',
      `${missing} is missing: case ${R.case} needs hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond`,
    );
  }
  checkCommonAt(alpha);
  checkHotFraction(R.hotFraction);
  checkNonNegative('hotDirtyPagesPerSecond', R.hotDirtyPagesPerSecond, 'pages/s');
  checkNonNegative('coldDirtyPagesPerSecond', R.coldDirtyPagesPerSecond, 'pages/s');
}

/** checkCommon of the model with alpha given apart. */
function checkCommonAt(alpha: number): void {
  checkPages('pages', R.pages);
  checkPositive('pageSizeBytes', R.pageSizeBytes, 'bytes');
  checkPositive('bandwidthBytesPerSecond', R.bandwidthBytesPerSecond, 'bytes/s');
  checkAlpha(alpha);
  checkAccounting(R.accounting);
}

/**
 * The fields of the problem being optimised, each read from it once by {@link readProblem}, and the limits of
 * its constraints (read by checkProblem). One instance (optimize is synchronous and not re-entrant): the
 * walk reads these monomorphic fields instead of the caller's object.
 */
class ProblemFields implements EngineParams {
  pages: number = undefined as unknown as number;
  pageSizeBytes: number = undefined as unknown as number;
  bandwidthBytesPerSecond: number = undefined as unknown as number;
  dirtyPagesPerSecond: number | undefined = undefined;
  hotFraction: number | undefined = undefined;
  hotDirtyPagesPerSecond: number | undefined = undefined;
  coldDirtyPagesPerSecond: number | undefined = undefined;
  accounting: Accounting | undefined = undefined;
  case: CaseName = undefined as unknown as CaseName;
  alphaRange: OptimizeProblem['alphaRange'] = undefined;
  constraints: Constraints | undefined = undefined;
  objective: Objective | undefined = undefined;
  energy: EnergyModel | undefined = undefined;
  uMax: number | undefined = undefined;
  dMax: number | undefined = undefined;
  tMax: number | undefined = undefined;
  pMax: number | undefined = undefined;
  eMax: number | undefined = undefined;
}
const R = new ProblemFields();

/**
 * Reads the fields of `p` into {@link R}, each once.
 *
 * Why not `p.pages` and so on where they are used: objects built with a spread and extra properties, as
 * `{...base, case: c, alphaRange}` (what the optimize operation and the benchmark do), get a map of their own
 * in Node 20's V8, one per object. Every named load on them is then megamorphic and misses V8's stub cache
 * (it holds a few thousand map-name pairs): a call into the runtime, about 0.1 µs per load (0.35 µs for an
 * absent property such as `energy`, whose lookup walks the prototype chain). The optimiser made about 30 of
 * them per problem, which was most of its time, and the stub cache's hits and misses depend on where the maps
 * happen to be allocated, which made the benchmark bimodal from run to run (2.0 or 3.7 µs per problem).
 * A for-in loop over a plain object reads its fields through the map's enum cache instead (about 60 ns for
 * all of them, whatever the map; about 50 ns with shared maps, where named loads would take 6 ns).
 *
 * Same values as named loads for plain objects (prototype Object.prototype or null): for-in sees their own
 * enumerable properties and inherited enumerable ones; what it cannot see (a non-enumerable own property) is
 * read by name for the fields every problem needs, so it is seen as before; optional fields (accounting,
 * alphaRange, constraints, objective, energy) are taken from their enumerable properties. Other objects (class
 * instances, a custom prototype, whose getters for-in does not list) are read by name, as before.
 */
function readProblem(p: OptimizeProblem): void {
  let pages: unknown;
  let pageSizeBytes: unknown;
  let bandwidthBytesPerSecond: unknown;
  let dirtyPagesPerSecond: unknown;
  let hotFraction: unknown;
  let hotDirtyPagesPerSecond: unknown;
  let coldDirtyPagesPerSecond: unknown;
  let accounting: unknown;
  let name: unknown;
  let alphaRange: unknown;
  let constraints: unknown;
  let objective: unknown;
  let energy: unknown;
  const proto = Object.getPrototypeOf(p);
  if (proto === Object.prototype || proto === null) {
    const o = p as unknown as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      switch (k) {
        case 'pages':
          pages = v;
          break;
        case 'pageSizeBytes':
          pageSizeBytes = v;
          break;
        case 'bandwidthBytesPerSecond':
          bandwidthBytesPerSecond = v;
          break;
        case 'dirtyPagesPerSecond':
          dirtyPagesPerSecond = v;
          break;
        case 'hotFraction':
          hotFraction = v;
          break;
        case 'hotDirtyPagesPerSecond':
          hotDirtyPagesPerSecond = v;
          break;
        case 'coldDirtyPagesPerSecond':
          coldDirtyPagesPerSecond = v;
          break;
        case 'accounting':
          accounting = v;
          break;
        case 'case':
          name = v;
          break;
        case 'alphaRange':
          alphaRange = v;
          break;
        case 'constraints':
          constraints = v;
          break;
        case 'objective':
          objective = v;
          break;
        case 'energy':
          energy = v;
          break;
      }
    }
    // Not listed by for-in (non-enumerable): by name, as before (undefined again when really absent).
    if (pages === undefined) pages = p.pages;
    if (pageSizeBytes === undefined) pageSizeBytes = p.pageSizeBytes;
    if (bandwidthBytesPerSecond === undefined) bandwidthBytesPerSecond = p.bandwidthBytesPerSecond;
    if (name === undefined) name = p.case;
    if (name === 'uniform') {
      if (dirtyPagesPerSecond === undefined) dirtyPagesPerSecond = p.dirtyPagesPerSecond;
    } else {
      if (hotFraction === undefined) hotFraction = p.hotFraction;
      if (hotDirtyPagesPerSecond === undefined) hotDirtyPagesPerSecond = p.hotDirtyPagesPerSecond;
      if (coldDirtyPagesPerSecond === undefined) coldDirtyPagesPerSecond = p.coldDirtyPagesPerSecond;
    }
  } else {
    pages = p.pages;
    pageSizeBytes = p.pageSizeBytes;
    bandwidthBytesPerSecond = p.bandwidthBytesPerSecond;
    dirtyPagesPerSecond = p.dirtyPagesPerSecond;
    hotFraction = p.hotFraction;
    hotDirtyPagesPerSecond = p.hotDirtyPagesPerSecond;
    coldDirtyPagesPerSecond = p.coldDirtyPagesPerSecond;
    accounting = p.accounting;
    name = p.case;
    alphaRange = p.alphaRange;
    constraints = p.constraints;
    objective = p.objective;
    energy = p.energy;
  }
  // (the values as given: checkProblem and checkCase validate them, as they validated p's)
  R.pages = pages as number;
  R.pageSizeBytes = pageSizeBytes as number;
  R.bandwidthBytesPerSecond = bandwidthBytesPerSecond as number;
  R.dirtyPagesPerSecond = dirtyPagesPerSecond as number | undefined;
  R.hotFraction = hotFraction as number | undefined;
  R.hotDirtyPagesPerSecond = hotDirtyPagesPerSecond as number | undefined;
  R.coldDirtyPagesPerSecond = coldDirtyPagesPerSecond as number | undefined;
  R.accounting = accounting as Accounting | undefined;
  R.case = name as CaseName;
  R.alphaRange = alphaRange as OptimizeProblem['alphaRange'];
  R.constraints = constraints as Constraints | undefined;
  R.objective = objective as Objective | undefined;
  R.energy = energy as EnergyModel | undefined;
}

/**
 * The case at one alpha at a time, bit for bit summarizeAt (ln rho computed once per problem, results in
 * fields): walking the bands allocates nothing. optimize is synchronous and not re-entrant, so one instance.
 */
const ev = new CaseAtAlpha();

const NO_CONSTRAINTS: Constraints = Object.freeze({});

/** Energy of the last evaluation (src/fleet/energy-model.ts): bytes = PTotalMig * S, duration = Ttotal. */
function evEnergy(e: EnergyModel, S: number): number {
  return migrationEnergyJoules(e, ev.pagesTransferred * S, ev.totalSeconds);
}

/** Whether the last evaluation meets every constraint of the problem (energy with model `e`, page size `S`). */
function meets(e: EnergyModel, S: number): boolean {
  return (
    (R.uMax === undefined || ev.networkUtilization <= R.uMax) &&
    (R.dMax === undefined || ev.downtimeSeconds <= R.dMax) &&
    (R.tMax === undefined || ev.totalSeconds <= R.tMax) &&
    (R.pMax === undefined || ev.pagesTransferred <= R.pMax) &&
    (R.eMax === undefined || evEnergy(e, S) <= R.eMax)
  );
}

/** alpha at the start of band k (inclusive): rho^(k+1), or the range's lower end for the top band kHi. */
function bandStart(k: number, kHi: number, min: number, rho: number): number {
  return k === kHi ? min : rho ** (k + 1);
}

/** 1 - rho^k with ln(rho) given: oneMinusPow(rho, k) without recomputing the logarithm (the same double). */
function oneMinusPowLog(rho: number, logRho: number, k: number): number {
  return rho === 0 ? 1 : -expm1Fast(k * logRho);
}

/** A limit exceeded by more than float noise: the true value is above it too. */
const CLEAR = 1 + 1e-9;

/**
 * Where the downtime walk (from kHi down) may start when Ttotal <= tMax is asked: every band from the returned
 * one + 1 up to kHi is infeasible, so walking them changes nothing (and no band they would stop the walk at
 * is feasible either). Ttotal is constant on a band and increases with n (Eqs. 7-8):
 *   Ttotal(n) = Ps*tau*(L/(1-rho) + H - L*q*rho/(1-rho)),  q = rho^(n+1),
 * so Ttotal <= tMax  <=>  q >= q* = (L/(1-rho) + H - tMax/(Ps*tau)) * (1-rho)/(L*rho)
 *                    <=>  n <= K* = floor(ln q* / ln rho) - 1.
 * K* is only an estimate in floating point, so the band j = K* + 2 is evaluated: if its Ttotal is clearly above
 * tMax (by CLEAR, far above float noise), every band from j up is infeasible by monotonicity and the walk starts
 * at j - 1; otherwise (or when no estimate applies) at kHi, as without this shortcut. One evaluation instead of
 * up to kHi - K* of them.
 */
function skipOverTotal(tMax: number, kLo: number, kHi: number, min: number): number {
  const rho = ev.rho;
  const L = ev.liveFraction;
  if (!(rho > 0) || !(L > 0)) return kHi;
  const qStar = (L / (1 - rho) + ev.heldFraction - tMax / (R.pages * ev.tau)) * ((1 - rho) / (L * rho));
  if (!(qStar > 0)) return kHi; // every band meets tMax
  let j = qStar >= 1 ? kLo : Math.floor(Math.log(qStar) / ev.logRho) + 1; // K* + 2
  if (!(j >= kLo)) j = kLo; // also NaN
  if (j >= kHi) return kHi;
  ev.at(bandStart(j, kHi, min, rho));
  return ev.totalSeconds > tMax * CLEAR ? j - 1 : kHi;
}

/**
 * Minimises downtime (or total time, or pages migrated) over alpha subject to constraints on network
 * utilisation, downtime, total time and pages migrated (Section 6), exactly.
 *
 * Returns the whole optimal alpha interval with n, the objective's value and the range of Unet and pages over
 * it; or `feasible: false` with the smallest achievable Unet (and where) and the best value of every
 * constrained quantity; or `converged: false` when rho >= 1.
 *
 * @throws {ModelInputError} a parameter, range or constraint out of its domain, or more than
 *   {@link MAX_BANDS} bands of n in the alpha range
 * @example optimize({case: 'uniform', pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3,
 *   dirtyPagesPerSecond: 2, constraints: {maxNetworkUtilization: 0.6}})
 *   // feasible, alpha in [rho^4, 0.1743...], n = 3, downtime 88.37 s
 */
export function optimize(p: OptimizeProblem): OptimizeResult {
  readProblem(p); // every field of p once, into R
  const name = R.case;
  const range = R.alphaRange ?? DEFAULT_ALPHA_RANGE;
  const objective = R.objective ?? 'downtime';
  const accounting = R.accounting ?? 'paper';
  checkProblem(range);
  checkCase(range.min); // every case parameter, as summarizing at range.min would
  if (!ev.load(R, name, accounting)) {
    const first = summarizeAt(R, name, range.min) as NotConverged; // rho >= 1: for its reason
    return { feasible: false, converged: false, case: name, objective, rho: first.rho, reason: first.reason };
  }
  const rho = ev.rho;
  const logRho = ev.logRho;
  const L = ev.liveFraction;
  const H = ev.heldFraction;
  const Ps = R.pages;
  const min = range.min;
  const max = range.max;
  // iterations(rho, alpha) with ln(rho) computed once (the same integers)
  const kHi = rho > 0 ? iterationsFromLog(logRho, min) : 0;
  const kLo = rho > 0 ? iterationsFromLog(logRho, max) : 0;
  if (kHi - kLo + 1 > MAX_BANDS) {
    throw new ModelInputError(
      'alphaRange',
      `${min}:${max}`,
      `a range spanning at most ${MAX_BANDS} values of n (rho = ${rho} is very close to 1): raise the lower end`,
    );
  }
  const uMax = R.uMax;
  const dMax = R.dMax;
  const tMax = R.tMax;
  const pMax = R.pMax;
  const eMax = R.eMax;
  const en = R.energy ?? LIU_ENERGY;
  const S = R.pageSizeBytes;

  // The best band so far: k (-1 for none) and its start's quantities (no object per band).
  let bestK = -1;
  let bestLo = Number.NaN;
  let bestU = Number.NaN;
  let bestP = Number.NaN;
  let bestD = Number.NaN;
  let bestT = Number.NaN;
  let bestE = Number.NaN;
  // With the energy objective every band start is evaluated: the least energy over them (ties: lowest alpha),
  // for infeasible(), which would otherwise walk the bands again. -1: not known.
  let leastEK = -1;
  let leastE = Number.POSITIVE_INFINITY;
  // Band starts evaluated on the way that infeasible() needs (kLo, kHi - 1, kHi): bits 1, 2, 4 of `snapped`.
  let snapped = 0;
  if (objective === 'downtime') {
    let kStart = kHi;
    if (tMax !== undefined && kHi - kLo >= 3) kStart = skipOverTotal(tMax, kLo, kHi, min);
    for (let k = kStart; k >= kLo; k--) {
      const lo = bandStart(k, kHi, min, rho);
      ev.at(lo);
      if (meets(en, S)) {
        bestK = k;
        bestLo = lo;
        break;
      }
      if (k === kHi) {
        snap(SNAP_HI);
        snapped |= 4;
      } else if (k === kHi - 1) {
        snap(SNAP_TOP);
        snapped |= 2;
      }
      if (k === kLo) {
        snap(SNAP_LO);
        snapped |= 1;
      }
      // Fewer rounds only raise Tdown (constant on a band) and Unet at the band starts below kHi (Eqs. 6, 16, 23,
      // 31; see the header): once either is clearly above its limit, no band below can be feasible.
      if (
        (dMax !== undefined && ev.downtimeSeconds > dMax * CLEAR) ||
        (k < kHi && uMax !== undefined && ev.networkUtilization > uMax * CLEAR)
      )
        break;
    }
  } else if (objective === 'totalTime') {
    for (let k = kLo; k <= kHi; k++) {
      const lo = bandStart(k, kHi, min, rho);
      ev.at(lo);
      if (meets(en, S)) {
        bestK = k;
        bestLo = lo;
        break;
      }
      // More rounds only raise Ttotal (constant on a band, Eq. 8): once clearly above its limit, stop.
      if (tMax !== undefined && ev.totalSeconds > tMax * CLEAR) break;
    }
  } else if (objective === 'energy') {
    // Energy is smallest at a band's start but not monotone across bands (pages and Ttotal move in opposite
    // directions with n when P_host > 0): every band is checked, as for pages.
    for (let k = kHi; k >= kLo; k--) {
      const lo = bandStart(k, kHi, min, rho);
      ev.at(lo);
      const e = evEnergy(en, S);
      if (e < leastE) {
        leastE = e;
        leastEK = k;
      }
      if (meets(en, S) && (bestK < 0 || e < bestE)) {
        bestK = k;
        bestLo = lo;
        bestE = e;
        bestP = ev.pagesTransferred;
        bestU = ev.networkUtilization;
        bestD = ev.downtimeSeconds;
        bestT = ev.totalSeconds;
      }
    }
  } else {
    for (let k = kHi; k >= kLo; k--) {
      const lo = bandStart(k, kHi, min, rho);
      ev.at(lo);
      if (meets(en, S) && (bestK < 0 || ev.pagesTransferred < bestP)) {
        bestK = k;
        bestLo = lo;
        bestP = ev.pagesTransferred;
        bestU = ev.networkUtilization;
        bestD = ev.downtimeSeconds;
        bestT = ev.totalSeconds;
      }
    }
  }
  if (bestK < 0) return infeasible(name, objective, accounting, rho, kLo, kHi, min, snapped, en, leastEK, leastE);
  if (objective !== 'pagesTransferred' && objective !== 'energy') {
    // the walk stopped right after evaluating the best band's start
    bestP = ev.pagesTransferred;
    bestU = ev.networkUtilization;
    bestD = ev.downtimeSeconds;
    bestT = ev.totalSeconds;
  }
  if (objective !== 'energy') bestE = migrationEnergyJoules(en, bestP * S, bestT);

  // The feasible part of the best band: [lo, hi].
  const k = bestK;
  const lo = bestLo;
  let hi = k === kLo ? max : rho ** k;
  let hiInclusive = k === kLo;
  if (accounting === 'paper') {
    // Unet(alpha) = Unet(lo) + (alpha - lo)(1 - rho)/den on the band (Eqs. 16, 23, 31).
    if (uMax !== undefined) {
      const den = L * oneMinusPowLog(rho, logRho, k + 2) + H * (1 - rho);
      const cut = lo + ((uMax - bestU) * den) / (1 - rho);
      if (cut < hi || (cut === hi && !hiInclusive)) {
        hi = Math.max(lo, cut);
        hiInclusive = true;
      }
    }
    // PTotalMig(alpha) = ceil(Ps*(L*g + alpha + H)) <= P  <=>  alpha <= P/Ps - L*g - H (Eqs. 13, 21, 28).
    if (pMax !== undefined) {
      const cut = Math.floor(pMax) / Ps - L * (oneMinusPowLog(rho, logRho, k + 1) / (1 - rho)) - H;
      if (cut < hi || (cut === hi && !hiInclusive)) {
        hi = Math.max(lo, cut);
        hiInclusive = true;
      }
    }
    // E <= Emax  <=>  PTotalMig <= (Emax - E_0 - P_host Ttotal) / (e_bytes S), Ttotal constant on the band;
    // then the pages cut above. With e_bytes = 0 the energy is constant on the band (checked at its start).
    if (eMax !== undefined && en.joulesPerByte > 0) {
      const pagesCap = (eMax - en.joulesPerMigration - en.hostPowerWatts * bestT) / (en.joulesPerByte * S);
      const cut = Math.floor(pagesCap) / Ps - L * (oneMinusPowLog(rho, logRho, k + 1) / (1 - rho)) - H;
      if (cut < hi || (cut === hi && !hiInclusive)) {
        hi = Math.max(lo, cut);
        hiInclusive = true;
      }
    }
    if (objective === 'pagesTransferred' || (objective === 'energy' && en.joulesPerByte > 0)) {
      // Within the band only the alphas whose page count rounds to the same value (hence the same energy) stay
      // optimal.
      const cut = bestP / Ps - L * (oneMinusPowLog(rho, logRho, k + 1) / (1 - rho)) - H;
      if (cut < hi) {
        hi = Math.max(lo, cut);
        hiInclusive = true;
      }
    }
  }

  let hiU = bestU;
  let hiP = bestP;
  if (hiInclusive) {
    ev.at(hi);
    hiU = ev.networkUtilization;
    hiP = ev.pagesTransferred;
  }
  // Unet and pages at the (possibly open) upper end: their supremum on the band, by the affine forms.
  if (accounting === 'paper' && !hiInclusive) {
    hiU = bestU + ((hi - lo) * (1 - rho)) / (L * oneMinusPowLog(rho, logRho, k + 2) + H * (1 - rho));
    hiP = ceilPages(Ps * (L * (oneMinusPowLog(rho, logRho, k + 1) / (1 - rho)) + hi + H));
  }
  const recommended = hi > lo ? Math.sqrt(lo * hi) : lo;
  return {
    feasible: true,
    converged: true,
    case: name,
    objective,
    accounting,
    alpha: { min: lo, max: hi, minInclusive: true, maxInclusive: hiInclusive, recommended },
    rho,
    iterations: k,
    downtimeSeconds: bestD,
    totalSeconds: bestT,
    pagesTransferred: { min: bestP, max: hiP },
    networkUtilization: { min: bestU, max: hiU },
    energyJoules: { min: bestE, max: migrationEnergyJoules(en, hiP * S, bestT) },
  };
}

const LIMIT_OF: Record<ConstraintName, keyof Infeasible['best']> = {
  maxNetworkUtilization: 'networkUtilization',
  maxDowntimeSeconds: 'downtimeSeconds',
  maxTotalSeconds: 'totalSeconds',
  maxPagesTransferred: 'pagesTransferred',
  maxEnergyJoules: 'energyJoules',
};

const KEYS = ['networkUtilization', 'downtimeSeconds', 'totalSeconds', 'pagesTransferred'] as const;
const SNAP_LO = new Float64Array(4);
const SNAP_TOP = new Float64Array(4);
const SNAP_HI = new Float64Array(4);
const SNAP_NEXT = new Float64Array(4);
/** Whether SNAP_NEXT holds band kLo + 1 of the current infeasible() call. */
let haveNext = false;

function snap(dst: Float64Array): void {
  dst[0] = ev.networkUtilization;
  dst[1] = ev.downtimeSeconds;
  dst[2] = ev.totalSeconds;
  dst[3] = ev.pagesTransferred;
}

/** The least value of quantity j of KEYS over the alpha range, and the lowest alpha where it is reached. */
function least(j: number, two: boolean, kLo: number, kHi: number, min: number, rho: number): ValueAt {
  let v = Number.POSITIVE_INFINITY;
  let at = kHi;
  if (two) {
    const vLo = SNAP_LO[j]!;
    const vTop = SNAP_TOP[j]!;
    if (vTop <= vLo) {
      v = vTop;
      at = kHi - 1;
    } else {
      // increasing in n: ties with kLo extend to more rounds (lower alpha); bounded by the bands
      v = vLo;
      at = kLo;
      for (let k = kLo + 1; k < kHi - 1; k++) {
        let vk: number;
        if (k === kLo + 1) {
          // every quantity increasing in n looks at band kLo + 1 first: evaluate it once
          if (!haveNext) {
            ev.at(bandStart(k, kHi, min, rho));
            snap(SNAP_NEXT);
            haveNext = true;
          }
          vk = SNAP_NEXT[j]!;
        } else {
          ev.at(bandStart(k, kHi, min, rho));
          vk = ev[KEYS[j]!];
        }
        if (vk > v) break;
        v = vk;
        at = k;
      }
    }
  }
  const vHi = SNAP_HI[j]!;
  if (vHi <= v) {
    v = vHi;
    at = kHi;
  }
  return { value: v, atAlpha: bandStart(at, kHi, min, rho) };
}

/** The limit of constraint `k` of the current problem (as read by checkProblem; other keys of `c` as given). */
function limitOf(c: Constraints, k: ConstraintName): number | undefined {
  switch (k) {
    case 'maxNetworkUtilization':
      return R.uMax;
    case 'maxDowntimeSeconds':
      return R.dMax;
    case 'maxTotalSeconds':
      return R.tMax;
    case 'maxPagesTransferred':
      return R.pMax;
    case 'maxEnergyJoules':
      return R.eMax;
    default:
      return c[k];
  }
}

function infeasible(
  name: CaseName,
  objective: Objective,
  accounting: Accounting,
  rho: number,
  kLo: number,
  kHi: number,
  min: number,
  snapped: number,
  en: EnergyModel,
  leastEK: number,
  leastE: number,
): Infeasible {
  // Over the band starts below kHi every quantity is monotone in n (Tdown decreasing, Ttotal increasing, Unet
  // decreasing, PTotalMig monotone one way or the other: see the header), and constant or increasing within a
  // band. So its least value is at kLo, at kHi - 1 or at range.min (band kHi), and where several alphas tie
  // the lowest one is kept: a few evaluations instead of a walk over every band.
  const two = kHi > kLo;
  // (the walk may have evaluated some of these band starts already: the same alpha gives the same doubles)
  if (two) {
    if ((snapped & 1) === 0) {
      ev.at(bandStart(kLo, kHi, min, rho));
      snap(SNAP_LO);
    }
    if ((snapped & 2) === 0) {
      ev.at(bandStart(kHi - 1, kHi, min, rho));
      snap(SNAP_TOP);
    }
  }
  if ((snapped & 4) === 0) {
    ev.at(min);
    snap(SNAP_HI);
  }
  haveNext = false;
  const bestOf = {
    networkUtilization: least(0, two, kLo, kHi, min, rho),
    downtimeSeconds: least(1, two, kLo, kHi, min, rho),
    totalSeconds: least(2, two, kLo, kHi, min, rho),
    pagesTransferred: least(3, two, kLo, kHi, min, rho),
  };
  const c = R.constraints ?? NO_CONSTRAINTS;
  // Energy is not monotone across bands: its least value is the least over every band start (smallest at a
  // band's start within the band; ties keep the lowest alpha). Only when energy matters to the problem; the
  // energy objective's walk has already visited every band start.
  let leastEnergy: ValueAt | undefined;
  if (objective === 'energy' || R.eMax !== undefined) {
    if (leastEK < 0) {
      const S = R.pageSizeBytes;
      leastE = Number.POSITIVE_INFINITY;
      leastEK = kHi;
      for (let k = kHi; k >= kLo; k--) {
        ev.at(bandStart(k, kHi, min, rho));
        const v = evEnergy(en, S);
        if (v < leastE) {
          leastE = v;
          leastEK = k;
        }
      }
    }
    leastEnergy = { value: leastE, atAlpha: bandStart(leastEK, kHi, min, rho) };
  }
  const best: Infeasible['best'] = leastEnergy
    ? {
        networkUtilization: bestOf.networkUtilization,
        downtimeSeconds: bestOf.downtimeSeconds,
        totalSeconds: bestOf.totalSeconds,
        pagesTransferred: bestOf.pagesTransferred,
        energyJoules: leastEnergy,
      }
    : bestOf;
  const active = (Object.keys(c) as ConstraintName[]).filter((k) => limitOf(c, k) !== undefined);
  const alone = active.filter((k) => (best[LIMIT_OF[k]]?.value ?? 0) > (limitOf(c, k) as number));
  return {
    feasible: false,
    converged: true,
    case: name,
    objective,
    accounting,
    rho,
    minNetworkUtilization: bestOf.networkUtilization.value,
    atAlpha: bestOf.networkUtilization.atAlpha,
    violated: alone.length > 0 ? alone : active,
    best,
  };
}
