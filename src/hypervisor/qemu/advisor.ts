/**
 * The live side: measure a running VM over QMP (memory, dirty rate) for `precopy qemu advise`, and follow a
 * migration (`precopy qemu watch`) with a progress figure that never runs backwards.
 */
import { type CorrectedRate, correctRandomWriterRate, type DirtyRateMethod, fitRandomWriter } from './dirty-rate.js';
import { FirstPassFit, predictWithFirstPassEnd } from './first-pass.js';
import { type DirtyPattern, predictQemuMigration, type QemuMigrationParams, type QemuPrediction } from './predict.js';
import { type QmpClient, type QueryMigrate, qmp } from './qmp.js';

/** What `advise` measures on the running VM. */
export interface MeasuredVm {
  /** `query-memory-size-summary`: base + plugged memory, bytes. */
  readonly memoryBytes: number;
  /**
   * The guest's page writes, bytes/s: `calc-dirty-rate` (page-sampling) then `query-dirty-rate`, converted
   * from MiB/s, and corrected for a random writer as `dirtyRateMethod` says (dirty-rate.ts).
   */
  readonly dirtyBytesPerSecond: number;
  /** QEMU's figure before any correction, bytes/s (of the first sample when two were taken). */
  readonly rawDirtyBytesPerSecond: number;
  /** `as-measured`, `saturation-corrected` (working set given), `two-period-fit` or `saturated-lower-bound`. */
  readonly dirtyRateMethod: DirtyRateMethod;
  /** The working set a two-period fit found, bytes. */
  readonly fittedWorkingSetBytes?: number;
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
  correction: DirtyRateCorrection = {},
): Promise<MeasuredVm> {
  const mem = await qmp.queryMemorySizeSummary(client);
  const params = await qmp.queryMigrateParameters(client);
  const sample = async (seconds: number): Promise<number> => {
    await qmp.calcDirtyRate(client, seconds, samplePagesPerGiB);
    const end = Date.now() + (seconds + 15) * 1000;
    await sleep(seconds * 1000);
    for (;;) {
      const r = await qmp.queryDirtyRate(client);
      if (r.status === 'measured' && r.dirtyRate !== undefined) return r.dirtyRate * 2 ** 20;
      if (Date.now() > end)
        throw new Error(`QEMU did not finish measuring the dirty rate within ${seconds + 15} s (status ${r.status})`);
      await sleep(200);
    }
  };
  const raw = await sample(sampleSeconds);
  const S = 4096;
  let fixed: CorrectedRate = { pagesPerSecond: raw / S, method: 'as-measured' };
  if (correction.pattern === 'random' && correction.workingSetPages !== undefined) {
    fixed = correctRandomWriterRate(raw / S, sampleSeconds, correction.workingSetPages);
  } else if (correction.pattern === 'random' && correction.twoPeriods === true) {
    fixed = fitRandomWriter(raw / S, sampleSeconds, (await sample(2 * sampleSeconds)) / S);
  }
  return {
    memoryBytes: mem.baseMemory + (mem.pluggedMemory ?? 0),
    dirtyBytesPerSecond: fixed.pagesPerSecond * S,
    rawDirtyBytesPerSecond: raw,
    dirtyRateMethod: fixed.method,
    ...(fixed.workingSetPages === undefined ? {} : { fittedWorkingSetBytes: fixed.workingSetPages * S }),
    sampleSeconds,
    current: {
      ...(params.downtimeLimit === undefined ? {} : { downtimeLimitMs: params.downtimeLimit }),
      ...(params.maxBandwidth === undefined ? {} : { maxBandwidthBytesPerSecond: params.maxBandwidth }),
    },
  };
}

/**
 * How `measureVm` corrects QEMU's distinct-page count for a random writer (dirty-rate.ts): with the working set
 * given, by inverting the saturation; without it and `twoPeriods`, by a second sample over twice the time.
 */
export interface DirtyRateCorrection {
  readonly pattern?: DirtyPattern;
  /** Writable working set, pages (4 KiB). */
  readonly workingSetPages?: number;
  /** Measure over T and 2T and fit rate and working set together (doubles the measuring time). */
  readonly twoPeriods?: boolean;
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
  /** Where the dirty rate of the prediction came from: given, QEMU's `dirty-pages-rate`, or that corrected. */
  readonly dirtyRateSource: 'given' | 'qemu-dirty-pages-rate' | 'qemu-dirty-pages-rate, saturation-corrected' | null;
  /** Throughput of the first pass so far (bytes over time while dirty-sync-count is 1), bytes/s. */
  readonly firstPassBytesPerSecond: number | null;
  /** QEMU's own bandwidth of its last window (`mbps`) once the first pass is over, bytes/s. */
  readonly laterRoundBytesPerSecond: number | null;
}

/** The knobs and workload `watch` predicts with. */
export interface WatchContext {
  readonly downtimeLimitMs: number;
  readonly maxBandwidthBytesPerSecond: number;
  /** Link speed for the final copy; default max-bandwidth. */
  readonly linkBandwidthBytesPerSecond?: number;
  /** Dirty rate to use instead of QEMU's measured one, pages/s. */
  readonly dirtyPagesPerSecond?: number;
  /**
   * First-pass throughput, bytes/s; default: measured from the first seconds of the migration (bytes over time
   * while dirty-sync-count is 1).
   */
  readonly firstPassBandwidthBytesPerSecond?: number;
  /** Zero-page fraction of RAM; with the dirty rate, lets the whole-migration prediction start at once. */
  readonly zeroPageFraction?: number;
  /** Writable working set, pages. */
  readonly workingSetPages?: number;
  readonly dirtyPattern?: DirtyPattern;
  /**
   * Time per zero page in the first pass, seconds (calibrated as for `qemu plan --zero-page-time`); used when the
   * first pass's end is extrapolated from its first seconds. Default: a zero page costs what a normal page does.
   */
  readonly zeroPageSeconds?: number;
  /**
   * Seconds of the first pass (after QEMU's setup) after which the whole-migration prediction is taken again with
   * the first pass's end extrapolated from its progress (first-pass.ts); default {@link REFINE_AFTER_SECONDS}.
   */
  readonly refineAfterSeconds?: number;
}

/**
 * Default of WatchContext.refineAfterSeconds: half a second of the first pass (one sample at watch's default
 * 500 ms interval, five at the harness's 100 ms).
 */
export const REFINE_AFTER_SECONDS = 0.5;

/**
 * Follows a migration from its `query-migrate` samples. Once a dirty rate is known (QEMU's
 * `dirty-pages-rate` after the first sync, or the one given), the whole migration is predicted from RAM size,
 * the zero pages seen so far and the knobs; rounds left are its syncs minus QEMU's count so far. The pending
 * pages are also predicted as a migration of their own (all dirty, QEMU's current dirty-page rate); the time
 * left is the later of the two ends. When the whole migration was predicted during the first pass (the
 * workload given), it is predicted again at every sample of the first pass from `refineAfterSeconds` on, with
 * the pass's end extrapolated from the pages QEMU has done so far ({@link FirstPassFit}): the migration's own
 * speed in the minute it runs, which on shared cores can differ from a calibration's by 1.7x. The progress
 * figure elapsed / (elapsed + time left) is held monotone and the rounds left non-increasing, so neither runs
 * backwards.
 */
export class MigrationWatcher {
  private progress = 0;
  private rounds: number | null = null;
  private first: { prediction: QemuPrediction; atSeconds: number } | undefined;
  private firstInput: QemuMigrationParams | undefined;
  private refined: { prediction: QemuPrediction; atSeconds: number; firstPassEndSeconds: number } | undefined;
  private readonly fit = new FirstPassFit();
  private firstPassStart: { t: number; bytes: number } | undefined;
  private firstPassRate: number | null = null;
  private laterRate: number | null = null;
  private source: WatchReport['dirtyRateSource'] = null;

  constructor(private readonly ctx: WatchContext) {}

  /** The prediction taken at the first sample that had a dirty rate (or the given one), for the final comparison. */
  get initialPrediction(): { prediction: QemuPrediction; atSeconds: number } | undefined {
    return this.first;
  }

  /**
   * The latest whole-migration prediction taken again during the first pass (from `refineAfterSeconds` on) with
   * its end extrapolated from its progress (undefined when the first pass ended before, or the workload was not
   * given).
   */
  get refinedPrediction(): { prediction: QemuPrediction; atSeconds: number; firstPassEndSeconds: number } | undefined {
    return this.refined;
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
    // Throughputs: the first pass from QEMU's byte counter while dirty-sync-count is 1, later rounds from
    // QEMU's own per-window bandwidth (`mbps`, megabits/s).
    if (ram !== undefined && status === 'active') {
      if (ram.dirtySyncCount <= 1) {
        if (this.firstPassStart === undefined) this.firstPassStart = { t: elapsed, bytes: ram.transferred };
        else if (elapsed > this.firstPassStart.t) {
          this.firstPassRate = (ram.transferred - this.firstPassStart.bytes) / (elapsed - this.firstPassStart.t);
        }
      } else if (ram.mbps > 0) {
        this.laterRate = (ram.mbps * 1e6) / 8;
      }
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
        dirtyRateSource: this.source,
        firstPassBytesPerSecond: this.firstPassRate,
        laterRoundBytesPerSecond: this.laterRate,
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
      this.source = this.ctx.dirtyPagesPerSecond === undefined ? 'qemu-dirty-pages-rate' : 'given';
      if (
        this.ctx.dirtyPagesPerSecond === undefined &&
        this.ctx.dirtyPattern === 'random' &&
        W !== undefined &&
        elapsed > 0
      ) {
        const c = correctRandomWriterRate(ram.dirtyPagesRate, elapsed, W);
        if (c.method === 'saturation-corrected') {
          Dwhole = c.pagesPerSecond;
          this.source = 'qemu-dirty-pages-rate, saturation-corrected';
        }
      }
      // A measured first pass within 10 % of the cap is the cap itself (the sampling's own error): not binding.
      const measuredFirst =
        this.firstPassRate !== null && this.firstPassRate < 0.9 * this.ctx.maxBandwidthBytesPerSecond
          ? this.firstPassRate
          : undefined;
      const firstPass = this.ctx.firstPassBandwidthBytesPerSecond ?? measuredFirst;
      this.firstInput = {
        ...params,
        dirtyPagesPerSecond: Dwhole,
        ...(firstPass === undefined || firstPass <= 0 ? {} : { firstPassBandwidthBytesPerSecond: firstPass }),
        memoryBytes: ram.total,
        zeroPageFraction: zero,
        ...(W === undefined ? {} : { workingSetPages: W }),
        ...(this.ctx.dirtyPattern === undefined ? {} : { dirtyPattern: this.ctx.dirtyPattern }),
      };
      this.first = { prediction: predictQemuMigration(this.firstInput), atSeconds: elapsed };
    }
    // During the first pass, past refineAfterSeconds: its end from its own progress, the whole migration
    // predicted again with it (at every sample; the last one made in the first pass stands after it).
    const setup = (q.setupTime ?? 0) / 1000;
    if (ram.dirtySyncCount <= 1) {
      this.fit.add({ elapsedSeconds: elapsed, setupSeconds: setup, normalPages: ram.normal, zeroPages: ram.duplicate });
      if (this.firstInput !== undefined && elapsed - setup >= (this.ctx.refineAfterSeconds ?? REFINE_AFTER_SECONDS)) {
        const pages = Math.round(ram.total / S);
        const T1 = this.fit.end({
          ramPages: pages,
          zeroPages: Math.floor((this.firstInput.zeroPageFraction ?? 0) * pages),
          ...(this.ctx.zeroPageSeconds === undefined ? {} : { zeroPageSeconds: this.ctx.zeroPageSeconds }),
        });
        if (T1 !== null && T1 > elapsed) {
          this.refined = {
            prediction: predictWithFirstPassEnd({ ...this.firstInput, setupSeconds: setup }, T1),
            atSeconds: elapsed,
            firstPassEndSeconds: T1,
          };
        }
      }
    }
    const pendingBytes = Math.max(ram.remaining, S);
    const rest = predictQemuMigration({
      ...params,
      memoryBytes: pendingBytes,
      workingSetPages: Math.max(1, Math.ceil(pendingBytes / S)),
    });
    // Rounds left: from the whole-migration prediction when there is one (it counts QEMU's syncs from the
    // start), else from the prediction of the pending pages. Time left: the later of the two end times.
    const whole = (this.refined ?? this.first)?.prediction;
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
      dirtyRateSource: this.source,
      firstPassBytesPerSecond: this.firstPassRate,
      laterRoundBytesPerSecond: this.laterRate,
    };
  }
}
