/**
 * The live side: measure a running VM over QMP (memory, dirty rate) for `precopy qemu advise`, and follow a
 * migration (`precopy qemu watch`) with a progress figure that never runs backwards.
 */
import { predictQemuMigration, type QemuPrediction } from './predict.js';
import { type QmpClient, type QueryMigrate, qmp } from './qmp.js';

/** What `advise` measures on the running VM. */
export interface MeasuredVm {
  /** `query-memory-size-summary`: base + plugged memory, bytes. */
  readonly memoryBytes: number;
  /** `calc-dirty-rate` (page-sampling) then `query-dirty-rate`, converted from MiB/s to bytes/s. */
  readonly dirtyBytesPerSecond: number;
  readonly sampleSeconds: number;
  /** The knobs currently set (`query-migrate-parameters`). */
  readonly current: { readonly downtimeLimitMs?: number; readonly maxBandwidthBytesPerSecond?: number };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Reads the VM's memory and measures its dirty rate with page sampling (never `dirty-bitmap`, which crashes
 * QEMU 7.2 under TCG). Read-only. Bounded: gives up `sampleSeconds + 15` s after starting the measurement.
 * @throws QmpError, or Error when the measurement does not finish in time
 */
export async function measureVm(client: QmpClient, sampleSeconds: number): Promise<MeasuredVm> {
  const mem = await qmp.queryMemorySizeSummary(client);
  const params = await qmp.queryMigrateParameters(client);
  await qmp.calcDirtyRate(client, sampleSeconds);
  const end = Date.now() + (sampleSeconds + 15) * 1000;
  await sleep(sampleSeconds * 1000);
  for (;;) {
    const r = await qmp.queryDirtyRate(client);
    if (r.status === 'measured' && r.dirtyRate !== undefined) {
      return {
        memoryBytes: mem.baseMemory + (mem.pluggedMemory ?? 0),
        dirtyBytesPerSecond: r.dirtyRate * 2 ** 20,
        sampleSeconds,
        current: {
          ...(params.downtimeLimit === undefined ? {} : { downtimeLimitMs: params.downtimeLimit }),
          ...(params.maxBandwidth === undefined ? {} : { maxBandwidthBytesPerSecond: params.maxBandwidth }),
        },
      };
    }
    if (Date.now() > end)
      throw new Error(
        `QEMU did not finish measuring the dirty rate within ${sampleSeconds + 15} s (status ${r.status})`,
      );
    await sleep(200);
  }
}

/** One progress report of `watch`. */
export interface WatchReport {
  readonly status: string;
  readonly elapsedSeconds: number;
  /** 0..1, never smaller than the previous report's. */
  readonly progress: number;
  /** Predicted seconds left (null when the migration is predicted never to finish). */
  readonly remainingSeconds: number | null;
  /** Predicted rounds (bitmap syncs) left, never larger than the previous report's. */
  readonly remainingRounds: number | null;
  readonly dirtySyncCount: number;
  readonly transferredBytes: number;
  readonly remainingBytes: number;
  readonly converging: boolean;
}

/** The knobs and workload `watch` predicts with. */
export interface WatchContext {
  readonly downtimeLimitMs: number;
  readonly maxBandwidthBytesPerSecond: number;
  /** Link speed for the final copy; default max-bandwidth. */
  readonly linkBandwidthBytesPerSecond?: number;
  /** Dirty rate to assume before QEMU has measured one, pages/s. */
  readonly dirtyPagesPerSecond?: number;
}

/**
 * Follows a migration from its `query-migrate` samples. The remaining work is predicted as a migration of
 * the pending pages under QEMU's rule (pending pages as memory, all of them dirty, QEMU's current dirty-page
 * rate, the rate-limited send rate); the progress figure is elapsed / (elapsed + predicted remaining), held
 * monotone, and the remaining rounds are held non-increasing.
 */
export class MigrationWatcher {
  private progress = 0;
  private rounds: number | null = null;
  private first: { prediction: QemuPrediction; atSeconds: number } | undefined;

  constructor(private readonly ctx: WatchContext) {}

  /** The prediction taken at the first sample that had a dirty rate (or the given one), for the final comparison. */
  get initialPrediction(): { prediction: QemuPrediction; atSeconds: number } | undefined {
    return this.first;
  }

  /** Takes one sample; returns the report. */
  update(q: QueryMigrate): WatchReport {
    const ram = q.ram;
    const elapsed = (q.totalTime ?? 0) / 1000;
    const status = q.status ?? 'none';
    if (status === 'completed') {
      this.progress = 1;
      this.rounds = 0;
    }
    if (ram === undefined || status !== 'active') {
      return {
        status,
        elapsedSeconds: elapsed,
        progress: this.progress,
        remainingSeconds: status === 'completed' ? 0 : null,
        remainingRounds: this.rounds,
        dirtySyncCount: ram?.dirtySyncCount ?? 0,
        transferredBytes: ram?.transferred ?? 0,
        remainingBytes: ram?.remaining ?? 0,
        converging: status === 'completed',
      };
    }
    const S = ram.pageSize ?? 4096;
    const D = ram.dirtyPagesRate > 0 ? ram.dirtyPagesRate : (this.ctx.dirtyPagesPerSecond ?? 0);
    const params = {
      pageSizeBytes: S,
      maxBandwidthBytesPerSecond: this.ctx.maxBandwidthBytesPerSecond,
      downtimeLimitSeconds: this.ctx.downtimeLimitMs / 1000,
      dirtyPagesPerSecond: D,
      ...(this.ctx.linkBandwidthBytesPerSecond === undefined
        ? {}
        : { linkBandwidthBytesPerSecond: this.ctx.linkBandwidthBytesPerSecond }),
    };
    if (
      this.first === undefined &&
      (ram.dirtyPagesRate > 0 || this.ctx.dirtyPagesPerSecond !== undefined || ram.dirtySyncCount >= 2)
    ) {
      const zero = ram.duplicate + ram.normal > 0 ? ram.duplicate / (ram.duplicate + ram.normal) : 0;
      this.first = {
        prediction: predictQemuMigration({ ...params, memoryBytes: ram.total, zeroPageFraction: Math.min(zero, 0.99) }),
        atSeconds: elapsed,
      };
    }
    const pendingBytes = Math.max(ram.remaining, S);
    const rest = predictQemuMigration({
      ...params,
      memoryBytes: pendingBytes,
      workingSetPages: Math.max(1, Math.ceil(pendingBytes / S)),
    });
    let remainingSeconds: number | null = null;
    if (rest.converges) {
      remainingSeconds = rest.totalSeconds;
      // rounds still to come: this migration's syncs minus its setup sync
      const left = rest.iterations - 1;
      this.rounds = this.rounds === null ? left : Math.min(this.rounds, left);
      const p = elapsed + remainingSeconds > 0 ? elapsed / (elapsed + remainingSeconds) : 0;
      this.progress = Math.max(this.progress, Math.min(p, 0.999));
    }
    return {
      status,
      elapsedSeconds: elapsed,
      progress: this.progress,
      remainingSeconds,
      remainingRounds: rest.converges ? this.rounds : null,
      dirtySyncCount: ram.dirtySyncCount,
      transferredBytes: ram.transferred,
      remainingBytes: ram.remaining,
      converging: rest.converges,
    };
  }
}
