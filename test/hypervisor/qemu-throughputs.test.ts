import { describe, expect, it } from 'vitest';
import { planQemuMigration } from '../../src/hypervisor/qemu/plan.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

const S = 4096;
const COST = S + 8; // a normal page on the wire

describe('predictQemuMigration with first-pass and later-round throughputs (issue 13)', () => {
  it('predictQemuMigration(idle, slow first pass) sends round 1 at the first-pass rate and the final copy at the link', () => {
    // Hand derivation: 1000 non-zero pages, D = 0, cap 1e9, first pass 4.104e6 B/s = 100 pages per 100 ms
    // window, link 4.104e7 B/s, limit 0.3 s. The first full window measures 4.104e6 B/s: threshold
    // 4.104e6 x 0.3 = 1 231 200 B. Pending (x 4096 B) falls under it at 300 pages (1 228 800 B), after 7
    // windows (t = 0.7 s): sync, still under, stop (3 syncs). Downtime = 300 x 4104 / 4.104e7 = 0.03 s.
    const p = predictQemuMigration({
      memoryBytes: 1000 * S,
      pageSizeBytes: S,
      maxBandwidthBytesPerSecond: 1e9,
      linkBandwidthBytesPerSecond: 100 * COST * 100,
      firstPassBandwidthBytesPerSecond: 100 * COST * 10,
      downtimeLimitSeconds: 0.3,
      dirtyPagesPerSecond: 0,
    });
    expect(p.converges).toBe(true);
    if (!p.converges) return;
    expect(p.iterations).toBe(3);
    expectRel(p.totalSeconds, 0.73, 1e-12);
    expectRel(p.downtimeSeconds, 0.03, 1e-12);
    expectRel(p.bytesTransferred, 1000 * COST, 1e-12);
    expectRel(p.thresholdBytes, 1_231_200, 1e-12);
    expect(p.firstPassBandwidthBytesPerSecond).toBe(4.104e6);
    // With one throughput (the link) the whole 4.104 MB goes in the first 100 ms window and nothing is left.
    const one = predictQemuMigration({
      memoryBytes: 1000 * S,
      pageSizeBytes: S,
      maxBandwidthBytesPerSecond: 1e9,
      linkBandwidthBytesPerSecond: 4.104e7,
      downtimeLimitSeconds: 0.3,
      dirtyPagesPerSecond: 0,
    });
    if (!one.converges) throw new Error('expected the idle migration to converge');
    expectRel(one.totalSeconds, 0.1, 1e-12);
  });

  it('predictQemuMigration(threshold) follows the bandwidth QEMU measures per window, not the cap', () => {
    // Round 1 runs at the first-pass rate, so its threshold is 4.104e6 x 0.3 = 1 231 200 B; the full windows
    // of later rounds measure the link's 4.104e7 B/s: threshold 12 312 000 B (QEMU 7.2 migration.c,
    // migration_update_counters: threshold_size = transferred / time_spent x downtime_limit).
    const p = predictQemuMigration({
      memoryBytes: 10_000 * S,
      pageSizeBytes: S,
      maxBandwidthBytesPerSecond: 4.104e7,
      linkBandwidthBytesPerSecond: 4.104e7,
      firstPassBandwidthBytesPerSecond: 4.104e6,
      downtimeLimitSeconds: 0.3,
      dirtyPagesPerSecond: 300,
    });
    expect(p.converges).toBe(true);
    expectRel(p.rounds[0]!.thresholdBytes, 4.104e6 * 0.3, 1e-12);
    expectRel(Math.max(...p.rounds.slice(1).map((r) => r.thresholdBytes)), 4.104e7 * 0.3, 1e-12);
  });

  it('predictQemuMigration(max-bandwidth above the link) is clamped to the link with a note, figures unchanged', () => {
    const w = {
      memoryBytes: 2 ** 28,
      pageSizeBytes: S,
      linkBandwidthBytesPerSecond: 4e8,
      downtimeLimitSeconds: 0.1,
      dirtyPagesPerSecond: 20_000,
    };
    const above = predictQemuMigration({ ...w, maxBandwidthBytesPerSecond: 2 ** 30 });
    const at = predictQemuMigration({ ...w, maxBandwidthBytesPerSecond: 4e8 });
    expect(above.notes.some((n) => n.includes('above the link'))).toBe(true);
    expect(at.notes).toEqual([]);
    expect({ ...above, notes: [] }).toEqual({ ...at, notes: [] });
  });

  it('planQemuMigration(fixed max-bandwidth above the link) is accepted and warns instead of refusing', () => {
    const plan = planQemuMigration({
      workload: { memoryBytes: 2 ** 28, pageSizeBytes: S, linkBandwidthBytesPerSecond: 4e8, dirtyPagesPerSecond: 1000 },
      maxBandwidthBytesPerSecond: 2 ** 30,
      downtimeLimitMs: 300,
    });
    expect(plan.feasible).toBe(true);
    expect(plan.warnings.some((x) => x.includes('above the link'))).toBe(true);
  });
});
