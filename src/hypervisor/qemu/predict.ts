/**
 * A deterministic prediction of a QEMU pre-copy migration under QEMU's own stop rule.
 *
 * The paper's closed forms (src/model) assume that a round sends the whole dirty set and that pre-copy stops
 * once that set is at most alpha * Ps pages. QEMU (migration/migration.c, migration/ram.c, v7.2 to v9.x)
 * differs in ways that matter on real migrations, and this module follows QEMU instead:
 *
 * - Time runs in rate-limit windows of 100 ms (BUFFER_DELAY). In each window QEMU sends at most
 *   max-bandwidth * 0.1 s, then sleeps until the window ends.
 * - At the start of each window (and again as soon as the bitmap runs empty within a window) QEMU compares the
 *   pending bytes (dirty pages in the bitmap times the page size, zero pages included) with
 *   `threshold = bandwidth_estimate * downtime-limit`. Only when pending < threshold does it re-sync the dirty
 *   bitmap (`dirty-sync-count` + 1), adding the distinct pages dirtied since the previous sync to the pages
 *   not yet sent (the remainder carries over). If pending is still under the threshold (or zero) it stops the
 *   VM; otherwise the next round begins.
 * - The estimate is the bytes sent in the previous window over the window's length (so a window that ran out
 *   of pages lowers it), or `avail-switchover-bandwidth` when set. Before the first window ends it is 0. This is
 *   QEMU 7.2's `migration_update_counters` (migration.c): `bandwidth = transferred / time_spent` over the last
 *   BUFFER_DELAY "iteration", `threshold_size = bandwidth * downtime_limit`: the bandwidth QEMU measures, not
 *   the cap, so the threshold follows the speed the current phase actually reaches.
 * - Two throughputs (issue 13): the first pass writes every page into fresh destination memory (the destination
 *   faults it in; on a small host the vCPU, the migration thread and the destination share the cores), and on
 *   real QEMU ran at 250-350 MB/s where later rounds and the final copy reached 0.9-1.5 GB/s over the same
 *   loopback. Round 1 sends at min(max-bandwidth, first-pass throughput), later rounds at min(max-bandwidth,
 *   link), and the final copy at the link's speed. A max-bandwidth above the link is accepted (QEMU accepts it
 *   and runs at the link's speed) and reported in `notes`.
 * - At switch-over QEMU syncs once more (`dirty-sync-count` + 1) and sends the rest without the rate limit, at
 *   the link's speed: downtime = overhead + final bytes / switch-over bandwidth.
 * - A zero page costs a 9-byte record (8-byte header + 1 byte), a normal page its size plus an 8-byte header.
 *   Zero pages are the pages never written by the guest; pages the workload dirties are non-zero.
 * - With rho >= 1 the dirty set can still shrink, through writes landing on pages already pending (a sync adds
 *   only pages not in the bitmap): a migration converges when that happens fast enough, and counts as never
 *   converging when its smallest pending set fails to drop by 1 % in 60 rounds. On real QEMU a guest writing
 *   1.47x the send rate into 67 MB converged once the threshold reached 50 MB, as predicted.
 * - The workload writes D pages per second into a writable working set of W pages. Distinct pages dirtied in
 *   t seconds: `min(D t, W)` for a writer that walks its set in order (`sequential`), or
 *   `W (1 - exp(-D t / W))` for uniformly random writes (`random`). They join the unsent remainder R as
 *   `R + d (1 - R / W)` (the remainder's pages are as likely to be hit as any other).
 *
 * `iterations` is the predicted `dirty-sync-count`: 1 for the sync at setup, 1 per round boundary, 1 at
 * switch-over. The paper's alpha is the downtime limit in disguise: alpha = downtime_limit * B / (Ps * S).
 */
import { ceilPages, ModelInputError } from '../../model/index.js';

/** QEMU's rate-limit window (BUFFER_DELAY), seconds. */
export const QEMU_WINDOW_SECONDS = 0.1;
/** Bytes QEMU writes for a normal page on top of the page itself (the be64 offset|flags header). */
export const PAGE_HEADER_BYTES = 8;
/** Bytes QEMU writes for a zero page (header + one fill byte). */
export const ZERO_PAGE_RECORD_BYTES = 9;

/** Bytes QEMU sends for pending pages: a 9-byte record per zero page, the page and its header for the others. */
export function pendingBytes(zeroPages: number, normalPages: number, pageSizeBytes: number): number {
  return zeroPages * ZERO_PAGE_RECORD_BYTES + normalPages * (pageSizeBytes + PAGE_HEADER_BYTES);
}
/** QEMU's auto-converge throttle steps: 20 % first, then +10 % up to 99 %. */
export const AUTO_CONVERGE_STEPS: readonly number[] = [20, 30, 40, 50, 60, 70, 80, 90, 99];

/** How the guest's writes spread over its working set. */
export type DirtyPattern = 'sequential' | 'random';

/** Inputs of {@link predictQemuMigration}, in base units. */
export interface QemuMigrationParams {
  /** Guest RAM, bytes (QEMU's `ram.total`, or `query-memory-size-summary` base-memory). */
  readonly memoryBytes: number;
  /** Target page size S, bytes (4096 on x86). */
  readonly pageSizeBytes: number;
  /** QEMU `max-bandwidth`, bytes/s: the pre-copy rate limit. */
  readonly maxBandwidthBytesPerSecond: number;
  /** QEMU `downtime-limit`, seconds. */
  readonly downtimeLimitSeconds: number;
  /** Page writes per second by the guest, D (pages/s). */
  readonly dirtyPagesPerSecond: number;
  /**
   * Later-round and switch-over throughput ("the link"), bytes/s: caps pre-copy after the first pass and
   * carries the final copy. Default: max-bandwidth. Measure it as the final-copy speed of a calibration
   * migration (downtime bytes / downtime) or from QEMU's `mbps` in round 2 of a live migration.
   */
  readonly linkBandwidthBytesPerSecond?: number;
  /**
   * First-pass throughput, bytes/s: caps round 1 (every page into fresh destination memory), the zero-page
   * scan included (see `zeroPageSeconds`). Default: the link. Measure it from a calibration migration of an
   * idle guest at an unlimited max-bandwidth ((bytes sent before the stop) / (total time - setup - downtime)),
   * or from the first seconds of a live migration (bytes over time while `dirty-sync-count` is 1).
   */
  readonly firstPassBandwidthBytesPerSecond?: number;
  /** QEMU `avail-switchover-bandwidth`, bytes/s: replaces the measured estimate in the threshold. */
  readonly availSwitchoverBandwidthBytesPerSecond?: number;
  /** Fraction of RAM that is zero pages at the start, 0 <= z < 1. Default 0. */
  readonly zeroPageFraction?: number;
  /** Writable working set W, pages (1 <= W <= non-zero pages). Default: all non-zero pages. */
  readonly workingSetPages?: number;
  /** Default `sequential`. */
  readonly dirtyPattern?: DirtyPattern;
  /**
   * Where the first pass meets the zero pages: `first` sends them before the non-zero pages, so the
   * pages left when the first pass falls under the threshold are non-zero, as on Linux guests whose top of
   * RAM (and the option ROMs after it) is in use; `spread` (default) mixes them evenly through the pass (on the
   * validation grid `spread` predicted better: see docs/qemu.md).
   */
  readonly zeroPageOrder?: 'first' | 'spread';
  /**
   * Time the first pass spends per zero page, seconds (default 0): the source reads the page to find it zero
   * and the destination checks its own copy, both first touches of fresh memory (page faults; about 4-8 µs a
   * page on these 2-core VMs). It is CPU time, not link time, so it is not hidden under max-bandwidth's
   * sleeps: on the harder grid it was 1.3-1.9 s for 175-225k zero pages on capped first passes. Round 1 takes
   * max(scan + bytes / max-bandwidth, bytes / firstPassBandwidthBytesPerSecond) ({@link zeroScanStretch}): a
   * first-pass throughput measured unthrottled already includes the scan. Measure it from a throttled idle
   * migration: (pre-copy time - non-zero bytes / max-bandwidth) / zero pages (`calibrate` in
   * src/hypervisor/qemu/harness/migration.ts).
   */
  readonly zeroPageSeconds?: number;
  /** Fixed cost of stopping and restarting (device state, vCPU stop), seconds. Default 0. */
  readonly switchoverOverheadSeconds?: number;
  /** Setup time before the first page is sent, seconds. Default 0. */
  readonly setupSeconds?: number;
  /** Simulated time after which an unfinished migration counts as non-converging, seconds. Default 30 days. */
  readonly horizonSeconds?: number;
  /**
   * Downtime-limit changes during the migration (OpenStack Nova's stepping): from `atSeconds` (since the
   * migration started) the limit is `limitSeconds`. Before the first entry, `downtimeLimitSeconds` holds.
   */
  readonly downtimeLimitSchedule?: readonly { readonly atSeconds: number; readonly limitSeconds: number }[];
}

/** One pre-copy round: from one bitmap sync to the next (the last one ends at the stop). */
export interface QemuRound {
  /** 1-based; round 1 is the full first pass. */
  readonly index: number;
  readonly startSeconds: number;
  readonly durationSeconds: number;
  /** Pages in the bitmap when the round began (after the sync). */
  readonly pagesAtStart: number;
  /** Bytes sent during the round. */
  readonly bytesSent: number;
  /** Pages still unsent when the round ended (they carry over into the next round). */
  readonly pagesCarriedOver: number;
  /** The threshold the round ended under, bytes. */
  readonly thresholdBytes: number;
}

/**
 * Sampling instead of the fluid mean (for {@link convergenceDistribution}): a uniform [0, 1) source. With it,
 * random writes add a Binomial number of pages at each sync and the stall rules are off (the run ends at the
 * horizon), so a migration that hovers near its threshold converges when a sync happens to fall under it.
 */
export interface QemuSampling {
  readonly random: () => number;
  /**
   * Coefficient of variation of the guest's writes over one 100 ms window (a bursty writer), >= 0; over a sync
   * interval of dt seconds it is scaled by sqrt(0.1 / dt) (independent windows). Default 0.
   */
  readonly dirtyRateCv?: number;
}

/** A sampled run ({@link QemuSampling}) that has not stopped after this many bitmap syncs counts as not converged. */
export const SAMPLED_MAX_SYNCS = 5000;

/** Figures shared by both outcomes. */
interface PredictionCommon {
  /** The paper's alpha for these knobs: downtime_limit * B / (Ps * S). */
  readonly alpha: number;
  /** The paper's rho: D * S / B (tau = S/B first). */
  readonly rho: number;
  /** Pre-copy send rate after the first pass, bytes/s: min(max-bandwidth, link). */
  readonly precopyBandwidthBytesPerSecond: number;
  /** Send rate of the first pass, bytes/s: min(max-bandwidth, first-pass throughput). */
  readonly firstPassBandwidthBytesPerSecond: number;
  /** Things the caller should know about the input (e.g. max-bandwidth above the link, clamped). */
  readonly notes: readonly string[];
  /** Final-copy rate, bytes/s (link). */
  readonly switchoverBandwidthBytesPerSecond: number;
  /** The first rounds (all of them when converged; at most 200 otherwise). */
  readonly rounds: readonly QemuRound[];
}

/** A migration that reaches switch-over. */
export interface QemuConverged extends PredictionCommon {
  readonly converges: true;
  /** Predicted `dirty-sync-count` (setup sync + one per round boundary + the switch-over sync). */
  readonly iterations: number;
  /** Setup + pre-copy + downtime, seconds (QEMU's `total-time`). */
  readonly totalSeconds: number;
  /** QEMU's `downtime`, seconds. */
  readonly downtimeSeconds: number;
  /** QEMU's `ram.transferred`, bytes. */
  readonly bytesTransferred: number;
  /** Bytes sent before the stop, and during it. */
  readonly precopyBytes: number;
  readonly downtimeBytes: number;
  /** Pages sent during the stop. */
  readonly downtimePages: number;
  /** Threshold at the stop, bytes. */
  readonly thresholdBytes: number;
}

/** A migration that never stops on its own (QEMU keeps copying until cancelled). */
export interface QemuNotConverged extends PredictionCommon {
  readonly converges: false;
  readonly reason: string;
  /** `dirty-rate` when the dirty rate reaches the send rate, `stalled` when the pending set settles above the threshold. */
  readonly cause: 'dirty-rate' | 'stalled';
  /** Smallest pending set at a round start, bytes, and the threshold it has to fall under. */
  readonly pendingFloorBytes: number;
  readonly thresholdBytes: number;
}

export type QemuPrediction = QemuConverged | QemuNotConverged;

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function positive(name: string, v: unknown, unit: string): number {
  if (!finite(v) || v <= 0) throw new ModelInputError(name, v, `a finite number > 0 (${unit})`);
  return v;
}

function nonNegative(name: string, v: unknown, unit: string): number {
  if (!finite(v) || v < 0) throw new ModelInputError(name, v, `a finite number >= 0 (${unit})`);
  return v;
}

/** The largest first-pass time per zero page accepted, seconds (10 ms: far above any page fault). */
export const MAX_ZERO_PAGE_SECONDS = 0.01;

/** Validated, defaulted parameters. */
interface Resolved {
  pages: number;
  S: number;
  rate: number;
  firstRate: number;
  link: number;
  maxBw: number;
  avail: number | undefined;
  dl: number;
  D: number;
  zeroPages: number;
  nonZeroPages: number;
  W: number;
  pattern: DirtyPattern;
  zeroFirst: boolean;
  zeroScan: number;
  overhead: number;
  setup: number;
  horizon: number;
  schedule: { atSeconds: number; limitSeconds: number }[];
}

/**
 * The part of the first pass's zero-page scan that is not hidden under its sending, seconds: round 1 takes
 * max(scan + bytes / cap, bytes / first-pass rate) (docs/qemu.md, "The zero pages' scan time"), i.e. the
 * scan plus the sending at `firstRate` = min(cap, first-pass throughput), less the time the sending spends
 * below the cap. With the cap binding (`firstRate` = cap) nothing is hidden.
 */
export function zeroScanStretch(scanSeconds: number, firstPassBytes: number, firstRate: number, cap: number): number {
  const belowCap = firstPassBytes / firstRate - firstPassBytes / cap;
  return Math.max(0, scanSeconds - Math.max(0, belowCap));
}

function resolve(p: QemuMigrationParams): Resolved {
  const memory = positive('memoryBytes', p.memoryBytes, 'bytes');
  const S = positive('pageSizeBytes', p.pageSizeBytes, 'bytes');
  const pages = ceilPages(memory / S);
  const maxBw = positive('maxBandwidthBytesPerSecond', p.maxBandwidthBytesPerSecond, 'bytes/s');
  const link =
    p.linkBandwidthBytesPerSecond === undefined
      ? maxBw
      : positive('linkBandwidthBytesPerSecond', p.linkBandwidthBytesPerSecond, 'bytes/s');
  const firstPass =
    p.firstPassBandwidthBytesPerSecond === undefined
      ? link
      : positive('firstPassBandwidthBytesPerSecond', p.firstPassBandwidthBytesPerSecond, 'bytes/s');
  const avail =
    p.availSwitchoverBandwidthBytesPerSecond === undefined || p.availSwitchoverBandwidthBytesPerSecond === 0
      ? undefined
      : positive('availSwitchoverBandwidthBytesPerSecond', p.availSwitchoverBandwidthBytesPerSecond, 'bytes/s');
  const dl = positive('downtimeLimitSeconds', p.downtimeLimitSeconds, 'seconds');
  const D = nonNegative('dirtyPagesPerSecond', p.dirtyPagesPerSecond, 'pages/s');
  const z = p.zeroPageFraction ?? 0;
  if (!finite(z) || z < 0 || z >= 1) throw new ModelInputError('zeroPageFraction', z, '0 <= zeroPageFraction < 1');
  const zeroPages = Math.floor(z * pages);
  const nonZeroPages = pages - zeroPages;
  const W = p.workingSetPages ?? nonZeroPages;
  if (!finite(W) || W < 1 || W > nonZeroPages) {
    throw new ModelInputError('workingSetPages', W, `1 <= workingSetPages <= ${nonZeroPages} (the non-zero pages)`);
  }
  const pattern = p.dirtyPattern ?? 'sequential';
  if (pattern !== 'sequential' && pattern !== 'random') {
    throw new ModelInputError('dirtyPattern', pattern, "'sequential' or 'random'");
  }
  return {
    pages,
    S,
    rate: Math.min(maxBw, link),
    firstRate: Math.min(maxBw, firstPass),
    link,
    maxBw,
    avail,
    dl,
    D,
    zeroPages,
    nonZeroPages,
    W,
    pattern,
    zeroFirst: (() => {
      const o = p.zeroPageOrder ?? 'spread';
      if (o !== 'first' && o !== 'spread') throw new ModelInputError('zeroPageOrder', o, "'first' or 'spread'");
      return o === 'first';
    })(),
    zeroScan: (() => {
      const v = nonNegative('zeroPageSeconds', p.zeroPageSeconds ?? 0, 'seconds');
      if (v > MAX_ZERO_PAGE_SECONDS) {
        throw new ModelInputError(
          'zeroPageSeconds',
          v,
          `0 <= zeroPageSeconds <= ${MAX_ZERO_PAGE_SECONDS} (seconds per zero page)`,
        );
      }
      return v;
    })(),
    overhead: nonNegative('switchoverOverheadSeconds', p.switchoverOverheadSeconds ?? 0, 'seconds'),
    setup: nonNegative('setupSeconds', p.setupSeconds ?? 0, 'seconds'),
    horizon: positive('horizonSeconds', p.horizonSeconds ?? 30 * 86400, 'seconds'),
    schedule: (p.downtimeLimitSchedule ?? [])
      .map((e, i) => ({
        atSeconds: nonNegative(`downtimeLimitSchedule[${i}].atSeconds`, e.atSeconds, 'seconds'),
        limitSeconds: positive(`downtimeLimitSchedule[${i}].limitSeconds`, e.limitSeconds, 'seconds'),
      }))
      .sort((a, b) => a.atSeconds - b.atSeconds),
  };
}

/**
 * Distinct pages of a working set of W pages written in t seconds at D writes per second.
 * sequential: min(D t, W); random: W (1 - exp(-D t / W)) (coupon collector, computed with expm1).
 * @example distinctPagesDirtied(100, 10, 1000, 'sequential') // 1000
 * @example distinctPagesDirtied(100, 5, 1000, 'sequential') // 500
 */
export function distinctPagesDirtied(
  dirtyPagesPerSecond: number,
  seconds: number,
  workingSetPages: number,
  pattern: DirtyPattern,
): number {
  const writes = dirtyPagesPerSecond * seconds;
  if (writes <= 0) return 0;
  if (pattern === 'sequential') return Math.min(writes, workingSetPages);
  return -workingSetPages * Math.expm1(-writes / workingSetPages);
}

/**
 * The paper's alpha for QEMU's knobs: alpha = downtime_limit * B / (Ps * S), the fraction of memory that
 * fits the downtime limit at the bandwidth estimate B.
 * @example alphaForDowntimeLimit({ downtimeLimitSeconds: 0.3, bandwidthBytesPerSecond: 1e8, memoryBytes: 3e9 }) // 0.01
 */
export function alphaForDowntimeLimit(p: {
  readonly downtimeLimitSeconds: number;
  readonly bandwidthBytesPerSecond: number;
  readonly memoryBytes: number;
}): number {
  return (p.downtimeLimitSeconds * p.bandwidthBytesPerSecond) / p.memoryBytes;
}

/** Pending pages by class: zero pages, non-zero pages outside the working set, pages inside it. */
interface Pending {
  zero: number;
  out: number;
  in: number;
}

const count = (q: Pending) => q.zero + q.out + q.in;

const STALL_ROUNDS = 60;
const MAX_KEPT_ROUNDS = 200;

/**
 * Predicts a QEMU pre-copy migration: rounds, `dirty-sync-count`, total time, downtime and bytes sent, or
 * that it never converges (with the cause). Deterministic; runs QEMU's loop window by window, skipping
 * stretches of full windows in one step, so a prediction takes microseconds to milliseconds.
 *
 * @throws ModelInputError naming the parameter, its value and the valid range
 * @example predictQemuMigration({ memoryBytes: 2 ** 30, pageSizeBytes: 4096, maxBandwidthBytesPerSecond: 2 ** 27,
 *   downtimeLimitSeconds: 0.3, dirtyPagesPerSecond: 0 }).iterations // 3 (one pass, the check, the stop)
 */
export function predictQemuMigration(params: QemuMigrationParams, sampling?: QemuSampling): QemuPrediction {
  const r = resolve(params);
  const { S, W } = r;
  // Round 1 runs at the first-pass rate, later rounds at the link's (see the module comment).
  let rate = r.firstRate;
  /** The downtime limit in force at time t. */
  const dlAt = (t: number): number => {
    let v = r.dl;
    for (const e of r.schedule) if (e.atSeconds <= t) v = e.limitSeconds;
    return v;
  };
  /** The next schedule change after t (Infinity if none). */
  const nextChange = (t: number): number =>
    r.schedule.find((e) => e.atSeconds > t)?.atSeconds ?? Number.POSITIVE_INFINITY;
  const dl = r.dl;
  const normalCost = S + PAGE_HEADER_BYTES;
  let budget = rate * QEMU_WINDOW_SECONDS;
  const rho = r.D * (S / r.rate);
  const alpha = alphaForDowntimeLimit({
    downtimeLimitSeconds: dl,
    bandwidthBytesPerSecond: r.rate,
    memoryBytes: r.pages * S,
  });
  const notes: string[] = [];
  if (r.maxBw > r.link) {
    notes.push(
      `max-bandwidth ${fmt(r.maxBw)} B/s is above the link's ${fmt(r.link)} B/s: QEMU accepts it and sends at the link's speed, so the prediction uses ${fmt(r.link)} B/s`,
    );
  }
  if (r.firstRate < r.rate) {
    notes.push(
      `the first pass runs at ${fmt(r.firstRate)} B/s (fresh destination memory), later rounds at ${fmt(r.rate)} B/s`,
    );
  }
  const common = {
    alpha,
    rho,
    precopyBandwidthBytesPerSecond: r.rate,
    firstPassBandwidthBytesPerSecond: r.firstRate,
    switchoverBandwidthBytesPerSecond: r.link,
    notes,
  };
  const random = sampling?.random;

  // First pass: every page is in the bitmap; the working set is a proportional slice of the non-zero pages.
  const pending: Pending = { zero: r.zeroPages, out: r.nonZeroPages - W, in: W };
  const cost = (q: Pending) => pendingBytes(q.zero, q.out + q.in, S);
  const firstPassBytes = cost(pending);
  // The zero pages' scan time (zeroPageSeconds), CPU time of the first pass beside its sending. Under a cap
  // below the first-pass throughput it adds to the capped sending (max-bandwidth's sleeps do not hide it); when
  // the cap does not bind, the first-pass throughput (measured unthrottled, the scan included) already holds
  // the part of it that overlaps the sending. So round 1 takes max(scan + bytes / cap, bytes / first pass):
  // the scan's unhidden stretch is max(0, scan - (bytes / first-pass rate - bytes / cap)) (zeroScanStretch).
  // It is counted as one stretch at the start of round 1: the first sync counts every write since the start,
  // so where in the pass it lies does not change the dirty set; the guest keeps writing meanwhile.
  let t = r.setup;
  let lastSync = t;
  t += zeroScanStretch(r.zeroPages * r.zeroScan, firstPassBytes, r.firstRate, r.maxBw);
  let syncs = 1;
  let bytes = 0;
  let threshold = 0; // QEMU's threshold_size before the first window has been measured
  const rounds: QemuRound[] = [];
  let roundStart = r.setup; // round 1 includes the zero-page scan
  let roundPages = count(pending);
  let roundBytes = 0;
  let floor = Number.POSITIVE_INFINITY;
  let sinceNewFloor = 0;
  // With rho >= 1 the pending set can only shrink through writes landing on pages already pending; in the
  // fluid model that can drift down by a few pages a round for ever. Such a migration counts as never
  // converging unless its floor drops by 1 % within STALL_ROUNDS rounds.
  const outpaced = r.D * normalCost >= r.rate;
  let coarseFloor = Number.POSITIVE_INFINITY;
  let sinceCoarse = 0;
  let floorLimit = dl;

  const sync = () => {
    let d = distinctPagesDirtied(r.D, t - lastSync, W, r.pattern);
    if (random !== undefined && r.pattern === 'random' && d > 0) {
      const cv = sampling?.dirtyRateCv ?? 0;
      if (cv > 0) {
        // a bursty writer: the writes since the last sync vary around D dt (normal, clamped at 0)
        const dt = t - lastSync;
        const zr = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        const writes =
          r.D * dt * Math.max(0, 1 + cv * Math.sqrt(QEMU_WINDOW_SECONDS / Math.max(dt, QEMU_WINDOW_SECONDS)) * zr);
        d = distinctPagesDirtied(writes, 1, W, 'random');
      }
      // Each of the n working-set pages not pending is hit independently with p = d / W: Binomial(n, p),
      // drawn from its normal approximation (n is thousands of pages or more), clamped to [0, n].
      const n = Math.max(0, W - pending.in);
      const pHit = Math.min(1, d / W);
      const sd = Math.sqrt(n * pHit * (1 - pHit));
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      pending.in += Math.min(n, Math.max(0, n * pHit + sd * z));
    } else {
      pending.in = pending.in + d * (1 - Math.min(1, pending.in / W));
    }
    lastSync = t;
    syncs += 1;
  };
  const endRound = (carried: number) => {
    if (rounds.length < MAX_KEPT_ROUNDS) {
      rounds.push({
        index: rounds.length + 1,
        startSeconds: roundStart,
        durationSeconds: t - roundStart,
        pagesAtStart: roundPages,
        bytesSent: roundBytes,
        pagesCarriedOver: carried,
        thresholdBytes: threshold,
      });
    }
  };
  /** Sends up to `max` bytes proportionally from the three classes; returns the bytes sent. */
  const send = (budgetBytes: number): number => {
    let max = budgetBytes;
    let zeroBytes = 0;
    if (r.zeroFirst && pending.zero > 0) {
      zeroBytes = Math.min(max, pending.zero * ZERO_PAGE_RECORD_BYTES);
      pending.zero = zeroBytes === max ? pending.zero - max / ZERO_PAGE_RECORD_BYTES : 0;
      max -= zeroBytes;
      if (max <= 0) return budgetBytes;
    }
    const c = cost(pending);
    if (c <= max) {
      pending.zero = 0;
      pending.out = 0;
      pending.in = 0;
      return zeroBytes + c;
    }
    const keep = 1 - max / c;
    pending.zero *= keep;
    pending.out *= keep;
    pending.in *= keep;
    return budgetBytes;
  };

  const notConverged = (cause: 'dirty-rate' | 'stalled'): QemuNotConverged => {
    // No sync within the horizon (the first pass alone outlasts it): no floor was seen, never print Infinity.
    const firstPassOnly = !Number.isFinite(floor);
    const floorBytes = firstPassOnly ? firstPassBytes : floor * S;
    const reason = firstPassOnly
      ? `the first pass alone, ${fmt(firstPassBytes)} B at ${fmt(r.firstRate)} B/s, outlasts the horizon of ${fmt(r.horizon)} s: it needs a link of at least ${fmt(firstPassBytes / r.horizon)} B/s`
      : cause === 'dirty-rate'
        ? `the guest dirties ${fmt(r.D * S)} B/s, at least the ${fmt(rate)} B/s sent (rho = ${fmt(rho)} >= 1), and too little of it lands on pages already pending for the dirty set to shrink under the threshold: pre-copy never ends`
        : `the pending set never falls under the threshold: it settles at ${fmt(floorBytes)} B, above ${fmt(threshold)} B = bandwidth x downtime-limit`;
    return {
      ...common,
      converges: false,
      reason,
      cause,
      pendingFloorBytes: floorBytes,
      thresholdBytes: threshold,
      rounds,
    };
  };

  for (;;) {
    if (t - r.setup > r.horizon) return notConverged(outpaced ? 'dirty-rate' : 'stalled');
    // Skip runs of full windows that start above the threshold: nothing but sending happens in them.
    const P = count(pending);
    const c = cost(pending);
    const steadyThreshold = (r.avail ?? rate) * dlAt(t);
    if (P > 0 && threshold === steadyThreshold && P * S >= threshold && !(r.zeroFirst && pending.zero > 0)) {
      const perWindowPages = (budget / c) * P;
      const beforeChange = Math.floor((nextChange(t) - t) / QEMU_WINDOW_SECONDS);
      const k = Math.min(
        Math.floor(Math.min((P * S - threshold) / (perWindowPages * S), (c - budget) / budget)) + 1,
        beforeChange,
      );
      if (k >= 2) {
        const skip = k - 1;
        send(skip * budget);
        bytes += skip * budget;
        roundBytes += skip * budget;
        t += skip * QEMU_WINDOW_SECONDS;
        continue;
      }
    }
    // One window: check, send, and re-check whenever the bitmap runs empty while budget is left.
    const windowStart = t;
    let left = budget;
    let windowSent = 0;
    let switched = false;
    let stopped = false;
    for (;;) {
      let P2 = count(pending);
      if (P2 * S < threshold) {
        const carried = P2;
        endRound(carried);
        sync();
        P2 = count(pending);
        if (dlAt(t) !== floorLimit) {
          // a new downtime limit: the stall watch starts over
          floorLimit = dlAt(t);
          floor = Number.POSITIVE_INFINITY;
          sinceNewFloor = 0;
          coarseFloor = Number.POSITIVE_INFINITY;
          sinceCoarse = 0;
        }
        if (P2 < coarseFloor * 0.99) {
          coarseFloor = P2;
          sinceCoarse = 0;
        } else {
          sinceCoarse += 1;
        }
        if (P2 < floor * (1 - 1e-9)) {
          floor = P2;
          sinceNewFloor = 0;
        } else {
          sinceNewFloor += 1;
        }
        if (P2 === 0 || P2 * S < threshold) {
          sync(); // the switch-over sync in ram_save_complete (no time has passed: adds nothing)
          stopped = true;
          break;
        }
        if (rate !== r.rate) {
          // round 1 is over: later rounds run at the link's rate; the window's budget left scales with it
          left = (left / budget) * r.rate * QEMU_WINDOW_SECONDS;
          rate = r.rate;
          budget = rate * QEMU_WINDOW_SECONDS;
          switched = true;
        }
        if (random !== undefined && syncs > SAMPLED_MAX_SYNCS) return notConverged(outpaced ? 'dirty-rate' : 'stalled');
        if (random === undefined && nextChange(t) === Number.POSITIVE_INFINITY) {
          if (outpaced && sinceCoarse >= STALL_ROUNDS) return notConverged('dirty-rate');
          if (sinceNewFloor >= STALL_ROUNDS) return notConverged(outpaced ? 'dirty-rate' : 'stalled');
        }
        roundStart = t;
        roundPages = P2;
        roundBytes = 0;
      } else if (P2 === 0) {
        // threshold 0 and nothing pending: QEMU's `pending_size && ...` stops without the check sync
        endRound(0);
        sync(); // the switch-over sync
        stopped = true;
        break;
      }
      const sent = send(left);
      left -= sent;
      windowSent += sent;
      bytes += sent;
      roundBytes += sent;
      t += sent / rate;
      if (left <= budget * 1e-12 || count(pending) > 0) break;
    }
    if (stopped) break;
    t = windowStart + QEMU_WINDOW_SECONDS;
    // A full window measures exactly the send rate (written so, to keep the steady threshold exact).
    // QEMU measures bytes sent over the window's length; a window that changed phase measures a mix.
    const full = left <= budget * 1e-12;
    const estimate = full && !switched ? rate : (switched ? windowSent : budget - left) / QEMU_WINDOW_SECONDS;
    threshold = (r.avail ?? estimate) * dlAt(t);
  }

  // Switch-over: the VM stops, QEMU syncs once more (done in sync() above) and sends the rest unthrottled.
  const finalPages = count(pending);
  const downtimeBytes = cost(pending);
  const downtimeSeconds = r.overhead + downtimeBytes / r.link;
  rounds.length = Math.min(rounds.length, MAX_KEPT_ROUNDS);
  return {
    ...common,
    converges: true,
    iterations: syncs,
    totalSeconds: t + downtimeSeconds,
    downtimeSeconds,
    bytesTransferred: bytes + downtimeBytes,
    precopyBytes: bytes,
    downtimeBytes,
    downtimePages: finalPages,
    thresholdBytes: threshold,
    rounds,
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

/** What would make a non-converging migration converge. */
export interface ConvergenceRemedy {
  /** Smallest send rate (max-bandwidth and link) that converges with the same downtime limit, bytes/s; null if none below 2^50. */
  readonly bandwidthNeededBytesPerSecond: number | null;
  /** Smallest vCPU throttle fraction (dirty rate x (1 - f)) that converges, 0..1; null if even 0.99 fails. */
  readonly throttleFractionNeeded: number | null;
  /** The first auto-converge step (20, 30, ..., 99 %) at or above it; null if none. */
  readonly autoConvergeThrottlePercent: number | null;
}

/**
 * Finds what makes a migration converge: the smallest bandwidth (bisection on the send rate, link raised
 * with it) and the smallest vCPU throttle (bisection on the throttle fraction f, dirty rate D (1 - f)), to a
 * relative 1e-4. Assumes convergence is monotone in both (more bandwidth, fewer writes never hurt).
 * @example convergenceRemedy({ memoryBytes: 2 ** 30, pageSizeBytes: 4096, maxBandwidthBytesPerSecond: 1e7,
 *   downtimeLimitSeconds: 0.3, dirtyPagesPerSecond: 5000 }).autoConvergeThrottlePercent // 60
 */
export function convergenceRemedy(params: QemuMigrationParams): ConvergenceRemedy {
  resolve(params);
  const converges = (p: QemuMigrationParams) => predictQemuMigration({ ...p, horizonSeconds: 7 * 86400 }).converges;
  if (converges(params)) {
    return {
      bandwidthNeededBytesPerSecond: params.maxBandwidthBytesPerSecond,
      throttleFractionNeeded: 0,
      autoConvergeThrottlePercent: 0,
    };
  }
  const withRate = (b: number): QemuMigrationParams => ({
    ...params,
    maxBandwidthBytesPerSecond: b,
    linkBandwidthBytesPerSecond: Math.max(b, params.linkBandwidthBytesPerSecond ?? 0),
  });
  let lo = Math.min(params.maxBandwidthBytesPerSecond, params.linkBandwidthBytesPerSecond ?? Infinity);
  let hi = lo;
  let bandwidth: number | null = null;
  while (hi < 2 ** 50) {
    hi *= 2;
    if (converges(withRate(hi))) {
      bandwidth = hi;
      break;
    }
    lo = hi;
  }
  if (bandwidth !== null) {
    while (hi - lo > 1e-4 * hi) {
      const mid = (lo + hi) / 2;
      if (converges(withRate(mid))) hi = mid;
      else lo = mid;
    }
    bandwidth = Math.ceil(hi);
  }
  const withThrottle = (f: number): QemuMigrationParams => ({
    ...params,
    dirtyPagesPerSecond: params.dirtyPagesPerSecond * (1 - f),
  });
  let throttle: number | null = null;
  if (converges(withThrottle(0.99))) {
    let a = 0;
    let b = 0.99;
    while (b - a > 1e-4) {
      const mid = (a + b) / 2;
      if (converges(withThrottle(mid))) b = mid;
      else a = mid;
    }
    throttle = b;
  }
  const step = throttle === null ? null : (AUTO_CONVERGE_STEPS.find((s) => s / 100 >= throttle - 1e-12) ?? null);
  return {
    bandwidthNeededBytesPerSecond: bandwidth,
    throttleFractionNeeded: throttle,
    autoConvergeThrottlePercent: step,
  };
}
