import { describe, expect, it } from 'vitest';
import { predictGivenFirstPass } from '../../src/hypervisor/qemu/harness/hard-grid.js';
import type { Calibration, Measured, ValidationCase } from '../../src/hypervisor/qemu/harness/migration.js';

/** A repeat of a 1 GiB guest as the harness reports it (only the setup and the first pass matter here). */
function measured(firstPassSeconds: number | null): Measured {
  return {
    status: 'completed',
    completed: true,
    totalSeconds: 5,
    setupSeconds: 0.01,
    downtimeSeconds: 0.01,
    dirtySyncCount: 4,
    bytesTransferred: 6e8,
    downtimeBytes: 1e6,
    duplicatePages: 131_072,
    normalPages: 140_000,
    ramTotalBytes: 2 ** 30,
    destinationRunning: true,
    loadAverage: [1, 1],
    accelerator: 'tcg',
    startedAtMs: 0,
    firstPassSeconds,
  };
}

// Half the 262144 pages are zero; the calibrated first pass (1e8 B/s, 5 us a zero page) is what hindsight replaces.
const cal: Calibration = {
  bufferMiB: 64,
  memoryMiB: 1024,
  ramTotalBytes: 2 ** 30,
  idleZeroPages: 131_072,
  switchoverBytesPerSecond: 1e9,
  laterRoundBytesPerSecond: 1e9,
  backgroundPagesPerSecond: 0,
  setupSeconds: 0,
  measured: measured(null),
  firstPassBytesPerSecond: 1e8,
  zeroPageSeconds: 5e-6,
};

const cell = (capBytesPerSecond: number): ValidationCase => ({
  name: 'hindsight',
  workload: { bufferMiB: 64, pagesPerSecond: 5000, mode: 'seq' },
  knobs: { maxBandwidthBytesPerSecond: capBytesPerSecond, downtimeLimitMs: 300 },
  timeoutSeconds: 60,
  memoryMiB: 1024,
});

const roundOneEnd = (p: ReturnType<typeof predictGivenFirstPass>) =>
  p!.rounds[0]!.startSeconds + p!.rounds[0]!.durationSeconds;

describe('predictGivenFirstPass (the hard grid hindsight column)', () => {
  it('unthrottled: round 1 ends at the measured first pass, to one of QEMU 100 ms windows', () => {
    for (const T1 of [2.5, 4, 6]) {
      const p = predictGivenFirstPass(cell(1e12), cal, measured(T1));
      // the model checks the threshold once per 100 ms window (as QEMU does), so round 1 ends on a window edge
      expect(roundOneEnd(p)).toBeLessThanOrEqual(T1);
      expect(roundOneEnd(p)).toBeGreaterThan(T1 - 0.1 - 1e-9);
    }
    // a longer first pass, everything else equal: a longer migration
    const a = predictGivenFirstPass(cell(1e12), cal, measured(4))!;
    const b = predictGivenFirstPass(cell(1e12), cal, measured(6))!;
    expect(a.converges && b.converges).toBe(true);
    if (a.converges && b.converges) expect(b.totalSeconds).toBeGreaterThan(a.totalSeconds);
  });

  it('capped at 64 MiB/s: a first pass shorter than the cap allows cannot be matched; round 1 is the cap alone', () => {
    // 131072 zero pages x 9 B + 131072 pages x 4104 B = 539099136 B: at least 8.03 s at 67108864 B/s; round 1
    // ends once what is left fits the threshold, so somewhat earlier, and never near the measured 4 s.
    const p = predictGivenFirstPass(cell(64 * 2 ** 20), cal, measured(4));
    expect(roundOneEnd(p)).toBeGreaterThan(7);
    expect(roundOneEnd(p)).toBeLessThanOrEqual(0.01 + 539_099_136 / (64 * 2 ** 20) + 1e-9);
    // a first pass longer than the cap's: matched again
    expect(
      Math.abs(roundOneEnd(predictGivenFirstPass(cell(64 * 2 ** 20), cal, measured(10))) - 10),
    ).toBeLessThanOrEqual(0.1);
  });

  it('is null without a measured first pass', () => {
    expect(predictGivenFirstPass(cell(1e12), cal, measured(null))).toBeNull();
    expect(predictGivenFirstPass(cell(1e12), cal, { ...measured(null), firstPassSeconds: undefined })).toBeNull();
  });
});
