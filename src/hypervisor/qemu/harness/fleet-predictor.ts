/**
 * The fleet planner's prediction of a concurrent scenario as actually run (issue 13, point 4): the schedule
 * the harness runs (every migration through the namespace's one shaped loopback, `concurrency` at a time in
 * the listed order, a new one when one ends) mapped onto src/fleet's `predictFleet` (the sharing contract:
 * max-min fair rates recomputed at every start, round end and end; QEMU's stop rule on the bandwidth each
 * round measured; the stop-and-copy uncapped but sharing the link). Unlike the fair-share stand-in, shares
 * grow when a neighbour finishes.
 *
 * The mapping, and what it leaves out:
 * - links: `lo` (the shaped loopback, shared by all) and, per migration, its own path at the calibrated
 *   later-round/final-copy speed (`linkBandwidthBytesPerSecond`, the loopback's speed outside the bucket);
 * - dispatch: hosts `source` and `target`, a total concurrency cap of `concurrency`, migrations in list order
 *   (the engine's first-fit dispatcher starts the next waiting one whenever one ends: the harness's workers);
 * - pages cost `S + 8` bytes (QEMU's page header) so bytes and times count what goes on the wire; zero pages
 *   are not sent in round 0 (QEMU sends a 9-byte record: 0.3 MB for a 256 MiB guest, ignored);
 * - the fleet engine has one throughput per migration: the first-pass figure is not used (on a shaped link
 *   the bucket binds far below it);
 * - QEMU's `dirty-sync-count` = pre-copy rounds + 2 (the setup sync and the switch-over sync);
 * - a migration predicted to run longer than the scenario's timeout counts as not converging (the harness
 *   cancels it then);
 * - the setup time of each migration (`setupSeconds`) is added to its predicted total time.
 */
import { type FleetMigration, type FleetScheduleInput, predictFleet } from '../../../fleet/engine.js';
import {
  alphaForDowntimeLimit,
  PAGE_HEADER_BYTES,
  type QemuMigrationParams,
  type QemuPrediction,
  type QemuRound,
} from '../predict.js';
import type { PredictedMigration, SchedulePrediction, SchedulePredictionInput } from './concurrent.js';

/** Pre-copy rounds after which the fleet engine gives up (the single-VM engines' order of magnitude). */
export const FLEET_MAX_ROUNDS = 1000;

/** The fleet schedule of a concurrent scenario (see the module comment). */
export function fleetScheduleOf(input: SchedulePredictionInput): FleetScheduleInput {
  const { scenario, linkBytesPerSecond, params } = input;
  const links = [{ name: 'lo', capacityBytesPerSecond: linkBytesPerSecond }];
  const migrations: FleetMigration[] = params.map((p, i) => {
    const S = p.pageSizeBytes;
    const pages = Math.ceil(p.memoryBytes / S);
    const zero = Math.floor((p.zeroPageFraction ?? 0) * pages);
    const path: number[] = [0];
    const own = p.linkBandwidthBytesPerSecond;
    if (own !== undefined && Number.isFinite(own) && own > 0) {
      links.push({ name: `path-${scenario.guests[i]?.name ?? i}`, capacityBytesPerSecond: own });
      path.push(links.length - 1);
    }
    return {
      vm: scenario.guests[i]?.name ?? `vm${i}`,
      source: 'source',
      target: 'target',
      sourceIndex: 0,
      targetIndex: 1,
      pages,
      pageSizeBytes: S + PAGE_HEADER_BYTES,
      firstRoundPages: pages - zero,
      dirtyPagesPerSecond: p.dirtyPagesPerSecond,
      workingSetPages: p.workingSetPages ?? pages - zero,
      pattern: p.dirtyPattern ?? 'sequential',
      links: path,
      capBytesPerSecond: p.maxBandwidthBytesPerSecond,
      stopRule: {
        kind: 'qemu',
        downtimeLimitSeconds: p.downtimeLimitSeconds,
        ...(p.downtimeLimitSchedule === undefined ? {} : { steps: p.downtimeLimitSchedule }),
      },
      maxRounds: FLEET_MAX_ROUNDS,
      startSeconds: 0,
      after: [],
    };
  });
  return {
    hosts: ['source', 'target'],
    links,
    migrations,
    caps: { total: Math.min(scenario.concurrency, params.length) },
    recordRounds: true,
  };
}

/** The fleet planner's prediction of the schedule actually run, per migration in the harness's terms. */
export function fleetPredictor(input: SchedulePredictionInput): SchedulePrediction {
  const schedule = fleetScheduleOf(input);
  const fleet = predictFleet(schedule);
  let allConverge = true;
  const migrations: PredictedMigration[] = fleet.migrations.map((o, i) => {
    const p: QemuMigrationParams = input.params[i]!;
    const m = schedule.migrations[i]!;
    const wire = m.pageSizeBytes;
    const duration = o.endSeconds - o.startSeconds;
    const mean = duration > 0 ? o.bytesSent / duration : 0;
    const log = o.roundLog ?? [];
    const rounds: QemuRound[] = log.map((r, k) => ({
      index: k + 1,
      startSeconds: r.startSeconds - o.startSeconds,
      durationSeconds: r.durationSeconds,
      pagesAtStart: r.bytes / wire,
      bytesSent: r.bytes,
      pagesCarriedOver: r.pendingPagesAfter,
      thresholdBytes: r.durationSeconds > 0 ? (r.bytes / r.durationSeconds) * p.downtimeLimitSeconds : 0,
    }));
    const rate = Math.min(p.maxBandwidthBytesPerSecond, input.linkBytesPerSecond);
    const common = {
      alpha: alphaForDowntimeLimit({
        downtimeLimitSeconds: p.downtimeLimitSeconds,
        bandwidthBytesPerSecond: rate,
        memoryBytes: m.pages * p.pageSizeBytes,
      }),
      rho: (p.dirtyPagesPerSecond * p.pageSizeBytes) / rate,
      precopyBandwidthBytesPerSecond: mean,
      firstPassBandwidthBytesPerSecond: mean,
      switchoverBandwidthBytesPerSecond: mean,
      notes: ['fleet engine (src/fleet predictFleet): the schedule as run, max-min fair shares at every event'],
      rounds,
    };
    const inTime = duration <= input.scenario.timeoutSeconds;
    let prediction: QemuPrediction;
    if (o.converged && inTime) {
      const downtimePages = log.at(-1)?.pendingPagesAfter ?? 0;
      const downtimeBytes = downtimePages * wire;
      prediction = {
        ...common,
        converges: true,
        iterations: o.rounds + 2,
        totalSeconds: duration + (p.setupSeconds ?? 0),
        downtimeSeconds: o.downtimeSeconds,
        bytesTransferred: o.bytesSent,
        precopyBytes: o.bytesSent - downtimeBytes,
        downtimeBytes,
        downtimePages,
        thresholdBytes: rounds.at(-1)?.thresholdBytes ?? 0,
      };
    } else {
      allConverge = false;
      const last = log.at(-1);
      prediction = {
        ...common,
        converges: false,
        reason: o.converged
          ? `predicted to take ${duration.toPrecision(4)} s, beyond the scenario's ${input.scenario.timeoutSeconds} s timeout`
          : (o.reason ?? 'does not converge'),
        cause: 'dirty-rate',
        pendingFloorBytes: (last?.pendingPagesAfter ?? 0) * wire,
        thresholdBytes: rounds.at(-1)?.thresholdBytes ?? 0,
      };
    }
    return { prediction, startSeconds: o.startSeconds, shareBytesPerSecond: mean };
  });
  const setup = Math.max(0, ...input.params.map((p) => p.setupSeconds ?? 0));
  return {
    method: 'fleet predict (src/fleet) of the schedule as run',
    migrations,
    makespanSeconds: allConverge ? fleet.makespanSeconds + setup : null,
  };
}
