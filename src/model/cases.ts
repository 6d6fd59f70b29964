import { type Shape, checkCommon, effectiveDirtyRate, predictCase, summarizeAt } from './precopy.js';
import type { CaseOutcome, HotParams, NotConverged, PredictOptions, Summary, UniformParams } from './types.js';
import { checkHotFraction, checkNonNegative } from './validate.js';

function checkUniform(p: UniformParams): void {
  checkCommon(p);
  checkNonNegative('dirtyPagesPerSecond', p.dirtyPagesPerSecond, 'pages/s');
}

function checkHot(p: HotParams): void {
  checkCommon(p);
  checkHotFraction(p.hotFraction);
  checkNonNegative('hotDirtyPagesPerSecond', p.hotDirtyPagesPerSecond, 'pages/s');
  checkNonNegative('coldDirtyPagesPerSecond', p.coldDirtyPagesPerSecond, 'pages/s');
}

function hotWarnings(p: HotParams): string[] {
  return p.hotDirtyPagesPerSecond > p.coldDirtyPagesPerSecond
    ? []
    : [
        `hot rate ${p.hotDirtyPagesPerSecond} pages/s is not above cold rate ${p.coldDirtyPagesPerSecond} pages/s (the paper assumes Dh > Dnh)`,
      ];
}

export { effectiveDirtyRate } from './precopy.js';

const uniformShape = (p: UniformParams): Shape => ({
  case: 'uniform',
  dirtyPagesPerSecond: p.dirtyPagesPerSecond,
  liveFraction: 1,
  heldFraction: 0,
});
const hotPrecopyShape = (p: HotParams): Shape => ({
  case: 'hotPrecopy',
  dirtyPagesPerSecond: effectiveDirtyRate(p),
  liveFraction: 1,
  heldFraction: 0,
});
const hotDowntimeShape = (p: HotParams): Shape => ({
  case: 'hotDowntime',
  dirtyPagesPerSecond: p.coldDirtyPagesPerSecond,
  liveFraction: 1 - p.hotFraction,
  heldFraction: p.hotFraction,
});

/**
 * Live migration with a uniform dirtying rate (Section 3, Table 1 "Uniform Dirtying Rate").
 *
 * tau = S/B; rho = D*tau; n = min{n >= 0 : rho^(n+1) <= alpha} (Eqs. 9-11);
 * T(i) = Ps*tau*rho^i (Eq. 4); P(i) = Ps*rho^i (Eq. 5); Tdown = Ps*tau*rho^(n+1) (Eq. 6);
 * Tpre-copy = Ps*tau*(1-rho^(n+1))/(1-rho) (Eq. 7); Ttotal (Eq. 8);
 * PTotalMig = ceil(Ps*((1-rho^(n+1))/(1-rho) + alpha)) (Eq. 13); G = 1/rho^(n+1) (Eq. 14);
 * Unet = (rho - rho^(n+2) + alpha(1-rho))/(1 - rho^(n+2)) (Eq. 16).
 *
 * Symbols: Ps = `pages`, S = `pageSizeBytes` (bytes), B = `bandwidthBytesPerSecond` (bytes/s),
 * D = `dirtyPagesPerSecond` (pages/s), alpha = `alpha`.
 *
 * Domain: rho < 1 (else `{converged: false}`); alpha in (0, 1), with alpha > rho giving n = 0 and a warning
 * (an error with `strict`); D = 0 gives n = 0, Tdown = 0 and an unbounded gain (Infinity). Accurate as
 * rho -> 1 (expm1 forms) and for alpha down to 1e-300.
 *
 * @throws {ModelInputError} a parameter outside its range (names the parameter, value and range)
 * @example predictUniform({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3,
 *   dirtyPagesPerSecond: 2, alpha: 0.05}).gain // 23.17... (n = 4, G = (15/8)^5)
 */
export function predictUniform(p: UniformParams, options: PredictOptions = {}): CaseOutcome {
  checkUniform(p);
  return predictCase(p, uniformShape(p), options);
}

/**
 * Hot pages copied during pre-copy, "Hot I" (Section 4.1): the uniform model with D replaced by
 * D_eff = Dnh(1-beta) + Dh*beta (Eq. 17), rho_eff = D_eff*tau.
 * Tdown = Ps*tau*rho_eff^(n+1) (Eq. 18); n (Eq. 19); Tpre-copy (Eq. 20); PTotalMig (Eq. 21); G (Eq. 22);
 * Unet (Eq. 23).
 *
 * Symbols: beta = `hotFraction`, Dh = `hotDirtyPagesPerSecond`, Dnh = `coldDirtyPagesPerSecond` (pages/s),
 * the rest as in {@link predictUniform}. Domain: beta in [0, 1), rho_eff < 1; Dh <= Dnh warns.
 *
 * @throws {ModelInputError} a parameter outside its range
 * @example predictHotPrecopy({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3, hotFraction: 0.1,
 *   hotDirtyPagesPerSecond: 4, coldDirtyPagesPerSecond: 1.8, alpha: 0.156}).downtimeSeconds // 91.97 (n = 3)
 */
export function predictHotPrecopy(p: HotParams, options: PredictOptions = {}): CaseOutcome {
  checkHot(p);
  return predictCase(p, hotPrecopyShape(p), options, hotWarnings(p));
}

/**
 * Hot pages copied only at downtime, "Hot II" (Section 4.2): the (1-beta)Ps cold pages are pre-copied at
 * rho_nh = Dnh*tau; the beta*Ps hot pages wait for the downtime.
 * Tdown = Ps*tau*[(1-beta)rho_nh^(n+1) + beta] (Eqs. 24-25); n from rho_nh (Eq. 26);
 * Tpre-copy = Ps(1-beta)tau(1-rho_nh^(n+1))/(1-rho_nh) (Eq. 27); PTotalMig (Eq. 28); G (Eq. 29);
 * Unet (Eqs. 30-31).
 *
 * Symbols as in {@link predictHotPrecopy}. Domain: beta in [0, 1), rho_nh < 1. With beta = 0 it is exactly
 * the uniform case with D = Dnh.
 *
 * @throws {ModelInputError} a parameter outside its range
 * @example predictHotDowntime({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3, hotFraction: 0.1,
 *   hotDirtyPagesPerSecond: 4, coldDirtyPagesPerSecond: 1.8, alpha: 0.4799}).downtimeSeconds // 335.7 (n = 1)
 */
export function predictHotDowntime(p: HotParams, options: PredictOptions = {}): CaseOutcome {
  checkHot(p);
  return predictCase(p, hotDowntimeShape(p), options, hotWarnings(p));
}

/**
 * Scalar-only uniform case for hot loops (sweeps, optimisers, benchmarks): the same numbers as
 * {@link predictUniform} without rounds or warnings. Validates its input.
 * @example summarizeUniform({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3,
 *   dirtyPagesPerSecond: 2, alpha: 0.05}).iterations // 4
 */
export function summarizeUniform(p: UniformParams): Summary | NotConverged {
  checkUniform(p);
  return summarizeAt(p, 'uniform', p.alpha);
}

/** Scalar-only Hot I case (see {@link predictHotPrecopy}). @example summarizeHotPrecopy(paperHot).rho // 0.5387 */
export function summarizeHotPrecopy(p: HotParams): Summary | NotConverged {
  checkHot(p);
  return summarizeAt(p, 'hotPrecopy', p.alpha);
}

/** Scalar-only Hot II case (see {@link predictHotDowntime}). @example summarizeHotDowntime(paperHot).rho // 0.48 */
export function summarizeHotDowntime(p: HotParams): Summary | NotConverged {
  checkHot(p);
  return summarizeAt(p, 'hotDowntime', p.alpha);
}

/** The engine shape of a case, for optimisers and simulators that need rho, live and held fractions. */
export function caseShape(name: 'uniform', p: UniformParams): Shape;
export function caseShape(name: 'hotPrecopy' | 'hotDowntime', p: HotParams): Shape;
export function caseShape(name: Shape['case'], p: UniformParams | HotParams): Shape {
  if (name === 'uniform') return uniformShape(p as UniformParams);
  if (name === 'hotPrecopy') return hotPrecopyShape(p as HotParams);
  return hotDowntimeShape(p as HotParams);
}

/**
 * HG = Tdown(Hot I) / Tdown(Hot II) (Section 4, Figure 1): below 1 when copying hot pages live wins.
 * Undefined when either case does not converge or Hot II has zero downtime.
 * @example hotGain(predictHotPrecopy(p), predictHotDowntime(p)) // 0.274 for Table 2 at alpha = 0.1
 */
export function hotGain(hotPrecopy: CaseOutcome | Summary, hotDowntime: CaseOutcome | Summary): number | undefined {
  if (!hotPrecopy.converged || !hotDowntime.converged) return undefined;
  if (hotDowntime.downtimeSeconds === 0) return undefined;
  return hotPrecopy.downtimeSeconds / hotDowntime.downtimeSeconds;
}
