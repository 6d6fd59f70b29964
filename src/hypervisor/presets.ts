/**
 * Other hypervisors' stop rules as presets, to set next to the knobs precopy chooses for QEMU.
 *
 * - Xen (libxenguest `simple_precopy_policy`): stop and copy when fewer than 50 pages are dirty or after 5
 *   pre-copy iterations; no rate limit, no downtime target, every page sent in full.
 * - OpenStack Nova: raises QEMU's downtime limit in steps, blind to the workload (`live_migration_downtime`
 *   500 ms, `_steps` 10, `_delay` 75 s per GiB): with data_gb = max(2, RAM GiB), base = downtime/steps,
 *   offset = (downtime - base)/steps, step i (0..steps) applies at int(delay * data_gb) * i seconds with the
 *   limit int(base + offset * i) ms. QEMU's own rule then decides when to stop.
 */
import {
  distinctPagesDirtied,
  type DirtyPattern,
  PAGE_HEADER_BYTES,
  predictQemuMigration,
  type QemuMigrationParams,
  type QemuPrediction,
} from './qemu/predict.js';
import { ceilPages } from '../model/index.js';

/** Xen's default policy constants. */
export const XEN_TARGET_DIRTY_PAGES = 50;
export const XEN_MAX_ITERATIONS = 5;

export interface XenParams {
  readonly memoryBytes: number;
  readonly pageSizeBytes: number;
  readonly bandwidthBytesPerSecond: number;
  readonly dirtyPagesPerSecond: number;
  readonly workingSetPages?: number;
  readonly dirtyPattern?: DirtyPattern;
}

export interface XenPrediction {
  /** Pre-copy iterations before the stop (1..5). */
  readonly iterations: number;
  /** Why it stopped: `dirty-pages` (< 50 pages) or `max-iterations`. */
  readonly stoppedBy: 'dirty-pages' | 'max-iterations';
  readonly totalSeconds: number;
  readonly downtimeSeconds: number;
  readonly bytesTransferred: number;
  /** Pages sent in each iteration, then in the stop-and-copy. */
  readonly pagesPerIteration: readonly number[];
}

/**
 * Predicts Xen's default pre-copy policy: iteration 1 sends every page; iteration i > 1 sends the distinct
 * pages dirtied during iteration i - 1; after an iteration, stop and copy if fewer than 50 pages are dirty
 * or 5 iterations are done. Always ends (at most 5 iterations), whatever rho.
 * @example predictXenPolicy({ memoryBytes: 2 ** 30, pageSizeBytes: 4096, bandwidthBytesPerSecond: 2 ** 27, dirtyPagesPerSecond: 0 }).iterations // 1
 */
export function predictXenPolicy(p: XenParams): XenPrediction {
  const pages = ceilPages(p.memoryBytes / p.pageSizeBytes);
  const W = p.workingSetPages ?? pages;
  const cost = p.pageSizeBytes + PAGE_HEADER_BYTES;
  const pattern = p.dirtyPattern ?? 'sequential';
  let toSend = pages;
  let t = 0;
  let bytes = 0;
  const sent: number[] = [];
  for (let i = 1; ; i++) {
    const seconds = (toSend * cost) / p.bandwidthBytesPerSecond;
    t += seconds;
    bytes += toSend * cost;
    sent.push(toSend);
    const dirty = distinctPagesDirtied(p.dirtyPagesPerSecond, seconds, W, pattern);
    if (dirty < XEN_TARGET_DIRTY_PAGES || i >= XEN_MAX_ITERATIONS) {
      const downtime = (dirty * cost) / p.bandwidthBytesPerSecond;
      sent.push(dirty);
      return {
        iterations: i,
        stoppedBy: dirty < XEN_TARGET_DIRTY_PAGES ? 'dirty-pages' : 'max-iterations',
        totalSeconds: t + downtime,
        downtimeSeconds: downtime,
        bytesTransferred: bytes + dirty * cost,
        pagesPerIteration: sent,
      };
    }
    toSend = dirty;
  }
}

/** Nova's defaults (nova.conf [libvirt]). */
export const NOVA_DEFAULTS = { downtimeMs: 500, steps: 10, delaySecondsPerGiB: 75 } as const;

export interface NovaStep {
  readonly atSeconds: number;
  readonly limitMs: number;
}

/**
 * Nova's downtime schedule for a VM (nova/virt/libvirt/migration.py `downtime_steps`).
 * @example novaDowntimeSchedule({ memoryBytes: 2 ** 30 })[1] // { atSeconds: 150, limitMs: 95 }
 */
export function novaDowntimeSchedule(p: {
  readonly memoryBytes: number;
  readonly downtimeMs?: number;
  readonly steps?: number;
  readonly delaySecondsPerGiB?: number;
}): NovaStep[] {
  const downtime = p.downtimeMs ?? NOVA_DEFAULTS.downtimeMs;
  const steps = p.steps ?? NOVA_DEFAULTS.steps;
  const dataGb = Math.max(2, p.memoryBytes / 2 ** 30);
  const delay = Math.trunc((p.delaySecondsPerGiB ?? NOVA_DEFAULTS.delaySecondsPerGiB) * dataGb);
  const base = downtime / steps;
  const offset = (downtime - base) / steps;
  const out: NovaStep[] = [];
  for (let i = 0; i <= steps; i++) out.push({ atSeconds: delay * i, limitMs: Math.trunc(base + offset * i) });
  return out;
}

export interface NovaPrediction {
  readonly schedule: readonly NovaStep[];
  readonly prediction: QemuPrediction;
  /** The step in force when pre-copy stops (index into schedule), or null when it never converges. */
  readonly convergesAtStep: number | null;
}

/**
 * Predicts a QEMU migration driven by Nova's downtime stepping, with the other knobs as given.
 * @example predictNova({ memoryBytes: 2 ** 30, pageSizeBytes: 4096, maxBandwidthBytesPerSecond: 2 ** 27,
 *   downtimeLimitSeconds: 0.05, dirtyPagesPerSecond: 0 }).convergesAtStep // 0
 */
export function predictNova(p: QemuMigrationParams): NovaPrediction {
  const schedule = novaDowntimeSchedule({ memoryBytes: p.memoryBytes });
  const prediction = predictQemuMigration({
    ...p,
    downtimeLimitSeconds: schedule[0]!.limitMs / 1000,
    downtimeLimitSchedule: schedule.map((s) => ({ atSeconds: s.atSeconds, limitSeconds: s.limitMs / 1000 })),
  });
  let step: number | null = null;
  if (prediction.converges) {
    const stopAt = prediction.totalSeconds - prediction.downtimeSeconds;
    step = 0;
    schedule.forEach((s, i) => {
      if (s.atSeconds <= stopAt) step = i;
    });
  }
  return { schedule, prediction, convergesAtStep: step };
}
