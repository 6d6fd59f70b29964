import { describe, expect, it } from 'vitest';
import { cellCalibration, predictGivenFirstPass } from '../../src/hypervisor/qemu/harness/hard-grid.js';
import {
  type Calibration,
  type Measured,
  predictionInput,
  type ValidationCase,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration, QEMU_WINDOW_SECONDS } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

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

describe('cellCalibration (the first pass with the guest vCPU running)', () => {
  const withShare = (v: number | undefined): Measured => ({
    ...measured(3),
    ...(v === undefined ? {} : { preMigrationVcpuShare: v }),
  });
  // The model's first-pass bytes of this guest: 131072 zero pages as 9-byte records, 131072 others as
  // 4096 + 8 bytes; at the calibrated 1e8 B/s that is 5.39099136 s, the scan included.
  const firstPassBytes = 131_072 * 9 + 131_072 * 4104;

  it('scales the time per zero page by 1 + 2v and adds that time, and only it, to the gross first pass', () => {
    // shares 0.1, 0.3, 0.2: median v = 0.2; 5 us x 1.4 = 7 us; 131072 zero pages x 2 us = 0.262144 s more
    const c = cellCalibration(cal, [withShare(0.1), withShare(0.3), withShare(0.2)]);
    expectRel(c.zeroPageSeconds!, 7e-6, 1e-12);
    expectRel(c.firstPassBytesPerSecond!, firstPassBytes / (firstPassBytes / 1e8 + 0.262144), 1e-12);
    // everything else as calibrated
    expect({ ...c, firstPassBytesPerSecond: 0, zeroPageSeconds: 0 }).toEqual({
      ...cal,
      firstPassBytesPerSecond: 0,
      zeroPageSeconds: 0,
    });
    // unthrottled, the predicted round 1 is longer by the zero pages' extra time (the normal pages as
    // calibrated); under a 64 MiB/s cap, round 1 is bytes / cap + the scan, again 0.262144 s longer. The model
    // ends round 1 at a sync, on QEMU's 100 ms windows, so the difference is that to within one window.
    for (const cap of [1e12, 64 * 2 ** 20]) {
      const before = predictQemuMigration(predictionInput(cell(cap), cal)).rounds[0]!.durationSeconds;
      const after = predictQemuMigration(predictionInput(cell(cap), c)).rounds[0]!.durationSeconds;
      expect(Math.abs(after - before - 0.262144)).toBeLessThanOrEqual(QEMU_WINDOW_SECONDS);
    }
  });

  it('leaves the calibration alone without the measurement, and clamps a share above one half', () => {
    expect(cellCalibration(cal, [withShare(undefined), withShare(undefined)])).toBe(cal);
    expect(cellCalibration(cal, [])).toBe(cal);
    expect(cellCalibration(cal, [withShare(Number.NaN)])).toBe(cal);
    // 0.9 is taken as 0.5: 5 us x 2 = 10 us a zero page, 131072 x 5 us = 0.65536 s more
    const c = cellCalibration(cal, [withShare(0.9)]);
    expectRel(c.zeroPageSeconds!, 1e-5, 1e-12);
    expectRel(c.firstPassBytesPerSecond!, firstPassBytes / (firstPassBytes / 1e8 + 0.65536), 1e-12);
  });
});
