import { describe, expect, test } from 'vitest';
import type { CaseName } from '../../src/model/index.js';
import { optimize } from '../../src/optimize/index.js';
import { bands, minimumUtilization } from '../../src/report/bands.js';
import { TABLE2 } from '../../src/report/params.js';
import { evaluateReadings } from '../../src/report/readings.js';
import { agreesToPrintedPrecision, TABLE3_PRINTED, table3 } from '../../src/report/table3.js';
import { expectRel } from '../support/approx.js';

const RHO = 8 / 15;
const PS_TAU = (4096 * 16) / 60;

describe('Table 3 beside the model', () => {
  const rows = table3();
  test('twelve rows, in the paper order', () => {
    expect(rows.map((r) => `${r.case}:${r.pages}`)).toEqual(TABLE3_PRINTED.map((r) => `${r.case}:${r.pages}`));
  });
  test('uniform, Ps = 4096: band top n = 3, Tdown = Ps*tau*rho^4 = 88.37 s; literal 0.152 gives n = 2, 165.70 s', () => {
    const r = rows[0]!;
    // rho^3 = 512/3375 = 0.151704 < 0.152, so literally n = 2 and Tdown = Ps*tau*rho^3.
    expectRel(r.edgeAlpha, 512 / 3375, 1e-15);
    expect(r.bandTop.iterations).toBe(3);
    expectRel(r.bandTop.downtimeSeconds, PS_TAU * RHO ** 4, 1e-13);
    expect(r.literal.iterations).toBe(2);
    expectRel(r.literal.downtimeSeconds, PS_TAU * RHO ** 3, 1e-13);
    expect(r.downtimeMatches).toBe(true);
    expect(r.literalDowntimeMatches).toBe(false);
  });
  test('uniform band top: Eq. 16 gives Unet = (rho - rho^5 + alpha(1 - rho))/(1 - rho^5) = 0.5863, not 0.394', () => {
    const r = rows[0]!;
    const a = 512 / 3375;
    expectRel(r.bandTop.networkUtilization, (RHO - RHO ** 5 + a * (1 - RHO)) / (1 - RHO ** 5), 1e-8);
    expect(r.utilizationMatches).toBe(false);
  });
  test('Hot II, Ps = 4096: printed 0.480 = rho_nh gives n = 0 (581.09 s); just below gives n = 1 (335.72 s)', () => {
    const r = rows[8]!;
    expect(r.case).toBe('hotDowntime');
    expect(r.literal.iterations).toBe(0);
    expectRel(r.literal.downtimeSeconds, PS_TAU * (0.9 * 0.48 + 0.1), 1e-13);
    expectRel(r.bandTop.downtimeSeconds, PS_TAU * (0.9 * 0.48 ** 2 + 0.1), 1e-13);
  });
  test('all twelve printed downtimes agree with the band tops; no printed Unet agrees with Eqs. 16/23/31', () => {
    expect(rows.every((r) => r.downtimeMatches)).toBe(true);
    expect(rows.some((r) => r.utilizationMatches)).toBe(false);
    expect(rows.some((r) => r.feasible)).toBe(false);
  });
  test('agreesToPrintedPrecision reads integers to the unit and 1340/2690 to 3 significant digits', () => {
    expect(agreesToPrintedPrecision(353.4985, 353)).toBe(true);
    expect(agreesToPrintedPrecision(1342.88, 1340)).toBe(true);
    expect(agreesToPrintedPrecision(165.7, 88)).toBe(false);
    expect(agreesToPrintedPrecision(0.7438, 0.4)).toBe(false);
    expect(agreesToPrintedPrecision(0.3944, 0.394)).toBe(true);
  });
});

describe('bands and the least Unet (independent of the optimiser)', () => {
  test('uniform band n = 3 is [rho^4, rho^3) with Tdown = Ps*tau*rho^4', () => {
    const b = bands('uniform')[3]!;
    expect(b.iterations).toBe(3);
    expectRel(b.alphaFrom, RHO ** 4, 1e-15);
    expectRel(b.alphaTo, RHO ** 3, 1e-15);
    expectRel(b.downtimeSeconds, PS_TAU * RHO ** 4, 1e-13);
  });
  test('the least Unet of a band falls as n grows (paper accounting), towards rho', () => {
    for (const c of ['uniform', 'hotPrecopy', 'hotDowntime'] as const) {
      // full bands only: the last band is cut by the lower end of the alpha range
      const mins = bands(c, TABLE2, 4096, { min: 1e-12, max: 0.999 })
        .slice(0, -1)
        .map((b) => b.networkUtilizationMin);
      expect(mins.length).toBeGreaterThan(30);
      for (let i = 1; i < mins.length; i++) expect(mins[i]!).toBeLessThan(mins[i - 1]!);
    }
    expect(minimumUtilization('uniform').networkUtilization).toBeGreaterThan(RHO);
  });
  test.each(['uniform', 'hotPrecopy', 'hotDowntime'] as CaseName[])(
    'least Unet of %s equals the optimiser minNetworkUtilization under Umax = 0.4 (infeasible)',
    (c) => {
      const r = optimize({
        case: c,
        pages: 4096,
        pageSizeBytes: TABLE2.pageSizeBytes,
        bandwidthBytesPerSecond: TABLE2.bandwidthBytesPerSecond,
        dirtyPagesPerSecond: TABLE2.dirtyPagesPerSecond,
        hotFraction: TABLE2.hotFraction,
        hotDirtyPagesPerSecond: TABLE2.hotDirtyPagesPerSecond,
        coldDirtyPagesPerSecond: TABLE2.coldDirtyPagesPerSecond,
        constraints: { maxNetworkUtilization: 0.4 },
      });
      expect(r.converged && !r.feasible).toBe(true);
      if (r.converged && !r.feasible) {
        const m = minimumUtilization(c);
        expectRel(m.networkUtilization, r.minNetworkUtilization, 1e-12);
        expectRel(m.alpha, r.atAlpha, 1e-9);
      }
    },
  );
});

describe('readings of the Unet column', () => {
  test('the printed-formula reading gives 0.5863, 0.5923, 0.7438 and no reading reproduces 0.394/0.399/0.400', () => {
    const rs = evaluateReadings();
    const printed = rs.find((r) => r.id === 'printed')!;
    expect(printed.values.uniform!.toFixed(4)).toBe('0.5863');
    expect(printed.values.hotPrecopy!.toFixed(4)).toBe('0.5923');
    expect(printed.values.hotDowntime!.toFixed(4)).toBe('0.7438');
    expect(rs.filter((r) => r.reproduces)).toEqual([]);
    expect(rs.find((r) => r.id === 'bandwidth-kbit')!.values.uniform).toBeUndefined();
  });
});

describe('inverse check: which rho would give the printed Unet', () => {
  test('uniform needs rho = 0.287 (D = 1.08 pages/s, not a Table 2 rate); Hot II has no rho at all', async () => {
    const { inverseRho, printedUnet, optimumPoint } = await import('../../src/report/readings.js');
    const u = inverseRho('uniform');
    expect(u.rhos).toHaveLength(1);
    // the root really solves Eq. 16 at alpha = rho^3 (of the true rho) and n = 3
    expectRel(printedUnet({ ...optimumPoint('uniform'), rho: u.rhos[0]! }), 0.394, 1e-9);
    expect(u.dirtyRates[0]!).toBeGreaterThan(1.07);
    expect(u.dirtyRates[0]!).toBeLessThan(1.08);
    const h = inverseRho('hotDowntime');
    expect(h.rhos).toEqual([]);
    // rho -> 0 in Eq. 31 with alpha = 0.48, beta = 0.1, n = 1: (alpha + beta)/((1 - beta) + beta) = 0.58
    expect(h.minimumOverRho).toBeGreaterThan(0.4);
  });
});
