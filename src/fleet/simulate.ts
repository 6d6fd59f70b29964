/**
 * The independent check of the fleet predictor: a fleet schedule run through the page-level multi-VM simulator
 * (src/simulate/multi.ts, `simulateMany`), which follows the same sharing contract (docs/fleet.md, "Simulator
 * cross-check").
 *
 * Mapping of one {@link FleetMigration} onto a {@link MultiMigration}:
 * - links: the same capacities (already times the link share), the same path, the same pre-copy cap c_i;
 * - workload: sequential writes into all of memory -> the fluid workload (the paper's, Eq. 5: min(D T, Ps));
 *   sequential into a working set W < Ps -> the page-level `working-set` writer (min(D t, W) whole pages);
 *   random writes -> page-level random writes (Poisson in time, uniform over the W pages; the engine's
 *   W (1 - e^(-D T / W)) is their expectation); the hot/cold description is already folded into D_eff (Eq. 17);
 * - zero pages: the same count, 0 bytes each (the engine's "zero pages cost nothing");
 * - stop rule: QEMU's with the same downtime-limit (and Nova's steps), checked once per round (no QEMU carry-over:
 *   each round sends every pending page, as the contract says); alpha; Xen's; `fullFirstRound` so that the rule
 *   is evaluated at round ends only; the round limit = the policy's maxRounds (stall detection off below it);
 * - dispatch: the simulator has no concurrency caps (the contract's schedule is start times and "start after X").
 *   The caps are carried over as hand-overs of concurrency slots: each cap (a source host's, a target host's,
 *   the total) is a pool of slots; taking the migrations in the predicted start order, each takes a free slot of
 *   every pool it needs (the one freed last) and waits for the previous holder of each. The caps then hold in
 *   the simulator whatever the durations it finds (a slot has one holder at a time), and with fluid workloads
 *   every migration starts exactly when the predictor started it.
 */
import { type MultiMigration, type MultiSimulationResult, simulateMany } from '../simulate/multi.js';
import type { StopRuleSpec } from '../simulate/stop-rules.js';
import type { WorkloadSpec } from '../simulate/workloads.js';
import { XEN_MAX_ITERATIONS, XEN_TARGET_PAGES } from './build.js';
import {
  type FleetMigration,
  type FleetPrediction,
  type FleetScheduleInput,
  type MigrationOutcome,
  type RoundRecord,
  predictFleet,
} from './engine.js';

/** Seconds between two checks of QEMU's threshold inside a round: longer than any round, so one check per round. */
const ONE_CHECK_PER_ROUND_SECONDS = 1e12;

export interface FleetSimulationOptions {
  /** Seed of the simulator's random streams (random writes); default 1. */
  readonly seed?: number;
  /** The engine's prediction of the same schedule, when the caller already has it (else computed here). */
  readonly prediction?: FleetPrediction;
  /** Keep every round in the simulated outcomes. */
  readonly recordRounds?: boolean;
}

export interface FleetSimulation {
  /** The simulator's outcome, in the engine's shape (schedule order); energy with the same coefficients. */
  readonly simulated: FleetPrediction;
  /** The engine's prediction of the same schedule (the hand-overs come from its start order). */
  readonly predicted: FleetPrediction;
  /** Per migration (schedule order), the migrations it waited for in the simulator: its own `after` and the slot hand-overs. */
  readonly startAfter: readonly (readonly number[])[];
  readonly raw: MultiSimulationResult;
}

function workloadOf(m: FleetMigration): WorkloadSpec {
  const D = m.dirtyPagesPerSecond;
  const W = m.workingSetPages;
  const whole = W >= m.pages;
  if (m.pattern === 'sequential') {
    return whole
      ? { kind: 'fluid', dirtyPagesPerSecond: D }
      : { kind: 'working-set', dirtyPagesPerSecond: D, workingSetPages: Math.max(1, Math.round(W)) };
  }
  if (whole) return { kind: 'random', dirtyPagesPerSecond: D };
  // Random writes into pages [0, W): the simulator's hot set, at D in all (per page D / W), nothing elsewhere.
  const beta = W / m.pages;
  return { kind: 'hot-cold', hotFraction: beta, hotDirtyPagesPerSecond: D / beta, coldDirtyPagesPerSecond: 0 };
}

function stopRuleOf(m: FleetMigration): StopRuleSpec {
  const r = m.stopRule;
  if (r.kind === 'qemu') {
    return {
      kind: 'qemu',
      downtimeLimitSeconds: r.downtimeLimitSeconds,
      checkIntervalSeconds: ONE_CHECK_PER_ROUND_SECONDS,
      ...(r.steps ? { downtimeSteps: r.steps } : {}),
    };
  }
  if (r.kind === 'alpha') return { kind: 'alpha', alpha: r.alpha };
  if (r.targetPages !== XEN_TARGET_PAGES || r.maxIterations !== XEN_MAX_ITERATIONS) {
    throw new Error(`fleet simulate: Xen rule with ${r.targetPages} pages / ${r.maxIterations} rounds not supported`);
  }
  return { kind: 'xen' };
}

/**
 * The slot hand-overs that carry a schedule's concurrency caps into the simulator (see the module comment).
 * Returns, per migration, the migrations whose slots it takes (indices, schedule order).
 */
export function slotHandovers(s: FleetScheduleInput, predicted: FleetPrediction): number[][] {
  const n = s.migrations.length;
  const H = s.hosts.length;
  interface Slot {
    holder: number;
    freeAt: number;
  }
  const pools = new Map<string, Slot[]>();
  const pool = (key: string, cap: number | undefined): Slot[] | undefined => {
    if (cap === undefined || !Number.isFinite(cap) || cap >= n) return undefined;
    let p = pools.get(key);
    if (!p) {
      p = Array.from({ length: Math.max(0, cap) }, () => ({ holder: -1, freeAt: 0 }));
      pools.set(key, p);
    }
    return p;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => predicted.migrations[a]!.startSeconds - predicted.migrations[b]!.startSeconds || a - b,
  );
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const i of order) {
    const m = s.migrations[i]!;
    const t = predicted.migrations[i]!.startSeconds;
    const need = [
      m.sourceIndex < H ? pool(`s${m.sourceIndex}`, s.caps?.perSource?.[m.sourceIndex]) : undefined,
      pool(`t${m.targetIndex}`, s.caps?.perTarget?.[m.targetIndex]),
      pool('total', s.caps?.total),
    ];
    for (const p of need) {
      if (!p || p.length === 0) continue;
      // The free slot freed last (its holder ended at or before t); none free cannot happen for a dispatch that
      // respected the cap, but rounding is not trusted: then the slot freed first.
      let best: Slot | undefined;
      let first = p[0]!;
      for (const slot of p) {
        if (slot.freeAt <= t && (best === undefined || slot.freeAt > best.freeAt)) best = slot;
        if (slot.freeAt < first.freeAt) first = slot;
      }
      const slot = best ?? first;
      if (slot.holder >= 0 && !out[i]!.includes(slot.holder)) out[i]!.push(slot.holder);
      slot.holder = i;
      slot.freeAt = predicted.migrations[i]!.endSeconds;
    }
  }
  return out;
}

/**
 * Runs a fleet schedule through the multi-VM simulator and returns its outcome in the engine's shape, with the
 * engine's prediction beside it.
 * @throws ModelInputError when the schedule is beyond the simulator's bounds (MULTI_LIMITS: e.g. the sum of
 *   round caps, or the page-level bitmaps of random writers)
 */
export function simulateFleet(s: FleetScheduleInput, options: FleetSimulationOptions = {}): FleetSimulation {
  const predicted = options.prediction ?? predictFleet(s);
  const handovers = slotHandovers(s, predicted);
  const startAfter = s.migrations.map((m, i) => [...new Set([...m.after, ...handovers[i]!])]);
  const linkName = (l: number) => `L${l}`;
  const migrations: MultiMigration[] = s.migrations.map((m, i) => ({
    id: `m${i}`,
    pages: m.pages,
    pageSizeBytes: m.pageSizeBytes,
    workload: workloadOf(m),
    stopRule: stopRuleOf(m),
    zeroFraction: (m.pages - m.firstRoundPages) / m.pages,
    zeroPageBytes: 0,
    roundLimit: m.maxRounds,
    stallRounds: m.maxRounds + 1,
    startSeconds: m.startSeconds,
    startAfter: startAfter[i]!.map((j) => `m${j}`),
    links: m.links.map(linkName),
    capBytesPerSecond: m.capBytesPerSecond,
    fullFirstRound: true,
  }));
  const raw = simulateMany({
    links: s.links.map((l, i) => ({ name: linkName(i), bytesPerSecond: l.capacityBytesPerSecond })),
    migrations,
    seed: options.seed ?? 1,
  });
  const e = s.energy;
  const outcomes: MigrationOutcome[] = raw.migrations.map((r, i) => {
    const m = s.migrations[i]!;
    const ej = e
      ? e.joulesPerByte * r.bytesTransferred + e.joulesPerMigration + e.hostPowerWatts * (r.endSeconds - r.startSeconds)
      : 0;
    const log: RoundRecord[] | undefined = options.recordRounds
      ? r.rounds.map((x) => ({
          startSeconds: x.startSeconds,
          durationSeconds: x.seconds,
          bytes: x.bytesSent,
          pendingPagesAfter: x.pendingAfter,
        }))
      : undefined;
    return {
      vm: m.vm,
      source: m.source,
      target: m.target,
      converged: r.converged,
      ...(r.converged ? {} : { reason: r.reason }),
      startSeconds: r.startSeconds,
      endSeconds: r.endSeconds,
      precopySeconds: r.precopySeconds,
      downtimeSeconds: r.downtimeSeconds,
      rounds: r.rounds.length,
      bytesSent: r.bytesTransferred,
      pagesSent: r.pagesTransferred,
      energyJoules: ej,
      ...(log ? { roundLog: log } : {}),
    };
  });
  let sumEnd = 0;
  let energy = 0;
  for (const o of outcomes) {
    sumEnd += o.endSeconds;
    energy += o.energyJoules;
  }
  const simulated: FleetPrediction = {
    migrations: outcomes,
    allConverged: outcomes.every((o) => o.converged),
    makespanSeconds: raw.makespanSeconds,
    meanCompletionSeconds: outcomes.length > 0 ? sumEnd / outcomes.length : 0,
    totalBytes: raw.totalBytes,
    sumDowntimeSeconds: raw.sumDowntimeSeconds,
    maxDowntimeSeconds: raw.maxDowntimeSeconds,
    energyJoules: energy,
    events: raw.events,
  };
  return { simulated, predicted, startAfter, raw };
}
