/** Properties of the closed forms (fast-check, seeded). */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  type Accounting,
  type CaseResult,
  type CaseOutcome,
  type HotParams,
  predictHotDowntime,
  predictHotPrecopy,
  predictUniform,
} from '../../src/model/index.js';
import { compensatedSum, expectRel } from '../support/approx.js';

function ok(r: CaseOutcome): CaseResult {
  if (!r.converged) throw new Error(r.reason);
  return r;
}

const pages = fc.integer({ min: 1, max: 1e9 });
const rhoArb = fc.double({ min: 1e-3, max: 0.999, noNaN: true });
const alphaArb = fc.double({ min: 1e-9, max: 0.999, noNaN: true });
const accountingArb = fc.constantFrom<Accounting>('paper', 'consistent');
const pageSize = fc.constantFrom(4096, 16_000, 2 ** 21);
/** A bandwidth and dirty rate that give the wanted rho: D = rho * B / S. */
const uniformArb = fc
  .record({
    pages,
    rho: rhoArb,
    alpha: alphaArb,
    accounting: accountingArb,
    pageSizeBytes: pageSize,
    bandwidthBytesPerSecond: fc.double({ min: 1e3, max: 1e11, noNaN: true }),
  })
  .map(({ rho, ...p }) => ({ ...p, dirtyPagesPerSecond: (rho * p.bandwidthBytesPerSecond) / p.pageSizeBytes }));
const hotArb = fc
  .record({
    pages,
    rhoCold: fc.double({ min: 1e-3, max: 0.9, noNaN: true }),
    hotFactor: fc.double({ min: 1, max: 5, noNaN: true }),
    hotFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
    alpha: alphaArb,
    accounting: accountingArb,
  })
  .map(
    ({ rhoCold, hotFactor, ...p }): HotParams => ({
      ...p,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 4096 * 1000,
      coldDirtyPagesPerSecond: rhoCold * 1000,
      hotDirtyPagesPerSecond: rhoCold * 1000 * hotFactor,
    }),
  )
  .filter(
    (p) => (p.coldDirtyPagesPerSecond * (1 - p.hotFraction) + p.hotDirtyPagesPerSecond * p.hotFraction) / 1000 < 0.999,
  );

const cases = [
  [
    'uniform',
    (p: HotParams & { dirtyPagesPerSecond?: number }, a: number) =>
      predictUniform({ ...p, dirtyPagesPerSecond: p.coldDirtyPagesPerSecond, alpha: a }),
  ],
  ['hotPrecopy', (p: HotParams, a: number) => predictHotPrecopy({ ...p, alpha: a })],
  ['hotDowntime', (p: HotParams, a: number) => predictHotDowntime({ ...p, alpha: a })],
] as const;

describe('monotonicity (Section 5)', () => {
  for (const [name, run] of cases) {
    test.prop([hotArb, alphaArb, alphaArb], { seed: 7 })(
      `${name}: downtime is non-decreasing in alpha and G non-increasing`,
      (p, a1, a2) => {
        const [lo, hi] = a1 <= a2 ? [a1, a2] : [a2, a1];
        const rl = ok(run(p, lo));
        const rh = ok(run(p, hi));
        expect(rl.iterations).toBeGreaterThanOrEqual(rh.iterations);
        expect(rl.downtimeSeconds).toBeLessThanOrEqual(rh.downtimeSeconds);
        expect(rl.gain).toBeGreaterThanOrEqual(rh.gain);
      },
    );
  }
});

describe('identities', () => {
  test.prop([uniformArb], { seed: 11 })(
    'G > 1, Ttotal = Tpre + Tdown, pre-copy time = sum of T(i), pages = sum of P(i) + downtime pages',
    (p) => {
      const r = ok(predictUniform(p, { maxRoundsListed: 1e6 }));
      expect(r.gain).toBeGreaterThan(1);
      expect(r.totalSeconds).toBe(r.precopySeconds + r.downtimeSeconds);
      if (r.rounds.length === r.iterations + 1) {
        // Summed independently, round by round, with compensation; the closed form (Eq. 7) uses expm1.
        expectRel(compensatedSum(r.rounds.map((x) => x.seconds)), r.precopySeconds, 1e-12);
        if (p.accounting === 'consistent') {
          const sent = compensatedSum(r.rounds.map((x) => x.pages)) + r.downtimePages;
          expect(Math.abs(r.pagesTransferred - sent)).toBeLessThanOrEqual(1 + 1e-12 * sent);
        }
      }
    },
  );

  test.prop([uniformArb, fc.integer({ min: 2, max: 1000 })], { seed: 13 })(
    'Unet, G and n do not depend on Ps (Eqs. 14, 16)',
    (p, k) => {
      const a = ok(predictUniform({ ...p, pages: Math.min(p.pages, 1e9) }));
      const b = ok(predictUniform({ ...p, pages: Math.min(p.pages, 1e9) * k }));
      expect(b.iterations).toBe(a.iterations);
      expect(b.gain).toBe(a.gain);
      expect(b.networkUtilization).toBe(a.networkUtilization);
      // Times scale with Ps exactly in exact arithmetic; in floats to a few ulps.
      expectRel(b.downtimeSeconds, a.downtimeSeconds * k, 1e-14);
    },
  );

  test.prop([hotArb], { seed: 17 })('Hot II with beta = 0 equals uniform with D = Dnh', (p) => {
    const h = ok(predictHotDowntime({ ...p, hotFraction: 0 }));
    const u = ok(predictUniform({ ...p, dirtyPagesPerSecond: p.coldDirtyPagesPerSecond }));
    const { case: _a, warnings: _w, ...hr } = h;
    const { case: _b, warnings: _v, ...ur } = u;
    expect(hr).toEqual(ur);
  });

  test.prop([hotArb], { seed: 19 })('Hot I with Dh = Dnh equals uniform with D = Dnh (D_eff = D, Eq. 17)', (p) => {
    const h = ok(predictHotPrecopy({ ...p, hotDirtyPagesPerSecond: p.coldDirtyPagesPerSecond }));
    const u = ok(predictUniform({ ...p, dirtyPagesPerSecond: p.coldDirtyPagesPerSecond }));
    expect(h.iterations).toBe(u.iterations);
    expectRel(h.downtimeSeconds, u.downtimeSeconds, 1e-13);
    expectRel(h.networkUtilization, u.networkUtilization, 1e-13);
  });

  test.prop([uniformArb], { seed: 23 })(
    'consistent accounting never counts more than paper; both count at least Ps',
    (p) => {
      const paper = ok(predictUniform({ ...p, accounting: 'paper' }));
      const cons = ok(predictUniform({ ...p, accounting: 'consistent' }));
      expect(cons.pagesTransferred).toBeLessThanOrEqual(paper.pagesTransferred);
      expect(cons.networkUtilization).toBeLessThanOrEqual(paper.networkUtilization * (1 + 1e-15));
      expect(cons.pagesTransferred).toBeGreaterThanOrEqual(p.pages);
      expect(cons.networkUtilization).toBeGreaterThan(0);
      expect(cons.networkUtilization).toBeLessThanOrEqual(1);
    },
  );

  test.prop([uniformArb], { seed: 29 })('rho <= alpha means a single round (n = 0)', (p) => {
    const rho = (p.dirtyPagesPerSecond * p.pageSizeBytes) / p.bandwidthBytesPerSecond;
    fc.pre(rho < p.alpha);
    expect(ok(predictUniform(p)).iterations).toBe(0);
  });
});
