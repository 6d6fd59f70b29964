/**
 * Convergence as a probability (issue 13, point 2). For random writes into a working set with the dirty rate
 * near or above the send rate, the pending set hovers near QEMU's threshold and whether a sync falls under it
 * is a matter of chance: on real QEMU one run converged after 162 rounds and its repeat had not after 216.
 * The fluid model ({@link predictQemuMigration}) predicts the mean and so says "never" for every such run.
 *
 * Here the same window-by-window loop runs with the sync sampled instead of averaged: of the n working-set
 * pages not already pending, each is hit in dt seconds with p = 1 - exp(-D dt / W) (uniform random writes,
 * the distinct-pages model), so the pages added are Binomial(n, p) (normal approximation), and the writes
 * themselves vary from one sync interval to the next (a bursty writer, `dirtyRateCv`). Many seeded runs
 * give the probability of converging within a time limit and the distribution of rounds, total time and
 * downtime among the runs that converged. The hard "never" is kept where it is certain: sequential writes (no
 * chance involved), or no run converged and the fluid floor of the pending set lies above the threshold by
 * more than 6 standard deviations of the largest possible draw (Binomial sqrt(W / 4) pages plus the writes'
 * variation, at most cv W / e pages).
 */
import { ModelInputError } from '../../model/index.js';
import { Rng, replicaSeed } from '../../simulate/rng.js';
import { predictQemuMigration, type QemuMigrationParams, type QemuPrediction } from './predict.js';

/** rho (dirty bytes over the later-round send rate) from which random writers get a probability. */
export const PROBABILITY_RHO_FROM = 0.8;

export interface ConvergenceOptions {
  /** Stop each run here: the probability is of converging within this time, seconds. */
  readonly timeLimitSeconds: number;
  /** Monte Carlo runs, 1..10000. Default 200. */
  readonly runs?: number;
  /** Seed of the runs (run i uses replicaSeed(seed, i)). Default 2013. */
  readonly seed?: number;
  /**
   * Burstiness of the writer: coefficient of variation of its writes per 100 ms window, 0..2. Default
   * {@link DEFAULT_DIRTY_RATE_CV}: in a traced real migration (docs/qemu.md) the TCG guest's dirtier wrote up to
   * 40 % more than its average in a window, catching up after losing the CPU.
   */
  readonly dirtyRateCv?: number;
}

/** Default burstiness of the writer per 100 ms window (see {@link ConvergenceOptions.dirtyRateCv}). */
export const DEFAULT_DIRTY_RATE_CV = 0.2;

/** 10th, 50th and 90th percentiles (nearest rank). */
export interface Quantiles {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
}

export interface ConvergenceDistribution {
  readonly method: 'monte-carlo';
  readonly runs: number;
  readonly seed: number;
  readonly timeLimitSeconds: number;
  /** Runs that converged within the time limit / runs. */
  readonly probability: number;
  /** Wilson score interval (95 %) of the probability. */
  readonly confidence95: readonly [number, number];
  /** Over the runs that converged (null when none did): QEMU's dirty-sync-count, total time, downtime. */
  readonly iterations: Quantiles | null;
  readonly totalSeconds: Quantiles | null;
  readonly downtimeSeconds: Quantiles | null;
  /** True when "never" is certain (see the module comment); the probability is then 0. */
  readonly certainNever: boolean;
}

/**
 * Wilson score interval of a binomial proportion k/n at z = 1.96.
 * @example wilson95(5, 10) // [0.2366, 0.7634] (rounded)
 */
export function wilson95(k: number, n: number): [number, number] {
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function quantiles(xs: number[]): Quantiles | null {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]!;
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

/**
 * Does this migration get a probability rather than a verdict? Random writes into a working set with
 * rho = D S / min(max-bandwidth, link) >= {@link PROBABILITY_RHO_FROM}.
 */
export function convergenceIsUncertain(p: QemuMigrationParams): boolean {
  if (p.dirtyPattern !== 'random') return false;
  const rate = Math.min(p.maxBandwidthBytesPerSecond, p.linkBandwidthBytesPerSecond ?? p.maxBandwidthBytesPerSecond);
  return (p.dirtyPagesPerSecond * p.pageSizeBytes) / rate >= PROBABILITY_RHO_FROM;
}

/**
 * The probability of converging within a time limit, and the distribution of rounds, total time and downtime,
 * from seeded Monte Carlo runs of QEMU's loop with Binomial syncs (see the module comment). Deterministic for a
 * seed. Sequential writers have no chance in them: one run, probability 0 or 1.
 * @throws ModelInputError for a bad time limit, run count or seed, or bad migration parameters
 */
export function convergenceDistribution(p: QemuMigrationParams, o: ConvergenceOptions): ConvergenceDistribution {
  const limit = o.timeLimitSeconds;
  if (!Number.isFinite(limit) || limit <= 0 || limit > 30 * 86400) {
    throw new ModelInputError('timeLimitSeconds', limit, 'a number of seconds > 0 and <= 30 days');
  }
  const runs0 = o.runs ?? 200;
  if (!Number.isInteger(runs0) || runs0 < 1 || runs0 > 10000) {
    throw new ModelInputError('runs', runs0, 'an integer from 1 to 10000');
  }
  const seed = o.seed ?? 2013;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ModelInputError('seed', seed, 'an integer from 0 to 2^32 - 1');
  }
  const cv = o.dirtyRateCv ?? DEFAULT_DIRTY_RATE_CV;
  if (!Number.isFinite(cv) || cv < 0 || cv > 2) throw new ModelInputError('dirtyRateCv', cv, 'a number from 0 to 2');
  const fluid = predictQemuMigration(p);
  const sampled = p.dirtyPattern === 'random';
  const runs = sampled ? runs0 : 1;
  const setup = p.setupSeconds ?? 0;
  const within = (x: QemuPrediction) => x.converges && x.totalSeconds <= limit;
  const done: QemuPrediction[] = [];
  for (let i = 0; i < runs; i++) {
    const x = sampled
      ? (() => {
          const rng = new Rng(replicaSeed(seed, i));
          return predictQemuMigration(
            { ...p, horizonSeconds: Math.max(limit - setup, 1e-3) },
            { random: () => rng.nextDouble(), dirtyRateCv: cv },
          );
        })()
      : fluid;
    if (within(x)) done.push(x);
  }
  const conv = done.filter((x): x is Extract<QemuPrediction, { converges: true }> => x.converges);
  const probability = conv.length / runs;
  let certainNever = false;
  if (conv.length === 0 && !fluid.converges) {
    if (!sampled) certainNever = true;
    else {
      const W = p.workingSetPages ?? p.memoryBytes / p.pageSizeBytes;
      // sd of the pages a sync adds: Binomial at most sqrt(W / 4); from the writes' variation at most
      // cv x max over w of w e^(-w / W) = cv W / e (d = W (1 - e^(-w / W)), dd/dw = e^(-w / W))
      const margin = 6 * (Math.sqrt(W / 4) + (cv * W) / Math.E) * p.pageSizeBytes;
      certainNever = fluid.pendingFloorBytes > fluid.thresholdBytes + margin;
    }
  }
  return {
    method: 'monte-carlo',
    runs,
    seed,
    timeLimitSeconds: limit,
    probability,
    confidence95: wilson95(conv.length, runs),
    iterations: quantiles(conv.map((x) => x.iterations)),
    totalSeconds: quantiles(conv.map((x) => x.totalSeconds)),
    downtimeSeconds: quantiles(conv.map((x) => x.downtimeSeconds)),
    certainNever,
  };
}
