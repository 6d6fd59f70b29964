import { predictHotDowntimeDistinct, predictHotPrecopyDistinct, predictUniformDistinct } from '../model/distinct.js';
import { ceilPages } from '../model/numerics.js';
import { predictHotDowntime, predictHotPrecopy, predictUniform } from '../model/cases.js';
import type { Accounting, CaseName, CaseOutcome, HotParams, Summary, UniformParams } from '../model/types.js';
import type { DistinctResult } from '../model/distinct.js';
import { type NotConverged, SUMMARY_QUANTITIES } from '../model/types.js';
import type { SimulationParams, SimulationResult } from './engine.js';

/** The scalars compared between simulator and model, named as the model names them. */
export const COMPARED = SUMMARY_QUANTITIES;
export type ComparedKey = (typeof COMPARED)[number];

/**
 * The model case that corresponds to a simulation, or undefined when no closed form applies (traces, QEMU
 * and Xen rules). A working set is compared with the uniform case at its write rate D: the paper's model
 * does not know W, which is the point of the comparison.
 */
export function caseOf(p: SimulationParams): CaseName | undefined {
  const held = p.stopRule.kind === 'hot-held';
  const hot = 'hotFraction' in p.workload;
  if (p.stopRule.kind !== 'alpha' && p.stopRule.kind !== 'qemu' && !held) return undefined;
  if (p.workload.kind === 'working-set') return held ? undefined : 'uniform';
  if (p.workload.kind === 'fluid' || p.workload.kind === 'random' || p.workload.kind === 'hot-cold') {
    if (held) return hot ? 'hotDowntime' : undefined;
    return hot ? 'hotPrecopy' : 'uniform';
  }
  return undefined;
}

/**
 * The alpha a stop rule stands for: its own for the alpha rules; for QEMU's,
 * alpha = downtime_limit * B / (Ps * S) (hypervisors.md: "the paper's alpha is QEMU's downtime limit in
 * disguise"), with B the switch-over bandwidth when given, else the link's. Undefined when outside (0, 1).
 */
export function equivalentAlpha(p: SimulationParams): number | undefined {
  const r = p.stopRule;
  if (r.kind === 'alpha' || r.kind === 'hot-held') return r.alpha;
  if (r.kind !== 'qemu') return undefined;
  const bw = r.switchoverBandwidthBytesPerSecond ?? p.bandwidthBytesPerSecond;
  const alpha = (r.downtimeLimitSeconds * bw) / (p.pages * p.pageSizeBytes);
  return alpha > 0 && alpha < 1 ? alpha : undefined;
}

/** The paper model's and the distinct-pages model's inputs for a simulation (alpha rules, constant link). */
function modelParams(p: SimulationParams, accounting: Accounting): UniformParams | HotParams | undefined {
  const alpha = equivalentAlpha(p);
  if (alpha === undefined) return undefined;
  const common = {
    pages: p.pages,
    pageSizeBytes: p.pageSizeBytes,
    bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
    alpha,
    accounting,
  };
  const w = p.workload as { hotFraction?: number; dirtyPagesPerSecond?: number } & Partial<HotParams>;
  if (w.hotFraction !== undefined) {
    return {
      ...common,
      hotFraction: w.hotFraction,
      hotDirtyPagesPerSecond: w.hotDirtyPagesPerSecond!,
      coldDirtyPagesPerSecond: w.coldDirtyPagesPerSecond!,
    };
  }
  if (w.dirtyPagesPerSecond !== undefined) return { ...common, dirtyPagesPerSecond: w.dirtyPagesPerSecond };
  return undefined;
}

/** The paper's closed form (Table 1) for the case a simulation corresponds to; undefined when none applies. */
export function paperModelFor(p: SimulationParams, accounting: Accounting = 'consistent'): CaseOutcome | undefined {
  const name = caseOf(p);
  const mp = modelParams(p, accounting);
  if (name === undefined || mp === undefined || p.bandwidthSchedule?.length) return undefined;
  if (name === 'uniform') return predictUniform(mp as UniformParams);
  if (name === 'hotPrecopy') return predictHotPrecopy(mp as HotParams);
  return predictHotDowntime(mp as HotParams);
}

/** The distinct-pages model (src/model/distinct.ts) for a random-writes simulation; undefined otherwise. */
export function distinctModelFor(
  p: SimulationParams,
  accounting: Accounting = 'consistent',
): DistinctResult | NotConverged | undefined {
  const name = caseOf(p);
  const mp = modelParams(p, accounting);
  if (name === undefined || mp === undefined || p.bandwidthSchedule?.length) return undefined;
  if (p.workload.kind !== 'random' && p.workload.kind !== 'hot-cold') return undefined;
  if (name === 'uniform') return predictUniformDistinct(mp as UniformParams);
  if (name === 'hotPrecopy') return predictHotPrecopyDistinct(mp as HotParams);
  return predictHotDowntimeDistinct(mp as HotParams);
}

/**
 * A simulation's totals in a given accounting. `consistent` is what the simulator measures. `paper` counts
 * (alpha + beta_held)*Ps pages at downtime in PTotalMig and Unet as Eqs. 13, 21, 28 and 16, 23, 31 do (the
 * downtime itself is always the pages actually left); only meaningful under the alpha rules.
 * Pages transferred are rounded up as the model does (ceilPages).
 */
export function simulatedSummary(r: SimulationResult, p: SimulationParams, accounting: Accounting): Summary {
  let downtimePages = r.downtimePages;
  let pagesTransferred = r.pagesTransferred;
  let networkUtilization = r.networkUtilization;
  if (accounting === 'paper' && (p.stopRule.kind === 'alpha' || p.stopRule.kind === 'hot-held')) {
    downtimePages = p.stopRule.alpha * p.pages + r.heldPages;
    pagesTransferred = r.livePagesSent + downtimePages;
    networkUtilization =
      r.totalSeconds > 0 ? (r.rho * r.precopySeconds + downtimePages * r.pageSeconds) / r.totalSeconds : 0;
  }
  return {
    converged: true,
    rho: r.rho,
    iterations: r.iterations,
    precopySeconds: r.precopySeconds,
    downtimeSeconds: r.downtimeSeconds,
    totalSeconds: r.totalSeconds,
    pagesTransferred: ceilPages(pagesTransferred),
    downtimePages,
    gain: r.gain,
    networkUtilization,
  };
}

/** (sim - model)/|model|; 0 when both are 0; undefined when the model value is 0 or not finite. */
export function relativeError(sim: number, model: number): number | undefined {
  if (sim === model) return 0;
  if (!Number.isFinite(model) || !Number.isFinite(sim) || model === 0) return undefined;
  return (sim - model) / Math.abs(model);
}
