import { describe, expect, it } from 'vitest';
import { errorStats, fullGrid, gridCase, markdownTable } from '../../src/hypervisor/qemu/harness/grid.js';
import {
  type Calibration,
  compare,
  type Measured,
  predictionInput,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';

const cal: Calibration = {
  bufferMiB: 64,
  ramTotalBytes: 268967936,
  idleZeroPages: 33190,
  switchoverBytesPerSecond: 9e8,
  backgroundPagesPerSecond: 32,
  setupSeconds: 0.001,
  measured: {} as Measured,
};

function measured(over: Partial<Measured>): Measured {
  return {
    status: 'completed',
    completed: true,
    totalSeconds: 10,
    setupSeconds: 0.001,
    downtimeSeconds: 0.01,
    dirtySyncCount: 6,
    bytesTransferred: 2e8,
    downtimeBytes: 1e6,
    duplicatePages: 33190,
    normalPages: 40000,
    ramTotalBytes: 268967936,
    destinationRunning: true,
    loadAverage: [1, 1],
    accelerator: 'tcg',
    startedAtMs: 0,
    ...over,
  };
}

describe('validation grid', () => {
  it('gridCase(16 MiB/s, rho 0.6) writes round(0.6 * 16 MiB / 4 KiB) = 2458 pages/s', () => {
    // 0.6 * 16777216 / 4096 = 2457.6 -> 2458
    expect(gridCase(16, 0.6, 100, 'rand').workload.pagesPerSecond).toBe(2458);
  });
  it('fullGrid() spans rho 0.05 to 0.6 at two bandwidths and limits, plus a stepped and a rho > 1 case', () => {
    const g = fullGrid();
    expect(g).toHaveLength(18);
    const rhos = g.map((c) => (c.workload.pagesPerSecond * 4096) / c.knobs.maxBandwidthBytesPerSecond);
    expect(Math.min(...rhos)).toBeLessThan(0.06);
    expect(Math.max(...rhos.slice(0, 16))).toBeGreaterThan(0.59);
    expect(rhos[16]).toBeGreaterThan(1);
    expect(rhos[17]).toBeGreaterThan(1);
  });
  it('errorStats([0.01, -0.03, null, 0.02]) has median 0.02 and worst 0.03', () => {
    const s = errorStats([0.01, -0.03, null, 0.02])!;
    expect(s.median).toBe(0.02);
    expect(s.worst).toBe(0.03);
    expect(errorStats([null])).toBeNull();
  });
});

describe('predictionInput / compare', () => {
  it('predictionInput() takes zero pages and RAM from the calibration and adds its background rate', () => {
    const c = gridCase(32, 0.2, 300, 'seq');
    const p = predictionInput(c, cal);
    expect(p.memoryBytes).toBe(268967936);
    // 268967936 B / 4096 = 65666 pages
    expect(p.zeroPageFraction).toBe(33190 / 65666);
    expect(p.workingSetPages).toBe(16384);
    expect(p.dirtyPagesPerSecond).toBe(c.workload.pagesPerSecond + 32);
    expect(p.linkBandwidthBytesPerSecond).toBe(9e8);
    expect(() => predictionInput({ ...c, workload: { ...c.workload, bufferMiB: 32 } }, cal)).toThrow(
      /calibration is for a 64 MiB buffer/,
    );
  });
  it('compare() applies the targets: 10 % time, 1 round, 5 % bytes, max(20 ms, 25 %) downtime', () => {
    const c = gridCase(32, 0.2, 300, 'seq');
    const p = predictQemuMigration(predictionInput(c, cal));
    if (!p.converges) throw new Error('expected convergence');
    const exact = measured({
      totalSeconds: p.totalSeconds,
      dirtySyncCount: p.iterations,
      bytesTransferred: p.bytesTransferred,
      downtimeSeconds: p.downtimeSeconds,
    });
    expect(compare(c, p, exact).withinTargets).toBe(true);
    expect(compare(c, p, { ...exact, totalSeconds: p.totalSeconds / 1.11 }).withinTargets).toBe(false);
    expect(compare(c, p, { ...exact, dirtySyncCount: p.iterations + 2 }).withinTargets).toBe(false);
    expect(compare(c, p, { ...exact, bytesTransferred: p.bytesTransferred / 1.06 }).withinTargets).toBe(false);
    expect(compare(c, p, { ...exact, downtimeSeconds: p.downtimeSeconds + 0.019 }).withinTargets).toBe(true);
    expect(compare(c, p, { ...exact, downtimeSeconds: p.downtimeSeconds + 0.021 }).withinTargets).toBe(false);
    // a prediction of convergence against a cancelled migration is a miss
    expect(compare(c, p, { ...exact, completed: false, status: 'cancelled' }).withinTargets).toBe(false);
    const table = markdownTable([compare(c, p, exact)], cal, 'npm run build && node scripts/qemu-validate.mjs');
    expect(table).toContain('| 32MiB/s rho=0.2 300ms seq |');
    expect(table).toContain('1/1 within the per-case targets');
  });
});
