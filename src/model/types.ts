/** The three cases of the paper. Keys match the JSON contract (`uniform`, `hotPrecopy`, `hotDowntime`). */
export type CaseName = 'uniform' | 'hotPrecopy' | 'hotDowntime';
export const CASE_NAMES: readonly CaseName[] = ['uniform', 'hotPrecopy', 'hotDowntime'];

/**
 * How pages copied at downtime are counted.
 * - `paper`: as Table 1 prints it. The downtime uses the pages actually left, Ps*rho^(n+1) (Eq. 6), but pages
 *   migrated (Eqs. 13, 21, 28) and network utilisation (Eqs. 15-16, 23, 30-31) count alpha*Ps pages at
 *   downtime, which is more than are left whenever rho^(n+1) < alpha.
 * - `consistent`: all three use the pages actually left, Ps*rho^(n+1) (plus the held-back hot pages in Hot II).
 */
export type Accounting = 'paper' | 'consistent';

/** Parameters every case shares, in base units. */
export interface CommonParams {
  /** Ps: pages of memory of the VM, an integer >= 1. */
  readonly pages: number;
  /** S: bytes per page, > 0. */
  readonly pageSizeBytes: number;
  /** B: bandwidth available to the migration, bytes/s, > 0. */
  readonly bandwidthBytesPerSecond: number;
  /** alpha: pre-copy stops once at most alpha*Ps pages are left to copy (Eq. 9); 0 < alpha < 1. */
  readonly alpha: number;
  /** Downtime page accounting; default `paper`. */
  readonly accounting?: Accounting;
}

/** Uniform dirtying (Section 3). */
export interface UniformParams extends CommonParams {
  /** D: pages dirtied per second, >= 0. */
  readonly dirtyPagesPerSecond: number;
}

/** Hot pages (Section 4): a fraction beta of pages dirtied at Dh, the rest at Dnh. */
export interface HotParams extends CommonParams {
  /** beta: fraction of hot pages, 0 <= beta < 1. */
  readonly hotFraction: number;
  /** Dh: dirtying rate of the hot pages, pages/s, >= 0 (the paper assumes Dh > Dnh). */
  readonly hotDirtyPagesPerSecond: number;
  /** Dnh: dirtying rate of the non-hot pages, pages/s, >= 0. */
  readonly coldDirtyPagesPerSecond: number;
}

/** Options that change checking, not the formulas. */
export interface PredictOptions {
  /** Reject alpha > rho (the paper's condition alpha <= rho) instead of warning. */
  readonly strict?: boolean;
  /** At most this many rounds are listed in `rounds` (default 10000); the totals always cover all n+1. */
  readonly maxRoundsListed?: number;
}

/** One pre-copy round i: P(i) pages sent in T(i) seconds (Eqs. 4-5). */
export interface Round {
  readonly pages: number;
  readonly seconds: number;
}

/** The scalar outputs of a case, without the per-round list: what sweeps and optimisers need. */
export interface Summary {
  readonly converged: true;
  /** rho, rho_eff or rho_nh: dirtying rate over transfer rate of the pages copied live. */
  readonly rho: number;
  /** n: the last pre-copy round (rounds 0..n run live). */
  readonly iterations: number;
  /** Tpre-copy, seconds. */
  readonly precopySeconds: number;
  /** Tdown, seconds. */
  readonly downtimeSeconds: number;
  /** Ttotal = Tpre-copy + Tdown, seconds. */
  readonly totalSeconds: number;
  /** PTotalMig: pages sent over the whole migration (a whole number, rounded up as the paper does). */
  readonly pagesTransferred: number;
  /** Pages copied while the VM is down, as counted by the accounting (alpha*Ps [+beta*Ps] in `paper`). */
  readonly downtimePages: number;
  /** G = Ps*tau / Tdown: stop-and-copy downtime over live-migration downtime. Infinity when Tdown = 0. */
  readonly gain: number;
  /** Unet: average network utilisation due to the migration (as the paper defines it). */
  readonly networkUtilization: number;
}

/** The quantities of a Summary every consumer compares or tabulates (simulator, Monte Carlo, explorer export), in one order. */
export const SUMMARY_QUANTITIES = [
  'iterations',
  'precopySeconds',
  'downtimeSeconds',
  'totalSeconds',
  'pagesTransferred',
  'downtimePages',
  'gain',
  'networkUtilization',
] as const satisfies readonly (keyof Summary)[];

/** A case that converges (rho < 1). */
export interface CaseResult extends Summary {
  readonly case: CaseName;
  readonly accounting: Accounting;
  readonly alpha: number;
  /** tau = S/B: seconds to send one page. */
  readonly pageSeconds: number;
  /** Pages of memory, Ps. */
  readonly pages: number;
  /** Rounds i = 0..n (at most `maxRoundsListed` of them). */
  readonly rounds: readonly Round[];
  /** True when `rounds` lists fewer than n+1 rounds. */
  readonly roundsTruncated: boolean;
  /** Things the caller should know (alpha > rho, rounds truncated, Dh <= Dnh, ...). */
  readonly warnings: readonly string[];
}

/** A case that does not converge: rho >= 1, the dirty set never shrinks. */
export interface NotConverged {
  readonly case: CaseName;
  readonly converged: false;
  readonly rho: number;
  /** Dirtying rate of the pages copied live, pages/s. */
  readonly dirtyPagesPerSecond: number;
  /** Transfer rate B/S, pages/s. */
  readonly transferPagesPerSecond: number;
  /** One line: `pre-copy never converges: dirty rate X pages/s >= transfer rate Y pages/s`. */
  readonly reason: string;
}

export type CaseOutcome = CaseResult | NotConverged;
