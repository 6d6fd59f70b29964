import { describe, expect, it } from 'vitest';
import {
  ciConcurrentScenario,
  concurrentGrid,
  fairSharePredictor,
  concurrentTable,
  maxMinShares,
  scoreScenario,
} from '../../src/hypervisor/qemu/harness/concurrent.js';
import { brierScore, type CellSummary, hardGrid } from '../../src/hypervisor/qemu/harness/hard-grid.js';
import type { Calibration, Measured } from '../../src/hypervisor/qemu/harness/migration.js';
import { cpuHasVirtualisation } from '../../src/hypervisor/qemu/harness/vm.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

describe('concurrent harness (issue 13)', () => {
  it('maxMinShares(100, [10, 1000, 1000]) freezes the capped one and splits the rest', () => {
    // progressive filling: all grow to 10, the first freezes at its cap; 90 left for two: 45 each
    expect(maxMinShares(100, [10, 1000, 1000])).toEqual([10, 45, 45]);
    expect(maxMinShares(100, [60, 60])).toEqual([50, 50]);
    expect(maxMinShares(100, [Number.POSITIVE_INFINITY])).toEqual([100]);
  });

  it('fairSharePredictor(2 guests, one at a time) predicts each at the whole link and starts the second at the end of the first', () => {
    const s = { ...ciConcurrentScenario(), concurrency: 1 };
    const one = {
      memoryBytes: 2 ** 28,
      pageSizeBytes: 4096,
      maxBandwidthBytesPerSecond: 32 * 2 ** 20,
      downtimeLimitSeconds: 0.1,
      dirtyPagesPerSecond: 500,
      linkBandwidthBytesPerSecond: 4e8,
    };
    const r = fairSharePredictor({ scenario: s, linkBytesPerSecond: 5e7, params: [one, one] });
    const alone = predictQemuMigration({
      ...one,
      linkBandwidthBytesPerSecond: 32 * 2 ** 20,
      firstPassBandwidthBytesPerSecond: 32 * 2 ** 20,
    });
    expect(alone.converges).toBe(true);
    if (!alone.converges) return;
    // the share is min(cap, link) = 33.55 MB/s; both migrations take the single-migration time, back to back
    expectRel(r.migrations[0]!.shareBytesPerSecond, 32 * 2 ** 20, 1e-15);
    expect(r.migrations[1]!.startSeconds).toBe(
      r.migrations[0]!.prediction.converges ? r.migrations[0]!.prediction.totalSeconds : -1,
    );
    expectRel(r.makespanSeconds!, 2 * alone.totalSeconds, 1e-12);
  });

  it('fairSharePredictor(2 guests at once, 32 MiB/s caps, 50 MB/s link) gives each 25 MB/s', () => {
    const s = ciConcurrentScenario();
    const one = {
      memoryBytes: 2 ** 28,
      pageSizeBytes: 4096,
      maxBandwidthBytesPerSecond: 32 * 2 ** 20,
      downtimeLimitSeconds: 0.1,
      dirtyPagesPerSecond: 500,
    };
    const r = fairSharePredictor({ scenario: s, linkBytesPerSecond: 5e7, params: [one, one] });
    expect(r.migrations.map((m) => m.shareBytesPerSecond)).toEqual([2.5e7, 2.5e7]);
    expect(r.migrations.map((m) => m.startSeconds)).toEqual([0, 0]);
    expect(r.method).toMatch(/max-min fair share/);
  });

  it('concurrentGrid() has >= 8 scenarios of 2-4 guests at concurrency 1-4, one never at once but fine one by one', () => {
    const g = concurrentGrid();
    expect(g.length).toBeGreaterThanOrEqual(8);
    for (const s of g) {
      expect(s.guests.length).toBeGreaterThanOrEqual(2);
      expect(s.guests.length).toBeLessThanOrEqual(4);
      expect(s.concurrency).toBeGreaterThanOrEqual(1);
      expect(s.concurrency).toBeLessThanOrEqual(s.guests.length);
    }
    expect(new Set(g.map((s) => s.concurrency))).toEqual(new Set([1, 2, 3, 4]));
    // the heavy writer: 5000 pages/s = 20.5 MB/s against 12.5 MB/s each when four share 50 MB/s (never), and
    // against the whole 50 MB/s alone (rho 0.41, converges)
    const heavy = (c: number) => ({
      memoryBytes: 268967936,
      pageSizeBytes: 4096,
      maxBandwidthBytesPerSecond: 64 * 2 ** 20,
      downtimeLimitSeconds: 0.1,
      dirtyPagesPerSecond: 5000,
      workingSetPages: 16384,
      zeroPageFraction: 0.5,
      linkBandwidthBytesPerSecond: 5e7 / c,
    });
    expect(predictQemuMigration(heavy(4)).converges).toBe(false);
    expect(predictQemuMigration(heavy(1)).converges).toBe(true);
  });

  it('cpuHasVirtualisation(cpuinfo) reads the vmx/svm flags, not /dev/kvm', () => {
    expect(cpuHasVirtualisation('processor\t: 0\nflags\t\t: fpu vme sse2 vmx ept\n')).toBe(true);
    expect(cpuHasVirtualisation('flags\t\t: fpu svm lahf_lm\n')).toBe(true);
    expect(cpuHasVirtualisation('flags\t\t: fpu vme hypervisor sse2\n')).toBe(false);
    expect(cpuHasVirtualisation('vmx flags\t: ept\nflags\t: fpu\n')).toBe(false);
  });
});

describe('harder single grid (issue 13)', () => {
  it('hardGrid() spans dirty rates 20 MB/s to 1 GB/s, caps 64 MiB/s to unlimited, working sets 64-800 MiB, both patterns', () => {
    const g = hardGrid();
    const rates = g.map((c) => (c.workload.pagesPerSecond * 4096) / 1e6);
    expect(Math.min(...rates)).toBeLessThanOrEqual(20.1);
    expect(Math.max(...rates)).toBeGreaterThanOrEqual(999);
    const caps = g.map((c) => c.knobs.maxBandwidthBytesPerSecond);
    expect(Math.min(...caps)).toBe(64 * 2 ** 20);
    expect(caps).toContain(2 ** 30);
    expect(caps).toContain(1e12);
    expect(new Set(g.map((c) => c.workload.bufferMiB))).toEqual(new Set([64, 256, 800]));
    expect(new Set(g.map((c) => c.workload.mode))).toEqual(new Set(['seq', 'rand']));
  });

  it('brierScore(cells) is the mean squared gap between the probability and each repeat', () => {
    const cell = (probability: number | null, completed: number, repeats: number) =>
      ({ probability, completed, repeats }) as unknown as CellSummary;
    // (0.8 - 1)^2 x 2 + 0.8^2 x 1 = 0.08 + 0.64 = 0.72 over 3 repeats = 0.24; the certain cell does not count
    expectRel(brierScore([cell(0.8, 2, 3), cell(null, 3, 3)])!, 0.24, 1e-15);
    expect(brierScore([cell(null, 3, 3)])).toBeNull();
  });

  it('scoreScenario: a completed sample with QEMU total-time 0 (read before QEMU filled it in) gives no error, and the table prints "-", never Infinity', () => {
    // seen on the concurrent grid: status completed with total-time 0 made the error +Infinity %
    const measured = (totalSeconds: number): Measured => ({
      status: 'completed',
      completed: true,
      totalSeconds,
      setupSeconds: 0.002,
      downtimeSeconds: totalSeconds > 0 ? 0.05 : 0,
      dirtySyncCount: 4,
      bytesTransferred: 1.46e8,
      downtimeBytes: 1e6,
      duplicatePages: 33195,
      normalPages: 35548,
      ramTotalBytes: 268967936,
      destinationRunning: true,
      loadAverage: [1, 1],
      accelerator: 'tcg',
      startedAtMs: 0,
    });
    const cal: Calibration = {
      bufferMiB: 64,
      ramTotalBytes: 268967936,
      idleZeroPages: 33000,
      switchoverBytesPerSecond: 1e9,
      backgroundPagesPerSecond: 0,
      setupSeconds: 0,
      measured: measured(3),
    };
    const s = ciConcurrentScenario();
    const r = scoreScenario(s, cal, [measured(0), measured(5.7)], [0, 0], 5e7);
    expect(r.rows[0]!.totalTimeError).toBeNull();
    expect(Number.isFinite(r.rows[1]!.totalTimeError!)).toBe(true);
    const table = concurrentTable(
      [
        {
          ...r,
          shapedBytesPerSecond: 5e7,
          goodputBytesPerSecond: 5e7,
          pids: [],
          accelerator: 'tcg',
          namespace: 'none',
        },
      ],
      'test',
    );
    expect(table).not.toMatch(/Infinity|NaN/);
  });
});
