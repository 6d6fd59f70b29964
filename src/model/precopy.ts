import { ModelInputError } from './errors.js';
import { expFast, expm1Fast, lnFast } from './fastmath.js';
import { BAND_EDGE_TOLERANCE, ceilPages, iterationsFromLog } from './numerics.js';
import type { CaseName, CaseResult, CommonParams, NotConverged, PredictOptions, Round, Summary } from './types.js';
import { checkAccounting, checkAlpha, checkPages, checkPositive } from './validate.js';

/**
 * What distinguishes the three cases, once reduced to one pre-copy engine:
 * - uniform (Section 3): every page is copied live, dirtied at D;              live = 1,    held = 0
 * - Hot I (Section 4.1): every page is copied live, dirtied at D_eff (Eq. 17); live = 1,    held = 0
 * - Hot II (Section 4.2): only the (1-beta)Ps cold pages are copied live, dirtied at Dnh, and the beta*Ps hot
 *   pages are held back to the downtime;                                       live = 1-beta, held = beta
 */
export interface Shape {
  readonly case: CaseName;
  /** Dirtying rate of the pages copied live, pages/s (D, D_eff or Dnh). */
  readonly dirtyPagesPerSecond: number;
  /** Fraction of the Ps pages copied live. */
  readonly liveFraction: number;
  /** Fraction of the Ps pages copied only at downtime. */
  readonly heldFraction: number;
}

/** What the engine reads: the common parameters but alpha, and the dirty rates of the case asked for. */
export interface EngineParams extends Omit<CommonParams, 'alpha'> {
  readonly dirtyPagesPerSecond?: number;
  readonly hotFraction?: number;
  readonly hotDirtyPagesPerSecond?: number;
  readonly coldDirtyPagesPerSecond?: number;
}

/** Checks the parameters all cases share; throws {@link ModelInputError}. */
export function checkCommon(p: CommonParams): void {
  checkPages('pages', p.pages);
  checkPositive('pageSizeBytes', p.pageSizeBytes, 'bytes');
  checkPositive('bandwidthBytesPerSecond', p.bandwidthBytesPerSecond, 'bytes/s');
  checkAlpha(p.alpha);
  checkAccounting(p.accounting);
}

/** tau = S/B, seconds per page, computed before rho so rho = D*tau rounds as the paper's numbers do. */
export function pageSeconds(p: Pick<CommonParams, 'pageSizeBytes' | 'bandwidthBytesPerSecond'>): number {
  return p.pageSizeBytes / p.bandwidthBytesPerSecond;
}

function notConverged(shape: Shape, rho: number, tau: number): NotConverged {
  const transfer = 1 / tau;
  return {
    case: shape.case,
    converged: false,
    rho,
    dirtyPagesPerSecond: shape.dirtyPagesPerSecond,
    transferPagesPerSecond: transfer,
    reason: `pre-copy never converges: dirty rate ${fmt(shape.dirtyPagesPerSecond)} pages/s >= transfer rate ${fmt(transfer)} pages/s (rho = ${fmt(rho)})`,
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/**
 * The closed forms of Table 1 for one case, as scalars (no per-round list). All quantities follow from
 * rho = D*tau, n (Eq. 11/19/26, see {@link iterations}) and q = rho^(n+1); with L = live fraction, H = held
 * fraction (H = beta in Hot II, else 0):
 *   Tpre  = Ps*tau*L*(1 - rho^(n+1))/(1 - rho)                       Eqs. 7, 20, 27
 *   Tdown = Ps*tau*(L*q + H)                                          Eqs. 6, 18, 24-25
 *   Ttot  = Tpre + Tdown                                              Eq. 8
 *   G     = 1/(L*q + H)                                               Eqs. 14, 22, 29
 *   PTotalMig (paper)      = ceil(Ps*(L*(1-q)/(1-rho) + alpha + H))    Eqs. 13, 21, 28
 *   PTotalMig (consistent) = ceil(Ps*(L*(1-rho^(n+2))/(1-rho) + H))
 *   Unet (paper)      = [rho*L*(1-q) + (alpha+H)(1-rho)] / [L*(1-rho^(n+2)) + H*(1-rho)]   Eqs. 16, 23, 31
 *   Unet (consistent) = [rho*L*(1-q) + (L*q+H)(1-rho)]   / [L*(1-rho^(n+2)) + H*(1-rho)]
 * With H = 0, L = 1 the Unet line is Eq. 16 exactly; with H = beta, L = 1-beta it is Eq. 31 exactly.
 * The case picks D and L, H: uniform D, 1, 0; Hot I D_eff (Eq. 17), 1, 0; Hot II Dnh, 1-beta, beta.
 * alpha is an argument (the optimiser evaluates one case at many alphas); rho >= 1 gives NotConverged.
 * Assumes valid parameters (callers check).
 */
export function summarizeAt(p: EngineParams, name: CaseName, alpha: number): Summary | NotConverged {
  // The case's shape, read from p here rather than passed in: numbers passed between functions V8 does not
  // inline are boxed, and this is the hot path (about 1.5x faster than passing rho, L and H as arguments).
  let dirty: number;
  let liveFraction = 1;
  let heldFraction = 0;
  if (name === 'uniform') dirty = p.dirtyPagesPerSecond!;
  else if (name === 'hotPrecopy')
    dirty = effectiveDirtyRate(p as Required<EngineParams>); // D_eff, Eq. 17
  else {
    dirty = p.coldDirtyPagesPerSecond!;
    heldFraction = p.hotFraction!;
    liveFraction = 1 - heldFraction;
  }
  const tau = pageSeconds(p);
  const rho = dirty * tau;
  if (!(rho < 1)) return notConverged({ case: name, dirtyPagesPerSecond: dirty, liveFraction, heldFraction }, rho, tau);
  const pages = p.pages;
  // ln(rho) once; rho^k = exp(k ln rho) keeps a relative error of about |k ln rho| * 2^-53 (a few ulps), also
  // for rho -> 1 and for tiny rho^k. rho = 0 gives ln = -Infinity, q = 0 and 1 - q = 1, as the limits say
  // (n = 0 there).
  const logRho = lnFast(rho);
  const n = rho > 0 ? iterationsFromLog(logRho, alpha) : 0;
  const q = expFast((n + 1) * logRho);
  // 1 - q: when q <= 1/2 the subtraction is exact to an ulp of the result (no cancellation), which saves an
  // expm1 in the common case; above 1/2 (alpha near 1, or rho -> 1 with n small) expm1 keeps the digits.
  const oneMinusQ = q <= 0.5 ? 1 - q : -expm1Fast((n + 1) * logRho);
  // 1 - rho^(n+2) = (1 - rho^(n+1)) + rho^(n+1) (1 - rho): a sum of non-negative terms, no cancellation.
  const oneMinusQ2 = oneMinusQ + q * (1 - rho);
  const psTau = pages * tau;
  const precopySeconds = psTau * liveFraction * (oneMinusQ / (1 - rho));
  const leftFraction = liveFraction * q + heldFraction;
  const downtimeSeconds = psTau * leftFraction;
  const den = liveFraction * oneMinusQ2 + heldFraction * (1 - rho);
  let pagesTransferred: number;
  let downtimeFraction: number;
  if (p.accounting !== 'consistent') {
    downtimeFraction = alpha + heldFraction;
    pagesTransferred = ceilPages(pages * (liveFraction * (oneMinusQ / (1 - rho)) + downtimeFraction));
  } else {
    downtimeFraction = leftFraction;
    pagesTransferred = ceilPages(pages * (liveFraction * (oneMinusQ2 / (1 - rho)) + heldFraction));
  }
  const networkUtilization = (rho * liveFraction * oneMinusQ + downtimeFraction * (1 - rho)) / den;
  return {
    converged: true,
    rho,
    iterations: n,
    precopySeconds,
    downtimeSeconds,
    totalSeconds: precopySeconds + downtimeSeconds,
    pagesTransferred,
    downtimePages: pages * downtimeFraction,
    gain: 1 / leftFraction,
    networkUtilization,
  };
}

/**
 * D_eff = Dnh*(1-beta) + Dh*beta (Eq. 17): the average dirtying rate when hot pages are copied live.
 * @example effectiveDirtyRate({hotFraction: 0.1, hotDirtyPagesPerSecond: 4, coldDirtyPagesPerSecond: 1.8}) // 2.02
 */
export function effectiveDirtyRate(
  p: Required<Pick<EngineParams, 'hotFraction' | 'hotDirtyPagesPerSecond' | 'coldDirtyPagesPerSecond'>>,
): number {
  return p.coldDirtyPagesPerSecond * (1 - p.hotFraction) + p.hotDirtyPagesPerSecond * p.hotFraction;
}

/** The full result of a case: the summary, rounds i = 0..n (Eqs. 4-5) and warnings. */
export function predictCase(
  p: EngineParams & CommonParams,
  shape: Shape,
  options: PredictOptions = {},
  extraWarnings: readonly string[] = [],
): CaseResult | NotConverged {
  const tau = pageSeconds(p);
  const s = summarizeAt(p, shape.case, p.alpha);
  if (!s.converged) return s;
  const warnings = [...extraWarnings];
  const { rho, iterations: n } = s;
  if (p.alpha > rho * (1 + BAND_EDGE_TOLERANCE)) {
    const text = `alpha = ${fmt(p.alpha)} is above rho = ${fmt(rho)}: the first round already leaves at most alpha*Ps pages, so n = 0 (the paper's condition alpha <= rho does not hold)`;
    if (options.strict) {
      throw new ModelInputError('alpha', p.alpha, `0 < alpha <= rho = ${fmt(rho)} (strict)`);
    }
    warnings.push(text);
  }
  const maxListed = options.maxRoundsListed ?? 10_000;
  const listed = Math.min(n + 1, Math.max(0, maxListed));
  const rounds: Round[] = new Array(listed);
  const livePages = p.pages * shape.liveFraction;
  for (let i = 0; i < listed; i++) {
    const pages = livePages * rho ** i; // P(i) = Ps*rho^i, Eq. 5 (Ps -> Ps(1-beta) in Hot II)
    rounds[i] = { pages, seconds: pages * tau }; // T(i) = P(i)*tau, Eqs. 2, 4
  }
  if (listed < n + 1) warnings.push(`rounds truncated: listing ${listed} of ${n + 1} rounds`);
  if (!Number.isFinite(s.gain)) warnings.push('gain is unbounded: no page is left to copy at downtime');
  return {
    ...s,
    case: shape.case,
    accounting: p.accounting ?? 'paper',
    alpha: p.alpha,
    pageSeconds: tau,
    pages: p.pages,
    rounds,
    roundsTruncated: listed < n + 1,
    warnings,
  };
}
