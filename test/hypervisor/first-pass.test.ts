import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MigrationWatcher } from '../../src/hypervisor/qemu/advisor.js';
import { FirstPassFit, predictWithFirstPassEnd } from '../../src/hypervisor/qemu/first-pass.js';
import { predictWatchAt } from '../../src/hypervisor/qemu/harness/hard-grid.js';
import type { Calibration, Measured, ValidationCase } from '../../src/hypervisor/qemu/harness/migration.js';
import type { QueryMigrate } from '../../src/hypervisor/qemu/qmp.js';
import { expectRel } from '../support/approx.js';

const PAGES = 262_144; // a 1 GiB guest
const ZERO = 175_000;
const NORMAL = PAGES - ZERO;

/**
 * A first pass as the harder grid's guest shows it (docs/qemu.md): its normal pages first, then the zero pages,
 * at `cn` and `cz` seconds a page, sampled every 0.1 s from QEMU's setup on; the counters at time t follow by
 * hand: n(t) = min(N_n, t / cn), then z(t) = (t - N_n cn) / cz.
 */
function progressAt(t: number, cn: number, cz: number): { n: number; z: number } {
  const tn = NORMAL * cn;
  return t <= tn ? { n: t / cn, z: 0 } : { n: NORMAL, z: Math.min(ZERO, (t - tn) / cz) };
}

describe('FirstPassFit (the first pass from its own progress)', () => {
  it('recovers both per-page costs of a normal stretch then a zero crawl, and the end N_n c_n + N_z c_z', () => {
    const setup = 0.003;
    const cn = 15e-6; // 4096 B / 15 us = 273 MB/s, the harder grid's normal pages
    const cz = 11e-6; // its zero-page crawl
    const end = setup + NORMAL * cn + ZERO * cz; // 1.3095 + 1.925 = 3.2375 s after setup
    const f = new FirstPassFit();
    for (let t = 0.1; t < 1.6; t += 0.1) {
      const { n, z } = progressAt(t, cn, cz);
      f.add({ elapsedSeconds: setup + t, setupSeconds: setup, normalPages: n, zeroPages: z });
    }
    const totals = { ramPages: PAGES, zeroPages: ZERO };
    const c = f.costs(totals)!;
    // exact data, five sums of up to 16 terms: a few ulps of conditioning on a 2x2 system
    expectRel(c.normal, cn, 1e-9);
    expectRel(c.zero, cz, 1e-9);
    expectRel(f.end(totals)!, end, 1e-9);
  });

  it('before any zero page: the given zero-page cost, the time so far charged to the normal pages', () => {
    const f = new FirstPassFit();
    // 0.6 s after a 0.01 s setup: 40 000 normal pages and 1 000 zero pages (under 5 % of 175 000: not fitted)
    f.add({ elapsedSeconds: 0.31, setupSeconds: 0.01, normalPages: 20_000, zeroPages: 500 });
    f.add({ elapsedSeconds: 0.61, setupSeconds: 0.01, normalPages: 40_000, zeroPages: 1_000 });
    const totals = { ramPages: PAGES, zeroPages: ZERO, zeroPageSeconds: 8e-6 };
    // c_n = (0.6 - 1000 x 8e-6) / 40000 = 1.48e-5 s; end = 0.61 + (87144 - 40000) c_n + (175000 - 1000) 8e-6
    const cn = (0.6 - 1000 * 8e-6) / 40_000;
    expectRel(f.costs(totals)!.normal, cn, 1e-12);
    expectRel(f.end(totals)!, 0.61 + (NORMAL - 40_000) * cn + (ZERO - 1_000) * 8e-6, 1e-12);
    // without a zero-page cost: one cost for both kinds, 0.6 s / 41000 pages
    const same = f.costs({ ramPages: PAGES, zeroPages: ZERO })!;
    expectRel(same.normal, 0.6 / 41_000, 1e-12);
    expect(same.zero).toBe(same.normal);
  });

  it('says nothing before 5 % of RAM is done, and skips samples that run backwards or are not numbers', () => {
    const f = new FirstPassFit();
    const totals = { ramPages: PAGES, zeroPages: ZERO };
    f.add({ elapsedSeconds: 0.1, setupSeconds: 0, normalPages: 10_000, zeroPages: 0 });
    expect(f.end(totals)).toBeNull(); // 10 000 < 13 107 pages
    f.add({ elapsedSeconds: 0.05, setupSeconds: 0, normalPages: 20_000, zeroPages: 0 });
    f.add({ elapsedSeconds: Number.NaN, setupSeconds: 0, normalPages: 30_000, zeroPages: 0 });
    expect(f.latest?.elapsedSeconds).toBe(0.1);
    f.add({ elapsedSeconds: 0.2, setupSeconds: 0, normalPages: 20_000, zeroPages: 0 });
    expectRel(f.end(totals)!, 0.2 + (PAGES - 20_000) * 1e-5, 1e-12);
  });

  it('property: exact intervals of any two costs and any mix of pages give back the costs and the end', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e-4, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e-4, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 })), { maxLength: 40 }),
        fc.integer({ min: 1000, max: 5000 }),
        fc.integer({ min: 1000, max: 5000 }),
        (cn, cz, mixed, pureN, pureZ) => {
          // a stretch of each kind alone (as QEMU's guests show them) among any mixed intervals
          const used = [[pureN, 0] as const, ...mixed.filter(([dn, dz]) => dn + dz > 0), [0, pureZ] as const];
          const f = new FirstPassFit();
          let t = 0;
          let n = 0;
          let z = 0;
          for (const [dn, dz] of used) {
            t += dn * cn + dz * cz;
            n += dn;
            z += dz;
            f.add({ elapsedSeconds: t, setupSeconds: 0, normalPages: n, zeroPages: z });
          }
          // both kinds seen enough (>= 5 %) in a RAM of 2 n + 2 z pages, half of them zero
          const totals = { ramPages: 2 * n + 2 * z, zeroPages: 2 * z };
          const c = f.costs(totals)!;
          // least squares on exact data: the conditioning of the 2x2 normal equations (near-collinear mixes)
          // can cost digits, so the end is checked against the time the remaining pages take, to 1e-6
          const end = f.end(totals)!;
          const exact = t + (totals.ramPages - totals.zeroPages - n) * cn + (totals.zeroPages - z) * cz;
          expectRel(end, exact, 1e-6);
          expect(c.normal).toBeGreaterThanOrEqual(0);
          expect(c.zero).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A migration's samples as QEMU reports them (normal pages 4096 B each, zero pages 9 B on the wire). */
function sample(t: number, setup: number, n: number, z: number, syncs = 1): QueryMigrate {
  return {
    status: 'active',
    totalTime: t * 1000,
    setupTime: setup * 1000,
    ram: {
      transferred: n * 4104 + z * 9,
      remaining: (PAGES - n - z) * 4096,
      total: PAGES * 4096,
      duplicate: z,
      normal: n,
      normalBytes: n * 4096,
      dirtyPagesRate: 0,
      mbps: 0,
      dirtySyncCount: syncs,
      pageSize: 4096,
    },
  };
}

describe('watch during the first pass', () => {
  const cn = 15e-6;
  const cz = 11e-6;
  const setup = 0.003;
  const T1 = setup + NORMAL * cn + ZERO * cz;
  const ctx = {
    downtimeLimitMs: 300,
    maxBandwidthBytesPerSecond: 1e12,
    linkBandwidthBytesPerSecond: 1.5e9,
    dirtyPagesPerSecond: 50_000,
    zeroPageFraction: ZERO / PAGES,
    workingSetPages: 65_536,
    dirtyPattern: 'random' as const,
    firstPassBandwidthBytesPerSecond: 4e8,
  };

  it('re-predicts the whole migration from 0.5 s on with round 1 ending where the pages say', () => {
    const w = new MigrationWatcher(ctx);
    let last: ReturnType<MigrationWatcher['update']> | undefined;
    for (let t = 0.1; t <= 1.65; t += 0.1) {
      const { n, z } = progressAt(t, cn, cz);
      last = w.update(sample(setup + t, setup, n, z));
      if (t < 0.5) expect(w.refinedPrediction).toBeUndefined();
    }
    const r = w.refinedPrediction!;
    expectRel(r.firstPassEndSeconds, T1, 1e-9);
    const p = r.prediction;
    // the model's round 1 checks the threshold once per 100 ms window, as QEMU does: it ends within one of T1
    const end1 = p.rounds[0]!.startSeconds + p.rounds[0]!.durationSeconds;
    expect(end1).toBeLessThanOrEqual(T1 + 1e-9);
    expect(end1).toBeGreaterThan(T1 - 0.1);
    expect(p).toEqual(predictWithFirstPassEnd({ ...inputOf(), setupSeconds: setup }, T1));
    // the time left is the refined prediction's, not the one taken at the first sample
    expect(p.converges).toBe(true);
    if (p.converges) expectRel(last!.remainingSeconds!, p.totalSeconds - r.atSeconds, 1e-12);
    expect(w.initialPrediction!.prediction).not.toEqual(p);
  });

  it('keeps the first-sample prediction when told not to refine before the pass ends', () => {
    const w = new MigrationWatcher({ ...ctx, refineAfterSeconds: 100 });
    for (let t = 0.1; t <= 1.65; t += 0.1) {
      const { n, z } = progressAt(t, cn, cz);
      w.update(sample(setup + t, setup, n, z));
    }
    expect(w.refinedPrediction).toBeUndefined();
  });

  /** The model input the watcher builds from ctx and the first sample (as in advisor.ts). */
  function inputOf() {
    return {
      pageSizeBytes: 4096,
      maxBandwidthBytesPerSecond: ctx.maxBandwidthBytesPerSecond,
      downtimeLimitSeconds: 0.3,
      dirtyPagesPerSecond: ctx.dirtyPagesPerSecond,
      linkBandwidthBytesPerSecond: ctx.linkBandwidthBytesPerSecond,
      firstPassBandwidthBytesPerSecond: ctx.firstPassBandwidthBytesPerSecond,
      memoryBytes: PAGES * 4096,
      zeroPageFraction: ctx.zeroPageFraction,
      workingSetPages: ctx.workingSetPages,
      dirtyPattern: ctx.dirtyPattern,
    };
  }

  it('the hard grid replays a repeat through the watcher, using nothing after the time asked', () => {
    const cal: Calibration = {
      bufferMiB: 256,
      memoryMiB: 1024,
      ramTotalBytes: PAGES * 4096,
      idleZeroPages: ZERO,
      switchoverBytesPerSecond: 1e9,
      laterRoundBytesPerSecond: 1.5e9,
      backgroundPagesPerSecond: 0,
      setupSeconds: 0,
      measured: {} as Measured,
      firstPassBytesPerSecond: 4e8,
      zeroPageSeconds: 8e-6,
    };
    const c: ValidationCase = {
      name: 'replay',
      workload: { bufferMiB: 256, pagesPerSecond: 50_000, mode: 'rand' },
      knobs: { maxBandwidthBytesPerSecond: 1e12, downtimeLimitMs: 300 },
      timeoutSeconds: 60,
      memoryMiB: 1024,
    };
    const samples: QueryMigrate[] = [];
    for (let t = 0.1; t < T1 - setup; t += 0.1) {
      const { n, z } = progressAt(t, cn, cz);
      samples.push(sample(setup + t, setup, n, z));
    }
    // after the first pass: counters that would move the fit if they were used
    samples.push(sample(T1 + 0.05, setup, NORMAL + 1, ZERO, 2));
    const m = { samples } as unknown as Measured;
    expect(predictWatchAt(c, cal, { ...m, samples: undefined } as Measured, 1)).toBeNull();
    const end1 = (p: ReturnType<typeof predictWatchAt>) => p!.rounds[0]!.startSeconds + p!.rounds[0]!.durationSeconds;
    // at 2 s both stretches have been seen: round 1 ends at T1 (within the model's 100 ms window)
    const at2 = predictWatchAt(c, cal, m, 2)!;
    expect(end1(at2)).toBeLessThanOrEqual(T1 + 1e-9);
    expect(end1(at2)).toBeGreaterThan(T1 - 0.1);
    // at 1 s only normal pages: the calibration's 8 us a zero page stands in for the 11 us that follow
    const guess = setup + NORMAL * cn + ZERO * 8e-6;
    const at1 = predictWatchAt(c, cal, m, 1)!;
    expect(end1(at1)).toBeLessThanOrEqual(guess + 1e-9);
    expect(end1(at1)).toBeGreaterThan(guess - 0.1);
    // the sample past the first pass (2.3 s on) changes nothing at 3 s: the last refinement stands
    expect(predictWatchAt(c, cal, m, 10)).toEqual(predictWatchAt(c, cal, m, T1 - 0.01));
    expect(predictWatchAt(c, cal, m, 0.4)).toBeNull();
  });
});
