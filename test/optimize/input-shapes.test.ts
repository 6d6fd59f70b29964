/**
 * optimize() reads each field of its problem once (readProblem in src/optimize/index.ts): through for-in for a
 * plain object, by name otherwise. Whatever the way the problem object was built, the answer (or the error)
 * must be the one the same fields give as a plain object literal, compared with toStrictEqual (every double
 * the same, Object.is semantics).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { Accounting, CaseName } from '../../src/model/index.js';
import { type Objective, type OptimizeProblem, type OptimizeResult, optimize } from '../../src/optimize/index.js';

const problemArb = fc
  .record({
    case: fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
    accounting: fc.option(fc.constantFrom<Accounting>('paper', 'consistent'), { nil: undefined }),
    objective: fc.option(fc.constantFrom<Objective>('downtime', 'totalTime', 'pagesTransferred', 'energy'), {
      nil: undefined,
    }),
    rho: fc.double({ min: 0.01, max: 1.2, noNaN: true }),
    hotFraction: fc.double({ min: 0, max: 0.4, noNaN: true }),
    pages: fc.integer({ min: 1, max: 1e8 }),
    lo: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
    span: fc.double({ min: 0, max: 0.79, noNaN: true }),
    unet: fc.option(fc.double({ min: 0.2, max: 1, noNaN: true }), { nil: undefined }),
    total: fc.option(fc.double({ min: 1, max: 4, noNaN: true }), { nil: undefined }),
    energy: fc.option(fc.double({ min: 1, max: 1e6, noNaN: true }), { nil: undefined }),
  })
  .map((r): OptimizeProblem => {
    const tau = 4096 / 1.25e9;
    return {
      case: r.case,
      ...(r.accounting !== undefined ? { accounting: r.accounting } : {}),
      ...(r.objective !== undefined ? { objective: r.objective } : {}),
      pages: r.pages,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 1.25e9,
      dirtyPagesPerSecond: r.rho / tau,
      hotFraction: r.hotFraction,
      coldDirtyPagesPerSecond: (0.9 * r.rho) / tau,
      hotDirtyPagesPerSecond: Math.min(1.5 * r.rho, 0.99) / tau,
      alphaRange: { min: r.lo, max: Math.min(0.999, r.lo + r.span) },
      constraints: {
        ...(r.unet !== undefined ? { maxNetworkUtilization: r.unet } : {}),
        ...(r.total !== undefined ? { maxTotalSeconds: r.total * r.pages * tau } : {}),
        ...(r.energy !== undefined ? { maxEnergyJoules: r.energy } : {}),
      },
    };
  });

/** The answer, or the error's message: what a caller can observe. */
function outcome(p: OptimizeProblem): OptimizeResult | string {
  try {
    return optimize(p);
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** The same fields as getters on a class's prototype (not listed by for-in). */
function asClassInstance(p: OptimizeProblem): OptimizeProblem {
  const fields = { ...p };
  class Problem {}
  for (const k of Object.keys(fields)) {
    Object.defineProperty(Problem.prototype, k, { get: () => fields[k as keyof typeof fields], enumerable: false });
  }
  return new Problem() as OptimizeProblem;
}

/** The same fields, the required ones non-enumerable own properties. */
function withHiddenFields(p: OptimizeProblem): OptimizeProblem {
  const o: Record<string, unknown> = { ...p };
  for (const k of [
    'pages',
    'pageSizeBytes',
    'bandwidthBytesPerSecond',
    'case',
    'dirtyPagesPerSecond',
    'hotFraction',
    'hotDirtyPagesPerSecond',
    'coldDirtyPagesPerSecond',
  ]) {
    if (k in o) Object.defineProperty(o, k, { value: o[k], enumerable: false });
  }
  return o as unknown as OptimizeProblem;
}

describe('optimize() gives the same answer however the problem object is built', () => {
  test.prop([problemArb], { seed: 4242, numRuns: 300 })(
    'literal, spread with extra fields (one map per object), null prototype, class getters, hidden fields',
    (p) => {
      const expected = outcome(p);
      const { case: name, alphaRange, ...base } = p;
      expect(outcome({ ...base, case: name, alphaRange })).toStrictEqual(expected);
      expect(outcome(Object.assign(Object.create(null), p))).toStrictEqual(expected);
      expect(outcome(asClassInstance(p))).toStrictEqual(expected);
      expect(outcome(withHiddenFields(p))).toStrictEqual(expected);
    },
  );

  it('reports a missing or invalid field as before, whichever way it is read', () => {
    const p: OptimizeProblem = {
      case: 'hotPrecopy',
      pages: 1000,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 1.25e9,
      hotFraction: 0.1,
      coldDirtyPagesPerSecond: 1000,
    };
    // hotDirtyPagesPerSecond is missing: the same error from a literal and from a class instance
    expect(outcome(p)).toMatch(/hotDirtyPagesPerSecond/);
    expect(outcome(asClassInstance(p))).toBe(outcome(p));
    const bad = { ...p, hotDirtyPagesPerSecond: 2000, pages: -1 };
    expect(outcome(bad)).toMatch(/pages/);
    expect(outcome(withHiddenFields(bad))).toBe(outcome(bad));
  });
});
