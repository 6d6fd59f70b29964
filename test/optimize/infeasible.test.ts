/**
 * The infeasible verdict's best values (read from the monotone structure in a few evaluations) against a walk
 * over every band start, as the optimiser computed them before: the least value of each quantity over the
 * alpha range, and an alpha that reaches it.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type CaseName, type Summary, iterations, summarizeAt } from '../../src/model/index.js';
import { type OptimizeProblem, optimize } from '../../src/optimize/index.js';
import { expectRel } from '../support/approx.js';

const KEYS = ['networkUtilization', 'downtimeSeconds', 'totalSeconds', 'pagesTransferred'] as const;

describe('optimize() infeasible bests', () => {
  test.prop(
    [
      fc.record({
        case: fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
        accounting: fc.constantFrom('paper' as const, 'consistent' as const),
        rho: fc.double({ min: 0.05, max: 0.97, noNaN: true }),
        beta: fc.double({ min: 0, max: 0.9, noNaN: true }),
        pages: fc.integer({ min: 1, max: 1e9 }),
        lo: fc.double({ min: 1e-6, max: 0.3, noNaN: true }),
        span: fc.double({ min: 0, max: 0.69, noNaN: true }),
      }),
    ],
    { seed: 1111, numRuns: 300 },
  )('each best equals the least value over all band starts (a walk over every band)', (r) => {
    const tau = 0.001;
    const p: OptimizeProblem = {
      case: r.case,
      accounting: r.accounting,
      pages: r.pages,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 4096 / tau,
      dirtyPagesPerSecond: r.rho / tau,
      hotFraction: r.beta,
      coldDirtyPagesPerSecond: r.rho / tau,
      hotDirtyPagesPerSecond: Math.min(r.rho * 1.02, 0.99) / tau,
      alphaRange: { min: r.lo, max: Math.min(0.999, r.lo + r.span) },
      constraints: { maxNetworkUtilization: 1e-6 }, // Unet >= alpha-ish > 1e-6 always: infeasible
    };
    const out = optimize(p);
    if (!out.converged) return;
    expect(out.feasible).toBe(false);
    if (out.feasible) return;
    const at = (a: number) => summarizeAt(p, p.case, a) as Summary;
    const rho = out.rho;
    const kHi = iterations(rho, p.alphaRange!.min);
    const kLo = iterations(rho, p.alphaRange!.max);
    for (const key of KEYS) {
      let best = Number.POSITIVE_INFINITY;
      for (let k = kHi; k >= kLo; k--) best = Math.min(best, at(k === kHi ? p.alphaRange!.min : rho ** (k + 1))[key]);
      expectRel(out.best[key].value, best, 1e-12);
      expectRel(at(out.best[key].atAlpha)[key], out.best[key].value, 1e-12);
    }
  });
});
