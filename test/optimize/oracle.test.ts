/**
 * The exact optimiser against a brute-force oracle: evaluate the model on a dense grid of alpha (log-spaced
 * plus linear, plus both ends of the range) and compare. The oracle knows nothing about bands.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type Accounting,
  type CaseName,
  type Summary,
  summarizeHotDowntime,
  summarizeHotPrecopy,
  summarizeUniform,
} from '../../src/model/index.js';
import { type Constraints, type Objective, type OptimizeProblem, optimize } from '../../src/optimize/index.js';
import { expectRel } from '../support/approx.js';

function evaluate(p: OptimizeProblem, alpha: number): Summary {
  const q = { ...p, alpha } as never;
  const s =
    p.case === 'uniform'
      ? summarizeUniform(q)
      : p.case === 'hotPrecopy'
        ? summarizeHotPrecopy(q)
        : summarizeHotDowntime(q);
  if (!s.converged) throw new Error('diverges');
  return s;
}
const objectiveOf = (s: Summary, o: Objective) =>
  o === 'downtime' ? s.downtimeSeconds : o === 'totalTime' ? s.totalSeconds : s.pagesTransferred;
const meets = (s: Summary, c: Constraints, slack = 0) =>
  (c.maxNetworkUtilization === undefined || s.networkUtilization <= c.maxNetworkUtilization * (1 + slack)) &&
  (c.maxDowntimeSeconds === undefined || s.downtimeSeconds <= c.maxDowntimeSeconds * (1 + slack)) &&
  (c.maxTotalSeconds === undefined || s.totalSeconds <= c.maxTotalSeconds * (1 + slack)) &&
  (c.maxPagesTransferred === undefined || s.pagesTransferred <= c.maxPagesTransferred);

function grid(min: number, max: number, n: number): number[] {
  const out = [min, max];
  for (let i = 0; i <= n; i++) {
    out.push(min * (max / min) ** (i / n)); // log-spaced
    out.push(min + ((max - min) * i) / n); // linear
  }
  return out.filter((a) => a >= min && a <= max);
}

const problemArb = fc
  .record({
    case: fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
    accounting: fc.constantFrom<Accounting>('paper', 'consistent'),
    objective: fc.constantFrom<Objective>('downtime', 'totalTime', 'pagesTransferred'),
    rho: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
    hotFraction: fc.double({ min: 0, max: 0.4, noNaN: true }),
    hotFactor: fc.double({ min: 1, max: 1.5, noNaN: true }),
    pages: fc.integer({ min: 100, max: 1e7 }),
    lo: fc.double({ min: 0.005, max: 0.2, noNaN: true }),
    span: fc.double({ min: 0.05, max: 0.79, noNaN: true }),
    unet: fc.option(fc.double({ min: 0.2, max: 1, noNaN: true }), { nil: undefined }),
    downtimeShare: fc.option(fc.double({ min: 0.001, max: 0.6, noNaN: true }), { nil: undefined }),
    totalShare: fc.option(fc.double({ min: 1, max: 4, noNaN: true }), { nil: undefined }),
    pagesShare: fc.option(fc.double({ min: 1, max: 4, noNaN: true }), { nil: undefined }),
  })
  .map((r): OptimizeProblem => {
    const tau = 0.001; // 4096 B at 4.096 MB/s
    const psTau = r.pages * tau;
    return {
      case: r.case,
      accounting: r.accounting,
      objective: r.objective,
      pages: r.pages,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 4096 / tau,
      dirtyPagesPerSecond: r.rho / tau,
      hotFraction: r.hotFraction,
      coldDirtyPagesPerSecond: r.rho / tau,
      hotDirtyPagesPerSecond: Math.min((r.rho * r.hotFactor) / tau, 0.99 / tau),
      alphaRange: { min: r.lo, max: Math.min(0.999, r.lo + r.span) },
      constraints: {
        ...(r.unet !== undefined ? { maxNetworkUtilization: r.unet } : {}),
        ...(r.downtimeShare !== undefined ? { maxDowntimeSeconds: r.downtimeShare * psTau } : {}),
        ...(r.totalShare !== undefined ? { maxTotalSeconds: r.totalShare * psTau } : {}),
        ...(r.pagesShare !== undefined ? { maxPagesTransferred: Math.round(r.pagesShare * r.pages) } : {}),
      },
    };
  })
  .filter((p) => {
    const deff =
      (p.coldDirtyPagesPerSecond! * (1 - p.hotFraction!) + p.hotDirtyPagesPerSecond! * p.hotFraction!) * 0.001;
    return deff < 0.99;
  });

describe('optimize() equals a brute-force oracle', () => {
  test.prop([problemArb], { seed: 2013, numRuns: 300 })('same optimum, feasibility and optimal set', (p) => {
    const r = optimize(p);
    expect(r.converged).toBe(true);
    const c = p.constraints ?? {};
    const obj = p.objective ?? 'downtime';
    const points = grid(p.alphaRange!.min, p.alphaRange!.max, 1500).map((a) => ({ a, s: evaluate(p, a) }));
    const feasible = points.filter(({ s }) => meets(s, c));
    if (!r.feasible) {
      // Nothing the oracle tries is feasible (tiny slack: a grid point could sit exactly on a constraint).
      expect(points.filter(({ s }) => meets(s, c, -1e-12))).toEqual([]);
      if (r.converged) {
        const minU = Math.min(...points.map(({ s }) => s.networkUtilization));
        expect(r.minNetworkUtilization).toBeLessThanOrEqual(minU * (1 + 1e-12));
        expectRel(evaluate(p, r.atAlpha).networkUtilization, r.minNetworkUtilization, 1e-12);
      }
      return;
    }
    const best = Math.min(...feasible.map(({ s }) => objectiveOf(s, obj)));
    // The exact optimum is never worse than any grid point ...
    expect(objectiveOf(evaluate(p, r.alpha.min), obj)).toBeLessThanOrEqual(best * (1 + 1e-12));
    // ... every alpha it returns is feasible and optimal, with the reported n ...
    const inside = [r.alpha.min, r.alpha.recommended, ...(r.alpha.maxInclusive ? [r.alpha.max] : [])];
    for (const a of inside) {
      const s = evaluate(p, a);
      expect(meets(s, c, 1e-9)).toBe(true);
      expect(s.iterations).toBe(r.iterations);
      expectRel(objectiveOf(s, obj), objectiveOf(evaluate(p, r.alpha.min), obj), 1e-12);
      expect(s.networkUtilization).toBeGreaterThanOrEqual(r.networkUtilization.min * (1 - 1e-12));
      expect(s.networkUtilization).toBeLessThanOrEqual(r.networkUtilization.max * (1 + 1e-12));
    }
    // ... and where the grid has a point inside the optimal interval, the grid finds the same value.
    const hit = feasible.filter(
      ({ a }) => a >= r.alpha.min && (r.alpha.maxInclusive ? a <= r.alpha.max : a < r.alpha.max),
    );
    for (const { s } of hit) expectRel(objectiveOf(s, obj), best, 1e-12);
    // Grid points just outside the interval but in the same band are infeasible or worse.
    const after = r.alpha.max * (1 + 1e-7);
    if (after <= p.alphaRange!.max && evaluate(p, after).iterations === r.iterations && obj !== 'pagesTransferred') {
      expect(meets(evaluate(p, after), c)).toBe(false);
    }
  });
});

describe('optimize() with a total-time limit and many bands', () => {
  // The downtime walk skips the bands a Ttotal limit rules out (estimated in closed form, confirmed by one
  // evaluation). Reference: the plain walk, evaluating the start of every band from the top (range.min) down and
  // taking the first that meets the limit (Tdown decreases with fewer rounds, so that band is the optimum).
  test.prop(
    [
      fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
      fc.double({ min: 0.9, max: 0.999, noNaN: true }),
      fc.double({ min: 1e-4, max: 0.01, noNaN: true }),
      fc.double({ min: 0.8, max: 30, noNaN: true }),
      fc.double({ min: 0, max: 0.3, noNaN: true }),
    ],
    { seed: 2014, numRuns: 120 },
  )('finds the band the plain walk over every band finds', (name, rho, lo, totalShare, hotFraction) => {
    const tau = 0.001;
    const pages = 100_000;
    const p: OptimizeProblem = {
      case: name,
      pages,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 4096 / tau,
      dirtyPagesPerSecond: rho / tau,
      hotFraction,
      coldDirtyPagesPerSecond: rho / tau,
      hotDirtyPagesPerSecond: rho / tau,
      alphaRange: { min: lo, max: 0.999 },
      constraints: { maxTotalSeconds: totalShare * pages * tau },
    };
    const first = evaluate(p, lo);
    const r0 = first.rho;
    let expected: { k: number; alpha: number } | undefined;
    for (let k = first.iterations; k >= 0 && !expected; k--) {
      const alpha = k === first.iterations ? lo : r0 ** (k + 1);
      if (alpha > 0.999) break;
      if (evaluate(p, alpha).totalSeconds <= p.constraints!.maxTotalSeconds!) expected = { k, alpha };
    }
    const r = optimize(p);
    expect(r.feasible).toBe(expected !== undefined);
    if (r.feasible && expected) {
      expect(r.iterations).toBe(expected.k);
      expect(r.alpha.min).toBe(expected.alpha);
    }
  });
});

describe('optimize() edge cases', () => {
  const paper = {
    pages: 4096,
    pageSizeBytes: 16_000,
    bandwidthBytesPerSecond: 60_000,
    dirtyPagesPerSecond: 2,
    hotFraction: 0.1,
    hotDirtyPagesPerSecond: 4,
    coldDirtyPagesPerSecond: 1.8,
  };
  it('Table 2 with Umax = 0.4 is infeasible for all three cases under the printed formulas', () => {
    // Uniform: on the band of n, Unet >= (rho + rho^(n+1) - 2 rho^(n+2))/(1 - rho^(n+2)) > rho = 0.533.
    for (const c of ['uniform', 'hotPrecopy', 'hotDowntime'] as const) {
      const r = optimize({ ...paper, case: c, constraints: { maxNetworkUtilization: 0.4 } });
      expect(r.feasible).toBe(false);
      if (!r.feasible && r.converged) {
        expect(r.minNetworkUtilization).toBeGreaterThan(0.5);
        expect(r.violated).toEqual(['maxNetworkUtilization']);
      }
    }
  });
  it('without constraints the least downtime is at the lowest alpha of the range', () => {
    const r = optimize({ ...paper, case: 'uniform', alphaRange: { min: 0.05, max: 0.9 } });
    expect(r.feasible && r.alpha.min).toBe(0.05);
    expect(r.feasible && r.iterations).toBe(4);
    // The band of n = 4 runs up to rho^4 = 0.0809 (open).
    expect(r.feasible && r.alpha.maxInclusive).toBe(false);
    expect(r.feasible && r.alpha.max).toBe((8 / 15) ** 4);
  });
  it('non-convergence is a result', () => {
    const r = optimize({ ...paper, dirtyPagesPerSecond: 4, case: 'uniform' });
    expect(r.converged).toBe(false);
  });
  it('rejects a bad range and constraint', () => {
    expect(() => optimize({ ...paper, case: 'uniform', alphaRange: { min: 0.5, max: 0.1 } })).toThrow(/alphaRange/);
    expect(() => optimize({ ...paper, case: 'uniform', constraints: { maxNetworkUtilization: -1 } })).toThrow(
      /maxNetworkUtilization/,
    );
  });
});
