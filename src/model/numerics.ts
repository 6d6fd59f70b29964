/**
 * Numerical kernels shared by the three cases. Pure, allocation-free, and careful at the hazards the paper's
 * printed forms hide: alpha an exact power of rho, rho -> 1, alpha -> 0, and page counts that are integers in
 * exact arithmetic but not in floating point.
 */
import { expm1Fast, lnFast } from './fastmath.js';

/**
 * Relative tolerance on the band edges alpha = rho^k. A value of alpha within a relative 1e-12 of rho^k
 * counts as that power, so the edge belongs to the band with fewer rounds (n = k - 1), as Eq. (9) says
 * (rho^(n+1) <= alpha is met with equality). 1e-12 is far above the floating error of
 * (k * ln rho) - ln alpha (at most about |ln alpha| * 2^-52 < 2e-13 for any double alpha) and far below any
 * difference a user could mean.
 */
export const BAND_EDGE_TOLERANCE = 1e-12;

/**
 * Number of pre-copy rounds after the first, n: the smallest integer n >= 0 with rho^(n+1) <= alpha
 * (Eqs. 9-11, 19, 26).
 *
 * The paper's form n = ceil(ln(alpha)/ln(rho) - 1) (Eq. 11) is not used as printed: when alpha is meant to be
 * an exact power of rho the float quotient can land one ulp above the integer and the ceiling adds a round
 * (rho = 0.4, alpha = 0.16 gives 2 + 1 ulp, so n = 2 instead of 1). Here the comparison is done in log space
 * with the relative tolerance {@link BAND_EDGE_TOLERANCE}:
 *   n = max(0, ceil((ln alpha + tol) / ln rho) - 1).
 * Eq. (11) can also be negative when alpha > rho; n is clamped at 0 (one round, the full copy), which is
 * what Eq. (9) gives for alpha >= rho.
 *
 * @param rho ratio of dirtying rate to transfer rate, 0 <= rho < 1
 * @param alpha stop fraction, 0 < alpha < 1
 * @returns n, an integer >= 0 (a float above 2^53 for rho extremely close to 1, where it is no longer exact)
 * @example iterations(8 / 15, 0.05) // 4 (the paper's G = 23.17 example)
 * @example iterations(0.4, 0.16) // 1 (alpha = rho^2 exactly: two rounds leave exactly alpha)
 */
export function iterations(rho: number, alpha: number): number {
  if (rho <= 0) return 0; // no page is ever dirtied: the first round leaves nothing
  return iterationsFromLog(lnFast(rho), alpha);
}

/** {@link iterations} given ln(rho) < 0 already computed (the engine needs ln rho for other terms too). */
export function iterationsFromLog(logRho: number, alpha: number): number {
  const n = Math.ceil((lnFast(alpha) + BAND_EDGE_TOLERANCE) / logRho) - 1;
  return Math.max(n, 0);
}

/**
 * 1 - rho^k without cancellation: -expm1(k ln rho). Exact to a few ulps even as rho -> 1, where the naive
 * form loses all digits. Valid for 0 <= rho < 1 and integer k >= 1.
 * @example oneMinusPow(0.5, 2) // 0.75
 */
export function oneMinusPow(rho: number, k: number): number {
  if (rho === 0) return 1;
  return -expm1Fast(k * lnFast(rho));
}

/**
 * The geometric sum sum_{j=0}^{k-1} rho^j = (1 - rho^k) / (1 - rho) (Eqs. 7, 12), in a form stable as
 * rho -> 1 (1 - rho is exact for rho in [0.5, 1) by Sterbenz's lemma, and the numerator uses expm1).
 * Valid for 0 <= rho < 1 and integer k >= 1.
 * @example geometricSum(0.5, 3) // 1.75
 */
export function geometricSum(rho: number, k: number): number {
  return oneMinusPow(rho, k) / (1 - rho);
}

/**
 * Rounds a page count up (the paper's ceiling in Eqs. 13, 21, 28) without counting floating-point noise as a
 * page: a value within 64 ulps of an integer is that integer (Ps * (1 + 0.05) = 1674.0000000000002 would
 * otherwise become 1675).
 * @example ceilPages(1674.0000000000002) // 1674
 * @example ceilPages(1674.01) // 1675
 */
export function ceilPages(x: number): number {
  const tol = 64 * Number.EPSILON * (x > 1 ? x : x < -1 ? -x : 1);
  if (tol >= 0.5) return Math.round(x); // |x| >= 2^45: every double this close to an integer is one
  const c = Math.ceil(x);
  // x within tol above the integer c - 1 is that integer; x within tol below c is c anyway. One ceil and a
  // comparison (the engine's hot path), the same answers as rounding and comparing |x - round(x)| <= tol.
  return c - x >= 1 - tol ? c - 1 : c;
}
