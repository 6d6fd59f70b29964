/**
 * The live side: measure a running VM over QMP (memory, dirty rate) for `precopy qemu advise`, and follow a
 * migration (`precopy qemu watch`) with a progress figure that never runs backwards.
 */
import { type DirtyPattern, predictQemuMigration, type QemuPrediction } from './predict.js';
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
 * QEMU 7.2 under TCG), sampling QEMU's maximum of 4096 pages per GiB: with the default 512 a 256 MiB guest
 * writing 2000 pages/s read as 6 MiB/s instead of 7.8 (QEMU 7.2 reports whole MiB/s). Read-only. Bounded: gives up `sampleSeconds + 15` s after starting the measurement.
 * @throws QmpError, or Error when the measurement does not finish in time
 */
export async function measureVm(
  client: QmpClient,
  sampleSeconds: number,
  samplePagesPerGiB = 4096,
): Promise<MeasuredVm> {
  const mem = await qmp.queryMemorySizeSummary(client);
  const params = await qmp.queryMigrateParameters(client);
  await qmp.calcDirtyRate(client, sampleSeconds, samplePagesPerGiB);
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
  /** Predicted rounds (bitmap syncs) left, never larger than the previous report's; null before the whole-migration prediction. */
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
  /** Dirty rate to use instead of QEMU's measured one, pages/s. */
  readonly dirtyPagesPerSecond?: number;
  /** Zero-page fraction of RAM; with the dirty rate, lets the whole-migration prediction start at once. */
  readonly zeroPageFraction?: number;
  /** Writable working set, pages. */
  readonly workingSetPages?: number;
  readonly dirtyPattern?: DirtyPattern;
}

/**
 * Follows a migration from its `query-migrate` samples. Once a dirty rate is known (QEMU's
 * `dirty-pages-rate` after the first sync, or the one given), the whole migration is predicted from RAM size,
 * the zero pages seen so far and the knobs; rounds left are its syncs minus QEMU's count so far. The pending
 * pages are also predicted as a migration of their own (all dirty, QEMU's current dirty-page rate); the time
 * left is the later of the two ends. The progress figure elapsed / (elapsed + time left) is held monotone and
 * the rounds left non-increasing, so neither runs backwards.
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
    const D = this.ctx.dirtyPagesPerSecond ?? ram.dirtyPagesRate;
    const params = {
      pageSizeBytes: S,
      maxBandwidthBytesPerSecond: this.ctx.maxBandwidthBytesPerSecond,
      downtimeLimitSeconds: this.ctx.downtimeLimitMs / 1000,
      dirtyPagesPerSecond: D,
      ...(this.ctx.linkBandwidthBytesPerSecond === undefined
        ? {}
        : { linkBandwidthBytesPerSecond: this.ctx.linkBandwidthBytesPerSecond }),
    };
    // The whole migration is predicted once the first pass is done (QEMU has then seen every zero page and
    // measured a dirty rate), or at once when the workload is given.
    const given = this.ctx.dirtyPagesPerSecond !== undefined && this.ctx.zeroPageFraction !== undefined;
    if (this.first === undefined && (ram.dirtySyncCount >= 2 || given)) {
      const seen = ram.duplicate + ram.normal > 0 ? ram.duplicate / (ram.duplicate + ram.normal) : 0;
      const zero = Math.min(this.ctx.zeroPageFraction ?? seen, 0.99);
      const nonZero = Math.round(ram.total / S) - Math.floor(zero * Math.round(ram.total / S));
      const W = this.ctx.workingSetPages === undefined ? undefined : Math.min(this.ctx.workingSetPages, nonZero);
      // QEMU's dirty-pages-rate counts distinct new pages over the period (here: the first pass), so random
      // writes into a working set read low; undo the saturation W (1 - e^(-D T / W)) = r T for D.
      let Dwhole = D;
      if (this.ctx.dirtyPagesPerSecond === undefined && this.ctx.dirtyPattern === 'random' && W !== undefined) {
        const fill = (ram.dirtyPagesRate * elapsed) / W;
        if (fill > 0 && fill < 0.999) Dwhole = (-W / elapsed) * Math.log1p(-fill);
      }
      this.first = {
        prediction: predictQemuMigration({
          ...params,
          dirtyPagesPerSecond: Dwhole,
          memoryBytes: ram.total,
          zeroPageFraction: zero,
          ...(W === undefined ? {} : { workingSetPages: W }),
          ...(this.ctx.dirtyPattern === undefined ? {} : { dirtyPattern: this.ctx.dirtyPattern }),
        }),
        atSeconds: elapsed,
      };
    }
    const pendingBytes = Math.max(ram.remaining, S);
    const rest = predictQemuMigration({
      ...params,
      memoryBytes: pendingBytes,
      workingSetPages: Math.max(1, Math.ceil(pendingBytes / S)),
    });
    // Rounds left: from the whole-migration prediction when there is one (it counts QEMU's syncs from the
    // start), else from the prediction of the pending pages. Time left: the later of the two end times.
    const whole = this.first?.prediction;
    let remainingSeconds: number | null = null;
    let left: number | null = null;
    if (whole?.converges) {
      left = Math.max(0, whole.iterations - ram.dirtySyncCount);
      remainingSeconds = Math.max(0, whole.totalSeconds - elapsed, rest.converges ? rest.totalSeconds : 0);
    } else if (rest.converges && whole === undefined) {
      remainingSeconds = rest.totalSeconds; // first pass: no round count yet
    }
    if (remainingSeconds !== null) {
      if (left !== null) this.rounds = this.rounds === null ? left : Math.min(this.rounds, left);
      const p = elapsed + remainingSeconds > 0 ? elapsed / (elapsed + remainingSeconds) : 0;
      this.progress = Math.max(this.progress, Math.min(p, 0.999));
    }
    return {
      status,
      elapsedSeconds: elapsed,
      progress: this.progress,
      remainingSeconds,
      remainingRounds: remainingSeconds === null || whole === undefined ? null : this.rounds,
      dirtySyncCount: ram.dirtySyncCount,
      transferredBytes: ram.transferred,
      remainingBytes: ram.remaining,
      converging: remainingSeconds !== null,
    };
  }
}
