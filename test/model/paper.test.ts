/**
 * The paper's own numbers (Section 7, Table 2 parameters) and hand derivations.
 * Table 2: B = 60 KB/s, S = 16 KB, so tau = S/B = 4/15 s; D = 2 -> rho = 8/15; Dnh = 1.8 -> rho_nh = 0.48;
 * Dh = 4, beta = 0.1 -> D_eff = 1.8*0.9 + 4*0.1 = 2.02 (Eq. 17) -> rho_eff = 2.02*4/15 = 0.538666...
 */
import { describe, expect, it } from 'vitest';
import {
  hotGain,
  predict,
  predictHotDowntime,
  predictHotPrecopy,
  predictUniform,
  type CaseResult,
  type CaseOutcome,
} from '../../src/model/index.js';
import { expectRel } from '../support/approx.js';

const common = { pageSizeBytes: 16_000, bandwidthBytesPerSecond: 60_000 };
const hot = { ...common, hotFraction: 0.1, hotDirtyPagesPerSecond: 4, coldDirtyPagesPerSecond: 1.8 };
const RHO = 8 / 15;
const RHO_EFF = (2.02 * 4) / 15;
const RHO_NH = 0.48;

function ok(r: CaseOutcome): CaseResult {
  if (!r.converged) throw new Error(r.reason);
  return r;
}

describe('Section 7 text', () => {
  it('G = 23.17 at alpha = 0.05 (uniform): n = 4, G = (15/8)^5 = 759375/32768', () => {
    const r = ok(predictUniform({ ...common, pages: 4096, dirtyPagesPerSecond: 2, alpha: 0.05 }));
    // rho^4 = 0.0809 > 0.05 >= rho^5 = 0.0432, so n = 4 (Eq. 9) and G = 1/rho^5 (Eq. 14).
    expect(r.iterations).toBe(4);
    expectRel(r.gain, 759375 / 32768, 1e-14);
    expect(Number(r.gain.toFixed(2))).toBe(23.17);
  });

  it('PTotalMig at alpha = 0.05, Ps = 4096 is ceil(4096*((1-rho^5)/(1-rho) + 0.05)) = 8604', () => {
    // (1 - 32768/759375)/(7/15) = 2.050387..., + 0.05 = 2.100387..., * 4096 = 8603.19 -> 8604 (Eq. 13).
    const r = ok(predictUniform({ ...common, pages: 4096, dirtyPagesPerSecond: 2, alpha: 0.05 }));
    expect(r.pagesTransferred).toBe(8604);
  });
});

describe('Table 3 downtime column', () => {
  // The optimal alphas of Table 3 are the band edges rho^3 (0.1517 printed 0.152), rho_eff^3 (0.1563 printed
  // 0.156) and rho_nh (0.48), approached from below so that n = 3, 3 and 1.
  const below = (x: number) => x * (1 - 1e-9);
  const table3 = [
    // Ps, uniform, Hot I, Hot II (seconds, as printed: 3 significant digits)
    [4096, 88, 92, 336],
    [8192, 177, 184, 671],
    [16384, 353, 368, 1340],
    [32768, 707, 736, 2690],
  ] as const;
  it.each(table3)('Ps = %i: downtimes %i / %i / %i s with n = 3, 3, 1', (pages, u, h1, h2) => {
    const uni = ok(predictUniform({ ...common, pages, dirtyPagesPerSecond: 2, alpha: below(RHO ** 3) }));
    const hotI = ok(predictHotPrecopy({ ...hot, pages, alpha: below(RHO_EFF ** 3) }));
    const hotII = ok(predictHotDowntime({ ...hot, pages, alpha: below(RHO_NH) }));
    expect([uni.iterations, hotI.iterations, hotII.iterations]).toEqual([3, 3, 1]);
    // Hand values: Ps*tau*rho^4 (Eq. 6), Ps*tau*rho_eff^4 (Eq. 18), Ps*tau*(0.9*0.48^2 + 0.1) (Eq. 25).
    const psTau = (pages * 4) / 15;
    expectRel(uni.downtimeSeconds, psTau * RHO ** 4, 1e-14);
    expectRel(hotI.downtimeSeconds, psTau * RHO_EFF ** 4, 1e-14);
    expectRel(hotII.downtimeSeconds, psTau * (0.9 * 0.2304 + 0.1), 1e-14);
    // The paper prints whole seconds below 1000 and three significant digits above (1342.9 -> 1340).
    const printed = (x: number) => (x < 1000 ? Math.round(x) : Number(x.toPrecision(3)));
    expect([printed(uni.downtimeSeconds), printed(hotI.downtimeSeconds), printed(hotII.downtimeSeconds)]).toEqual([
      u,
      h1,
      h2,
    ]);
  });

  it('the printed alphas themselves sit just above the band edges, where n is one less', () => {
    // 0.152 > rho^3 = 0.15170 and 0.156 < rho_eff^3 = 0.15630: as printed, uniform gets n = 2, Hot I n = 3.
    expect(ok(predictUniform({ ...common, pages: 4096, dirtyPagesPerSecond: 2, alpha: 0.152 })).iterations).toBe(2);
    expect(ok(predictHotPrecopy({ ...hot, pages: 4096, alpha: 0.156 })).iterations).toBe(3);
    expect(ok(predictHotDowntime({ ...hot, pages: 4096, alpha: 0.48 })).iterations).toBe(0);
  });
});

describe('Figure 1: HG', () => {
  it('HG < 1 for alpha = 0.1 and HG > 1 for alpha = 0.7 (beta = 0.1, Ps = 4096)', () => {
    // alpha = 0.1: Hot I n = 3 (rho_eff^4 = 0.0842 <= 0.1), Tdown = Ps*tau*0.08419; Hot II n = 3
    // (0.48^4 = 0.0531 <= 0.1 < 0.48^3 = 0.1106), Tdown = Ps*tau*(0.9*0.48^4 + 0.1) = Ps*tau*0.14777; HG = 0.5698.
    const p = { ...hot, pages: 4096 };
    const hg = (alpha: number) => hotGain(predictHotPrecopy({ ...p, alpha }), predictHotDowntime({ ...p, alpha }))!;
    expectRel(hg(0.1), RHO_EFF ** 4 / (0.9 * RHO_NH ** 4 + 0.1), 1e-14);
    expect(hg(0.1)).toBeLessThan(1);
    // alpha = 0.7 > rho_eff, rho_nh: n = 0 in both; HG = rho_eff/(0.9*0.48 + 0.1) = 0.5387/0.532 = 1.0125.
    expectRel(hg(0.7), RHO_EFF / (0.9 * 0.48 + 0.1), 1e-14);
    expect(hg(0.7)).toBeGreaterThan(1);
  });

  it('predict() computes every case it has parameters for, and HG', () => {
    const p = predict({ ...hot, pages: 4096, dirtyPagesPerSecond: 2, alpha: 0.1 });
    expect(Object.keys(p).sort()).toEqual(['hotDowntime', 'hotGain', 'hotPrecopy', 'uniform']);
    expectRel(p.hotGain!, RHO_EFF ** 4 / (0.9 * RHO_NH ** 4 + 0.1), 1e-14);
  });
});

describe('Table 1 closed forms at a hand-worked point', () => {
  it('uniform, rho = 0.5, alpha = 0.25, Ps = 1000, tau = 1 s: every quantity', () => {
    // n = 1 (rho^2 = 0.25 <= 0.25). P = [1000, 500], T = [1000, 500] s, Tpre = 1500 s, Tdown = 250 s,
    // Ttotal = 1750 s, PTotalMig = ceil(1000*(1.5 + 0.25)) = 1750, G = 4,
    // Unet = (0.5 - 0.125 + 0.25*0.5)/(1 - 0.125) = 0.5/0.875 = 4/7 (Eq. 16).
    const r = ok(
      predictUniform({
        pages: 1000,
        pageSizeBytes: 4096,
        bandwidthBytesPerSecond: 4096,
        dirtyPagesPerSecond: 0.5,
        alpha: 0.25,
      }),
    );
    expect(r.iterations).toBe(1);
    expect(r.rounds).toEqual([
      { pages: 1000, seconds: 1000 },
      { pages: 500, seconds: 500 },
    ]);
    expect([r.precopySeconds, r.downtimeSeconds, r.totalSeconds, r.pagesTransferred, r.gain]).toEqual([
      1500, 250, 1750, 1750, 4,
    ]);
    expectRel(r.networkUtilization, 4 / 7, 1e-15);
  });

  it('consistent accounting counts the 250 pages actually left, not alpha*Ps', () => {
    // Same point with alpha = 0.3 (still n = 1): paper counts 300 pages at downtime, consistent 250.
    // paper: PTotalMig = ceil(1000*(1.5 + 0.3)) = 1800, Unet = (0.375 + 0.3*0.5)/0.875 = 0.6
    // consistent: PTotalMig = 1000*(1 + 0.5 + 0.25) = 1750, Unet = (0.5*1500 + 250)/1750 = 4/7
    const base = { pages: 1000, pageSizeBytes: 1, bandwidthBytesPerSecond: 1, dirtyPagesPerSecond: 0.5, alpha: 0.3 };
    const paper = ok(predictUniform(base));
    const consistent = ok(predictUniform({ ...base, accounting: 'consistent' }));
    expect([paper.pagesTransferred, consistent.pagesTransferred]).toEqual([1800, 1750]);
    expectRel(paper.networkUtilization, 0.6, 1e-15);
    expectRel(consistent.networkUtilization, 4 / 7, 1e-15);
    expect(paper.downtimeSeconds).toBe(consistent.downtimeSeconds);
  });

  it('Hot II at a hand-worked point: beta = 0.2, rho_nh = 0.5, alpha = 0.5, Ps = 1000, tau = 1', () => {
    // n = 0 (0.5 <= 0.5). Live pages 800: Tpre = 800 s, Tdown = 800*0.5 + 200 = 600 s (Eq. 25),
    // PTotalMig = ceil(800 + (0.5 + 0.2)*1000) = 1500 (Eq. 28), G = 1000/600 (Eq. 29),
    // Unet = (0.8*(0.5 - 0.5^2) + 0.7*0.5)/(0.8*(1 - 0.5^2) + 0.2*0.5) = 0.55/0.7 (Eq. 31 with n + 2 = 2).
    const r = ok(
      predictHotDowntime({
        pages: 1000,
        pageSizeBytes: 1,
        bandwidthBytesPerSecond: 1,
        hotFraction: 0.2,
        hotDirtyPagesPerSecond: 0.9,
        coldDirtyPagesPerSecond: 0.5,
        alpha: 0.5,
      }),
    );
    expect(r.iterations).toBe(0);
    expectRel(r.precopySeconds, 800, 1e-15);
    expectRel(r.downtimeSeconds, 600, 1e-15);
    expect(r.pagesTransferred).toBe(1500);
    expectRel(r.gain, 1000 / 600, 1e-15);
    expectRel(r.networkUtilization, 0.55 / 0.7, 1e-15);
  });
});
