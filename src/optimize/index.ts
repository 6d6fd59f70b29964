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
  type CaseName,
  type HotParams,
  type ModelInput,
  ModelInputError,
  type Summary,
  type UniformParams,
  type NotConverged,
  caseShape,
  ceilPages,
  checkAccounting,
  checkAlpha,
  checkHotFraction,
  checkNonNegative,
  checkPages,
  checkPositive,
  createBatchOutputs,
  geometricSum,
  iterations,
  oneMinusPow,
  summarizeAt,
  summarizeBatch,
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

function checkProblem(p: OptimizeProblem, range: { min: number; max: number }): void {
  const { min, max } = range;
  const ok = (x: number) => Number.isFinite(x) && x > 0 && x < 1;
  if (!ok(min) || !ok(max) || min > max) {
    throw new ModelInputError('alphaRange', `${min}:${max}`, '0 < min <= max < 1');
  }
  const c = p.constraints ?? {};
  for (const name in c) {
    const key = name as ConstraintName;
    const v = c[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new ModelInputError(key, v, `a finite number > 0`);
  }
  if (p.energy) {
    for (const [k, v] of Object.entries(p.energy)) {
      if (!Number.isFinite(v) || v < 0) throw new ModelInputError(k, v, 'a finite number >= 0');
    }
  }
  if (p.objective !== undefined && !OBJECTIVES.includes(p.objective)) {
    throw new ModelInputError('objective', p.objective, OBJECTIVES.join(' | '));
  }
}

/**
 * Validates the case parameters with the model's own checks, in the order summarizeUniform / summarizeHot*
 * run them (common parameters with alpha = `alpha`, then the case's rates), without copying the problem;
 * returns its summary at alpha = `alpha`.
 */
function summaryAt(p: OptimizeProblem, alpha: number): Summary | NotConverged {
  if (p.case === 'uniform') {
    if (p.dirtyPagesPerSecond === undefined) {
      throw new ModelInputError(
        'dirtyPagesPerSecond',
        undefined,
        'a dirty rate >= 0',
        'dirtyPagesPerSecond is missing: the uniform case needs a dirty rate',
      );
    }
    checkCommonAt(p, alpha);
    checkNonNegative('dirtyPagesPerSecond', p.dirtyPagesPerSecond, 'pages/s');
    return summarizeAt(p, 'uniform', alpha);
  }
  const missing =
    p.hotFraction === undefined
      ? 'hotFraction'
      : p.hotDirtyPagesPerSecond === undefined
        ? 'hotDirtyPagesPerSecond'
        : p.coldDirtyPagesPerSecond === undefined
          ? 'coldDirtyPagesPerSecond'
          : undefined;
  if (missing !== undefined) {
    throw new ModelInputError(
      missing,
      undefined,
      'a value',
      `${missing} is missing: case ${p.case} needs hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond`,
    );
  }
  checkCommonAt(p, alpha);
  checkHotFraction(p.hotFraction);
  checkNonNegative('hotDirtyPagesPerSecond', p.hotDirtyPagesPerSecond, 'pages/s');
  checkNonNegative('coldDirtyPagesPerSecond', p.coldDirtyPagesPerSecond, 'pages/s');
  return summarizeAt(p, p.case, alpha);
}

/** checkCommon of the model with alpha given apart. */
function checkCommonAt(p: OptimizeProblem, alpha: number): void {
  checkPages('pages', p.pages);
  checkPositive('pageSizeBytes', p.pageSizeBytes, 'bytes');
  checkPositive('bandwidthBytesPerSecond', p.bandwidthBytesPerSecond, 'bytes/s');
  checkAlpha(alpha);
  checkAccounting(p.accounting);
}

/**
 * One evaluation at a time through the batch kernel (bit for bit summarizeAt) into arrays allocated once, so
 * walking the bands allocates nothing per band.
 */
const one = () => new Float64Array(1);
const scratchIn = {
  pages: one(),
  pageSizeBytes: one(),
  bandwidthBytesPerSecond: one(),
  alpha: one(),
  dirtyPagesPerSecond: one(),
  hotFraction: one(),
  hotDirtyPagesPerSecond: one(),
  coldDirtyPagesPerSecond: one(),
};
const scratch = createBatchOutputs(1);

function loadScratch(p: OptimizeProblem): void {
  scratchIn.pages[0] = p.pages;
  scratchIn.pageSizeBytes[0] = p.pageSizeBytes;
  scratchIn.bandwidthBytesPerSecond[0] = p.bandwidthBytesPerSecond;
  scratchIn.dirtyPagesPerSecond[0] = p.dirtyPagesPerSecond ?? Number.NaN;
  scratchIn.hotFraction[0] = p.hotFraction ?? Number.NaN;
  scratchIn.hotDirtyPagesPerSecond[0] = p.hotDirtyPagesPerSecond ?? Number.NaN;
  scratchIn.coldDirtyPagesPerSecond[0] = p.coldDirtyPagesPerSecond ?? Number.NaN;
}

/** Energy of the scratch evaluation (bytes = PTotalMig * S, duration = Ttotal). */
function scratchEnergy(e: EnergyModel): number {
  return migrationEnergyJoules(e, scratch.pagesTransferred[0]! * scratchIn.pageSizeBytes[0]!, scratch.totalSeconds[0]!);
}

function scratchMeets(c: Constraints, e: EnergyModel): boolean {
  return (
    (c.maxEnergyJoules === undefined || scratchEnergy(e) <= c.maxEnergyJoules) &&
    (c.maxNetworkUtilization === undefined || scratch.networkUtilization[0]! <= c.maxNetworkUtilization) &&
    (c.maxDowntimeSeconds === undefined || scratch.downtimeSeconds[0]! <= c.maxDowntimeSeconds) &&
    (c.maxTotalSeconds === undefined || scratch.totalSeconds[0]! <= c.maxTotalSeconds) &&
    (c.maxPagesTransferred === undefined || scratch.pagesTransferred[0]! <= c.maxPagesTransferred)
  );
}

const SNAP_LO = new Float64Array(4);
const SNAP_TOP = new Float64Array(4);
const SNAP_HI = new Float64Array(4);

/** A limit exceeded by more than float noise: the true value is above it too. */
const CLEAR = 1 + 1e-9;

/** One band's feasible interval and values. */
interface BandEval {
  k: number;
  lo: number; // alpha at the band's start (inclusive)
  hi: number; // end of the feasible part
  hiInclusive: boolean;
  /** The quantities at the band's start (read from the scratch evaluation, no second evaluation). */
  atLo: Pick<Summary, 'networkUtilization' | 'pagesTransferred' | 'downtimeSeconds' | 'totalSeconds'> & {
    energyJoules: number;
  };
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
  const range = p.alphaRange ?? DEFAULT_ALPHA_RANGE;
  const objective = p.objective ?? 'downtime';
  const accounting = p.accounting ?? 'paper';
  checkProblem(p, range);
  const first = summaryAt(p, range.min); // validates every case parameter
  if (!first.converged) {
    return { feasible: false, converged: false, case: p.case, objective, rho: first.rho, reason: first.reason };
  }
  const shape =
    p.case === 'uniform'
      ? caseShape('uniform', p as unknown as UniformParams)
      : caseShape(p.case, p as unknown as HotParams);
  const rho = first.rho;
  const L = shape.liveFraction;
  const H = shape.heldFraction;
  const Ps = p.pages;
  const kHi = iterations(rho, range.min);
  const kLo = iterations(rho, range.max);
  if (kHi - kLo + 1 > MAX_BANDS) {
    throw new ModelInputError(
      'alphaRange',
      `${range.min}:${range.max}`,
      `a range spanning at most ${MAX_BANDS} values of n (rho = ${rho} is very close to 1): raise the lower end`,
    );
  }
  const c = p.constraints ?? {};
  const en = p.energy ?? LIU_ENERGY;
  const S = p.pageSizeBytes;
  // The case at another alpha, into the scratch arrays: converges, since rho < 1 was established at range.min.
  const bandStart = (k: number) => (k === kHi ? range.min : rho ** (k + 1));
  loadScratch(p);
  const evalAt = (a: number) => {
    scratchIn.alpha[0] = a;
    summarizeBatch(p.case, scratchIn, scratch, 1, accounting);
  };

  /** Feasible part of band k, or undefined (no allocation unless feasible; the scratch holds band k's start). */
  const evalBand = (k: number): BandEval | undefined => {
    const lo = bandStart(k);
    evalAt(lo);
    if (!scratchMeets(c, en)) return undefined;
    const atLo = {
      networkUtilization: scratch.networkUtilization[0]!,
      pagesTransferred: scratch.pagesTransferred[0]!,
      downtimeSeconds: scratch.downtimeSeconds[0]!,
      totalSeconds: scratch.totalSeconds[0]!,
      energyJoules: scratchEnergy(en),
    };
    let hi = k === kLo ? range.max : rho ** k;
    let hiInclusive = k === kLo;
    if (accounting === 'paper') {
      // Unet(alpha) = Unet(lo) + (alpha - lo)(1 - rho)/den on the band (Eqs. 16, 23, 31).
      if (c.maxNetworkUtilization !== undefined && rho < 1) {
        const den = L * oneMinusPow(rho, k + 2) + H * (1 - rho);
        const cut = lo + ((c.maxNetworkUtilization - atLo.networkUtilization) * den) / (1 - rho);
        if (cut < hi || (cut === hi && !hiInclusive)) {
          hi = Math.max(lo, cut);
          hiInclusive = true;
        }
      }
      // PTotalMig(alpha) = ceil(Ps*(L*g + alpha + H)) <= P  <=>  alpha <= P/Ps - L*g - H (Eqs. 13, 21, 28).
      if (c.maxPagesTransferred !== undefined) {
        const cut = Math.floor(c.maxPagesTransferred) / Ps - L * geometricSum(rho, k + 1) - H;
        if (cut < hi || (cut === hi && !hiInclusive)) {
          hi = Math.max(lo, cut);
          hiInclusive = true;
        }
      }
      // E <= Emax  <=>  PTotalMig <= (Emax - E_0 - P_host Ttotal) / (e_bytes S), Ttotal constant on the band;
      // then the pages cut above. With e_bytes = 0 the energy is constant on the band (checked at its start).
      if (c.maxEnergyJoules !== undefined && en.joulesPerByte > 0) {
        const pagesCap =
          (c.maxEnergyJoules - en.joulesPerMigration - en.hostPowerWatts * atLo.totalSeconds) / (en.joulesPerByte * S);
        const cut = Math.floor(pagesCap) / Ps - L * geometricSum(rho, k + 1) - H;
        if (cut < hi || (cut === hi && !hiInclusive)) {
          hi = Math.max(lo, cut);
          hiInclusive = true;
        }
      }
    }
    return { k, lo, hi, hiInclusive, atLo };
  };

  let best: BandEval | undefined;
  if (objective === 'downtime') {
    for (let k = kHi; k >= kLo && !best; k--) {
      best = evalBand(k);
      // Fewer rounds only raise Tdown (constant on a band) and Unet at the band starts below kHi (Eqs. 6, 16, 23,
      // 31; see the header): once either is clearly above its limit, no band below can be feasible.
      if (
        !best &&
        ((c.maxDowntimeSeconds !== undefined && scratch.downtimeSeconds[0]! > c.maxDowntimeSeconds * CLEAR) ||
          (k < kHi &&
            c.maxNetworkUtilization !== undefined &&
            scratch.networkUtilization[0]! > c.maxNetworkUtilization * CLEAR))
      )
        break;
    }
  } else if (objective === 'totalTime') {
    for (let k = kLo; k <= kHi && !best; k++) {
      best = evalBand(k);
      // More rounds only raise Ttotal (constant on a band, Eq. 8): once clearly above its limit, stop.
      if (!best && c.maxTotalSeconds !== undefined && scratch.totalSeconds[0]! > c.maxTotalSeconds * CLEAR) break;
    }
  } else if (objective === 'energy') {
    for (let k = kHi; k >= kLo; k--) {
      const b = evalBand(k);
      if (b && (!best || b.atLo.energyJoules < best.atLo.energyJoules)) best = b;
    }
    if (best && accounting === 'paper' && en.joulesPerByte > 0) {
      // Within the band only the alphas with the same page count (hence the same energy) stay optimal.
      const cut = best.atLo.pagesTransferred / Ps - L * geometricSum(rho, best.k + 1) - H;
      if (cut < best.hi) {
        best.hi = Math.max(best.lo, cut);
        best.hiInclusive = true;
      }
    }
  } else {
    for (let k = kHi; k >= kLo; k--) {
      const b = evalBand(k);
      if (b && (!best || b.atLo.pagesTransferred < best.atLo.pagesTransferred)) best = b;
    }
    if (best && accounting === 'paper') {
      // Within the band only the alphas whose page count rounds to the same value stay optimal.
      const cut = best.atLo.pagesTransferred / Ps - L * geometricSum(rho, best.k + 1) - H;
      if (cut < best.hi) {
        best.hi = Math.max(best.lo, cut);
        best.hiInclusive = true;
      }
    }
  }

  if (!best) return infeasible(p, objective, accounting, rho, kLo, kHi, bandStart, evalAt, en);

  let atHi: Pick<Summary, 'networkUtilization' | 'pagesTransferred'> = best.atLo;
  if (best.hiInclusive) {
    evalAt(best.hi);
    atHi = { networkUtilization: scratch.networkUtilization[0]!, pagesTransferred: scratch.pagesTransferred[0]! };
  }
  // Unet and pages at the (possibly open) upper end: their supremum on the band, by the affine forms.
  const supUnet =
    accounting === 'paper' && !best.hiInclusive
      ? best.atLo.networkUtilization +
        ((best.hi - best.lo) * (1 - rho)) / (L * oneMinusPow(rho, best.k + 2) + H * (1 - rho))
      : atHi.networkUtilization;
  const supPages =
    accounting === 'paper' && !best.hiInclusive
      ? ceilPages(Ps * (L * geometricSum(rho, best.k + 1) + best.hi + H))
      : atHi.pagesTransferred;
  const recommended = best.hi > best.lo ? Math.sqrt(best.lo * best.hi) : best.lo;
  return {
    feasible: true,
    converged: true,
    case: p.case,
    objective,
    accounting,
    alpha: {
      min: best.lo,
      max: best.hi,
      minInclusive: true,
      maxInclusive: best.hiInclusive,
      recommended,
    },
    rho,
    iterations: best.k,
    downtimeSeconds: best.atLo.downtimeSeconds,
    totalSeconds: best.atLo.totalSeconds,
    pagesTransferred: { min: best.atLo.pagesTransferred, max: supPages },
    networkUtilization: { min: best.atLo.networkUtilization, max: supUnet },
    energyJoules: {
      min: best.atLo.energyJoules,
      max: migrationEnergyJoules(en, supPages * S, best.atLo.totalSeconds),
    },
  };
}

const LIMIT_OF: Record<ConstraintName, keyof Infeasible['best']> = {
  maxNetworkUtilization: 'networkUtilization',
  maxDowntimeSeconds: 'downtimeSeconds',
  maxTotalSeconds: 'totalSeconds',
  maxPagesTransferred: 'pagesTransferred',
  maxEnergyJoules: 'energyJoules',
};

function infeasible(
  p: OptimizeProblem,
  objective: Objective,
  accounting: Accounting,
  rho: number,
  kLo: number,
  kHi: number,
  bandStart: (k: number) => number,
  evalAt: (alpha: number) => void,
  en: EnergyModel,
): Infeasible {
  // Over the band starts below kHi every quantity is monotone in n (Tdown decreasing, Ttotal increasing, Unet
  // decreasing, PTotalMig monotone one way or the other: see the header), and constant or increasing within a
  // band. So its least value is at kLo, at kHi - 1 or at range.min (band kHi), and where several alphas tie
  // the lowest one is kept: a few evaluations instead of a walk over every band.
  const KEYS = ['networkUtilization', 'downtimeSeconds', 'totalSeconds', 'pagesTransferred'] as const;
  const snap = (k: number, dst: Float64Array): void => {
    evalAt(bandStart(k));
    for (let j = 0; j < 4; j++) dst[j] = scratch[KEYS[j]!][0]!;
  };
  const two = kHi > kLo;
  if (two) {
    snap(kLo, SNAP_LO);
    snap(kHi - 1, SNAP_TOP);
  }
  snap(kHi, SNAP_HI);
  const least = (key: (typeof KEYS)[number]): ValueAt => {
    const j = KEYS.indexOf(key);
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
          evalAt(bandStart(k));
          const vk = scratch[key][0]!;
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
    return { value: v, atAlpha: bandStart(at) };
  };
  const c = p.constraints ?? {};
  // Energy is not monotone across bands: its least value takes a walk over every band start (smallest at a
  // band's start within the band), done only when energy matters to the problem.
  let leastEnergy: ValueAt | undefined;
  if (objective === 'energy' || c.maxEnergyJoules !== undefined) {
    leastEnergy = { value: Number.POSITIVE_INFINITY, atAlpha: bandStart(kHi) };
    for (let k = kHi; k >= kLo; k--) {
      evalAt(bandStart(k));
      const v = migrationEnergyJoules(en, scratch.pagesTransferred[0]! * p.pageSizeBytes, scratch.totalSeconds[0]!);
      if (v < leastEnergy.value) leastEnergy = { value: v, atAlpha: bandStart(k) };
    }
  }
  const bestOf = {
    networkUtilization: least('networkUtilization'),
    downtimeSeconds: least('downtimeSeconds'),
    totalSeconds: least('totalSeconds'),
    pagesTransferred: least('pagesTransferred'),
    ...(leastEnergy ? { energyJoules: leastEnergy } : {}),
  };
  const active = (Object.keys(c) as ConstraintName[]).filter((k) => c[k] !== undefined);
  const alone = active.filter((k) => (bestOf[LIMIT_OF[k]]?.value ?? 0) > (c[k] as number));
  return {
    feasible: false,
    converged: true,
    case: p.case,
    objective,
    accounting,
    rho,
    minNetworkUtilization: bestOf.networkUtilization.value,
    atAlpha: bestOf.networkUtilization.atAlpha,
    violated: alone.length > 0 ? alone : active,
    best: bestOf,
  };
}
