/**
 * Real QEMU migrations for validating {@link predictQemuMigration}: two qemu-system-x86_64 processes (TCG,
 * 256 MiB, destination listening on 127.0.0.1 only), knobs set over QMP, `query-migrate` polled every 100 ms
 * until the migration completes, fails, or its time limit passes (then `migrate_cancel`).
 *
 * A calibration migration of an idle guest measures what the prediction needs to know about this machine and
 * guest but that no knob sets: the guest's zero pages (QEMU's `duplicate` count), the RAM QEMU migrates
 * (`ram.total`, which includes option ROMs), and the speed of the unthrottled final copy over loopback
 * (downtime bytes over downtime). Nothing measured in a validation run feeds its own prediction.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MAX_ZERO_PAGE_SECONDS,
  type QemuMigrationParams,
  type QemuPrediction,
  predictQemuMigration,
} from '../predict.js';
import { QmpClient, type QueryMigrate, qmp } from '../qmp.js';
import {
  type Accelerator,
  freePort,
  type GuestImage,
  type ThreadCpu,
  threadCpuSeconds,
  Vm,
  type Workload,
} from './vm.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Repository root (this file is src/hypervisor/qemu/harness/ or dist/hypervisor/qemu/harness/). */
export function repoRoot(): string {
  let dir = HERE;
  for (let i = 0; i < 6; i++) {
    dir = dirname(dir);
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'qemu-guest', 'build.sh'))) return dir;
  }
  return resolve(HERE, '..', '..', '..', '..');
}

export const GUEST_MEMORY_MIB = 256;
export const PAGE_SIZE = 4096;

/** Builds (or reuses) the guest under `.cache/qemu-guest` with scripts/qemu-guest/build.sh (bounded: 5 min). */
export function buildGuest(cacheDir = join(repoRoot(), '.cache', 'qemu-guest')): Promise<GuestImage> {
  const script = join(repoRoot(), 'scripts', 'qemu-guest', 'build.sh');
  return new Promise((resolvePromise, reject) => {
    execFile('sh', [script, cacheDir], { timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`guest build failed: ${stderr.trim() || err.message}`));
      else {
        const out = stdout.trim().split('\n').pop() ?? cacheDir;
        resolvePromise({ kernel: join(out, 'vmlinuz'), initrd: join(out, 'initramfs.cpio.gz') });
      }
    });
  });
}

/** What QEMU reported for one migration. */
export interface Measured {
  readonly status: string;
  readonly completed: boolean;
  /** `total-time`, seconds (at completion, or when cancelled). */
  readonly totalSeconds: number;
  readonly setupSeconds: number;
  /** `downtime`, seconds (completed only). */
  readonly downtimeSeconds: number | null;
  readonly dirtySyncCount: number;
  readonly bytesTransferred: number;
  readonly downtimeBytes: number | null;
  readonly duplicatePages: number;
  readonly normalPages: number;
  readonly ramTotalBytes: number;
  /** The destination VM was running after the migration. */
  readonly destinationRunning: boolean | null;
  /** 1-minute load average when the migration started and ended. */
  readonly loadAverage: readonly [number, number];
  /** The accelerator both QEMUs ran with. */
  readonly accelerator: Accelerator;
  /** Date.now() when `migrate` was sent (for schedules of several migrations). */
  readonly startedAtMs: number;
  /**
   * When the first pass ended, seconds of QEMU's total-time: the midpoint of the last sample in it and the first
   * past it (dirty-sync-count >= 2), so within half a poll interval (50 ms). Null when no sample was taken past
   * it (the migration ended in round 1).
   */
  readonly firstPassSeconds?: number | null;
  /** CPU seconds the QEMU threads used from `migrate` to the end (from /proc; absent where it cannot be read). */
  readonly cpuSeconds?: MigrationCpu;
  /**
   * Share of a core the source's vCPU threads used over `RunOptions.vcpuSampleSeconds` just before `migrate`
   * (the guest's writer running, nothing migrating yet); absent when not sampled.
   */
  readonly preMigrationVcpuShare?: number;
  /**
   * The `query-migrate` samples taken during the migration, in order (kept by the harder grid, which replays them
   * through `watch`'s MigrationWatcher to check its prediction from the first second; absent elsewhere).
   */
  readonly samples?: readonly QueryMigrate[];
}

/**
 * CPU seconds of the two QEMUs' threads over one migration, and over its first pass (to the first sample past it).
 * On these 2-core machines the first pass is bound by the destination's main thread (80-96 % of a core), whose
 * CPU time for the same pages varies with what else runs.
 */
export interface MigrationCpu {
  readonly sourceVcpu: number;
  readonly sourceMigration: number;
  readonly sourceOther: number;
  readonly destination: number;
  readonly firstPassSourceVcpu: number | null;
  readonly firstPassDestination: number | null;
}

/** Sums per thread name class over the threads seen at the start and since (a thread that ended keeps its last reading). */
class CpuTracker {
  private readonly start: Map<number, ThreadCpu>[];
  private readonly seen: Map<number, ThreadCpu>[];
  constructor(private readonly pids: readonly number[]) {
    this.start = pids.map((p) => threadCpuSeconds(p));
    this.seen = this.start.map((m) => new Map(m));
  }
  sample(): void {
    this.pids.forEach((p, i) => {
      for (const [tid, t] of threadCpuSeconds(p)) this.seen[i]!.set(tid, t);
    });
  }
  /** CPU seconds since the start of process i's threads whose name matches `which`. */
  used(i: number, which: (name: string) => boolean): number {
    let sum = 0;
    for (const [tid, t] of this.seen[i]!) {
      if (which(t.name)) sum += t.seconds - (this.start[i]!.get(tid)?.seconds ?? 0);
    }
    return Math.round(sum * 100) / 100;
  }
}

const isVcpu = (n: string) => n.startsWith('CPU ');
const isMigration = (n: string) => n === 'live_migration';

export interface MigrationKnobs {
  readonly maxBandwidthBytesPerSecond: number;
  readonly downtimeLimitMs: number;
  /** Raise the downtime limit during the migration, as Nova does (times since `migrate`). */
  readonly downtimeSchedule?: readonly { readonly atSeconds: number; readonly limitMs: number }[];
}

export interface RunOptions extends PairOptions {
  readonly knobs: MigrationKnobs;
  /** Cancel the migration (and call it non-converging) after this long. */
  readonly timeoutSeconds: number;
  /** Called with the source's QMP client before the knobs are set (e.g. to run advise's measurement). */
  readonly beforeMigrate?: (source: QmpClient) => Promise<void>;
  /** Called with every `query-migrate` sample (e.g. to feed watch's MigrationWatcher). */
  readonly onSample?: (sample: QueryMigrate) => void;
  /**
   * Seconds to sample the source vCPU threads' CPU time before `migrate` (Measured.preMigrationVcpuShare);
   * default 0 (not sampled).
   */
  readonly vcpuSampleSeconds?: number;
  /** `query-migrate` polling interval, ms (default 100; the concurrent harness polls faster to start the next sooner). */
  readonly pollMs?: number;
  /**
   * Called as soon as the migration has ended (completed, failed or cancelled), before the destination check:
   * the concurrent harness starts the next queued migration here instead of ~0.4 s later.
   */
  readonly onEnded?: () => void;
}

/** A booted source and destination, ready to migrate. */
export interface Pair {
  readonly dir: string;
  readonly port: number;
  readonly src: Vm;
  readonly dst: Vm;
  readonly a: QmpClient;
  readonly b: QmpClient;
  readonly accel: Accelerator;
  /** Removes the directory; set by startPair. */
  readonly ownsDir: boolean;
}

/** Where and how a pair runs. */
export interface PairOptions {
  readonly guest: GuestImage;
  readonly workload: Workload;
  /** Guest RAM, MiB. Default {@link GUEST_MEMORY_MIB}. */
  readonly memoryMiB?: number;
  /** Default `tcg`. */
  readonly accel?: Accelerator;
  /** Network namespace to run both QEMUs in (the migration then goes over that namespace's loopback). */
  readonly netns?: string;
  /** Destination port on 127.0.0.1; default a free port of the host (required inside a namespace). */
  readonly port?: number;
  /** Name prefix of the VMs (several pairs share nothing but the namespace). Default ''. */
  readonly name?: string;
}

/**
 * Boots a source and a destination and connects to both (bounded waits). On failure everything started so far
 * is stopped by pid before the error propagates; on success the caller must call {@link stopPair}.
 */
export async function startPair(o: PairOptions): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'precopy-qemu-'));
  const vms: Vm[] = [];
  const clients: QmpClient[] = [];
  try {
    const port = o.port ?? (await freePort());
    const common = {
      dir,
      guest: o.guest,
      workload: o.workload,
      memoryMiB: o.memoryMiB ?? GUEST_MEMORY_MIB,
      ...(o.accel === undefined ? {} : { accel: o.accel }),
      ...(o.netns === undefined ? {} : { netns: o.netns }),
    };
    const prefix = o.name ?? '';
    const src = await Vm.start({ ...common, name: `${prefix}src` });
    vms.push(src);
    const dst = await Vm.start({ ...common, name: `${prefix}dst`, incomingPort: port });
    vms.push(dst);
    await src.waitForSerial(/READY/, 180_000);
    const a = await QmpClient.connect(src.qmpPath);
    clients.push(a);
    const b = await QmpClient.connect(dst.qmpPath);
    clients.push(b);
    return { dir, port, src, dst, a, b, accel: o.accel ?? 'tcg', ownsDir: true };
  } catch (e) {
    for (const c of clients) c.close();
    for (const vm of vms) await vm.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Closes the clients, stops both QEMUs by pid, removes the pair's directory. Idempotent. */
export async function stopPair(p: Pair): Promise<void> {
  p.a.close();
  p.b.close();
  await p.src.stop();
  await p.dst.stop();
  if (p.ownsDir) rmSync(p.dir, { recursive: true, force: true });
}

/** Sets the knobs, migrates over 127.0.0.1, polls until the end or the time limit (then cancels). */
export async function migratePair(
  pair: Pair,
  o: Pick<
    RunOptions,
    'knobs' | 'timeoutSeconds' | 'beforeMigrate' | 'onSample' | 'pollMs' | 'onEnded' | 'vcpuSampleSeconds'
  >,
): Promise<Measured> {
  const { a, b, dst } = pair;
  if (o.beforeMigrate) await o.beforeMigrate(a);
  // The guest's own CPU use before the migration (its writer running): the share of a core its vCPUs take.
  let preVcpu: number | undefined;
  const window = Math.min(Math.max(o.vcpuSampleSeconds ?? 0, 0), 10);
  if (window > 0) {
    const before = threadCpuSeconds(pair.src.pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, window * 1000));
    const after = threadCpuSeconds(pair.src.pid);
    const wall = (performance.now() - w0) / 1000;
    let used = 0;
    let found = false;
    for (const [tid, t] of after) {
      if (!isVcpu(t.name)) continue;
      found = true;
      used += t.seconds - (before.get(tid)?.seconds ?? t.seconds);
    }
    if (found && wall > 0) preVcpu = Math.max(0, used / wall);
  }
  await qmp.migrateSetParameters(a, {
    downtimeLimit: o.knobs.downtimeLimitMs,
    maxBandwidth: o.knobs.maxBandwidthBytesPerSecond,
  });
  const load0 = loadavg()[0]!;
  const cpu = new CpuTracker([pair.src.pid, pair.dst.pid]);
  let firstPass: { seconds: number; vcpu: number; dst: number } | null = null;
  await qmp.migrate(a, `tcp:127.0.0.1:${pair.port}`);
  const started = Date.now();
  const end = started + o.timeoutSeconds * 1000;
  const pollMs = o.pollMs ?? 100;
  const steps = [...(o.knobs.downtimeSchedule ?? [])].filter((st) => st.atSeconds > 0);
  let last: QueryMigrate = {};
  let lastActive: QueryMigrate = {};
  let cancelled = false;
  for (;;) {
    last = await qmp.queryMigrate(a);
    o.onSample?.(last);
    cpu.sample();
    if (firstPass === null && last.status === 'active' && (last.ram?.dirtySyncCount ?? 0) >= 2) {
      firstPass = {
        // the sync fell between the previous sample and this one: their midpoint (within half a poll interval)
        seconds: ((lastActive.totalTime ?? last.totalTime ?? 0) + (last.totalTime ?? 0)) / 2000,
        vcpu: cpu.used(0, isVcpu),
        dst: cpu.used(1, () => true),
      };
    }
    if (last.status === 'active') lastActive = last;
    if (last.status === 'completed' || last.status === 'failed' || last.status === 'cancelled') break;
    while (steps.length > 0 && Date.now() - started >= steps[0]!.atSeconds * 1000) {
      await qmp.migrateSetParameters(a, { downtimeLimit: steps.shift()!.limitMs });
    }
    if (Date.now() > end) {
      cancelled = true;
      await qmp.migrateCancel(a);
      const stopBy = Date.now() + 10_000;
      while (Date.now() < stopBy) {
        last = await qmp.queryMigrate(a);
        if (last.status !== 'active' && last.status !== 'cancelling') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      break;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  // QEMU 7.2 sets COMPLETED in migration_completion() and fills total-time and downtime only afterwards
  // (migration_calculate_complete): a sample taken between the two reads total-time 0. Ask again (bounded).
  for (let k = 0; k < 40 && last.status === 'completed' && !((last.totalTime ?? 0) > 0); k++) {
    await new Promise((r) => setTimeout(r, 25));
    last = await qmp.queryMigrate(a);
  }
  o.onEnded?.();
  cpu.sample();
  const load1 = loadavg()[0]!;
  let destinationRunning: boolean | null = null;
  if (last.status === 'completed') {
    // give the destination a moment to resume, then ask it (bounded by the client's timeouts)
    await new Promise((r) => setTimeout(r, 300));
    destinationRunning = (await qmp.queryStatus(b)).running && dst.running;
  }
  // After migrate_cancel QEMU drops the figures: report the last active sample's (how far it got).
  const figures = cancelled && last.ram === undefined ? lastActive : last;
  const ram = figures.ram;
  return {
    status: last.status ?? 'unknown',
    completed: last.status === 'completed',
    totalSeconds: (figures.totalTime ?? 0) / 1000,
    setupSeconds: (figures.setupTime ?? 0) / 1000,
    downtimeSeconds: last.downtime === undefined ? null : last.downtime / 1000,
    dirtySyncCount: ram?.dirtySyncCount ?? 0,
    bytesTransferred: ram?.transferred ?? 0,
    downtimeBytes: ram?.downtimeBytes ?? null,
    duplicatePages: ram?.duplicate ?? 0,
    normalPages: ram?.normal ?? 0,
    ramTotalBytes: ram?.total ?? 0,
    destinationRunning,
    loadAverage: [load0, load1],
    accelerator: pair.accel,
    startedAtMs: started,
    firstPassSeconds: firstPass?.seconds ?? null,
    ...(preVcpu === undefined ? {} : { preMigrationVcpuShare: preVcpu }),
    cpuSeconds: {
      sourceVcpu: cpu.used(0, isVcpu),
      sourceMigration: cpu.used(0, isMigration),
      sourceOther: cpu.used(0, (n) => !isVcpu(n) && !isMigration(n)),
      destination: cpu.used(1, () => true),
      firstPassSourceVcpu: firstPass?.vcpu ?? null,
      firstPassDestination: firstPass?.dst ?? null,
    },
  };
}

/** Starts source and destination, migrates, and stops both by pid whatever happens. */
export async function runMigration(o: RunOptions): Promise<Measured> {
  const pair = await startPair(o);
  try {
    return await migratePair(pair, o);
  } finally {
    await stopPair(pair);
  }
}

/** What the calibration migration measured about this machine and guest. */
export interface Calibration {
  /** The dirtier's buffer in the calibrated guest, MiB (cases with this buffer use this calibration). */
  readonly bufferMiB: number;
  readonly ramTotalBytes: number;
  /** Zero pages of the idle guest (its buffer filled, nothing written afterwards). */
  readonly idleZeroPages: number;
  /** Speed of the unthrottled final copy, bytes/s. */
  readonly switchoverBytesPerSecond: number;
  /**
   * The idle guest's own dirtying (kernel timers, the dirtier's sleeps), pages/s: pages QEMU sent more than
   * once (normal + duplicate - RAM pages) over the migration's length. Added to the workload's rate.
   */
  readonly backgroundPagesPerSecond: number;
  readonly setupSeconds: number;
  readonly measured: Measured;
  /** Guest RAM the calibration ran with, MiB (default {@link GUEST_MEMORY_MIB}). */
  readonly memoryMiB?: number;
  /**
   * First-pass throughput, bytes/s: an unthrottled migration of the idle guest, (bytes before the stop) /
   * (total - setup - downtime). Present when calibrated with `throughput: true`.
   */
  readonly firstPassBytesPerSecond?: number;
  /**
   * First-pass time per zero page, seconds (the model's `zeroPageSeconds`), from the throttled idle migration:
   * (pre-copy time - pre-copy bytes / 64 MiB/s) / zero pages. `firstPassBytesPerSecond` stays gross (the
   * scan included); the model hides the scan under a first pass slower than the cap (`zeroScanStretch`).
   */
  readonly zeroPageSeconds?: number;
  /** The unthrottled idle migration (with `throughput: true`). */
  readonly unthrottled?: Measured;
  /**
   * Later-round throughput, bytes/s (with `laterRounds: true`): the bytes QEMU sent over the time once the first
   * pass is over ({@link laterRoundRate}), in an unthrottled migration of the guest with a writer keeping every
   * round busy ({@link LATER_ROUND_WRITER}). Used as the link (later rounds and the final copy) instead of
   * `switchoverBytesPerSecond`, which times a stop-and-copy of a few MB on a millisecond clock.
   */
  readonly laterRoundBytesPerSecond?: number;
  /** The later-round migration's active samples: [total-time ms, mbps, dirty-sync-count, transferred bytes]. */
  readonly laterRoundSamples?: readonly BusySample[];
}

/**
 * The later-round calibration's writer: sequential writes at 1 GB/s through the guest's buffer (the guest's
 * dirtier sustains that under TCG; a random writer does not, its TLB misses cost more than the writes), about
 * what a later round sends on these machines, with a 1 ms downtime limit so the migration keeps sending round
 * after round until {@link LATER_ROUND_SECONDS}, when the limit is raised to 2 s and it completes. (Measured
 * through 800 MiB of a 1 GiB guest: a first pass of 6.1 s, then 2.0 s of later rounds at 975 MB/s.)
 */
export const LATER_ROUND_WRITER = { bytesPerSecond: 1e9, downtimeLimitMs: 1, finalLimitMs: 2000 } as const;
export const LATER_ROUND_SECONDS = 10;
/**
 * The later-round calibration writes through at least this much of the guest's RAM (at most 80 % of it). The
 * later rounds shrink geometrically (the writer's 1 GB/s is below the 1.3-2.3 GB/s a later round sends) and
 * QEMU stops the VM once a round leaves less than 1 ms of sending: with a 64 MiB buffer they lasted 0.1-0.5 s,
 * with 256 MiB 0.3-0.8 s; a larger buffer makes the first later round larger. The later-round speed is the
 * machine's, not the buffer's. An attempt whose later rounds span less than 0.3 s is run again (at most
 * {@link LATER_ROUND_ATTEMPTS} times).
 */
export const LATER_ROUND_MIN_BUFFER_MIB = 800;
export const LATER_ROUND_ATTEMPTS = 3;
/** One active `query-migrate` sample: [total-time ms, mbps, dirty-sync-count, transferred bytes]. */
export type BusySample = readonly [number, number, number, number];

/**
 * Later-round throughput, bytes/s, from `query-migrate` samples of one migration: the bytes QEMU sent (its
 * `transferred` counter) from the first active sample past the first pass (`dirty-sync-count` >= 2) to the last
 * one taken before `beforeMs` of QEMU's total-time, over that time; null when those samples span less than
 * `minSpanMs`. (Bytes over time rather than the median of QEMU's per-window `mbps`: the later rounds of the
 * calibration last 0.3-2 s, and the windows that mix the first pass's zero-page crawl with round 2 would weigh
 * as much as the rest.)
 */
export function laterRoundRate(
  samples: readonly BusySample[],
  beforeMs = Number.POSITIVE_INFINITY,
  minSpanMs = 300,
): number | null {
  const later = samples.filter(([ms, , syncs]) => syncs >= 2 && ms < beforeMs);
  if (later.length < 2) return null;
  const [t0, , , b0] = later[0]!;
  const [t1, , , b1] = later[later.length - 1]!;
  if (!(t1 - t0 >= minSpanMs) || !(b1 > b0)) return null;
  return ((b1 - b0) * 1000) / (t1 - t0);
}

/** Where and what the calibration measures. */
export interface CalibrateOptions {
  readonly memoryMiB?: number;
  readonly accel?: Accelerator;
  readonly netns?: string;
  readonly port?: number;
  /** Also run the unthrottled idle migration that measures the first-pass throughput. */
  readonly throughput?: boolean;
  /** Also run the unthrottled migration with a fast random writer that measures the later-round throughput. */
  readonly laterRounds?: boolean;
}

/**
 * Migrates the idle guest (buffer filled, no writes) at 64 MiB/s with a 300 ms limit: every page goes once, so
 * QEMU's `duplicate` is the guest's zero pages, and the last ~20 MB go in the stop-and-copy phase, about the
 * size the validation cases leave for it: the final copy's speed is downtime bytes / downtime. The guest's
 * kernel footprint depends on its buffer size (measured: about 16 MiB less zero memory with a 1 MiB buffer
 * than with 64 MiB), so each buffer size is calibrated on its own.
 */
export async function calibrate(guest: GuestImage, bufferMiB: number, o: CalibrateOptions = {}): Promise<Calibration> {
  const where = {
    guest,
    workload: { bufferMiB, pagesPerSecond: 0, mode: 'seq' as const },
    ...(o.memoryMiB === undefined ? {} : { memoryMiB: o.memoryMiB }),
    ...(o.accel === undefined ? {} : { accel: o.accel }),
    ...(o.netns === undefined ? {} : { netns: o.netns }),
    ...(o.port === undefined ? {} : { port: o.port }),
  };
  // Both idle migrations keep their query-migrate samples (Measured.samples): the pass's zero-page stretch can
  // then be timed on its own (FirstPassFit) instead of as the difference of two totals.
  const throttledSamples: QueryMigrate[] = [];
  const m0 = await runMigration({
    ...where,
    knobs: { maxBandwidthBytesPerSecond: 64 * 2 ** 20, downtimeLimitMs: 300 },
    timeoutSeconds: 120,
    onSample: (q) => throttledSamples.push(q),
  });
  const m: Measured = { ...m0, samples: throttledSamples };
  if (!m.completed || m.downtimeSeconds === null || m.downtimeBytes === null) {
    throw new Error(`calibration migration did not complete: ${m.status}`);
  }
  let unthrottled: Measured | undefined;
  if (o.throughput === true) {
    // The same idle guest unthrottled: its first pass runs as fast as the destination takes fresh pages.
    const unthrottledSamples: QueryMigrate[] = [];
    const u0 = await runMigration({
      ...where,
      knobs: { maxBandwidthBytesPerSecond: 1e12, downtimeLimitMs: 100 },
      timeoutSeconds: 120,
      onSample: (q) => unthrottledSamples.push(q),
    });
    const u: Measured = { ...u0, samples: unthrottledSamples };
    if (!u.completed || u.downtimeSeconds === null || u.downtimeBytes === null) {
      throw new Error(`unthrottled calibration migration did not complete: ${u.status}`);
    }
    unthrottled = u;
  }
  let later: { rate: number | null; samples: BusySample[] } | undefined;
  const memoryMiB = o.memoryMiB ?? GUEST_MEMORY_MIB;
  for (let attempt = 0; o.laterRounds === true && attempt < LATER_ROUND_ATTEMPTS; attempt++) {
    const samples: BusySample[] = [];
    const w = await runMigration({
      ...where,
      workload: {
        bufferMiB: Math.min(Math.max(bufferMiB, LATER_ROUND_MIN_BUFFER_MIB), Math.floor(0.8 * memoryMiB)),
        pagesPerSecond: Math.round(LATER_ROUND_WRITER.bytesPerSecond / PAGE_SIZE),
        mode: 'seq',
      },
      knobs: {
        maxBandwidthBytesPerSecond: 1e12,
        downtimeLimitMs: LATER_ROUND_WRITER.downtimeLimitMs,
        downtimeSchedule: [{ atSeconds: LATER_ROUND_SECONDS, limitMs: LATER_ROUND_WRITER.finalLimitMs }],
      },
      timeoutSeconds: 60,
      onSample: (q) => {
        if (q.status === 'active' && q.ram !== undefined) {
          samples.push([q.totalTime ?? 0, q.ram.mbps, q.ram.dirtySyncCount, q.ram.transferred]);
        }
      },
    });
    // QEMU's clock may lag the harness's by the setup: stop 0.2 s before the limit is raised.
    later = { rate: laterRoundRate(samples, LATER_ROUND_SECONDS * 1000 - 200), samples };
    if (later.rate !== null) break;
    if (attempt === LATER_ROUND_ATTEMPTS - 1) {
      throw new Error(
        `later-round calibration: ${LATER_ROUND_ATTEMPTS} attempts, the last with ${samples.filter((x) => x[2] >= 2).length} samples past the first pass, less than 0.3 s (status ${w.status}); the machine is too slow or busy`,
      );
    }
  }
  const costs = firstPassCosts(m, unthrottled);
  const firstPass = costs.firstPassBytesPerSecond;
  return {
    bufferMiB,
    memoryMiB: o.memoryMiB ?? GUEST_MEMORY_MIB,
    ...(firstPass === undefined ? {} : { firstPassBytesPerSecond: firstPass }),
    zeroPageSeconds: costs.zeroPageSeconds,
    ...(unthrottled === undefined ? {} : { unthrottled }),
    ...(later === undefined || later.rate === null
      ? {}
      : { laterRoundBytesPerSecond: later.rate, laterRoundSamples: later.samples }),
    ramTotalBytes: m.ramTotalBytes,
    idleZeroPages: m.duplicatePages,
    switchoverBytesPerSecond: m.downtimeBytes / Math.max(m.downtimeSeconds, 1e-3),
    backgroundPagesPerSecond: Math.max(
      0,
      (m.normalPages + m.duplicatePages - Math.round(m.ramTotalBytes / PAGE_SIZE)) / Math.max(m.totalSeconds, 0.1),
    ),
    setupSeconds: m.setupSeconds,
    measured: m,
  };
}

/** The calibration migration's max-bandwidth, bytes/s. */
const CALIBRATION_CAP = 64 * 2 ** 20;

/**
 * The first pass's two costs from the calibration migrations: seconds per zero page, from the throttled one
 * (at 64 MiB/s the non-zero bytes take bytes / cap; the rest of its pre-copy time is the zero pages' scan,
 * CPU time that max-bandwidth's sleeps do not hide), and the first-pass throughput from the unthrottled one
 * (its pre-copy bytes over its whole pre-copy time: the scan it overlaps is in it).
 */
export function firstPassCosts(
  throttled: Measured,
  unthrottled: Measured | undefined,
): { zeroPageSeconds: number; firstPassBytesPerSecond?: number } {
  const pre = (m: Measured) => Math.max(m.totalSeconds - m.setupSeconds - (m.downtimeSeconds ?? 0), 1e-3);
  const bytes = (m: Measured) => Math.max(m.bytesTransferred - (m.downtimeBytes ?? 0), 0);
  const zero = throttled.duplicatePages;
  const zeroPageSeconds =
    zero > 0
      ? Math.min(MAX_ZERO_PAGE_SECONDS, Math.max(0, (pre(throttled) - bytes(throttled) / CALIBRATION_CAP) / zero))
      : 0;
  if (unthrottled === undefined) return { zeroPageSeconds };
  // Gross: the unthrottled pass's own time, scan included. The model hides the scan under a sending slower
  // than the cap (zeroScanStretch in predict.ts), so this migration is predicted at max(scan, its own time).
  return { zeroPageSeconds, firstPassBytesPerSecond: bytes(unthrottled) / pre(unthrottled) };
}

/**
 * A calibration's first-pass costs, also for calibrations saved before `zeroPageSeconds` existed (their
 * unthrottled migration was not kept: its pre-copy time is taken as bytes / the saved first-pass figure).
 */
export function calibrationCosts(cal: Calibration): { zeroPageSeconds: number; firstPassBytesPerSecond?: number } {
  // Saved with its unthrottled migration: derived again, so a saved run is re-predicted with today's rule.
  if (cal.unthrottled !== undefined) return firstPassCosts(cal.measured, cal.unthrottled);
  if (cal.zeroPageSeconds !== undefined) {
    return {
      zeroPageSeconds: cal.zeroPageSeconds,
      ...(cal.firstPassBytesPerSecond === undefined ? {} : { firstPassBytesPerSecond: cal.firstPassBytesPerSecond }),
    };
  }
  const m = cal.measured;
  if (cal.firstPassBytesPerSecond === undefined) return firstPassCosts(m, undefined);
  const preBytes = Math.max(m.bytesTransferred - (m.downtimeBytes ?? 0), 0);
  const u: Measured = {
    ...m,
    totalSeconds: preBytes / cal.firstPassBytesPerSecond,
    setupSeconds: 0,
    downtimeSeconds: 0,
    bytesTransferred: preBytes,
    downtimeBytes: 0,
  };
  return firstPassCosts(m, u);
}

/**
 * One calibration from several of the same guest and buffer: the median of each figure (first-pass throughput,
 * zero-page scan, later-round speed, idle stop-and-copy speed, background dirtying; an even count takes the mean
 * of the two middle values, so the two calibrations that bracket a cell in time give their mean). On two shared
 * cores a single idle migration is one sample of a machine whose speed varies from minute to minute (first
 * passes of 144 and 716 MB/s for the same guest at load < 4); `measured` and the page counts are those of the
 * run with the median idle stop-and-copy speed (the upper middle for an even count).
 */
export function medianCalibration(cals: readonly Calibration[]): Calibration {
  if (cals.length === 0) throw new Error('medianCalibration: no calibration');
  const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  };
  const bySwitchover = [...cals].sort((a, b) => a.switchoverBytesPerSecond - b.switchoverBytesPerSecond)[
    Math.floor(cals.length / 2)
  ]!;
  const costs = cals.map(calibrationCosts);
  const firstPasses = costs.flatMap((k) =>
    k.firstPassBytesPerSecond === undefined ? [] : [k.firstPassBytesPerSecond],
  );
  const later = cals.flatMap((c) => (c.laterRoundBytesPerSecond === undefined ? [] : [c.laterRoundBytesPerSecond]));
  // Without the chosen run's unthrottled migration: calibrationCosts would derive the first pass from it again.
  const { unthrottled: _one, ...base } = bySwitchover;
  return {
    ...base,
    switchoverBytesPerSecond: median(cals.map((c) => c.switchoverBytesPerSecond)),
    ...(firstPasses.length === 0 ? {} : { firstPassBytesPerSecond: median(firstPasses) }),
    zeroPageSeconds: median(costs.map((k) => k.zeroPageSeconds)),
    ...(later.length === 0 ? {} : { laterRoundBytesPerSecond: median(later) }),
    backgroundPagesPerSecond: median(cals.map((c) => c.backgroundPagesPerSecond)),
  };
}

/** One validation case: a workload and the knobs. */
export interface ValidationCase {
  readonly name: string;
  readonly workload: Workload;
  readonly knobs: MigrationKnobs;
  readonly timeoutSeconds: number;
  /** Guest RAM, MiB; default {@link GUEST_MEMORY_MIB}. Must match the calibration's. */
  readonly memoryMiB?: number;
}

/**
 * The prediction input for a case, from its knobs, its workload and the calibration. `setupSeconds` is QEMU's
 * own setup-time of the migration (the time before the first page is sent, which the model does not predict):
 * the calibration's was a poor stand-in, 0.95 s for the idle migration under load where the validation
 * migrations measured 2-5 ms, and it inflated every prediction by that much.
 */
export function predictionInput(c: ValidationCase, cal: Calibration, setupSeconds = 0): QemuMigrationParams {
  const pages = Math.round(cal.ramTotalBytes / PAGE_SIZE);
  if (cal.bufferMiB !== c.workload.bufferMiB) {
    throw new Error(
      `case ${c.name}: calibration is for a ${cal.bufferMiB} MiB buffer, the case uses ${c.workload.bufferMiB} MiB`,
    );
  }
  if ((cal.memoryMiB ?? GUEST_MEMORY_MIB) !== (c.memoryMiB ?? GUEST_MEMORY_MIB)) {
    throw new Error(`case ${c.name}: calibration is for ${cal.memoryMiB} MiB of RAM, the case uses ${c.memoryMiB} MiB`);
  }
  const bufferPages = (c.workload.bufferMiB * 2 ** 20) / PAGE_SIZE;
  const zeroPages = cal.idleZeroPages;
  const costs = calibrationCosts(cal);
  return {
    memoryBytes: cal.ramTotalBytes,
    pageSizeBytes: PAGE_SIZE,
    maxBandwidthBytesPerSecond: c.knobs.maxBandwidthBytesPerSecond,
    downtimeLimitSeconds: c.knobs.downtimeLimitMs / 1000,
    dirtyPagesPerSecond: c.workload.pagesPerSecond + (cal.backgroundPagesPerSecond ?? 0),
    // The link is what the calibration measured (later rounds of a busy migration when measured, else the idle
    // guest's stop-and-copy): a max-bandwidth above it is clamped by the model (with a note).
    linkBandwidthBytesPerSecond: cal.laterRoundBytesPerSecond ?? cal.switchoverBytesPerSecond,
    ...(costs.firstPassBytesPerSecond === undefined
      ? {}
      : { firstPassBandwidthBytesPerSecond: costs.firstPassBytesPerSecond }),
    zeroPageFraction: zeroPages / pages,
    zeroPageSeconds: costs.zeroPageSeconds,
    workingSetPages: bufferPages,
    dirtyPattern: c.workload.mode === 'rand' ? 'random' : 'sequential',
    setupSeconds,
    ...(c.knobs.downtimeSchedule === undefined
      ? {}
      : {
          downtimeLimitSchedule: c.knobs.downtimeSchedule.map((st) => ({
            atSeconds: st.atSeconds,
            limitSeconds: st.limitMs / 1000,
          })),
        }),
  };
}

/** A case's prediction next to its measurement, with the relative errors the targets are stated in. */
export interface Comparison {
  readonly case: ValidationCase;
  readonly rho: number;
  readonly predicted: QemuPrediction;
  readonly measured: Measured;
  /** (predicted - measured) / measured; null when either side did not converge. */
  readonly totalTimeError: number | null;
  readonly bytesError: number | null;
  /** predicted - measured dirty-sync-count. */
  readonly roundsError: number | null;
  /** predicted - measured downtime, seconds. */
  readonly downtimeErrorSeconds: number | null;
  /** Within the targets: total time 10 %, rounds 1, bytes 5 %, downtime max(20 ms, 25 %); convergence agrees. */
  readonly withinTargets: boolean;
}

/** Runs a case and compares it with its prediction. */
export async function validateCase(
  guest: GuestImage,
  c: ValidationCase,
  cal: Calibration,
  hooks: Pick<RunOptions, 'beforeMigrate' | 'onSample' | 'vcpuSampleSeconds'> = {},
  where: { readonly accel?: Accelerator } = {},
): Promise<Comparison> {
  const measured = await runMigration({
    guest,
    workload: c.workload,
    knobs: c.knobs,
    timeoutSeconds: c.timeoutSeconds,
    ...(c.memoryMiB === undefined ? {} : { memoryMiB: c.memoryMiB }),
    ...(where.accel === undefined ? {} : { accel: where.accel }),
    ...hooks,
  });
  // Everything but QEMU's own setup-time comes from the calibration and the case (see predictionInput).
  const predicted = predictQemuMigration(predictionInput(c, cal, measured.setupSeconds));
  return compare(c, predicted, measured);
}

export function compare(c: ValidationCase, predicted: QemuPrediction, measured: Measured): Comparison {
  const both = predicted.converges && measured.completed;
  const totalTimeError =
    both && predicted.converges ? (predicted.totalSeconds - measured.totalSeconds) / measured.totalSeconds : null;
  const bytesError =
    both && predicted.converges
      ? (predicted.bytesTransferred - measured.bytesTransferred) / measured.bytesTransferred
      : null;
  const roundsError = both && predicted.converges ? predicted.iterations - measured.dirtySyncCount : null;
  const downtimeErrorSeconds =
    both && predicted.converges && measured.downtimeSeconds !== null
      ? predicted.downtimeSeconds - measured.downtimeSeconds
      : null;
  const downtimeOk =
    downtimeErrorSeconds === null ||
    Math.abs(downtimeErrorSeconds) <= Math.max(0.02, 0.25 * (measured.downtimeSeconds ?? 0));
  const withinTargets =
    predicted.converges === measured.completed &&
    (!both ||
      (Math.abs(totalTimeError!) <= 0.1 && Math.abs(roundsError!) <= 1 && Math.abs(bytesError!) <= 0.05 && downtimeOk));
  return {
    case: c,
    rho: predicted.rho,
    predicted,
    measured,
    totalTimeError,
    bytesError,
    roundsError,
    downtimeErrorSeconds,
    withinTargets,
  };
}
