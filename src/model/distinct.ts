/**
 * A model beyond the paper: pre-copy under RANDOM writes, where a write to a page that is already dirty adds
 * nothing. This is a deviation from Aldhalaan & Menascé (2013), whose Eq. (5) P(i+1) = D*T(i) assumes every
 * write dirties a new page.
 *
 * Derivation. Writes arrive as a Poisson process of rate D, each to a page chosen uniformly among Ps pages.
 * Thinning splits it into Ps independent Poisson processes of rate D/Ps, one per page. After a bitmap sync the
 * dirty log is empty; over a round of length T a given page is written at least once with probability
 * 1 - exp(-D*T/Ps), independently of the others. So the expected number of distinct pages dirtied in T is
 *
 *   E[dirty(T)] = Ps * (1 - exp(-D*T/Ps))            (<= D*T, equal to first order as D*T/Ps -> 0)
 *
 * and the round recursion becomes P(i+1) = Ps*(1 - exp(-rho*P(i)/Ps)) with T(i) = P(i)*tau, rho = D*tau.
 * With hot pages (a fraction beta of pages written at Dh/Ps per page and second, the others at Dnh/Ps):
 *   Hot I:  E[dirty(T)] = beta*Ps*(1 - exp(-Dh*T/Ps)) + (1-beta)*Ps*(1 - exp(-Dnh*T/Ps))
 *   Hot II: E[dirty(T)] = (1-beta)*Ps*(1 - exp(-Dnh*T/Ps))  (hot pages held back, beta*Ps copied at downtime)
 * (Hot II's live rate is then (1-beta)*Dnh, not the paper's Dnh: the paper's Section 4.2 uses Dnh for the cold
 * pages as a whole while Eq. 17 weighs it by (1-beta).)
 *
 * What is exact and what is not: the expectation is exact for one round of given length. Across rounds the
 * recursion feeds the expected P(i) into the next round (a mean-field step); since 1 - exp(-x) is concave,
 * Jensen's inequality makes it overestimate E[P(i+1)] by about rho^2 * Var[P(i)] / (2 Ps), a relative O(1/Ps)
 * that is far below the Monte Carlo noise for real VM sizes (see test/model/distinct.test.ts against the
 * simulator). Stop rule as the paper's (Eq. 9): stop after round n, the first with P(n+1) <= alpha * live pages.
 *
 * Convergence: the map g(x) = E[dirty(x*tau)] is increasing and concave with g(0) = 0, so from x = Ps the
 * sequence decreases to the largest fixed point x*. The alpha rule stops iff g(threshold) < threshold
 * (equivalently x* < threshold); with rho > 1 random writes can still converge for a large enough alpha,
 * unlike the paper's model. With rho <= 1 it always converges.
 */
import { BAND_EDGE_TOLERANCE, ceilPages } from './numerics.js';
import type { Accounting, CaseName, HotParams, NotConverged, Round, Summary, UniformParams } from './types.js';
import {
  checkAccounting,
  checkAlpha,
  checkHotFraction,
  checkNonNegative,
  checkPages,
  checkPositive,
} from './validate.js';

/** The result of the distinct-pages model for one case. */
export interface DistinctResult extends Summary {
  readonly case: CaseName;
  readonly model: 'distinct';
  readonly accounting: Accounting;
  readonly alpha: number;
  readonly pageSeconds: number;
  readonly pages: number;
  /** Expected pages P(i) and seconds T(i) of rounds 0..n (at most `maxRoundsListed`). */
  readonly rounds: readonly Round[];
  readonly roundsTruncated: boolean;
  /** Expected pages left dirty after round n, P(n+1). */
  readonly pagesLeft: number;
}

/** A set of pages written uniformly at random: `fraction` of Ps pages, `dirtyPagesPerSecond` writes/s per Ps. */
interface PageSet {
  readonly fraction: number;
  /** Per-page write intensity times Ps (pages/s): a page of the set is written at rate/Ps per second. */
  readonly intensity: number;
}

/** Largest number of rounds iterated before reporting non-convergence. */
export const DISTINCT_MAX_ROUNDS = 1_000_000;

/**
 * Expected distinct pages dirtied in `seconds` after a sync by Poisson writes uniform over each set:
 * sum over sets of fraction*Ps*(1 - exp(-intensity*seconds/Ps)), with -expm1 for accuracy at small arguments.
 * @example expectedDistinctPages(1000, [{fraction: 1, intensity: 1000}], 1) // 632.12 (1000*(1 - 1/e))
 */
export function expectedDistinctPages(pages: number, sets: readonly PageSet[], seconds: number): number {
  let s = 0;
  for (const set of sets) s += set.fraction * pages * -Math.expm1((-set.intensity * seconds) / pages);
  return s;
}

function checkBase(p: UniformParams | HotParams): void {
  checkPages('pages', p.pages);
  checkPositive('pageSizeBytes', p.pageSizeBytes, 'bytes');
  checkPositive('bandwidthBytesPerSecond', p.bandwidthBytesPerSecond, 'bytes/s');
  checkAlpha(p.alpha);
  checkAccounting(p.accounting);
}

function run(
  name: CaseName,
  p: UniformParams | HotParams,
  sets: readonly PageSet[],
  liveFraction: number,
  heldFraction: number,
  maxRoundsListed: number,
): DistinctResult | NotConverged {
  const Ps = p.pages;
  const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
  let slope = 0;
  for (const s of sets) slope += s.fraction * s.intensity;
  const rho = slope * tau;
  const live = Ps * liveFraction;
  const threshold = p.alpha * live * (1 + BAND_EDGE_TOLERANCE);
  const g = (x: number) => expectedDistinctPages(Ps, sets, x * tau);
  if (!(g(threshold) < threshold) && g(live) > threshold) {
    return {
      case: name,
      converged: false,
      rho,
      dirtyPagesPerSecond: slope,
      transferPagesPerSecond: 1 / tau,
      reason: `pre-copy never reaches alpha*live pages: random writes keep about ${fmt(fixedPoint(g, live))} pages dirty per round (rho = ${fmt(rho)})`,
    };
  }
  const rounds: Round[] = [];
  let x = live;
  let sumLive = 0;
  let sumDirtied = 0;
  let n = 0;
  for (; ; n++) {
    if (n >= DISTINCT_MAX_ROUNDS) {
      return {
        case: name,
        converged: false,
        rho,
        dirtyPagesPerSecond: slope,
        transferPagesPerSecond: 1 / tau,
        reason: `pre-copy needs more than ${DISTINCT_MAX_ROUNDS} rounds (rho = ${fmt(rho)})`,
      };
    }
    if (rounds.length < maxRoundsListed) rounds.push({ pages: x, seconds: x * tau });
    sumLive += x;
    const next = g(x);
    sumDirtied += next;
    x = next;
    if (x <= threshold) break;
  }
  const accounting = p.accounting ?? 'paper';
  const pagesLeft = x;
  const precopySeconds = sumLive * tau;
  const leftPages = pagesLeft + heldFraction * Ps;
  const downtimeSeconds = leftPages * tau;
  const totalSeconds = precopySeconds + downtimeSeconds;
  const accountedDown = accounting === 'paper' ? (p.alpha + heldFraction) * Ps : leftPages;
  return {
    converged: true,
    case: name,
    model: 'distinct',
    accounting,
    alpha: p.alpha,
    pageSeconds: tau,
    pages: Ps,
    rho,
    iterations: n,
    precopySeconds,
    downtimeSeconds,
    totalSeconds,
    pagesTransferred: ceilPages(sumLive + accountedDown),
    downtimePages: accountedDown,
    gain: leftPages > 0 ? Ps / leftPages : Number.POSITIVE_INFINITY,
    networkUtilization: (sumDirtied + accountedDown) / (sumLive + leftPages),
    rounds,
    roundsTruncated: rounds.length < n + 1,
    pagesLeft,
  };
}

function fixedPoint(g: (x: number) => number, live: number): number {
  let x = live;
  for (let i = 0; i < 10_000; i++) {
    const y = g(x);
    if (Math.abs(y - x) <= 1e-12 * x) return y;
    x = y;
  }
  return x;
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/**
 * Pre-copy under random writes at rate D uniform over Ps pages (distinct-pages model, beyond the paper):
 * P(0) = Ps; P(i+1) = Ps*(1 - exp(-D*T(i)/Ps)); T(i) = P(i)*tau; n = first i with P(i+1) <= alpha*Ps;
 * Tpre = tau*sum P(i); Tdown = tau*P(n+1); G = Ps/P(n+1); PTotalMig as Eq. 13 (paper accounting) or
 * sum P(i) + P(n+1) (consistent). Tends to the paper's uniform case as Ps -> infinity at fixed rho.
 *
 * Symbols: Ps = `pages`, S = `pageSizeBytes`, B = `bandwidthBytesPerSecond`, D = `dirtyPagesPerSecond` (writes/s).
 * Domain: as the paper's, except that rho >= 1 can converge (see the module note); non-convergence is a result.
 *
 * @throws {ModelInputError} a parameter out of range
 * @example predictUniformDistinct({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3,
 *   dirtyPagesPerSecond: 2, alpha: 0.05}).rounds[1].pages // 1693.3 (4096*(1 - exp(-8/15)))
 */
export function predictUniformDistinct(
  p: UniformParams,
  options: { maxRoundsListed?: number } = {},
): DistinctResult | NotConverged {
  checkBase(p);
  checkNonNegative('dirtyPagesPerSecond', p.dirtyPagesPerSecond, 'pages/s');
  return run(
    'uniform',
    p,
    [{ fraction: 1, intensity: p.dirtyPagesPerSecond }],
    1,
    0,
    options.maxRoundsListed ?? 10_000,
  );
}

function checkHot(p: HotParams): void {
  checkBase(p);
  checkHotFraction(p.hotFraction);
  checkNonNegative('hotDirtyPagesPerSecond', p.hotDirtyPagesPerSecond, 'pages/s');
  checkNonNegative('coldDirtyPagesPerSecond', p.coldDirtyPagesPerSecond, 'pages/s');
}

/**
 * Hot I under random writes (distinct-pages model): all pages copied live, hot pages (fraction beta) written at
 * Dh/Ps per page and second, cold ones at Dnh/Ps; E[dirty(T)] = beta*Ps*(1-e^(-Dh*T/Ps)) + (1-beta)*Ps*(1-e^(-Dnh*T/Ps)).
 * The initial slope is Eq. 17's D_eff. @throws {ModelInputError} a parameter out of range
 * @example predictHotPrecopyDistinct({...paperHot, alpha: 0.156}).iterations // 3
 */
export function predictHotPrecopyDistinct(
  p: HotParams,
  options: { maxRoundsListed?: number } = {},
): DistinctResult | NotConverged {
  checkHot(p);
  const b = p.hotFraction;
  const sets = [
    { fraction: b, intensity: p.hotDirtyPagesPerSecond },
    { fraction: 1 - b, intensity: p.coldDirtyPagesPerSecond },
  ];
  return run('hotPrecopy', p, sets, 1, 0, options.maxRoundsListed ?? 10_000);
}

/**
 * Hot II under random writes (distinct-pages model): only the (1-beta)*Ps cold pages are copied live,
 * E[dirty(T)] = (1-beta)*Ps*(1-e^(-Dnh*T/Ps)); the beta*Ps hot pages are copied at downtime.
 * @throws {ModelInputError} a parameter out of range
 * @example predictHotDowntimeDistinct({...paperHot, alpha: 0.4799}).downtimeSeconds // > beta*Ps*tau
 */
export function predictHotDowntimeDistinct(
  p: HotParams,
  options: { maxRoundsListed?: number } = {},
): DistinctResult | NotConverged {
  checkHot(p);
  const b = p.hotFraction;
  return run(
    'hotDowntime',
    p,
    [{ fraction: 1 - b, intensity: p.coldDirtyPagesPerSecond }],
    1 - b,
    b,
    options.maxRoundsListed ?? 10_000,
  );
}
