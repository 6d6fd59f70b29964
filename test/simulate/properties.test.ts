import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';

// Conservation properties of page-level runs, over random workloads, stop rules and sizes (seeded).
const params = fc.record({
  pages: fc.integer({ min: 1, max: 5000 }),
  rho: fc.double({ min: 0, max: 1.5, noNaN: true }),
  alpha: fc.double({ min: 0.001, max: 0.9, noNaN: true }),
  zeroFraction: fc.double({ min: 0, max: 0.5, noNaN: true }),
  beta: fc.double({ min: 0, max: 0.4, noNaN: true }),
  kind: fc.constantFrom('random', 'hot-cold', 'working-set'),
  rule: fc.constantFrom('alpha', 'qemu', 'xen', 'xen-legacy', 'hot-held'),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
});

type Drawn = {
  pages: number;
  rho: number;
  alpha: number;
  zeroFraction: number;
  beta: number;
  kind: string;
  rule: string;
  seed: number;
};

function build(x: Drawn): SimulationParams {
  const tau = 1e-3; // S = 1000 B, B = 1e6 B/s
  const D = x.rho / tau;
  const workload: SimulationParams['workload'] =
    x.kind === 'random'
      ? { kind: 'random', dirtyPagesPerSecond: D }
      : x.kind === 'working-set'
        ? { kind: 'working-set', dirtyPagesPerSecond: D, workingSetPages: Math.max(1, Math.floor(x.pages / 3)) }
        : { kind: 'hot-cold', hotFraction: x.beta, hotDirtyPagesPerSecond: 3 * D, coldDirtyPagesPerSecond: D / 2 };
  const rule = x.rule === 'hot-held' && x.kind !== 'hot-cold' ? 'alpha' : x.rule;
  const stopRule: SimulationParams['stopRule'] =
    rule === 'alpha' || rule === 'hot-held'
      ? { kind: rule, alpha: x.alpha }
      : rule === 'qemu'
        ? { kind: 'qemu', downtimeLimitSeconds: x.alpha * x.pages * tau }
        : { kind: rule as 'xen' | 'xen-legacy' };
  return {
    pages: x.pages,
    pageSizeBytes: 1000,
    bandwidthBytesPerSecond: 1e6,
    workload,
    stopRule,
    zeroFraction: rule === 'hot-held' ? 0 : x.zeroFraction,
    seed: x.seed,
    roundLimit: 2000,
    stallRounds: 50,
  };
}

describe('simulate: conservation over random page-level runs', () => {
  it('pages are whole, sent pages add up, every page goes at least once, runs are reproducible', () => {
    fc.assert(
      fc.property(params, (x) => {
        const p = build(x);
        const r = simulate(p);
        const sentLive = r.rounds.reduce((s, q) => s + q.pagesSent, 0);
        expect(sentLive).toBe(r.livePagesSent);
        expect(r.pagesTransferred).toBe(r.livePagesSent + r.downtimePages);
        // every page is sent at least once: live (round 0 sends all live pages) or at downtime
        expect(r.pagesTransferred).toBeGreaterThanOrEqual(p.pages);
        for (const q of r.rounds) {
          expect(Number.isInteger(q.pagesSent) && Number.isInteger(q.pagesDirtied)).toBe(true);
          expect(q.pagesDirtied).toBeLessThanOrEqual(p.pages - r.heldPages);
          expect(q.zeroPagesSent).toBeLessThanOrEqual(q.pagesSent);
        }
        expect(r.precopySeconds).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(r.totalSeconds)).toBe(true);
        // the same seed gives the same run
        expect(simulate(p)).toEqual(r);
      }),
      { seed: 4242, numRuns: 150 },
    );
  });

  it('under the alpha rule the pending set after each sync is exactly what the next round sends', () => {
    fc.assert(
      fc.property(params, (x) => {
        const p = build({ ...x, rule: 'alpha', zeroFraction: 0 });
        const r = simulate(p);
        for (let i = 0; i + 1 < r.rounds.length; i++) {
          expect(r.rounds[i + 1]!.pagesSent).toBe(r.rounds[i]!.pendingAfter);
          expect(r.rounds[i]!.pendingAfter).toBe(r.rounds[i]!.pagesDirtied);
        }
        if (r.converged) expect(r.downtimePages).toBe(r.rounds.at(-1)?.pendingAfter ?? p.pages);
      }),
      { seed: 4243, numRuns: 150 },
    );
  });
});
