import { describe, expect, it } from 'vitest';
import { MigrationWatcher } from '../../src/hypervisor/qemu/advisor.js';
import { correctRandomWriterRate } from '../../src/hypervisor/qemu/dirty-rate.js';
import type { QueryMigrate } from '../../src/hypervisor/qemu/qmp.js';
import { expectRel } from '../support/approx.js';

const MiB = 2 ** 20;
function sample(ms: number, transferred: number, syncs: number, dirtyPagesRate: number, mbps = 0): QueryMigrate {
  return {
    status: 'active',
    totalTime: ms,
    ram: {
      transferred,
      remaining: 256 * MiB - transferred,
      total: 256 * MiB,
      duplicate: 100,
      normal: transferred / 4104,
      normalBytes: transferred,
      dirtyPagesRate,
      mbps,
      dirtySyncCount: syncs,
      pageSize: 4096,
    },
  };
}

describe('MigrationWatcher throughputs and dirty-rate source (issue 13)', () => {
  it('update(samples) measures the first pass from the byte counter and later rounds from QEMU mbps', () => {
    const w = new MigrationWatcher({
      downtimeLimitMs: 300,
      maxBandwidthBytesPerSecond: 1e9,
      linkBandwidthBytesPerSecond: 1.2e9,
      workingSetPages: 16384,
      dirtyPattern: 'random',
    });
    w.update(sample(1000, 3e8, 1, 0));
    // 1 s later 3e8 more bytes: the first pass runs at 3e8 B/s (under 0.9 x the 1e9 cap: it binds)
    expect(w.update(sample(2000, 6e8, 1, 0)).firstPassBytesPerSecond).toBe(3e8);
    // round 2: QEMU's 8000 Mbit/s is 1e9 B/s; QEMU counted 4000 distinct pages/s over the 2.1 s so far (fill 4000 x 2.1 / 16384 = 0.51)
    const r = w.update(sample(2100, 6.5e8, 2, 4000, 8000));
    expect(r.laterRoundBytesPerSecond).toBe(1e9);
    expect(r.dirtyRateSource).toBe('qemu-dirty-pages-rate, saturation-corrected');
    // the whole-migration prediction used the corrected rate and the measured first pass
    const p = w.initialPrediction!.prediction;
    expect(p.firstPassBandwidthBytesPerSecond).toBe(3e8);
    const D = correctRandomWriterRate(4000, 2.1, 16384).pagesPerSecond;
    expectRel(p.rho, (D * 4096) / 1e9, 1e-12);
  });

  it('update(samples) with the dirty rate given says so', () => {
    const w = new MigrationWatcher({
      downtimeLimitMs: 300,
      maxBandwidthBytesPerSecond: 1e8,
      dirtyPagesPerSecond: 1000,
      zeroPageFraction: 0.5,
    });
    expect(w.update(sample(100, 1e7, 1, 0)).dirtyRateSource).toBe('given');
  });
});
