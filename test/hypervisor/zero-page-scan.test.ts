import { describe, expect, it } from 'vitest';
import {
  type BusySample,
  calibrationCosts,
  firstPassCosts,
  laterRoundRate,
  type Measured,
  medianCalibration,
  predictionInput,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration, zeroScanStretch } from '../../src/hypervisor/qemu/predict.js';
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
  it('an idle guest under a binding cap: the scan adds exactly zero pages x zeroPageSeconds to round 1 and the total', () => {
    // With D = 0 nothing is dirtied while the scan runs, so every later step is the same, shifted by 500 x 8 µs.
    // max-bandwidth = the first-pass throughput: the cap binds, nothing of the scan is hidden.
    const capped = { ...idle, maxBandwidthBytesPerSecond: idle.firstPassBandwidthBytesPerSecond };
    const without = predictQemuMigration(capped);
    const withScan = predictQemuMigration({ ...capped, zeroPageSeconds: 8e-6 });
    expect(without.converges && withScan.converges).toBe(true);
    if (!without.converges || !withScan.converges) return;
    expectRel(withScan.totalSeconds - without.totalSeconds, 500 * 8e-6, 1e-9);
    expectRel(withScan.rounds[0]!.durationSeconds - without.rounds[0]!.durationSeconds, 500 * 8e-6, 1e-9);
    expect(withScan.bytesTransferred).toBe(without.bytesTransferred);
    expect(withScan.iterations).toBe(without.iterations);
  });

  it('unthrottled: round 1 takes max(scan + bytes / cap, bytes / first-pass rate) (zeroScanStretch)', () => {
    // Round 1 carries 500 zero records (9 B) and 500 normal pages (4104 B): B = 2,056,500 B. At the first-pass
    // rate 4,104,000 B/s it takes B/R = 0.50110 s; the cap 1e9 B/s would allow B/C = 0.0020565 s. The sending
    // spends B/R - B/C = 0.49904 s below the cap, so a scan shorter than that is hidden entirely, and a longer
    // one adds only what exceeds it.
    const B = 500 * 9 + 500 * COST;
    const R = idle.firstPassBandwidthBytesPerSecond;
    const belowCap = B / R - B / idle.maxBandwidthBytesPerSecond;
    expect(zeroScanStretch(0.004, B, R, 1e9)).toBe(0);
    expectRel(zeroScanStretch(1, B, R, 1e9), 1 - belowCap, 1e-12);
    // a binding cap (first rate = cap) hides nothing
    expect(zeroScanStretch(0.25, B, 1e6, 1e6)).toBe(0.25);
    const without = predictQemuMigration(idle);
    const hidden = predictQemuMigration({ ...idle, zeroPageSeconds: 8e-6 }); // 4 ms of scan: hidden
    const long = predictQemuMigration({ ...idle, zeroPageSeconds: 2e-3 }); // 1 s of scan
    expect(without.converges && hidden.converges && long.converges).toBe(true);
    if (!without.converges || !hidden.converges || !long.converges) return;
    expect(hidden.totalSeconds).toBe(without.totalSeconds);
    expectRel(long.rounds[0]!.durationSeconds - without.rounds[0]!.durationSeconds, 1 - belowCap, 1e-9);
    expectRel(long.totalSeconds - without.totalSeconds, 1 - belowCap, 1e-9);
  });

  it('a writer: the scan time is dirtying time too (more pages left for the stop-and-copy)', () => {
    const busy = {
      ...idle,
      maxBandwidthBytesPerSecond: idle.firstPassBandwidthBytesPerSecond, // a binding cap: the scan is not hidden
      dirtyPagesPerSecond: 200,
      workingSetPages: 400,
    };
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
    // zero pages: (6.5 - 5) / 250,000 = 6 µs a page. Unthrottled: the same bytes in 2.0 s of pre-copy, the
    // scan included (gross): 5 x 64 MiB / 2.0 s.
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
    expectRel(c.firstPassBytesPerSecond!, (5 * cap) / 2.0, 1e-9);
    // No unthrottled run: the scan alone.
    expect(firstPassCosts(thr, undefined).firstPassBytesPerSecond).toBeUndefined();
    const short = measured({ ...unthr, totalSeconds: 1.6 }); // pre-copy 1.5 s
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
      // saved as bytes / (whole pre-copy) = 5 x 64 MiB / 2 s: already the gross figure the model takes
      firstPassBytesPerSecond: (5 * cap) / 2,
    };
    const c = calibrationCosts(cal);
    expectRel(c.zeroPageSeconds, 6e-6, 1e-9);
    expectRel(c.firstPassBytesPerSecond!, (5 * cap) / 2, 1e-9);
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
    // two runs (the calibrations before and after a cell): the mean of each figure; measured from the upper one
    const two = medianCalibration([cal(4.82e8, 7.16e8, 8e-6, 13), cal(3.77e8, 1.44e8, 14e-6, 12)]);
    expectRel(two.switchoverBytesPerSecond, 4.295e8, 1e-12);
    expectRel(two.firstPassBytesPerSecond!, 4.3e8, 1e-12);
    expectRel(two.zeroPageSeconds!, 11e-6, 1e-12);
    expectRel(two.backgroundPagesPerSecond, 12.5, 1e-12);
    expect(two.measured.totalSeconds).toBe(4.82);
    expect(() => medianCalibration([])).toThrow(/no calibration/);
  });

  it('laterRoundRate: bytes over time past the first pass, before the limit is raised', () => {
    // [total-time ms, mbps, dirty-sync-count, transferred]. The first-pass sample (sync 1) and the one after
    // 5800 ms are left out; from 3500 ms (4e8 B) to 3900 ms (8e8 B): 4e8 B in 0.4 s = 1e9 B/s.
    const samples: BusySample[] = [
      [3000, 2400, 1, 3e8],
      [3500, 4000, 2, 4e8],
      [3600, 12000, 3, 5e8],
      [3700, 8000, 4, 6e8],
      [3800, 6000, 5, 7e8],
      [3900, 9000, 6, 8e8],
      [6000, 100, 9, 9e8],
    ];
    expectRel(laterRoundRate(samples, 5800)!, 1e9, 1e-12);
    // without the limit: 5e8 B in 2.5 s
    expectRel(laterRoundRate(samples)!, 2e8, 1e-12);
    expect(laterRoundRate(samples.slice(0, 3), 5800)).toBeNull(); // 0.1 s past the first pass: too short
    expect(laterRoundRate(samples.slice(0, 1))).toBeNull();
  });

  it('medianCalibration and predictionInput: the busy later-round rate, when measured, is the link', () => {
    const base = {
      bufferMiB: 64,
      ramTotalBytes: 2 ** 30,
      idleZeroPages: 225_000,
      switchoverBytesPerSecond: 4e8,
      backgroundPagesPerSecond: 20,
      setupSeconds: 0,
      measured: measured({ totalSeconds: 4 }),
      zeroPageSeconds: 8e-6,
    };
    const m = medianCalibration([
      { ...base, laterRoundBytesPerSecond: 1.1e9 },
      { ...base, laterRoundBytesPerSecond: 0.9e9 },
      { ...base, laterRoundBytesPerSecond: 1.0e9 },
    ]);
    expect(m.laterRoundBytesPerSecond).toBe(1e9);
    const c = {
      name: 'x',
      workload: { bufferMiB: 64, pagesPerSecond: 1000, mode: 'seq' as const },
      knobs: { maxBandwidthBytesPerSecond: 2 ** 30, downtimeLimitMs: 100 },
      timeoutSeconds: 60,
    };
    expect(predictionInput(c, m).linkBandwidthBytesPerSecond).toBe(1e9);
    expect(predictionInput(c, base).linkBandwidthBytesPerSecond).toBe(4e8); // not measured: the idle stop-and-copy
  });
});
