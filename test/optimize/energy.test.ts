/**
 * The energy objective and the energy limit of the one-VM optimiser against a brute-force oracle: the model on
 * a dense grid of alpha, with the energy written out here by hand from its definition (docs/fleet.md, Liu et
 * al. HPDC 2011): E = e_bytes * PTotalMig * S + E_0 + P_host * Ttotal. The oracle knows nothing about bands.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENERGY } from '../../src/fleet/inventory.js';
import { LIU_ENERGY, migrationEnergyJoules } from '../../src/fleet/energy-model.js';
import {
  type Accounting,
  type CaseName,
  type Summary,
  summarizeHotDowntime,
  summarizeHotPrecopy,
  summarizeUniform,
} from '../../src/model/index.js';
import { type OptimizeProblem, optimize } from '../../src/optimize/index.js';
import { optimizeAll, optimizeInput, optimizeJson } from '../../src/ops/optimize.js';
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

function energyOf(p: OptimizeProblem, s: Summary): number {
  const e = p.energy!;
  return (
    e.joulesPerByte * s.pagesTransferred * p.pageSizeBytes + e.joulesPerMigration + e.hostPowerWatts * s.totalSeconds
  );
}

function grid(min: number, max: number, n: number): number[] {
  const out = [min, max];
  for (let i = 0; i <= n; i++) {
    out.push(min * (max / min) ** (i / n));
    out.push(min + ((max - min) * i) / n);
  }
  return out.filter((a) => a >= min && a <= max);
}

const problemArb = fc
  .record({
    case: fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
    accounting: fc.constantFrom<Accounting>('paper', 'consistent'),
    energyObjective: fc.boolean(),
    rho: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
    hotFraction: fc.double({ min: 0, max: 0.4, noNaN: true }),
    pages: fc.integer({ min: 100, max: 1e6 }),
    lo: fc.double({ min: 0.005, max: 0.2, noNaN: true }),
    span: fc.double({ min: 0.05, max: 0.79, noNaN: true }),
    joulesPerByte: fc.constantFrom(0, 0.512e-6, 2e-6),
    joulesPerMigration: fc.double({ min: 0, max: 50, noNaN: true }),
    // host power makes long migrations cost more than their bytes: energy is then not monotone in n
    hostPowerWatts: fc.constantFrom(0, 30, 300),
    energyShare: fc.option(fc.double({ min: 0.7, max: 1.3, noNaN: true }), { nil: undefined }),
    downtimeShare: fc.option(fc.double({ min: 0.001, max: 0.6, noNaN: true }), { nil: undefined }),
  })
  .map((r): OptimizeProblem => {
    const tau = 0.001; // 4096 B at 4.096 MB/s
    const base: OptimizeProblem = {
      case: r.case,
      accounting: r.accounting,
      objective: r.energyObjective ? 'energy' : 'downtime',
      pages: r.pages,
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 4096 / tau,
      dirtyPagesPerSecond: r.rho / tau,
      hotFraction: r.hotFraction,
      coldDirtyPagesPerSecond: r.rho / tau,
      hotDirtyPagesPerSecond: Math.min((r.rho * 1.3) / tau, 0.99 / tau),
      alphaRange: { min: r.lo, max: Math.min(0.999, r.lo + r.span) },
      energy: {
        joulesPerByte: r.joulesPerByte,
        joulesPerMigration: r.joulesPerMigration,
        hostPowerWatts: r.hostPowerWatts,
      },
    };
    // The energy limit as a share of the energy at the range's upper end (fewest rounds).
    const ref = energyOf(base, evaluate(base, base.alphaRange!.max));
    return {
      ...base,
      constraints: {
        ...(r.energyShare !== undefined ? { maxEnergyJoules: r.energyShare * ref } : {}),
        ...(r.downtimeShare !== undefined ? { maxDowntimeSeconds: r.downtimeShare * r.pages * tau } : {}),
      },
    };
  })
  .filter((p) => {
    const deff =
      (p.coldDirtyPagesPerSecond! * (1 - p.hotFraction!) + p.hotDirtyPagesPerSecond! * p.hotFraction!) * 0.001;
    return deff < 0.99;
  });

describe('energy in optimize() equals a brute-force oracle', () => {
  test.prop([problemArb], { seed: 2011, numRuns: 250 })('same optimum, feasibility and optimal set', (p) => {
    const r = optimize(p);
    expect(r.converged).toBe(true);
    const c = p.constraints ?? {};
    const meets = (s: Summary, slack = 0) =>
      (c.maxEnergyJoules === undefined || energyOf(p, s) <= c.maxEnergyJoules * (1 + slack)) &&
      (c.maxDowntimeSeconds === undefined || s.downtimeSeconds <= c.maxDowntimeSeconds * (1 + slack));
    const objective = (s: Summary) => (p.objective === 'energy' ? energyOf(p, s) : s.downtimeSeconds);
    const points = grid(p.alphaRange!.min, p.alphaRange!.max, 1500).map((a) => ({ a, s: evaluate(p, a) }));
    const feasible = points.filter(({ s }) => meets(s));
    if (!r.feasible) {
      expect(points.filter(({ s }) => meets(s, -1e-12))).toEqual([]);
      if (r.converged && c.maxEnergyJoules !== undefined) {
        // the least energy it reports is the least over the grid, and is what the model gives where it says
        const least = Math.min(...points.map(({ s }) => energyOf(p, s)));
        expect(r.best.energyJoules!.value).toBeLessThanOrEqual(least * (1 + 1e-12));
        expectRel(energyOf(p, evaluate(p, r.best.energyJoules!.atAlpha)), r.best.energyJoules!.value, 1e-12);
      }
      return;
    }
    const best = Math.min(...feasible.map(({ s }) => objective(s)));
    const atMin = evaluate(p, r.alpha.min);
    expect(objective(atMin)).toBeLessThanOrEqual(best * (1 + 1e-12));
    expectRel(r.energyJoules.min, energyOf(p, atMin), 1e-12);
    const inside = [r.alpha.min, r.alpha.recommended, ...(r.alpha.maxInclusive ? [r.alpha.max] : [])];
    for (const a of inside) {
      const s = evaluate(p, a);
      expect(meets(s, 1e-9)).toBe(true);
      expect(s.iterations).toBe(r.iterations);
      expectRel(objective(s), objective(atMin), 1e-12);
      expect(energyOf(p, s)).toBeLessThanOrEqual(r.energyJoules.max * (1 + 1e-12));
    }
    const hit = feasible.filter(
      ({ a }) => a >= r.alpha.min && (r.alpha.maxInclusive ? a <= r.alpha.max : a < r.alpha.max),
    );
    for (const { s } of hit) expectRel(objective(s), best, 1e-12);
  });
});

describe('the energy model and its flags', () => {
  it("is the fleet engine's model with the same defaults (Liu et al.: 0.512 J/MB + 20.165 J)", () => {
    expect(LIU_ENERGY).toEqual(DEFAULT_ENERGY);
    // 1 GB = 1000 MB: 0.512 * 1000 + 20.165 = 532.165 J; plus 10 s at 50 W = 500 J.
    expectRel(migrationEnergyJoules(LIU_ENERGY, 1e9, 10), 532.165, 1e-12);
    expectRel(migrationEnergyJoules({ ...LIU_ENERGY, hostPowerWatts: 50 }, 1e9, 10), 1032.165, 1e-12);
  });

  it('--objective energy with host power trades bytes for time; the JSON carries the energy', () => {
    // 4 GiB, 4 KiB pages, 1 Gbit/s, 5000 pages/s: rho = 5000 * 4096 / 125e6 = 0.16384.
    const raw = {
      memory: '4GiB',
      pageSize: '4KiB',
      bandwidth: '1Gbit/s',
      dirtyRate: 5000,
      case: 'uniform',
      objective: 'energy',
      hostPowerWatts: 200,
      joulesPerMegabyte: 0.512,
    };
    const resolved = optimizeInput.parse(raw);
    expect(resolved.energy).toEqual({ joulesPerByte: 0.512e-6, joulesPerMigration: 20.165, hostPowerWatts: 200 });
    const r = optimizeAll(resolved).uniform!;
    expect(r.feasible).toBe(true);
    const json = optimizeJson(r) as {
      energyJoules: { min: number };
      totalSeconds: number;
      pagesTransferred: { min: number };
    };
    // E at the optimum from its own pages and total time, by the formula.
    expectRel(
      json.energyJoules.min,
      0.512e-6 * json.pagesTransferred.min * 4096 + 20.165 + 200 * json.totalSeconds,
      1e-12,
    );
    expect(() => optimizeInput.parse({ ...raw, maxEnergy: -1 })).toThrow(/maxEnergy/);
    expect(() => optimizeInput.parse({ ...raw, hostPowerWatts: 'lots' })).toThrow(/hostPowerWatts/);
  });
});
