/** Numerical hazards: band edges, rho -> 1, alpha -> 0, huge page counts, integer page counts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ModelInputError,
  ceilPages,
  geometricSum,
  iterations,
  predictHotDowntime,
  predictHotPrecopy,
  predictUniform,
  summarizeUniform,
  type CaseResult,
  type CaseOutcome,
} from '../../src/model/index.js';
import { compensatedSum, expectRel } from '../support/approx.js';

function ok(r: CaseOutcome): CaseResult {
  if (!r.converged) throw new Error(r.reason);
  return r;
}
const unit = { pageSizeBytes: 1, bandwidthBytesPerSecond: 1 }; // tau = 1 s, so rho = D

describe('iterations(rho, alpha) at band edges', () => {
  it('iterations(0.4, 0.16) is 1 although Eq. 11 in floats gives 2', () => {
    // ln(0.16)/ln(0.4) evaluates to 2 + 1 ulp, so ceil(x - 1) = 2: the hazard the robust rule avoids.
    expect(Math.ceil(Math.log(0.16) / Math.log(0.4) - 1)).toBe(2);
    expect(iterations(0.4, 0.16)).toBe(1);
  });
  it('iterations(8/15, (8/15)^3) is 2 (the paper rho with alpha = rho^3)', () => {
    expect(iterations(8 / 15, (8 / 15) ** 3)).toBe(2);
    expect(iterations(8 / 15, (8 / 15) ** 3)).toBe(2);
    expect(iterations(8 / 15, 0.151703703703704)).toBe(2); // rho^3 typed to 15 digits
  });
  it.each([
    [0.4, 2],
    [8 / 15, 3],
    [0.48, 1],
    [0.9, 7],
    [0.999, 100],
  ])('iterations(%d, rho^(k+1) * (1 -/+ 1e-9)) is k+1 below the edge and k at or above it (k = %i)', (rho, k) => {
    const edge = rho ** (k + 1);
    expect(iterations(rho, edge)).toBe(k);
    expect(iterations(rho, edge * (1 + 1e-9))).toBe(k);
    expect(iterations(rho, edge * (1 - 1e-9))).toBe(k + 1);
  });
  it('alpha >= rho gives n = 0; rho = 0 gives n = 0', () => {
    expect(iterations(0.5, 0.5)).toBe(0);
    expect(iterations(0.5, 0.9)).toBe(0);
    expect(iterations(0, 1e-300)).toBe(0);
  });
  it('tiny alpha: iterations(0.5, 1e-12) is 39 (2^-40 = 9.09e-13 <= 1e-12 < 2^-39)', () => {
    expect(iterations(0.5, 1e-12)).toBe(39);
  });
});

describe('rho -> 1', () => {
  it('geometricSum(1 - 1e-12, 5) matches direct summation to 4e-16', () => {
    const rho = 1 - 1e-12;
    const direct = compensatedSum([1, rho, rho ** 2, rho ** 3, rho ** 4]);
    expectRel(geometricSum(rho, 5), direct, 4e-16);
  });
  it('geometricSum(1 - 3e-9, 1e5) matches the binomial series sum_j (-eps)^j C(k, j+1)', () => {
    const rho = 1 - 3e-9;
    const eps = 1 - rho; // exact (Sterbenz), so the reference uses the same rho as the code
    const k = 1e5;
    // (1 - (1-eps)^k)/eps = k - C(k,2) eps + C(k,3) eps^2 - C(k,4) eps^3 + ...; the next term is ~7e-12.
    const c2 = (k * (k - 1)) / 2;
    const c3 = (c2 * (k - 2)) / 3;
    const c4 = (c3 * (k - 3)) / 4;
    const series = k - c2 * eps + c3 * eps ** 2 - c4 * eps ** 3;
    expectRel(geometricSum(rho, k), series, 1e-13);
  });
  it('pre-copy time with rho = 1 - 2^-30, alpha = 0.5 matches the series to 1e-12', () => {
    // n = ceil(ln 0.5/ln rho) - 1 ~ 0.693*2^30; Tpre = Ps*tau*(1 - rho^(n+1))/(1 - rho).
    const eps = 2 ** -30;
    const r = ok(
      predictUniform({ ...unit, pages: 1, dirtyPagesPerSecond: 1 - eps, alpha: 0.5 }, { maxRoundsListed: 3 }),
    );
    const n = r.iterations;
    expect(n).toBe(Math.ceil(Math.log(0.5) / Math.log1p(-eps)) - 1);
    // Independent: (1 - exp((n+1)*log1p(-eps)))/eps, with log1p(-eps) = -eps - eps^2/2 - ... as a series.
    const l = -eps - eps ** 2 / 2 - eps ** 3 / 3;
    const expected = -Math.expm1((n + 1) * l) / eps;
    expectRel(r.precopySeconds, expected, 1e-12);
    expect(r.roundsTruncated).toBe(true);
    expect(r.rounds).toHaveLength(3);
  });
});

describe('huge and exact page counts', () => {
  it('1e12 pages: PTotalMig is exactly 1.75e12 (rho = 0.5, alpha = 0.25)', () => {
    const r = ok(predictUniform({ ...unit, pages: 1e12, dirtyPagesPerSecond: 0.5, alpha: 0.25 }));
    expect(r.pagesTransferred).toBe(1.75e12);
    expect(
      ok(predictUniform({ ...unit, pages: 1e12, dirtyPagesPerSecond: 0.5, alpha: 0.25, accounting: 'consistent' }))
        .pagesTransferred,
    ).toBe(1.75e12);
  });
  it('an integer count that floats compute as 1390.0000000000002 is not rounded up to 1391', () => {
    // Ps = 1000, rho = 0.3, alpha = 0.09 = rho^2 -> n = 1, PTotalMig = 1000*(1 + 0.3 + 0.09) = 1390.
    expect(Math.ceil(1000 * (1 + 0.3 + 0.09))).toBe(1391);
    const r = ok(predictUniform({ ...unit, pages: 1000, dirtyPagesPerSecond: 0.3, alpha: 0.09 }));
    expect(r.iterations).toBe(1);
    expect(r.pagesTransferred).toBe(1390);
  });
  it('ceilPages rounds genuine fractions up', () => {
    expect(ceilPages(1674.01)).toBe(1675);
    expect(ceilPages(1674.0000000000002)).toBe(1674);
    expect(ceilPages(0.5)).toBe(1);
  });
  it('ceilPages (one ceil and a comparison) agrees with its definition: round if within 64 ulps, else ceil', () => {
    const definition = (x: number) => {
      const r = Math.round(x);
      return Math.abs(x - r) <= 64 * Number.EPSILON * Math.max(1, Math.abs(x)) ? r : Math.ceil(x);
    };
    // near integers (the hazard: noise just above k must not count as a page), across magnitudes up to 2^60
    const nearInteger = fc
      .tuple(
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: -200, max: 200 }),
      )
      .map(([e, f, ulps]) => {
        const k = Math.floor(f * 2 ** e);
        return k + ulps * Number.EPSILON * Math.max(1, k);
      });
    fc.assert(
      fc.property(fc.oneof(nearInteger, fc.double({ min: -1e18, max: 1e18, noNaN: true })), (x) => {
        expect(ceilPages(x)).toBe(definition(x));
      }),
      { numRuns: 20_000 },
    );
    for (const x of [0, 1, -1, 2 ** 45, 2 ** 45 + 0.5, 2 ** 53, 2 ** 53 + 2, 1e300])
      expect(ceilPages(x)).toBe(definition(x));
  });
});

describe('domain edges', () => {
  it('D = 0: one round, zero downtime, unbounded gain with a warning', () => {
    const r = ok(predictUniform({ ...unit, pages: 10, dirtyPagesPerSecond: 0, alpha: 0.1 }));
    expect([r.iterations, r.downtimeSeconds, r.precopySeconds]).toEqual([0, 0, 10]);
    expect(r.gain).toBe(Number.POSITIVE_INFINITY);
    expect(r.warnings.join()).toMatch(/unbounded/);
  });
  it('rho >= 1 is a readable non-convergence, not an exception', () => {
    const r = predictUniform({
      pages: 4096,
      pageSizeBytes: 16_000,
      bandwidthBytesPerSecond: 60_000,
      dirtyPagesPerSecond: 5,
      alpha: 0.1,
    });
    expect(r.converged).toBe(false);
    if (!r.converged) {
      expect(r.reason).toBe(
        'pre-copy never converges: dirty rate 5 pages/s >= transfer rate 3.75 pages/s (rho = 1.33333)',
      );
    }
    expect(predictUniform({ ...unit, pages: 1, dirtyPagesPerSecond: 1, alpha: 0.1 }).converged).toBe(false);
  });
  it('alpha > rho warns (the paper itself uses alpha = 0.7 in Figure 1) and strict rejects it', () => {
    const p = { ...unit, pages: 100, dirtyPagesPerSecond: 0.5, alpha: 0.7 };
    expect(ok(predictUniform(p)).warnings[0]).toMatch(/alpha = 0.7 is above rho = 0.5/);
    expect(() => predictUniform(p, { strict: true })).toThrow(ModelInputError);
    expect(ok(predictUniform({ ...p, alpha: 0.5 }, { strict: true })).warnings).toEqual([]);
  });
  it.each([
    ['alpha', { alpha: 0 }],
    ['alpha', { alpha: 1 }],
    ['alpha', { alpha: Number.NaN }],
    ['pages', { pages: 0 }],
    ['pages', { pages: 2.5 }],
    ['pages', { pages: 2 ** 53 }],
    ['pageSizeBytes', { pageSizeBytes: -1 }],
    ['bandwidthBytesPerSecond', { bandwidthBytesPerSecond: 0 }],
    ['bandwidthBytesPerSecond', { bandwidthBytesPerSecond: Number.POSITIVE_INFINITY }],
    ['dirtyPagesPerSecond', { dirtyPagesPerSecond: -2 }],
  ])('predictUniform rejects a bad %s with ModelInputError naming it', (name, bad) => {
    const p = { ...unit, pages: 100, dirtyPagesPerSecond: 0.5, alpha: 0.1, ...bad };
    expect(() => predictUniform(p)).toThrow(ModelInputError);
    try {
      predictUniform(p);
    } catch (e) {
      expect((e as ModelInputError).parameter).toBe(name);
      expect((e as ModelInputError).message).toMatch(/expected/);
    }
  });
  it('hot cases reject beta outside [0, 1) and warn when Dh <= Dnh', () => {
    const p = {
      ...unit,
      pages: 100,
      hotFraction: 1,
      hotDirtyPagesPerSecond: 0.5,
      coldDirtyPagesPerSecond: 0.2,
      alpha: 0.1,
    };
    expect(() => predictHotPrecopy(p)).toThrow(/hotFraction = 1 is out of range/);
    expect(() => predictHotDowntime({ ...p, hotFraction: -0.1 })).toThrow(ModelInputError);
    const w = ok(predictHotDowntime({ ...p, hotFraction: 0.1, hotDirtyPagesPerSecond: 0.1 })).warnings;
    expect(w.join()).toMatch(/not above cold rate/);
  });
  it('summarizeUniform gives the same numbers as predictUniform', () => {
    const p = {
      pages: 4096,
      pageSizeBytes: 16_000,
      bandwidthBytesPerSecond: 60_000,
      dirtyPagesPerSecond: 2,
      alpha: 0.05,
    };
    const {
      rounds,
      warnings,
      roundsTruncated,
      case: _c,
      accounting,
      alpha,
      pageSeconds,
      pages,
      ...full
    } = ok(predictUniform(p));
    expect(summarizeUniform(p)).toEqual(full);
  });
});
