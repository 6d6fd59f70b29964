import { describe, expect, test } from 'vitest';
import { figure1, figure2a, figure2b, figure3a, figure3b, figure4a, figure4b } from '../../src/report/figures.js';
import { alphaGrid, betaGrid, linearGrid } from '../../src/report/params.js';
import { expectRel } from '../support/approx.js';

// Table 2: tau = S/B = 16/60 = 4/15 s; rho = 2*tau = 8/15; rho_eff = (1.8*0.9 + 4*0.1)*tau = 2.02*4/15;
// rho_nh = 1.8*4/15 = 0.48. Ps*tau = 4096*4/15 = 1092.2666... s.
const TAU = 4 / 15;
const RHO = 8 / 15;
const RHO_EFF = (2.02 * 4) / 15;
const RHO_NH = 0.48;

function point(
  rows: readonly { x: number; y: number; series: string; style?: string }[],
  x: number,
  series: string,
  style?: string,
) {
  const r = rows.find((p) => Math.abs(p.x - x) < 1e-12 && p.series === series && p.style === style);
  if (!r) throw new Error(`no point x=${x} series=${series} style=${style}`);
  return r.y;
}

describe('grids', () => {
  test('linearGrid(0.05, 0.05, 10) is 0.05..0.5 exactly as printed', () => {
    expect(linearGrid(0.05, 0.05, 10)).toEqual([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
  });
  test('fine grids are 0.005..0.7 (alpha) and 0.005..0.8 (beta)', () => {
    const a = alphaGrid('fine');
    expect([a[0], a.at(-1), a.length]).toEqual([0.005, 0.7, 696]);
    const b = betaGrid('fine');
    expect([b[0], b.at(-1), b.length]).toEqual([0.005, 0.8, 160]);
  });
});

describe('figure data at hand-computed points', () => {
  test('figure2a: alpha = 0.05, Ps = 4096 gives n = 4, Tdown = Ps*tau*rho^5 = 47.1327 s', () => {
    // rho^5 = (8/15)^5 = 32768/759375 <= 0.05 < rho^4 = 0.0809, so n = 4.
    const f = figure2a();
    expectRel(point(f.rows, 0.05, 'Ps = 4096'), 4096 * TAU * (32768 / 759375), 1e-13);
    expect(f.rows).toHaveLength(40); // 10 alphas x 4 Ps
    const rec = f.table.records.find((r) => r[1] === 4096 && r[2] === 0.05)!;
    expect(rec[4]).toBe(4);
  });
  test('figure2a: Tdown at Ps = 32768 is 8 times that at Ps = 4096', () => {
    const f = figure2a();
    for (const a of alphaGrid('paper'))
      expectRel(point(f.rows, a, 'Ps = 32768'), 8 * point(f.rows, a, 'Ps = 4096'), 1e-14);
  });
  test('figure2b: alpha = 0.05 gives G = (15/8)^5 = 23.17 for every Ps', () => {
    const f = figure2b();
    for (const ps of [4096, 8192, 16384, 32768]) expectRel(point(f.rows, 0.05, `Ps = ${ps}`), (15 / 8) ** 5, 1e-13);
  });
  test('figure3a: alpha = 0.1, Ps = 4096 gives PTotalMig = ceil(4096*((1-rho^4)/(1-rho) + 0.1)) = 8477', () => {
    // n = 3 (rho^4 = 0.0809 <= 0.1 < rho^3 = 0.1517); (1 - 4096/50625)/(7/15) = 697935/354375 = 1.969481;
    // 4096 * (1.969481 + 0.1) = 8476.6, rounded up.
    expect(point(figure3a().rows, 0.1, 'Ps = 4096')).toBe(8477);
  });
  test('figure3a with consistent accounting: alpha = 0.1 gives ceil(4096*(1-rho^5)/(1-rho)) = 8399', () => {
    // (1 - 32768/759375)/(7/15) = 726607/354375 = 2.050389; *4096 = 8398.4 -> 8399
    const v = point(figure3a({ accounting: 'consistent' }).rows, 0.1, 'Ps = 4096');
    expect(v).toBe(Math.ceil(4096 * (726607 / 354375)));
    expect(v).toBe(8399);
  });
  test('figure3b: alpha = 0.1 gives Hot I Tdown = Ps*tau*rho_eff^4 and Hot II = Ps*tau*(0.9*0.48^4 + 0.1)', () => {
    const f = figure3b();
    // Hot I: rho_eff^3 = 0.1563 > 0.1 >= rho_eff^4 = 0.0842, n = 3. Hot II: 0.48^3 = 0.1106 > 0.1 >= 0.48^4, n = 3.
    expectRel(point(f.rows, 0.1, 'Ps = 16384', 'Hot I'), 16384 * TAU * RHO_EFF ** 4, 1e-13);
    expectRel(point(f.rows, 0.1, 'Ps = 4096', 'Hot II'), 4096 * TAU * (0.9 * RHO_NH ** 4 + 0.1), 1e-13);
    expectRel(point(f.rows, 0.1, 'Ps = 4096', 'Hot II'), 161.41051931306666, 1e-12);
    expect(f.rows).toHaveLength(40); // 10 alphas x 2 Ps x 2 cases
  });
  test('figure4a: Hot II gain at alpha = 0.1 is 1/(0.9*0.48^4 + 0.1) = 6.767', () => {
    expectRel(point(figure4a().rows, 0.1, 'Ps = 4096', 'Hot II'), 1 / (0.9 * 0.48 ** 4 + 0.1), 1e-13);
  });
  test('figure4b: Hot II PTotalMig at alpha = 0.1, Ps = 4096 is ceil(4096*(0.9*(1-0.48^4)/0.52 + 0.2)) = 7533', () => {
    // 0.9 * (1 - 0.05308416)/0.52 = 1.6388928; + 0.2 = 1.8388928; * 4096 = 7532.1
    expect(point(figure4b().rows, 0.1, 'Ps = 4096', 'Hot II')).toBe(7533);
  });
  test('figure1: alpha = 0.7, beta = 0.1 gives HG = rho_eff/(0.9*0.48 + 0.1) = 1.0125 (both n = 0)', () => {
    expectRel(point(figure1().rows, 0.1, 'α = 70 %'), RHO_EFF / (0.9 * 0.48 + 0.1), 1e-13);
  });
  test('figure1: alpha = 0.1, beta = 0.3 gives HG = 0.656^6/(0.7*0.48^4 + 0.3) = 0.2362', () => {
    // rho_eff = (1.8*0.7 + 4*0.3)*4/15 = 0.656; 0.656^5 = 0.121 > 0.1 >= 0.656^6 -> n = 5. Hot II n = 3.
    const rhoEff = (1.8 * 0.7 + 4 * 0.3) * TAU;
    expectRel(point(figure1().rows, 0.3, 'α = 10 %'), rhoEff ** 6 / (0.7 * RHO_NH ** 4 + 0.3), 1e-12);
    expect(figure1().rows).toHaveLength(30); // 3 alphas x 10 betas
  });
  test('fine grids show the staircase: figure2a has one step per band edge rho^k inside (0.005, 0.7)', () => {
    const ys = figure2a({ grid: 'fine' })
      .rows.filter((r) => r.series === 'Ps = 4096')
      .map((r) => r.y);
    let steps = 0;
    for (let i = 1; i < ys.length; i++) if (ys[i]! > ys[i - 1]! * (1 + 1e-12)) steps++;
    // edges rho^k in (0.005, 0.7): k = 1..8 (rho^8 = 0.0065, rho^9 = 0.0035)
    const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((k) => RHO ** k > 0.005 && RHO ** k < 0.7).length;
    expect(steps).toBe(edges);
    expect(edges).toBe(8);
  });
  test('every y value of every figure is finite', () => {
    for (const f of [figure1, figure2a, figure2b, figure3a, figure3b, figure4a, figure4b]) {
      for (const grid of ['paper', 'fine'] as const) {
        for (const r of f({ grid }).rows) expect(Number.isFinite(r.y)).toBe(true);
      }
    }
  });
});
