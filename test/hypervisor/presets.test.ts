import { describe, expect, it } from 'vitest';
import { novaDowntimeSchedule, predictNova, predictXenPolicy } from '../../src/hypervisor/presets.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';
import { cli } from '../support/cli.js';

const rel = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));
const GiB = 2 ** 30;
const B = 2 ** 27; // 128 MiB/s
const c = 4104; // bytes per 4 KiB page on the wire

describe('novaDowntimeSchedule', () => {
  it('novaDowntimeSchedule(1 GiB) uses data_gb = 2: a step every 150 s from 50 ms to 500 ms', () => {
    // base = 500/10 = 50 ms, offset = (500 - 50)/10 = 45 ms; delay = int(75 * max(2, 1)) = 150 s.
    const s = novaDowntimeSchedule({ memoryBytes: GiB });
    expect(s).toHaveLength(11);
    expect(s[0]).toEqual({ atSeconds: 0, limitMs: 50 });
    expect(s[1]).toEqual({ atSeconds: 150, limitMs: 95 });
    expect(s[10]).toEqual({ atSeconds: 1500, limitMs: 500 });
  });
  it('novaDowntimeSchedule(8 GiB) steps every 600 s', () => {
    // delay = int(75 * 8) = 600 s.
    expect(novaDowntimeSchedule({ memoryBytes: 8 * GiB })[3]).toEqual({ atSeconds: 1800, limitMs: 185 });
  });
});

describe('predictXenPolicy', () => {
  it('predictXenPolicy(1 GiB, 1000 pages/s) stops after 3 iterations with under 50 dirty pages', () => {
    // t1 = 262144 * 4104 / 2^27 = 8.015625 s -> d1 = 8015.625 pages; t2 = d1 * 4104 / 2^27 -> d2 = 1000 * t2 =
    // 245.09 pages; t3 = d2 * 4104 / 2^27 -> d3 = 7.49 < 50: stop and copy the 7.49 pages.
    const x = predictXenPolicy({
      memoryBytes: GiB,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: B,
      dirtyPagesPerSecond: 1000,
    });
    const d1 = 1000 * ((262144 * c) / B);
    const d2 = 1000 * ((d1 * c) / B);
    const d3 = 1000 * ((d2 * c) / B);
    expect(x.iterations).toBe(3);
    expect(x.stoppedBy).toBe('dirty-pages');
    rel(x.downtimeSeconds, (d3 * c) / B);
    rel(x.totalSeconds, ((262144 + d1 + d2 + d3) * c) / B);
  });
  it('predictXenPolicy(rho > 1) stops at the 5-iteration cap', () => {
    const x = predictXenPolicy({
      memoryBytes: GiB,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: B,
      dirtyPagesPerSecond: 40000,
    });
    expect(x.iterations).toBe(5);
    expect(x.stoppedBy).toBe('max-iterations');
  });
});

describe('predictNova', () => {
  // 40000 pages/s into a 3000-page working set (12.3 MB) at 128 MiB/s: the set never fits under the 50 ms
  // threshold (2^27 * 0.05 B = 1638.4 pages) but fits under 95 ms (3112.96 pages), the second step at 150 s.
  const w = {
    memoryBytes: GiB,
    pageSizeBytes: 4096,
    maxBandwidthBytesPerSecond: B,
    downtimeLimitSeconds: 0.05,
    dirtyPagesPerSecond: 40000,
    workingSetPages: 3000,
  };
  it('predictNova(working set between the first two steps) converges at step 1, just after 150 s', () => {
    const n = predictNova(w);
    expect(n.convergesAtStep).toBe(1);
    expect(n.prediction.converges).toBe(true);
    if (n.prediction.converges) {
      expect(n.prediction.totalSeconds).toBeGreaterThan(150);
      expect(n.prediction.totalSeconds).toBeLessThan(151);
    }
    // independent check: a constant 50 ms never converges, a constant 95 ms does, in one pass
    expect(predictQemuMigration(w).converges).toBe(false);
    const at95 = predictQemuMigration({ ...w, downtimeLimitSeconds: 0.095 });
    expect(at95.converges && at95.totalSeconds < 10).toBe(true);
  });
  it('plan --presets shows Nova converging at step 1 and precopy choosing its limit at once', async () => {
    const r = await cli(
      'qemu',
      'plan',
      '--memory',
      '1GiB',
      '--link-bandwidth',
      '128MiB/s',
      '--dirty-rate',
      '40000',
      '--working-set',
      '12000KiB',
      '--presets',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.presets.nova.convergesAtStep).toBe(1);
    expect(doc.presets.xen.stoppedBy).toBe('max-iterations');
    expect(doc.prediction.totalSeconds).toBeLessThan(10);
    expect(doc.parameters.downtimeLimitMs).toBeLessThan(95);
  });
});
