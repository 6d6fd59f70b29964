import { describe, expect, it } from 'vitest';
import {
  calibrationCosts,
  firstPassCosts,
  type Measured,
  medianCalibration,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';
import { ModelInputError } from '../../src/model/errors.js';
import { expectRel } from '../support/approx.js';

const S = 4096;
const COST = S + 8; // a normal page on the wire

/** An idle 1000-page guest, half of it zero pages (the hand derivation below). */
const idle = {
  memoryBytes: 1000 * S,
  pageSizeBytes: S,
  maxBandwidthBytesPerSecond: 1e9,
  linkBandwidthBytesPerSecond: 100 * COST * 100,
  firstPassBandwidthBytesPerSecond: 100 * COST * 10,
  downtimeLimitSeconds: 0.3,
  dirtyPagesPerSecond: 0,
  zeroPageFraction: 0.5,
};

function measured(o: Partial<Measured>): Measured {
  return {
    status: 'completed',
    completed: true,
    totalSeconds: 1,
    setupSeconds: 0,
    downtimeSeconds: 0,
    dirtySyncCount: 3,
    bytesTransferred: 0,
    downtimeBytes: 0,
    duplicatePages: 0,
    normalPages: 0,
    ramTotalBytes: 2 ** 30,
    destinationRunning: true,
    loadAverage: [0, 0],
    accelerator: 'tcg',
    startedAtMs: 0,
    ...o,
  };
}

describe('the zero pages scan time of the first pass (zeroPageSeconds, issue 13)', () => {
  it('an idle guest: the scan adds exactly zero pages x zeroPageSeconds to round 1 and to the total', () => {
    // With D = 0 nothing is dirtied while the scan runs, so every later step is the same, shifted by 500 x 8 µs.
    const without = predictQemuMigration(idle);
    const withScan = predictQemuMigration({ ...idle, zeroPageSeconds: 8e-6 });
    expect(without.converges && withScan.converges).toBe(true);
    if (!without.converges || !withScan.converges) return;
    expectRel(withScan.totalSeconds - without.totalSeconds, 500 * 8e-6, 1e-9);
    expectRel(withScan.rounds[0]!.durationSeconds - without.rounds[0]!.durationSeconds, 500 * 8e-6, 1e-9);
    expect(withScan.bytesTransferred).toBe(without.bytesTransferred);
    expect(withScan.iterations).toBe(without.iterations);
  });

  it('a writer: the scan time is dirtying time too (more pages left for the stop-and-copy)', () => {
    const busy = { ...idle, dirtyPagesPerSecond: 200, workingSetPages: 400 };
    const a = predictQemuMigration(busy);
    const b = predictQemuMigration({ ...busy, zeroPageSeconds: 2e-4 }); // 0.1 s of scan
    expect(a.converges && b.converges).toBe(true);
    if (!a.converges || !b.converges) return;
    // the guest writes 200 pages/s for 0.1 s longer before the first sync: more pages dirtied, more to copy
    expect(b.downtimePages).toBeGreaterThan(a.downtimePages);
    expect(b.bytesTransferred).toBeGreaterThan(a.bytesTransferred);
  });

  it.each([-1e-6, Number.NaN, Number.POSITIVE_INFINITY, 0.02])('zeroPageSeconds %s is refused, named', (v) => {
    expect(() => predictQemuMigration({ ...idle, zeroPageSeconds: v })).toThrow(ModelInputError);
    expect(() => predictQemuMigration({ ...idle, zeroPageSeconds: v })).toThrow(/zeroPageSeconds/);
  });

  it('firstPassCosts: the scan from the throttled migration, the first-pass rate from the unthrottled one', () => {
    // Throttled at 64 MiB/s: 5 x 64 MiB of pre-copy bytes take 5 s; measured 6.5 s of pre-copy, 250,000
    // zero pages: (6.5 - 5) / 250,000 = 6 µs a page. Unthrottled: the same bytes in 2.0 s of pre-copy, of
    // which 250,000 x 6 µs = 1.5 s scanning: 5 x 64 MiB / 0.5 s.
    const cap = 64 * 2 ** 20;
    const thr = measured({
      totalSeconds: 6.6,
      setupSeconds: 0.05,
      downtimeSeconds: 0.05,
      bytesTransferred: 5 * cap + 1e6,
      downtimeBytes: 1e6,
      duplicatePages: 250_000,
    });
    const unthr = measured({
      totalSeconds: 2.1,
      setupSeconds: 0.05,
      downtimeSeconds: 0.05,
      bytesTransferred: 5 * cap + 1e6,
      downtimeBytes: 1e6,
      duplicatePages: 250_000,
    });
    const c = firstPassCosts(thr, unthr);
    expectRel(c.zeroPageSeconds, 6e-6, 1e-9);
    expectRel(c.firstPassBytesPerSecond!, (5 * cap) / 0.5, 1e-9);
    // No unthrottled run: the scan alone. A scan longer than 3/4 of the unthrottled pre-copy: the plain ratio.
    expect(firstPassCosts(thr, undefined).firstPassBytesPerSecond).toBeUndefined();
    const short = measured({ ...unthr, totalSeconds: 1.6 }); // pre-copy 1.5 s, all of it "scan"
    expectRel(firstPassCosts(thr, short).firstPassBytesPerSecond!, (5 * cap) / 1.5, 1e-9);
    // A throttled run faster than its cap (zero pages cost nothing) gives 0, never a negative cost.
    expect(firstPassCosts(measured({ ...thr, totalSeconds: 4 }), undefined).zeroPageSeconds).toBe(0);
  });

  it('calibrationCosts of a calibration saved before zeroPageSeconds: derived from its throttled run', () => {
    const cap = 64 * 2 ** 20;
    const m = measured({ totalSeconds: 6.5, bytesTransferred: 5 * cap, duplicatePages: 250_000 });
    const cal = {
      bufferMiB: 64,
      ramTotalBytes: 2 ** 30,
      idleZeroPages: 250_000,
      switchoverBytesPerSecond: 1e9,
      backgroundPagesPerSecond: 0,
      setupSeconds: 0,
      measured: m,
      // saved as bytes / (whole pre-copy) = 5 x 64 MiB / 2 s
      firstPassBytesPerSecond: (5 * cap) / 2,
    };
    const c = calibrationCosts(cal);
    expectRel(c.zeroPageSeconds, 6e-6, 1e-9);
    expectRel(c.firstPassBytesPerSecond!, (5 * cap) / 0.5, 1e-9);
    expect(calibrationCosts({ ...cal, zeroPageSeconds: 1e-6 }).zeroPageSeconds).toBe(1e-6);
  });

  it('medianCalibration takes each figure at its median over the runs', () => {
    const cal = (sw: number, fp: number, zs: number, bg: number) => ({
      bufferMiB: 256,
      ramTotalBytes: 2 ** 30,
      idleZeroPages: 175_640,
      switchoverBytesPerSecond: sw,
      backgroundPagesPerSecond: bg,
      setupSeconds: 0,
      measured: measured({ totalSeconds: sw / 1e8 }),
      firstPassBytesPerSecond: fp,
      zeroPageSeconds: zs,
    });
    // the first-pass medians: 7.16e8, 1.44e8, 3.0e8 -> 3.0e8; later rounds 4.82e8, 3.77e8, 1.001e9 -> 4.82e8
    const m = medianCalibration([
      cal(4.82e8, 7.16e8, 8e-6, 13),
      cal(3.77e8, 1.44e8, 14e-6, 12),
      cal(1.001e9, 3e8, 4e-6, 8),
    ]);
    expect(m.switchoverBytesPerSecond).toBe(4.82e8);
    expect(m.firstPassBytesPerSecond).toBe(3e8);
    expect(m.zeroPageSeconds).toBe(8e-6);
    expect(m.backgroundPagesPerSecond).toBe(12);
    expect(m.measured.totalSeconds).toBe(4.82);
    expect(() => medianCalibration([])).toThrow(/no calibration/);
  });
});
