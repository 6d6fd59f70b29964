/**
 * Choosing QEMU's knobs: `downtime-limit` (whole milliseconds) and `max-bandwidth` (whole bytes/s), and
 * optionally `avail-switchover-bandwidth`, for the least predicted downtime within the operator's constraints.
 *
 * The search is structural, not a blind grid. For a fixed max-bandwidth B, a larger downtime limit can only
 * stop pre-copy earlier (QEMU stops as soon as pending < B x limit), so "converges and finishes within the
 * time limit" holds from some smallest limit upwards, and the predicted downtime grows with the limit: the
 * best limit for B is that smallest one, found by bisection over whole milliseconds (then confirmed by a
 * short scan of the next few values, since 100 ms windows make the prediction a step function). B itself is
 * scanned over 64 evenly spaced values up to the allowed share of the link (plus a refinement around the
 * best), since more bandwidth both lowers rho and raises the threshold.
 */
import { type ConvergenceDistribution, convergenceDistribution, convergenceIsUncertain } from './convergence.js';
import {
  convergenceRemedy,
  type ConvergenceRemedy,
  predictQemuMigration,
  type QemuMigrationParams,
  type QemuPrediction,
} from './predict.js';

/** QEMU's largest downtime-limit, ms (MAX_MIGRATE_DOWNTIME = 2000 s). */
export const QEMU_MAX_DOWNTIME_LIMIT_MS = 2_000_000;

/** The workload and link, as for {@link predictQemuMigration} but without the knobs. */
export type QemuWorkload = Omit<
  QemuMigrationParams,
  | 'maxBandwidthBytesPerSecond'
  | 'downtimeLimitSeconds'
  | 'availSwitchoverBandwidthBytesPerSecond'
  | 'linkBandwidthBytesPerSecond'
> & { readonly linkBandwidthBytesPerSecond: number };

export interface QemuPlanParams {
  readonly workload: QemuWorkload;
  /** Largest acceptable predicted downtime, seconds. */
  readonly maxDowntimeSeconds?: number;
  /** Largest share of the link pre-copy may use, 0 < share <= 1. Default 1. */
  readonly maxLinkShare?: number;
  /** Largest acceptable predicted total time, seconds. */
  readonly maxTotalSeconds?: number;
  /** Fix max-bandwidth instead of choosing it, bytes/s. */
  readonly maxBandwidthBytesPerSecond?: number;
  /** Fix downtime-limit instead of choosing it, ms. */
  readonly downtimeLimitMs?: number;
  /**
   * Downtimes closer than this count as equal (then the shorter migration wins), seconds. Default 0.01: a real
   * switch-over costs a few ms on top of the copy, so sub-10-ms differences in predicted downtime are not worth
   * extra rounds (and a 1 ms limit makes QEMU sync its bitmap many times).
   */
  readonly downtimeResolutionSeconds?: number;
  /** Also set avail-switchover-bandwidth to the link speed (QEMU >= 8.2), so the threshold uses the real final-copy speed. */
  readonly useAvailSwitchover?: boolean;
  /**
   * Convergence as a probability (random writers with rho >= 0.8, see convergence.ts): the time limit it is
   * computed for (default: maxTotalSeconds, else 600 s), the Monte Carlo runs (default 200) and seed (2013).
   */
  readonly convergenceTimeLimitSeconds?: number;
  readonly convergenceRuns?: number;
  readonly convergenceSeed?: number;
}

export interface QemuKnobs {
  readonly downtimeLimitMs: number;
  readonly maxBandwidthBytesPerSecond: number;
  /** Present when the plan sets it. */
  readonly availSwitchoverBandwidthBytesPerSecond?: number;
}

export interface QemuPlan {
  /** True when the knobs meet every constraint. */
  readonly feasible: boolean;
  /** Why not, when not feasible. */
  readonly reason?: string;
  readonly parameters: QemuKnobs;
  readonly prediction: QemuPrediction;
  /** How many predictions the search evaluated. */
  readonly evaluations: number;
  /** What would make it converge, when it does not. */
  readonly remedy?: ConvergenceRemedy;
  /** Things the operator should know (e.g. the plan is a stop-and-copy because rho >= 1). */
  readonly warnings: readonly string[];
  /**
   * For random writes with the dirty rate near or above the send rate: the probability of converging within a
   * time limit with these knobs, and the distribution of rounds, total time and downtime (seeded Monte Carlo).
   */
  readonly convergence?: ConvergenceDistribution;
}

/** The probability part of a plan, when the knobs' migration is a matter of chance. */
function probabilityFor(
  p: QemuPlanParams,
  params: QemuMigrationParams,
): { convergence?: ConvergenceDistribution; warnings: string[] } {
  if (!convergenceIsUncertain(params)) return { warnings: [] };
  const c = convergenceDistribution(params, {
    timeLimitSeconds: p.convergenceTimeLimitSeconds ?? p.maxTotalSeconds ?? 600,
    ...(p.convergenceRuns === undefined ? {} : { runs: p.convergenceRuns }),
    ...(p.convergenceSeed === undefined ? {} : { seed: p.convergenceSeed }),
  });
  const ci = c.confidence95.map((x) => x.toFixed(2)).join('-');
  return {
    convergence: c,
    warnings: [
      c.certainNever
        ? 'random writes near or above the send rate, but the pending set stays far above the threshold: never converges'
        : `random writes near or above the send rate: converging is a matter of chance, probability ${c.probability.toFixed(2)} (95 % ${ci}) within ${c.timeLimitSeconds} s (${c.runs} seeded Monte Carlo runs)`,
    ],
  };
}

/** Builds the prediction input from a workload and knobs. */
export function knobsToParams(workload: QemuWorkload, knobs: QemuKnobs): QemuMigrationParams {
  return {
    ...workload,
    maxBandwidthBytesPerSecond: knobs.maxBandwidthBytesPerSecond,
    downtimeLimitSeconds: knobs.downtimeLimitMs / 1000,
    ...(knobs.availSwitchoverBandwidthBytesPerSecond === undefined
      ? {}
      : { availSwitchoverBandwidthBytesPerSecond: knobs.availSwitchoverBandwidthBytesPerSecond }),
  };
}

interface Candidate {
  knobs: QemuKnobs;
  prediction: QemuPrediction;
}

/**
 * Chooses downtime-limit and max-bandwidth for the least predicted downtime, compared in steps of
 * `downtimeResolutionSeconds` (ties: least total time, then least bandwidth) under the constraints, or predicts for the knobs given. Deterministic.
 * @example planQemuMigration({ workload: { memoryBytes: 2 ** 30, pageSizeBytes: 4096,
 *   linkBandwidthBytesPerSecond: 1.25e9, dirtyPagesPerSecond: 0 } }).parameters.downtimeLimitMs // 1
 */
export function planQemuMigration(p: QemuPlanParams): QemuPlan {
  const w = p.workload;
  const link = w.linkBandwidthBytesPerSecond;
  const share = p.maxLinkShare ?? 1;
  const maxDown = p.maxDowntimeSeconds ?? Number.POSITIVE_INFINITY;
  const maxTotal = p.maxTotalSeconds ?? Number.POSITIVE_INFINITY;
  const avail = p.useAvailSwitchover ? link : undefined;
  const resolution = p.downtimeResolutionSeconds ?? 0.01;
  const bucket = (downtime: number) => Math.ceil(downtime / resolution - 1e-9);
  let evaluations = 0;
  const evaluate = (bw: number, ms: number): Candidate => {
    evaluations += 1;
    const knobs: QemuKnobs = {
      downtimeLimitMs: ms,
      maxBandwidthBytesPerSecond: bw,
      ...(avail === undefined ? {} : { availSwitchoverBandwidthBytesPerSecond: avail }),
    };
    return { knobs, prediction: predictQemuMigration(knobsToParams(w, knobs)) };
  };
  const meets = (c: Candidate) =>
    c.prediction.converges && c.prediction.totalSeconds <= maxTotal && c.prediction.downtimeSeconds <= maxDown;
  const better = (a: Candidate, b: Candidate | undefined): boolean => {
    if (b === undefined) return true;
    const pa = a.prediction;
    const pb = b.prediction;
    if (!pa.converges || !pb.converges) return pa.converges && !pb.converges;
    // Downtimes are compared in steps of the resolution: among knobs with the same downtime to the step,
    // the shorter migration wins.
    const da = bucket(pa.downtimeSeconds);
    const db = bucket(pb.downtimeSeconds);
    if (da !== db) return da < db;
    if (pa.totalSeconds !== pb.totalSeconds) return pa.totalSeconds < pb.totalSeconds;
    return a.knobs.maxBandwidthBytesPerSecond < b.knobs.maxBandwidthBytesPerSecond;
  };

  /** Best downtime limit for a bandwidth: the smallest that converges within the time limit. */
  const bestForBandwidth = (bw: number): Candidate | undefined => {
    if (p.downtimeLimitMs !== undefined) {
      const c = evaluate(bw, p.downtimeLimitMs);
      return meets(c) ? c : undefined;
    }
    const ok = (ms: number) => {
      const c = evaluate(bw, ms);
      return c.prediction.converges && c.prediction.totalSeconds <= maxTotal ? c : undefined;
    };
    let hi = QEMU_MAX_DOWNTIME_LIMIT_MS;
    if (ok(hi) === undefined) return undefined;
    let lo = 0; // 0 ms is not a valid limit: the invariant is ok(lo) false or lo = 0
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (ok(mid) !== undefined) hi = mid;
      else lo = mid;
    }
    let best: Candidate | undefined;
    for (let ms = hi; ms <= Math.min(hi + 8, QEMU_MAX_DOWNTIME_LIMIT_MS); ms++) {
      const c = ok(ms);
      if (c?.prediction.converges && c.prediction.downtimeSeconds <= maxDown && better(c, best)) best = c;
    }
    if (best === undefined || !best.prediction.converges) return best;
    // Larger limits shorten the migration; take the largest whose downtime stays in the best step.
    const step = bucket(best.prediction.downtimeSeconds);
    const inStep = (ms: number) => {
      const c = ok(ms);
      return c?.prediction.converges &&
        c.prediction.downtimeSeconds <= maxDown &&
        bucket(c.prediction.downtimeSeconds) <= step
        ? c
        : undefined;
    };
    let a = best.knobs.downtimeLimitMs;
    let b = QEMU_MAX_DOWNTIME_LIMIT_MS + 1;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (inStep(mid) !== undefined) a = mid;
      else b = mid;
    }
    for (let ms = Math.max(hi, a - 8); ms <= a; ms++) {
      const c = inStep(ms);
      if (c !== undefined && better(c, best)) best = c;
    }
    return best;
  };

  const top = Math.floor(link * share);
  const bandwidths: number[] = [];
  if (p.maxBandwidthBytesPerSecond !== undefined) bandwidths.push(p.maxBandwidthBytesPerSecond);
  else for (let i = 64; i >= 1; i--) bandwidths.push(Math.max(1, Math.floor((top * i) / 64)));

  let best: Candidate | undefined;
  let bestIndex = -1;
  bandwidths.forEach((bw, i) => {
    const c = bestForBandwidth(bw);
    if (c !== undefined && better(c, best)) {
      best = c;
      bestIndex = i;
    }
  });
  // Refine between the neighbours of the best scanned bandwidth.
  if (best !== undefined && p.maxBandwidthBytesPerSecond === undefined) {
    const hiBw = bandwidths[Math.max(0, bestIndex - 1)]!;
    const loBw = bandwidths[Math.min(bandwidths.length - 1, bestIndex + 1)]!;
    for (let j = 1; j < 16; j++) {
      const bw = Math.floor(loBw + ((hiBw - loBw) * j) / 16);
      const c = bestForBandwidth(bw);
      if (c !== undefined && better(c, best)) best = c;
    }
  }
  if (best !== undefined) {
    const pr = (best as Candidate).prediction;
    const chance = probabilityFor(p, knobsToParams(w, (best as Candidate).knobs));
    const warnings =
      pr.rho >= 1
        ? [
            pr.rounds.length <= 1
              ? `the guest dirties pages faster than the link carries them (rho = ${pr.rho.toPrecision(3)} >= 1): only a downtime limit large enough to stop after the first pass works, i.e. a stop-and-copy`
              : `the guest dirties pages faster than the link carries them (rho = ${pr.rho.toPrecision(3)} >= 1): pre-copy ends only because many writes land on pages already pending (a small working set against the threshold): check the working set`,
          ]
        : [];
    return {
      feasible: true,
      parameters: (best as Candidate).knobs,
      prediction: pr,
      evaluations,
      warnings: [...pr.notes, ...warnings, ...chance.warnings],
      ...(chance.convergence === undefined ? {} : { convergence: chance.convergence }),
    };
  }

  // Nothing meets the constraints: report the knobs that come closest (most bandwidth, the given or default
  // limit) and what would make them converge.
  const bw = p.maxBandwidthBytesPerSecond ?? top;
  const ms = p.downtimeLimitMs ?? (Number.isFinite(maxDown) ? Math.max(1, Math.floor(maxDown * 1000)) : 300);
  const c = evaluate(bw, ms);
  const pr = c.prediction;
  const reason = !pr.converges
    ? pr.reason
    : pr.totalSeconds > maxTotal
      ? `no downtime limit finishes within the total-time limit (${pr.totalSeconds.toPrecision(4)} s predicted at ${ms} ms)`
      : `no downtime limit keeps the predicted downtime within the maximum (${pr.downtimeSeconds.toPrecision(4)} s predicted at ${ms} ms)`;
  const remedy = pr.converges ? undefined : convergenceRemedy(knobsToParams(w, c.knobs));
  const chance = probabilityFor(p, knobsToParams(w, c.knobs));
  return {
    feasible: false,
    reason,
    parameters: c.knobs,
    prediction: pr,
    evaluations,
    ...(remedy === undefined ? {} : { remedy }),
    warnings: [...pr.notes, ...chance.warnings],
    ...(chance.convergence === undefined ? {} : { convergence: chance.convergence }),
  };
}

/** The QMP command that sets the knobs (`migrate-set-parameters`). */
export function migrateSetParametersCommand(knobs: QemuKnobs): {
  execute: 'migrate-set-parameters';
  arguments: Record<string, number>;
} {
  const args: Record<string, number> = {
    'downtime-limit': knobs.downtimeLimitMs,
    'max-bandwidth': knobs.maxBandwidthBytesPerSecond,
  };
  if (knobs.availSwitchoverBandwidthBytesPerSecond !== undefined) {
    args['avail-switchover-bandwidth'] = knobs.availSwitchoverBandwidthBytesPerSecond;
  }
  return { execute: 'migrate-set-parameters', arguments: args };
}

/**
 * Equivalent virsh commands. libvirt takes the downtime in ms and the speed in whole MiB/s, so the speed is
 * rounded down to a whole MiB/s (at least 1), which never exceeds the planned bandwidth.
 */
/** A word for a POSIX shell: as is when it holds only safe characters, else in single quotes (' as '\''). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export function virshCommands(knobs: QemuKnobs, domain: string): string[] {
  const mib = Math.max(1, Math.floor(knobs.maxBandwidthBytesPerSecond / 2 ** 20));
  const d = shellQuote(domain);
  return [`virsh migrate-setmaxdowntime ${d} ${knobs.downtimeLimitMs}`, `virsh migrate-setspeed ${d} ${mib}`];
}
