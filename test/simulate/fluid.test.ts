import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geometricSum, summarizeHotDowntime, summarizeHotPrecopy, summarizeUniform } from '../../src/model/index.js';
import type { Accounting, Summary } from '../../src/model/types.js';
import { simulatedSummary } from '../../src/simulate/compare.js';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';

// The independent test of the model: the fluid workload (the paper's assumption) driven round by round by the
// simulator's event loop must give Table 1's closed forms to rounding (relative 1e-9).
const TOL = 1e-9;

function close(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= TOL * Math.abs(expected))) throw new Error(`${what}: simulated ${actual}, closed form ${expected}`);
}

function compare(sim: Summary, model: Summary): void {
  expect(sim.iterations).toBe(model.iterations);
  close(sim.precopySeconds, model.precopySeconds, 'precopySeconds');
  close(sim.downtimeSeconds, model.downtimeSeconds, 'downtimeSeconds');
  close(sim.totalSeconds, model.totalSeconds, 'totalSeconds');
  close(sim.downtimePages, model.downtimePages, 'downtimePages');
  close(sim.gain, model.gain, 'gain');
  close(sim.networkUtilization, model.networkUtilization, 'networkUtilization');
  // Pages transferred are whole numbers rounded up from sums equal to 1e-9: at most one page apart.
  expect(Math.abs(sim.pagesTransferred - model.pagesTransferred)).toBeLessThanOrEqual(1);
}

const common = fc.record({
  pages: fc.integer({ min: 1, max: 2_000_000 }),
  pageSizeBytes: fc.integer({ min: 512, max: 65_536 }),
  bandwidthBytesPerSecond: fc.double({ min: 1e3, max: 1e10, noNaN: true }),
  rho: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  alpha: fc.double({ min: 1e-6, max: 0.99, noNaN: true }),
  accounting: fc.constantFrom<Accounting>('paper', 'consistent'),
});

describe('fluid workload against the closed forms', () => {
  it('uniform: simulate == summarizeUniform for random parameters, both accountings', () => {
    fc.assert(
      fc.property(common, (c) => {
        const tau = c.pageSizeBytes / c.bandwidthBytesPerSecond;
        const D = c.rho / tau;
        const p: SimulationParams = {
          ...c,
          workload: { kind: 'fluid', dirtyPagesPerSecond: D },
          stopRule: { kind: 'alpha', alpha: c.alpha },
        };
        const model = summarizeUniform({ ...c, dirtyPagesPerSecond: D });
        if (!model.converged) throw new Error('model did not converge');
        const r = simulate(p);
        compare(simulatedSummary(r, p, c.accounting), model);
        // Unrounded PTotalMig (consistent): Ps * sum_{j=0}^{n+1} rho^j.
        if (c.accounting === 'consistent') {
          close(r.pagesTransferred, c.pages * geometricSum(model.rho, model.iterations + 2), 'pages (unrounded)');
        }
      }),
      { seed: 20131, numRuns: 300 },
    );
  });

  const hot = fc.record({
    beta: fc.double({ min: 0, max: 0.9, noNaN: true }),
    hotRatio: fc.double({ min: 1, max: 20, noNaN: true }),
  });

  it('Hot I: fluid hot workload under the alpha rule == summarizeHotPrecopy', () => {
    fc.assert(
      fc.property(common, hot, (c, h) => {
        const tau = c.pageSizeBytes / c.bandwidthBytesPerSecond;
        // choose Dnh so that rho_eff = rho: D_eff = Dnh*(1 - beta + beta*ratio)
        const Dnh = c.rho / tau / (1 - h.beta + h.beta * h.hotRatio);
        const hp = { hotFraction: h.beta, hotDirtyPagesPerSecond: Dnh * h.hotRatio, coldDirtyPagesPerSecond: Dnh };
        const p: SimulationParams = {
          ...c,
          workload: { kind: 'fluid', ...hp },
          stopRule: { kind: 'alpha', alpha: c.alpha },
        };
        const model = summarizeHotPrecopy({ ...c, ...hp });
        if (!model.converged) return; // rho_eff rounding can land at >= 1 only in theory; nothing to compare
        compare(simulatedSummary(simulate(p), p, c.accounting), model);
      }),
      { seed: 20132, numRuns: 300 },
    );
  });

  it('Hot II: fluid hot workload under the hot-held rule == summarizeHotDowntime', () => {
    fc.assert(
      fc.property(common, hot, (c, h) => {
        const tau = c.pageSizeBytes / c.bandwidthBytesPerSecond;
        const Dnh = c.rho / tau;
        const hp = { hotFraction: h.beta, hotDirtyPagesPerSecond: Dnh * h.hotRatio, coldDirtyPagesPerSecond: Dnh };
        const p: SimulationParams = {
          ...c,
          workload: { kind: 'fluid', ...hp },
          stopRule: { kind: 'hot-held', alpha: c.alpha },
        };
        const model = summarizeHotDowntime({ ...c, ...hp });
        if (!model.converged) throw new Error('model did not converge');
        compare(simulatedSummary(simulate(p), p, c.accounting), model);
      }),
      { seed: 20133, numRuns: 300 },
    );
  });

  it('simulate(paper example) gives n = 4 and G = (15/8)^5', () => {
    // Paper Section 3 example: Ps = 4096, S = 16 KB, B = 60 KB/s, D = 2 pages/s: tau = 16/60 s, rho = 8/15;
    // alpha = 0.05: rho^5 = 0.0432 <= 0.05 < rho^4 = 0.081, so n = 4 and G = 1/rho^5 = (15/8)^5 = 23.174...
    const r = simulate({
      pages: 4096,
      pageSizeBytes: 16e3,
      bandwidthBytesPerSecond: 60e3,
      workload: { kind: 'fluid', dirtyPagesPerSecond: 2 },
      stopRule: { kind: 'alpha', alpha: 0.05 },
    });
    expect(r.iterations).toBe(4);
    close(r.gain, (15 / 8) ** 5, 'gain');
    close(r.rounds[1]!.pagesSent, (4096 * 8) / 15, 'P(1)');
  });
});
