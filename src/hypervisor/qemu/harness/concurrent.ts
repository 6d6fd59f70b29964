/**
 * Several migrations at once through one shared link (issue 13, point 4). Each scenario makes its own network
 * namespace with a shaped loopback (netns.ts), boots every guest's source and destination QEMU inside it,
 * then migrates the guests `concurrency` at a time in the listed order (a new one starts when one ends), all
 * over 127.0.0.1 through the one token bucket. Namespace, qdisc and every QEMU are removed in `finally`, also on
 * failure or interrupt (QEMUs by pid, vm.ts; namespaces by name, netns.ts).
 *
 * The prediction is pluggable ({@link SchedulePredictor}). The default is the fleet planner's prediction of the
 * schedule as run ({@link fleetPredictor}, fleet-predictor.ts: src/fleet's predictFleet, shares recomputed at
 * every event). The second column, {@link fairSharePredictor}, predicts each migration on its own at its
 * max-min fair share of the link among the first `concurrency` migrations (caps respected), then replays the
 * queue with the predicted durations for start times and the makespan.
 */
import { type QemuMigrationParams, type QemuPrediction, predictQemuMigration } from '../predict.js';
import { errorStats } from './grid.js';
import {
  type Calibration,
  GUEST_MEMORY_MIB,
  type Measured,
  type MigrationKnobs,
  migratePair,
  PAGE_SIZE,
  type Pair,
  startPair,
  stopPair,
} from './migration.js';
import { fleetPredictor } from './fleet-predictor.js';
import { createShapedNamespace } from './netns.js';
import type { Accelerator, GuestImage, Workload } from './vm.js';

export interface ConcurrentGuest {
  readonly name: string;
  readonly workload: Workload;
  readonly knobs: MigrationKnobs;
}

export interface ConcurrentScenario {
  readonly name: string;
  /** The shaped loopback, Mbit/s. */
  readonly rateMbit: number;
  readonly guests: readonly ConcurrentGuest[];
  /** Migrations in flight at once, 1..guests. */
  readonly concurrency: number;
  /** Cancel a migration (counts as not converged) after this long, seconds. */
  readonly timeoutSeconds: number;
}

/** What a predictor is given. */
export interface SchedulePredictionInput {
  readonly scenario: ConcurrentScenario;
  readonly linkBytesPerSecond: number;
  /** Each guest's single-migration input without the link figures (the predictor sets them). */
  readonly params: readonly QemuMigrationParams[];
}

export interface PredictedMigration {
  readonly prediction: QemuPrediction;
  /** Seconds from the first migration's start. */
  readonly startSeconds: number;
  /** The bandwidth the prediction assumed, bytes/s. */
  readonly shareBytesPerSecond: number;
}

export interface SchedulePrediction {
  readonly method: string;
  readonly migrations: readonly PredictedMigration[];
  /** null when a migration is predicted never to converge. */
  readonly makespanSeconds: number | null;
}

export type SchedulePredictor = (input: SchedulePredictionInput) => SchedulePrediction;

/**
 * Max-min fair shares of one link among migrations capped at `caps` (progressive filling: everyone grows
 * together; a migration freezes at its cap; the rest share what is left).
 * @example maxMinShares(100, [10, 1000, 1000]) // [10, 45, 45]
 */
export function maxMinShares(link: number, caps: readonly number[]): number[] {
  const out = caps.map(() => 0);
  let left = link;
  let open = caps.map((_, i) => i);
  for (let guard = 0; guard <= caps.length && open.length > 0; guard++) {
    const even = left / open.length;
    const frozen = open.filter((i) => caps[i]! <= even);
    if (frozen.length === 0) {
      for (const i of open) out[i] = even;
      break;
    }
    for (const i of frozen) {
      out[i] = caps[i]!;
      left -= caps[i]!;
    }
    open = open.filter((i) => caps[i]! > even);
  }
  return out;
}

/**
 * The single-migration prediction at the fair share: each migration at its max-min share among the first
 * `concurrency` (a crude stand-in for fleet predict: it ignores that shares grow when neighbours finish), link
 * and first pass capped by the share; start times and makespan from replaying the queue.
 */
export const fairSharePredictor: SchedulePredictor = (input) => {
  const { scenario, linkBytesPerSecond, params } = input;
  const c = Math.min(scenario.concurrency, params.length);
  const caps = params.slice(0, c).map((p) => p.maxBandwidthBytesPerSecond);
  const shares = maxMinShares(linkBytesPerSecond, caps);
  // A migration started later shares with c - 1 others too: it takes the share of the slot it fills.
  const migrations: { prediction: QemuPrediction; share: number }[] = params.map((p, i) => {
    const share =
      i < c ? shares[i]! : maxMinShares(linkBytesPerSecond, [p.maxBandwidthBytesPerSecond, ...caps.slice(1)])[0]!;
    const prediction = predictQemuMigration({
      ...p,
      linkBandwidthBytesPerSecond: Math.min(p.linkBandwidthBytesPerSecond ?? share, share),
      firstPassBandwidthBytesPerSecond: Math.min(p.firstPassBandwidthBytesPerSecond ?? share, share),
    });
    return { prediction, share };
  });
  // Replay the queue: c slots, each takes the next migration when its current one ends.
  const slots = Array.from({ length: c }, () => 0);
  let makespan: number | null = 0;
  const out: PredictedMigration[] = migrations.map((m) => {
    const k = slots.indexOf(Math.min(...slots));
    const start = slots[k]!;
    const dur = m.prediction.converges ? m.prediction.totalSeconds : scenario.timeoutSeconds;
    if (!m.prediction.converges) makespan = null;
    slots[k] = start + dur;
    return { prediction: m.prediction, startSeconds: start, shareBytesPerSecond: m.share };
  });
  return {
    method: 'single-migration prediction at the max-min fair share',
    migrations: out,
    makespanSeconds: makespan === null ? null : Math.max(...slots),
  };
};

/** One migration of a scenario, predicted and measured. */
export interface ConcurrentRow {
  readonly guest: string;
  readonly predicted: PredictedMigration;
  readonly measured: Measured;
  /** Seconds from the first migration's start. */
  readonly startSeconds: number;
  readonly totalTimeError: number | null;
  readonly bytesError: number | null;
  readonly downtimeErrorSeconds: number | null;
  readonly verdictRight: boolean;
}

export interface ConcurrentResult {
  readonly scenario: ConcurrentScenario;
  readonly accelerator: Accelerator;
  readonly namespace: string;
  readonly method: string;
  readonly rows: readonly ConcurrentRow[];
  /** First migrate to last end, seconds. */
  readonly makespanSeconds: number;
  readonly predictedMakespanSeconds: number | null;
  readonly makespanError: number | null;
  /** The token bucket's rate and the TCP goodput measured through it (the link the prediction used), bytes/s. */
  readonly shapedBytesPerSecond: number;
  readonly goodputBytesPerSecond: number;
  /** Every QEMU process the scenario started (all stopped when it returns). */
  readonly pids: readonly number[];
  /** The second predictor's figures (default: the fair-share stand-in), for comparison. */
  readonly second: SecondPrediction;
}

/** The comparison column: another predictor's per-migration total time and makespan, with errors. */
export interface SecondPrediction {
  readonly method: string;
  readonly totalSeconds: readonly (number | null)[];
  readonly totalTimeErrors: readonly (number | null)[];
  readonly makespanSeconds: number | null;
  readonly makespanError: number | null;
}

/** (predicted - measured) / measured, or null when the measurement is not a positive figure. */
const relErr = (predicted: number, measured: number): number | null =>
  measured > 0 && Number.isFinite(predicted) ? (predicted - measured) / measured : null;

/** Compares a schedule prediction's total times and makespan with what was measured. */
export function compareSchedule(
  predicted: SchedulePrediction,
  measured: readonly Measured[],
  makespan: number,
): SecondPrediction {
  const totals = predicted.migrations.map((p) => (p.prediction.converges ? p.prediction.totalSeconds : null));
  return {
    method: predicted.method,
    totalSeconds: totals,
    totalTimeErrors: totals.map((t, i) => {
      const m = measured[i];
      return t === null || m === undefined || !m.completed ? null : relErr(t, m.totalSeconds);
    }),
    makespanSeconds: predicted.makespanSeconds,
    makespanError:
      predicted.makespanSeconds === null || measured.some((m) => !m.completed)
        ? null
        : relErr(predicted.makespanSeconds, makespan),
  };
}

/**
 * The prediction inputs of a scenario's guests from a calibration (RAM, zero pages, background dirtying) and
 * each migration's own QEMU setup-time, seconds (default 0; see predictionInput in migration.ts).
 */
export function scenarioParams(
  s: ConcurrentScenario,
  cal: Calibration,
  setupSeconds: readonly number[] = [],
): QemuMigrationParams[] {
  const pages = Math.round(cal.ramTotalBytes / PAGE_SIZE);
  return s.guests.map((g, i) => {
    if (g.workload.bufferMiB !== cal.bufferMiB) {
      throw new Error(`guest ${g.name}: calibration is for a ${cal.bufferMiB} MiB buffer, not ${g.workload.bufferMiB}`);
    }
    return {
      memoryBytes: cal.ramTotalBytes,
      pageSizeBytes: PAGE_SIZE,
      maxBandwidthBytesPerSecond: g.knobs.maxBandwidthBytesPerSecond,
      downtimeLimitSeconds: g.knobs.downtimeLimitMs / 1000,
      dirtyPagesPerSecond: g.workload.pagesPerSecond + cal.backgroundPagesPerSecond,
      linkBandwidthBytesPerSecond: cal.switchoverBytesPerSecond,
      ...(cal.firstPassBytesPerSecond === undefined
        ? {}
        : { firstPassBandwidthBytesPerSecond: cal.firstPassBytesPerSecond }),
      zeroPageFraction: cal.idleZeroPages / pages,
      workingSetPages: (g.workload.bufferMiB * 2 ** 20) / PAGE_SIZE,
      dirtyPattern: g.workload.mode === 'rand' ? 'random' : 'sequential',
      setupSeconds: setupSeconds[i] ?? 0,
    };
  });
}

/**
 * Predicts the schedule as run (each guest started at its measured offset in list order, `concurrency` at a
 * time) and compares it with the measurements: the part of {@link runConcurrent} after the migrations, exported
 * so that a saved run can be re-predicted with the current model (`scripts/qemu-concurrent.mjs --from`).
 */
export function scoreScenario(
  s: ConcurrentScenario,
  cal: Calibration,
  measured: readonly Measured[],
  startSeconds: readonly number[],
  link: number,
  o: { readonly predictor?: SchedulePredictor; readonly compareWith?: SchedulePredictor } = {},
): Pick<
  ConcurrentResult,
  'second' | 'scenario' | 'method' | 'rows' | 'makespanSeconds' | 'predictedMakespanSeconds' | 'makespanError'
> {
  const input = {
    scenario: s,
    linkBytesPerSecond: link,
    params: scenarioParams(
      s,
      cal,
      measured.map((m) => m.setupSeconds),
    ),
  };
  const predicted = (o.predictor ?? fleetPredictor)(input);
  const ends = measured.map((m, i) => startSeconds[i]! + m.totalSeconds);
  const makespan = Math.max(...ends);
  const rows: ConcurrentRow[] = measured.map((m, i) => {
    const p = predicted.migrations[i]!;
    const pr = p.prediction;
    const both = pr.converges && m.completed;
    return {
      guest: s.guests[i]!.name,
      predicted: p,
      measured: m,
      startSeconds: startSeconds[i]!,
      totalTimeError: both && pr.converges ? relErr(pr.totalSeconds, m.totalSeconds) : null,
      bytesError: both && pr.converges ? relErr(pr.bytesTransferred, m.bytesTransferred) : null,
      downtimeErrorSeconds:
        both && pr.converges && m.downtimeSeconds !== null ? pr.downtimeSeconds - m.downtimeSeconds : null,
      verdictRight: pr.converges === m.completed,
    };
  });
  return {
    second: compareSchedule((o.compareWith ?? fairSharePredictor)(input), measured, makespan),
    scenario: s,
    method: predicted.method,
    rows,
    makespanSeconds: makespan,
    predictedMakespanSeconds: predicted.makespanSeconds,
    makespanError:
      predicted.makespanSeconds === null || measured.some((m) => !m.completed)
        ? null
        : relErr(predicted.makespanSeconds, makespan),
  };
}

/**
 * Runs a scenario in its own shaped namespace and compares it with the predictor's schedule. Every QEMU and
 * the namespace are removed before it returns or throws.
 */
export async function runConcurrent(
  s: ConcurrentScenario,
  guest: GuestImage,
  cal: Calibration,
  o: {
    readonly accel?: Accelerator;
    /** Default: the fleet planner's prediction ({@link fleetPredictor}). */
    readonly predictor?: SchedulePredictor;
    /** The comparison column; default {@link fairSharePredictor}. */
    readonly compareWith?: SchedulePredictor;
    /**
     * The link the prediction uses: the token bucket's rate (`nominal`, default) or the TCP goodput measured
     * through it (`goodput`). The goodput probe is one Node process driving both ends, so on a busy machine it
     * measures the CPU, not the link (23.5 MB/s of a 50 MB/s bucket at load 15, while two migrations moved 44).
     */
    readonly linkFrom?: 'nominal' | 'goodput';
  } = {},
): Promise<ConcurrentResult> {
  if (!Number.isInteger(s.concurrency) || s.concurrency < 1 || s.concurrency > s.guests.length) {
    throw new Error(`scenario ${s.name}: concurrency ${s.concurrency} must be 1 to ${s.guests.length}`);
  }
  const ns = await createShapedNamespace({ rateMbit: s.rateMbit });
  const pairs: Pair[] = [];
  try {
    // TCP goodput through the shaped loopback before any QEMU starts (reported; the link if linkFrom: goodput).
    const goodput = await ns.goodput();
    const link = o.linkFrom === 'goodput' ? goodput : ns.bytesPerSecond;
    for (const [i, g] of s.guests.entries()) {
      pairs.push(
        await startPair({
          guest,
          workload: g.workload,
          memoryMiB: cal.memoryMiB ?? GUEST_MEMORY_MIB,
          netns: ns.name,
          port: 40000 + i,
          name: `g${i}-`,
          ...(o.accel === undefined ? {} : { accel: o.accel }),
        }),
      );
    }
    const results: (Measured | undefined)[] = s.guests.map(() => undefined);
    let next = 0;
    const t0 = Date.now();
    // Each of `concurrency` slots takes the next guest as soon as its migration has ended (onEnded), not after
    // the destination check: the schedule run is then the fleet dispatcher's "next one when one ends".
    const running: Promise<void>[] = [];
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= s.guests.length) return;
        let free = () => {};
        const slot = new Promise<void>((r) => {
          free = r;
        });
        running.push(
          migratePair(pairs[i]!, {
            knobs: s.guests[i]!.knobs,
            timeoutSeconds: s.timeoutSeconds,
            pollMs: 25,
            onEnded: () => free(),
          })
            .then((m) => {
              results[i] = m;
            })
            .finally(() => free()),
        );
        await slot;
      }
    };
    await Promise.all(Array.from({ length: s.concurrency }, worker));
    await Promise.all(running);
    const measured = results.map((m) => m!);
    const scored = scoreScenario(
      s,
      cal,
      measured,
      measured.map((m) => (m.startedAtMs - t0) / 1000),
      link,
      o,
    );
    return {
      ...scored,
      shapedBytesPerSecond: ns.bytesPerSecond,
      goodputBytesPerSecond: goodput,
      pids: pairs.flatMap((p) => [p.src.pid, p.dst.pid]),
      accelerator: o.accel ?? 'tcg',
      namespace: ns.name,
    };
  } finally {
    for (const p of pairs) await stopPair(p);
    await ns.remove();
  }
}

const MiB = 2 ** 20;
const guestOf = (name: string, pagesPerSecond: number, mode: 'seq' | 'rand', capMiB: number, dl = 100) => ({
  name,
  workload: { bufferMiB: 64, pagesPerSecond, mode },
  knobs: { maxBandwidthBytesPerSecond: capMiB * MiB, downtimeLimitMs: dl },
});

/**
 * The concurrent grid: 10 scenarios over a 400 Mbit/s (50 MB/s) loopback, 2-4 guests of 256 MiB, concurrency
 * 1-4, light to heavy writers, caps below and above the share. `4x heavy seq, all at once` does not converge
 * (each gets 12.5 MB/s against 20.5 MB/s of writes) while `4x heavy seq, one by one` does (50 MB/s each).
 */
export function concurrentGrid(): ConcurrentScenario[] {
  const light = (i: number) => guestOf(`light${i}`, 500, 'seq', 64);
  const mid = (i: number) => guestOf(`rand${i}`, 1000, 'rand', 64);
  const heavy = (i: number) => guestOf(`heavy${i}`, 5000, 'seq', 64);
  const base = { rateMbit: 400, timeoutSeconds: 90 };
  return [
    { ...base, name: '2x light, at once', guests: [light(0), light(1)], concurrency: 2 },
    { ...base, name: '2x light, one by one', guests: [light(0), light(1)], concurrency: 1 },
    { ...base, name: 'light + random, at once', guests: [light(0), mid(1)], concurrency: 2 },
    {
      ...base,
      name: '2x capped 16 MiB/s + 64 MiB/s',
      guests: [guestOf('cap16', 500, 'seq', 16), light(1)],
      concurrency: 2,
    },
    { ...base, name: '3x random, at once', guests: [mid(0), mid(1), mid(2)], concurrency: 3 },
    { ...base, name: '3x random, one by one', guests: [mid(0), mid(1), mid(2)], concurrency: 1 },
    { ...base, name: '4x light, two at a time', guests: [light(0), light(1), light(2), light(3)], concurrency: 2 },
    { ...base, name: '4x light, all at once', guests: [light(0), light(1), light(2), light(3)], concurrency: 4 },
    {
      ...base,
      timeoutSeconds: 60,
      name: '4x heavy seq, all at once (never)',
      guests: [heavy(0), heavy(1), heavy(2), heavy(3)],
      concurrency: 4,
    },
    { ...base, name: '4x heavy seq, one by one', guests: [heavy(0), heavy(1), heavy(2), heavy(3)], concurrency: 1 },
  ];
}

/** The CI scenario: two light guests at once through a 400 Mbit/s loopback (caps 32 MiB/s: they share). */
export function ciConcurrentScenario(): ConcurrentScenario {
  return {
    name: '2x light 32 MiB/s caps, at once (CI)',
    rateMbit: 400,
    timeoutSeconds: 90,
    concurrency: 2,
    guests: [guestOf('a', 500, 'seq', 32), guestOf('b', 500, 'seq', 32)],
  };
}

const pct = (x: number | null) =>
  x === null || !Number.isFinite(x) ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** Markdown table of concurrent results: one line per migration, then per scenario makespan, then a summary. */
export function concurrentTable(results: readonly ConcurrentResult[], command: string): string {
  const lines = [
    '| scenario | guest | start s | share MB/s | total s pred/meas (err) | 2nd: total s (err) | bytes MB pred/meas (err) | downtime ms pred/meas | verdict |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const [i, row] of r.rows.entries()) {
      const p = row.predicted.prediction;
      const t2 = r.second.totalSeconds[i];
      const m = row.measured;
      lines.push(
        `| ${r.scenario.name} | ${row.guest} | ${row.startSeconds.toFixed(1)} | ${(row.predicted.shareBytesPerSecond / 1e6).toFixed(1)} | ${
          p.converges ? p.totalSeconds.toFixed(2) : 'never'
        }/${m.completed ? m.totalSeconds.toFixed(2) : `${m.status} at ${m.totalSeconds.toFixed(0)}`} (${pct(row.totalTimeError)}) | ${
          t2 === null || t2 === undefined ? 'never' : t2.toFixed(2)
        } (${pct(r.second.totalTimeErrors[i] ?? null)}) | ${
          p.converges ? (p.bytesTransferred / 1e6).toFixed(1) : '-'
        }/${(m.bytesTransferred / 1e6).toFixed(1)} (${pct(row.bytesError)}) | ${
          p.converges ? (p.downtimeSeconds * 1000).toFixed(0) : '-'
        }/${m.downtimeSeconds === null ? '-' : (m.downtimeSeconds * 1000).toFixed(0)} | ${row.verdictRight ? 'right' : 'WRONG'} |`,
      );
    }
    lines.push(
      `| ${r.scenario.name} | makespan | | goodput ${(r.goodputBytesPerSecond / 1e6).toFixed(1)} of ${(r.shapedBytesPerSecond / 1e6).toFixed(1)} | ${r.predictedMakespanSeconds?.toFixed(2) ?? 'never'}/${r.makespanSeconds.toFixed(2)} (${pct(r.makespanError)}) | ${r.second.makespanSeconds?.toFixed(2) ?? 'never'} (${pct(r.second.makespanError)}) | | | ${r.accelerator} |`,
    );
  }
  const t = errorStats(results.flatMap((r) => r.rows.map((x) => x.totalTimeError)));
  const mk = errorStats(results.map((r) => r.makespanError));
  const t2 = errorStats(results.flatMap((r) => r.second.totalTimeErrors));
  const mk2 = errorStats(results.map((r) => r.second.makespanError));
  const wrong = results.flatMap((r) => r.rows).filter((x) => !x.verdictRight).length;
  lines.push(
    '',
    `Summary over ${results.length} scenarios: per-migration total time error median ${t ? (t.median * 100).toFixed(1) : '-'} % (worst ${
      t ? (t.worst * 100).toFixed(1) : '-'
    } %); makespan error median ${mk ? (mk.median * 100).toFixed(1) : '-'} % (worst ${mk ? (mk.worst * 100).toFixed(1) : '-'} %); ${wrong} wrong verdicts. Prediction: ${results[0]?.method ?? '-'}. Second column (${results[0]?.second.method ?? '-'}): total time error median ${t2 ? (t2.median * 100).toFixed(1) : '-'} %, makespan median ${mk2 ? (mk2.median * 100).toFixed(1) : '-'} %.`,
    `Re-run: \`${command}\``,
  );
  return `${lines.join('\n')}\n`;
}
