/**
 * The fleet planner as the concurrent harness's predictor (fleet-predictor.ts), without QEMU: the mapping of a
 * scenario onto a fleet schedule, and predictions of idle guests derived by hand (no dirtying: round 0 sends
 * the non-zero pages, nothing is pending, the stop-and-copy is empty).
 */
import { describe, expect, it } from 'vitest';
import {
  type ConcurrentScenario,
  fairSharePredictor,
  type SchedulePredictionInput,
} from '../../src/hypervisor/qemu/harness/concurrent.js';
import {
  FLEET_MAX_ROUNDS,
  fleetPredictor,
  fleetScheduleOf,
} from '../../src/hypervisor/qemu/harness/fleet-predictor.js';
import type { QemuMigrationParams } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

const MiB = 2 ** 20;
const knobs = { maxBandwidthBytesPerSecond: 64 * MiB, downtimeLimitMs: 100 };
const scenario = (concurrency: number, names: string[]): ConcurrentScenario => ({
  name: 'test',
  rateMbit: 400,
  timeoutSeconds: 90,
  concurrency,
  guests: names.map((name) => ({ name, workload: { bufferMiB: 64, pagesPerSecond: 0, mode: 'seq' }, knobs })),
});
const idle = (memoryBytes: number, extra: Partial<QemuMigrationParams> = {}): QemuMigrationParams => ({
  memoryBytes,
  pageSizeBytes: 4096,
  maxBandwidthBytesPerSecond: 64 * MiB,
  downtimeLimitSeconds: 0.1,
  dirtyPagesPerSecond: 0,
  ...extra,
});

describe('fleetScheduleOf', () => {
  it('maps a scenario onto one shared link, a path per migration, a total cap of the concurrency and wire-size pages', () => {
    const input: SchedulePredictionInput = {
      scenario: scenario(2, ['a', 'b', 'c']),
      linkBytesPerSecond: 5e7,
      params: [
        idle(256 * MiB, { zeroPageFraction: 0.5, linkBandwidthBytesPerSecond: 1.2e9 }),
        idle(256 * MiB, { workingSetPages: 16384, dirtyPattern: 'random', dirtyPagesPerSecond: 1000 }),
        idle(128 * MiB, { linkBandwidthBytesPerSecond: 9e8 }),
      ],
    };
    const s = fleetScheduleOf(input);
    expect(s.links).toEqual([
      { name: 'lo', capacityBytesPerSecond: 5e7 },
      { name: 'path-a', capacityBytesPerSecond: 1.2e9 },
      { name: 'path-c', capacityBytesPerSecond: 9e8 },
    ]);
    expect(s.caps).toEqual({ total: 2 });
    expect(s.migrations.map((m) => m.links)).toEqual([[0, 1], [0], [0, 2]]);
    const [a, b] = s.migrations;
    // 256 MiB = 65536 pages; half are zero pages, which round 0 skips.
    expect(a!.pages).toBe(65536);
    expect(a!.firstRoundPages).toBe(32768);
    expect(a!.workingSetPages).toBe(32768);
    expect(a!.pageSizeBytes).toBe(4104);
    expect(a!.stopRule).toEqual({ kind: 'qemu', downtimeLimitSeconds: 0.1 });
    expect(a!.maxRounds).toBe(FLEET_MAX_ROUNDS);
    expect(b!.workingSetPages).toBe(16384);
    expect(b!.pattern).toBe('random');
    expect(b!.dirtyPagesPerSecond).toBe(1000);
    expect(b!.capBytesPerSecond).toBe(64 * MiB);
  });
});

describe('fleetPredictor', () => {
  it('(2 idle guests one by one) sends each at the whole link and starts the second when the first ends', () => {
    // 256 MiB = 65536 pages of 4104 wire bytes at 5e7 B/s (cap 64 MiB/s above it): 5.3794 s each; the
    // setup time (0.25 s) is added to each total and to the makespan.
    const T = (65536 * 4104) / 5e7;
    const r = fleetPredictor({
      scenario: scenario(1, ['a', 'b']),
      linkBytesPerSecond: 5e7,
      params: [idle(256 * MiB, { setupSeconds: 0.25 }), idle(256 * MiB, { setupSeconds: 0.25 })],
    });
    const [a, b] = r.migrations;
    expect(a!.prediction.converges && b!.prediction.converges).toBe(true);
    if (!a!.prediction.converges || !b!.prediction.converges) return;
    expectRel(a!.prediction.totalSeconds, T + 0.25, 1e-12);
    expectRel(b!.startSeconds, T, 1e-12);
    expect(a!.prediction.downtimeSeconds).toBe(0);
    expectRel(a!.prediction.bytesTransferred, 65536 * 4104, 1e-12);
    // One pre-copy round: QEMU's syncs are setup + end of pass + switch-over.
    expect(a!.prediction.iterations).toBe(3);
    expectRel(a!.shareBytesPerSecond, 5e7, 1e-12);
    expectRel(r.makespanSeconds!, 2 * T + 0.25, 1e-12);
  });

  it('(a small and a large idle guest at once) gives the large one the whole link once the small one ends', () => {
    // 128 MiB (32768 pages) and 256 MiB (65536 pages), uncapped above the link: both at 2.5e7 B/s until the
    // small one ends at t1 = 32768 * 4104 / 2.5e7; the large one then has 32768 pages left at 5e7 B/s.
    // The fair-share stand-in keeps it at 2.5e7 B/s throughout: 65536 * 4104 / 2.5e7, 1/3 longer.
    const input: SchedulePredictionInput = {
      scenario: scenario(2, ['small', 'large']),
      linkBytesPerSecond: 5e7,
      params: [idle(128 * MiB), idle(256 * MiB)],
    };
    const t1 = (32768 * 4104) / 2.5e7;
    const t2 = t1 + (32768 * 4104) / 5e7;
    const r = fleetPredictor(input);
    const large = r.migrations[1]!.prediction;
    expect(large.converges).toBe(true);
    if (!large.converges) return;
    expectRel(large.totalSeconds, t2, 1e-12);
    expectRel(r.makespanSeconds!, t2, 1e-12);
    const fair = fairSharePredictor(input).migrations[1]!.prediction;
    if (!fair.converges) throw new Error('fair share: the idle guest must converge');
    expectRel(fair.totalSeconds, (65536 * 4104) / 2.5e7, 1e-9);
    expectRel(fair.totalSeconds / large.totalSeconds, 4 / 3, 1e-9);
  });

  it('(4 heavy sequential writers at once, each dirtying more than its share) never converge; one by one they do', () => {
    // 5000 pages/s * 4104 B = 20.5 MB/s of writes into 64 MiB each; 50 MB/s shared by four is 12.5 MB/s each
    // (rho 1.6), alone 50 MB/s (rho 0.41).
    const heavy = idle(256 * MiB, { dirtyPagesPerSecond: 5000, workingSetPages: 16384 });
    const names = ['h0', 'h1', 'h2', 'h3'];
    const params = names.map(() => heavy);
    const all = fleetPredictor({ scenario: scenario(4, names), linkBytesPerSecond: 5e7, params });
    expect(all.migrations.every((m) => !m.prediction.converges)).toBe(true);
    expect(all.makespanSeconds).toBeNull();
    const seq = fleetPredictor({ scenario: scenario(1, names), linkBytesPerSecond: 5e7, params });
    expect(seq.migrations.every((m) => m.prediction.converges)).toBe(true);
    // One at a time: each starts when the previous ends.
    for (let i = 1; i < 4; i++) {
      const prev = seq.migrations[i - 1]!;
      if (!prev.prediction.converges) throw new Error('must converge');
      expectRel(seq.migrations[i]!.startSeconds, prev.startSeconds + prev.prediction.totalSeconds, 1e-9);
    }
  });
});
