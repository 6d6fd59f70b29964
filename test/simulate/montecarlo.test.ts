import { describe, expect, it } from 'vitest';
import {
  predictHotDowntimeDistinct,
  predictHotPrecopyDistinct,
  predictUniformDistinct,
} from '../../src/model/distinct.js';
import type { SimulationParams } from '../../src/simulate/engine.js';
import { estimate, monteCarlo, studentT975 } from '../../src/simulate/montecarlo.js';
import { monteCarloParallel, splitReplicas } from '../../src/simulate/pool.js';

const random: SimulationParams = {
  pages: 50_000,
  pageSizeBytes: 4096,
  bandwidthBytesPerSecond: 4096 * 10_000, // 10,000 pages/s: tau = 1e-4 s
  workload: { kind: 'random', dirtyPagesPerSecond: 6000 }, // rho = 0.6
  stopRule: { kind: 'alpha', alpha: 0.0122 },
};

describe('studentT975', () => {
  it('studentT975(df) above the table (expansion) matches t at 31, 40, 60 and 120 degrees of freedom', () => {
    // Reference t_{0.975} values (R: qt(0.975, df)): 2.039513, 2.021075, 2.000298, 1.979930.
    for (const [df, t] of [
      [31, 2.039513],
      [40, 2.021075],
      [60, 2.000298],
      [120, 1.97993],
    ] as const) {
      expect(Math.abs(studentT975(df) - t)).toBeLessThanOrEqual(2e-6 * t);
    }
  });

  it('estimate([1, 2, 3]) has mean 2, sd 1 and half-width t(2)/sqrt(3)', () => {
    const e = estimate([1, 2, 3]);
    expect(e.mean).toBe(2);
    expect(e.sd).toBe(1);
    expect(Math.abs(e.halfWidth - 4.302652729749464 / Math.sqrt(3))).toBeLessThan(1e-12);
  });
});

describe('seeded Monte Carlo', () => {
  it('monteCarlo(seed) is reproducible and another seed differs', () => {
    const a = monteCarlo(random, { replicas: 4, seed: 7 });
    const b = monteCarlo(random, { replicas: 4, seed: 7 });
    const c = monteCarlo(random, { replicas: 4, seed: 8 });
    expect(a.estimates).toEqual(b.estimates);
    expect(c.estimates.pagesDirtied.mean).not.toBe(a.estimates.pagesDirtied.mean);
  });

  it('splitReplicas(10, 3) deals every replica exactly once', () => {
    const parts = splitReplicas(10, 3);
    expect(parts.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('monteCarloParallel gives the same result with 1 job and with 2 worker threads', async () => {
    const options = { replicas: 7, seed: 99 };
    const inline = await monteCarloParallel(random, { ...options, jobs: 1 });
    const threaded = await monteCarloParallel(random, {
      ...options,
      jobs: 2,
      execArgv: ['--import', new URL('../support/ts-register.mjs', import.meta.url).href],
      workerUrl: new URL('../../src/simulate/worker.ts', import.meta.url),
    });
    expect(threaded.estimates).toEqual(inline.estimates);
    expect(threaded.rounds).toEqual(inline.rounds);
  });
});

describe('random writes against the distinct-pages model', () => {
  it('per-round distinct pages and totals: the model lies inside the 95 % Monte Carlo interval', () => {
    // rho = 0.6, Ps = 50,000: the paper predicts P(1) = 30,000, the distinct model 50,000*(1 - e^-0.6) = 22,559;
    // The distinct recursion x' = 1 - exp(-0.6 x) gives x7 = 0.0158, x8 = 0.0094: alpha = 0.0122 sits between
    // them, 25 % from both, many standard deviations away, so every replica runs the same n = 7.
    const mc = monteCarlo(random, { replicas: 40, seed: 2013 });
    const model = predictUniformDistinct({
      pages: random.pages,
      pageSizeBytes: random.pageSizeBytes,
      bandwidthBytesPerSecond: random.bandwidthBytesPerSecond,
      dirtyPagesPerSecond: 6000,
      alpha: 0.0122,
      accounting: 'consistent',
    });
    if (!model.converged) throw new Error('model did not converge');
    expect(mc.estimates.iterations.sd).toBe(0);
    expect(mc.estimates.iterations.mean).toBe(model.iterations);
    for (let i = 1; i <= model.iterations; i++) {
      const e = mc.rounds[i]!.pagesSent;
      const m = model.rounds[i]!.pages;
      expect(m).toBeGreaterThanOrEqual(e.low);
      expect(m).toBeLessThanOrEqual(e.high);
    }
    for (const key of ['precopySeconds', 'downtimeSeconds', 'totalSeconds'] as const) {
      const e = mc.estimates[key];
      expect(model[key]).toBeGreaterThanOrEqual(e.low);
      expect(model[key]).toBeLessThanOrEqual(e.high);
    }
    // ... and the paper's P(1) = rho*Ps = 30,000 lies far outside it.
    expect(mc.rounds[1]!.pagesSent.high).toBeLessThan(30_000 * 0.8);
  });

  it.each([
    ['Hot I', 'alpha', predictHotPrecopyDistinct],
    ['Hot II', 'hot-held', predictHotDowntimeDistinct],
  ] as const)(
    'hot-cold random writes, %s: the distinct-pages model lies inside the 95 %% interval',
    (_name, rule, model) => {
      // Ps = 40,000, tau = 1e-4 s, beta = 0.2, Dh = 12,000/s, Dnh = 4,000/s (per page 0.3/s and 0.1/s).
      // alpha = 0.02 is checked (below) to sit between two rounds of the model with a wide margin.
      const hot = { hotFraction: 0.2, hotDirtyPagesPerSecond: 12_000, coldDirtyPagesPerSecond: 4000 };
      const params: SimulationParams = {
        pages: 40_000,
        pageSizeBytes: 4096,
        bandwidthBytesPerSecond: 4096 * 10_000,
        workload: { kind: 'hot-cold', ...hot },
        stopRule: { kind: rule, alpha: 0.02 },
      };
      const m = model({
        pages: 40_000,
        pageSizeBytes: 4096,
        bandwidthBytesPerSecond: 4096 * 10_000,
        alpha: 0.02,
        accounting: 'consistent',
        ...hot,
      });
      if (!m.converged) throw new Error('model did not converge');
      const live = rule === 'alpha' ? 40_000 : 32_000;
      const margin = Math.min(m.rounds[m.iterations]!.pages / (0.02 * live), (0.02 * live) / m.pagesLeft);
      expect(margin).toBeGreaterThan(1.15);
      const mc = monteCarlo(params, { replicas: 30, seed: 77 });
      expect(mc.estimates.iterations.mean).toBe(m.iterations);
      for (const key of ['precopySeconds', 'downtimeSeconds', 'totalSeconds'] as const) {
        const e = mc.estimates[key];
        expect(m[key]).toBeGreaterThanOrEqual(e.low);
        expect(m[key]).toBeLessThanOrEqual(e.high);
      }
    },
  );
});
