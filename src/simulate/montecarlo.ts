import { ModelInputError } from '../model/errors.js';
import { checkMonteCarloBudget } from './budget.js';
import { SUMMARY_QUANTITIES } from '../model/types.js';
import { type SimulationParams, type SimulationResult, simulate } from './engine.js';
import { replicaSeed } from './rng.js';

/** Monte Carlo settings: R replicas of a run seeded S; replica r uses the stream replicaSeed(S, r). */
export interface MonteCarloOptions {
  /** R >= 1. */
  readonly replicas: number;
  /** S, a 32-bit seed. */
  readonly seed: number;
}

/** Mean and 95 % confidence interval (Student t on R - 1 degrees of freedom) of one quantity. */
export interface Estimate {
  readonly mean: number;
  /** Sample standard deviation (0 with one replica). */
  readonly sd: number;
  /** Half-width of the 95 % interval of the mean (0 with one replica). */
  readonly halfWidth: number;
  readonly low: number;
  readonly high: number;
  /** Replicas the estimate is over. */
  readonly count: number;
}

/** The per-replica scalars that are averaged. */
export const REPLICA_SCALARS = [...SUMMARY_QUANTITIES, 'pagesDirtied', 'rho'] as const;
export type ReplicaScalar = (typeof REPLICA_SCALARS)[number];

/** Averages of one round over the replicas that ran it. */
export interface RoundEstimate {
  readonly index: number;
  readonly pagesSent: Estimate;
  readonly seconds: Estimate;
  readonly pagesDirtied: Estimate;
  readonly pendingAfter: Estimate;
}

/** The outcome of R replicas. */
export interface MonteCarloResult {
  readonly replicas: number;
  readonly seed: number;
  /** Replicas that converged (the estimates are over these). */
  readonly converged: number;
  readonly estimates: Readonly<Record<ReplicaScalar, Estimate>>;
  readonly rounds: readonly RoundEstimate[];
  /** Replica 0, whole, for per-round detail. */
  readonly first: SimulationResult;
}

const T975 = [
  Number.NaN,
  12.7062047362,
  4.30265272975,
  3.18244630528,
  2.7764451052,
  2.57058183661,
  2.44691185115,
  2.36462425101,
  2.30600413503,
  2.26215716274,
  2.22813885196,
  2.20098516008,
  2.17881282966,
  2.16036865646,
  2.14478668792,
  2.13144954556,
  2.11990529922,
  2.10981557783,
  2.10092204024,
  2.09302405441,
  2.08596344727,
  2.07961384473,
  2.0738730679,
  2.06865761042,
  2.06389856163,
  2.05953855275,
  2.05552943864,
  2.05183051648,
  2.0484071418,
  2.04522964213,
  2.0422724563,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: the t table for df <= 30, the
 * Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5, four terms) above, accurate to 1e-6 there.
 * @example studentT975(10) // 2.2281
 */
export function studentT975(df: number): number {
  if (df <= 30) return T975[df]!;
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}

/** Mean, sd and 95 % interval of a sample (compensated sums; order of values fixed by the caller). */
export function estimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: 0, halfWidth: 0, low: Number.NaN, high: Number.NaN, count: 0 };
  let sum = 0;
  let c = 0;
  for (const v of values) {
    const y = v - c;
    const t = sum + y;
    c = t - sum - y;
    sum = t;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const halfWidth = n > 1 ? (studentT975(n - 1) * sd) / Math.sqrt(n) : 0;
  return { mean, sd, halfWidth, low: mean - halfWidth, high: mean + halfWidth, count: n };
}

/** Checks Monte Carlo options; throws {@link ModelInputError}. */
export function checkMonteCarlo(o: MonteCarloOptions): void {
  if (!(Number.isInteger(o.replicas) && o.replicas >= 1 && o.replicas <= 1_000_000)) {
    throw new ModelInputError('replicas', o.replicas, 'a whole number from 1 to 1000000');
  }
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) {
    throw new ModelInputError('seed', o.seed, 'a whole number from 0 to 4294967295');
  }
}

/** Replica r of a run: the simulation with seed replicaSeed(S, r). Pure and deterministic. */
export function runReplica(params: SimulationParams, seed: number, index: number): SimulationResult {
  return simulate({ ...params, seed: replicaSeed(seed, index) });
}

/**
 * Aggregates replicas given in replica order (results[r] is replica r), so the output depends only on
 * (params, seed, R), never on how the replicas were scheduled.
 */
export function aggregate(results: readonly SimulationResult[], options: MonteCarloOptions): MonteCarloResult {
  const ok = results.filter((r) => r.converged);
  const estimates = {} as Record<ReplicaScalar, Estimate>;
  for (const key of REPLICA_SCALARS) {
    estimates[key] = estimate(ok.map((r) => r[key]).filter((v) => Number.isFinite(v)));
  }
  const maxRounds = ok.reduce((m, r) => Math.max(m, r.rounds.length), 0);
  const rounds: RoundEstimate[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const these = ok.filter((r) => r.rounds.length > i).map((r) => r.rounds[i]!);
    rounds.push({
      index: i,
      pagesSent: estimate(these.map((x) => x.pagesSent)),
      seconds: estimate(these.map((x) => x.seconds)),
      pagesDirtied: estimate(these.map((x) => x.pagesDirtied)),
      pendingAfter: estimate(these.map((x) => x.pendingAfter)),
    });
  }
  return {
    replicas: options.replicas,
    seed: options.seed,
    converged: ok.length,
    estimates,
    rounds,
    first: results[0]!,
  };
}

/**
 * Monte Carlo in this thread: R replicas of {@link simulate}, means and 95 % intervals.
 * @throws {ModelInputError} bad simulation or Monte Carlo parameters
 * @example monteCarlo(params, {replicas: 20, seed: 1}).estimates.downtimeSeconds.mean
 */
export function monteCarlo(params: SimulationParams, options: MonteCarloOptions): MonteCarloResult {
  checkMonteCarlo(options);
  checkMonteCarloBudget(params, options.replicas, 1);
  const results: SimulationResult[] = [];
  for (let r = 0; r < options.replicas; r++) results.push(runReplica(params, options.seed, r));
  return aggregate(results, options);
}
