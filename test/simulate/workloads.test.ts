import { describe, expect, it } from 'vitest';
import { countBits } from '../../src/simulate/bitset.js';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';
import { createLink } from '../../src/simulate/link.js';
import { Rng } from '../../src/simulate/rng.js';
import { parseTrace } from '../../src/simulate/trace.js';
import { bernoulliFill, createDirtyState, scatterWrites } from '../../src/simulate/workloads.js';
import { expectRel } from '../support/approx.js';

// S = 1000 B, B = 1e6 B/s: tau = 1 ms.
const LINK = { pageSizeBytes: 1000, bandwidthBytesPerSecond: 1e6 };

describe('workloads', () => {
  it('random writes: a write to a dirty page adds nothing (distinct count == bits set)', () => {
    const log = new Uint32Array(4);
    const rng = new Rng(3);
    const added = scatterWrites(log, 0, 100, 1000, rng);
    expect(added).toBe(countBits(log));
    // 1000 writes over 100 pages: expected distinct 100*(1 - e^-10) = 99.995: all or nearly all pages
    expect(added).toBeGreaterThanOrEqual(98);
    expect(added).toBeLessThanOrEqual(100);
  });

  it('bernoulliFill(p) marks about n*p pages and counts only new ones', () => {
    // n = 100,000, p = 0.3: mean 30,000, sd sqrt(n p (1-p)) = 145.
    const log = new Uint32Array(3125);
    const first = bernoulliFill(log, 0, 100_000, 0.3, new Rng(8));
    expect(Math.abs(first - 30_000)).toBeLessThan(750);
    expect(countBits(log)).toBe(first);
    // a second pass adds only pages not yet set: about 0.3 * 70,000 = 21,000
    const second = bernoulliFill(log, 0, 100_000, 0.3, new Rng(9));
    expect(Math.abs(second - 21_000)).toBeLessThan(750);
    expect(countBits(log)).toBe(first + second);
  });

  it('random writes with more writes than pages per round (Poissonized fill) match Ps*(1 - exp(-D*T/Ps))', () => {
    // Ps = 1000, tau = 1 ms, D = 2000/s: round 0 lasts 1 s and holds 2000 writes > 1000 pages, so the per-page
    // fill is used. E[dirty] = 1000*(1 - e^-2) = 864.7, sd = sqrt(1000 * 0.865 * 0.135) = 10.8.
    const r = simulate({
      ...LINK,
      pages: 1000,
      workload: { kind: 'random', dirtyPagesPerSecond: 2000 },
      stopRule: { kind: 'max-rounds', maxRounds: 1 },
      seed: 4,
    });
    expect(Math.abs(r.rounds[0]!.pagesDirtied - 1000 * -Math.expm1(-2))).toBeLessThan(60);
  });

  it('random writes: round 1 sends about Ps*(1 - exp(-rho)) pages, not rho*Ps', () => {
    // Ps = 200,000, rho = 0.5: E[P(1)] = 200000*(1 - e^-0.5) = 78,694; sd about sqrt(Ps p (1-p)) ~ 220.
    const r = simulate({
      ...LINK,
      pages: 200_000,
      workload: { kind: 'random', dirtyPagesPerSecond: 500 },
      stopRule: { kind: 'max-rounds', maxRounds: 2 },
      seed: 11,
    });
    expect(Math.abs(r.rounds[1]!.pagesSent - 200_000 * -Math.expm1(-0.5))).toBeLessThan(1500);
  });

  it('hot-cold: hot pages are rewritten, so the dirty set is smaller than D_eff*T', () => {
    // Ps = 100,000, beta = 0.1, Dh = 20,000/s, Dnh = 100/s (per page 0.2/s and 0.001/s). Round 0 lasts 100 s:
    // hot pages: 10,000*(1 - e^-20) ~ 10,000; cold: 90,000*(1 - e^-0.1) = 8,564. Total ~ 18,564 (D_eff*T = 209,000).
    const r = simulate({
      ...LINK,
      pages: 100_000,
      workload: { kind: 'hot-cold', hotFraction: 0.1, hotDirtyPagesPerSecond: 20_000, coldDirtyPagesPerSecond: 100 },
      stopRule: { kind: 'max-rounds', maxRounds: 1 },
      seed: 5,
    });
    expect(Math.abs(r.rounds[0]!.pagesDirtied - (10_000 + 90_000 * -Math.expm1(-0.1)))).toBeLessThan(400);
  });

  it('working set: distinct pages dirtied in T are min(floor(D*T), W)', () => {
    // Ps = 1000, tau = 1 ms. D = 50/s, W = 100: round 0 (1 s) writes 50 pages -> 50 dirty;
    // round 1 (0.05 s) writes floor(50*1.05) - 50 = 2 pages.
    const a = simulate({
      ...LINK,
      pages: 1000,
      workload: { kind: 'working-set', dirtyPagesPerSecond: 50, workingSetPages: 100 },
      stopRule: { kind: 'max-rounds', maxRounds: 2 },
    });
    expect(a.rounds.map((x) => x.pagesDirtied)).toEqual([50, 2]);
    // D = 500/s: round 0 writes 500 pages through a 100-page buffer: exactly W = 100 distinct.
    const b = simulate({
      ...LINK,
      pages: 1000,
      workload: { kind: 'working-set', dirtyPagesPerSecond: 500, workingSetPages: 100 },
      stopRule: { kind: 'max-rounds', maxRounds: 2 },
    });
    expect(b.rounds.map((x) => x.pagesDirtied)).toEqual([100, 50]);
  });

  it('zero pages cost zeroPageBytes: round 0 of 500 full + 500 zero pages takes 0.505 s', () => {
    // 500*1000 B + 500*10 B = 505,000 B at 1e6 B/s.
    const r = simulate({
      ...LINK,
      pages: 1000,
      zeroFraction: 0.5,
      zeroPageBytes: 10,
      workload: { kind: 'random', dirtyPagesPerSecond: 0 },
      stopRule: { kind: 'alpha', alpha: 0.1 },
    });
    expect(r.rounds[0]!.zeroPagesSent).toBe(500);
    expectRel(r.rounds[0]!.seconds, 0.505, 1e-15);
    expect(r.downtimePages).toBe(0);
  });

  it('a zero page that was written is sent in full afterwards', () => {
    // Page-level state, Ps = 64, the top 32 pages zero. Write every page, sync: nothing sent is zero any more.
    const s = createDirtyState(
      { kind: 'working-set', dirtyPagesPerSecond: 64, workingSetPages: 64 },
      { pages: 64, zeroFraction: 0.5, holdHot: false },
      new Rng(1),
    );
    expect(s.send(64)).toEqual({ pages: 64, zeroPages: 32 });
    s.advance(0, 1);
    expect(s.sync()).toBe(64);
    expect(s.send(64)).toEqual({ pages: 64, zeroPages: 0 });
  });

  it('carry-over: the pages left unsent are the highest ids, and a write to one adds nothing', () => {
    const s = createDirtyState(
      { kind: 'working-set', dirtyPagesPerSecond: 10, workingSetPages: 10 },
      { pages: 100, zeroFraction: 0, holdHot: false },
      new Rng(1),
    );
    expect(s.send(95).pages).toBe(95); // pages 0..94 sent, 95..99 pending
    s.advance(0, 1); // writes pages 0..9
    expect(s.sync()).toBe(15);
  });

  it('trace ids: replays the listed pages in order, interval after interval', () => {
    // interval 0.5 s: [1,2,3], [3,4], [] ; Ps = 10, tau = 1 ms * ... here S/B = 0.1 s, round 0 = 1 s:
    // intervals 0 and 1 fall in round 0: pages {1,2,3,4} dirtied; round 1 (0.4 s) falls in the empty interval.
    const trace = parseTrace('precopy-trace v1\ninterval 500ms\nkind ids\n1 2 3\n3,4\n-\n');
    const r = simulate({
      pages: 10,
      pageSizeBytes: 1000,
      bandwidthBytesPerSecond: 10_000,
      workload: { kind: 'trace', trace },
      stopRule: { kind: 'alpha', alpha: 0.05 },
    });
    expect(r.rounds.map((x) => x.pagesDirtied)).toEqual([4, 0]);
    expect(r.downtimePages).toBe(0);
  });

  it('trace counts: writes per interval land on random pages; a long migration replays the trace in a loop', () => {
    // 100 writes per 1 s interval over Ps = 1,000,000 pages (repeats negligible): round 0 of 10 s gets 1000
    // writes, about 1000 distinct pages.
    const trace = parseTrace('precopy-trace v1\ninterval 1s\nkind counts\n100\n');
    const r = simulate({
      pages: 1_000_000,
      pageSizeBytes: 1000,
      bandwidthBytesPerSecond: 1e8,
      workload: { kind: 'trace', trace },
      stopRule: { kind: 'max-rounds', maxRounds: 1 },
    });
    expect(r.rounds[0]!.pagesDirtied).toBeGreaterThanOrEqual(995);
    expect(r.rounds[0]!.pagesDirtied).toBeLessThanOrEqual(1000);
  });
});

describe('links', () => {
  it('a piecewise schedule: 100 B/s for 1 s then 50 B/s, 200 B take 3 s', () => {
    const link = createLink({ bandwidthBytesPerSecond: 100, schedule: [{ fromSeconds: 1, bytesPerSecond: 50 }] });
    expect(link.secondsToSend(0, 2, 100, 0, 0)).toBe(3);
    expect(link.secondsToSend(0.5, 1, 100, 0, 0)).toBe(1.5); // 50 B by 1 s, 50 B more at 50 B/s
    expect(link.rateAt(2)).toBe(50);
  });

  it('a link that goes down for a while delays the round', () => {
    const link = createLink({
      bandwidthBytesPerSecond: 100,
      schedule: [
        { fromSeconds: 1, bytesPerSecond: 0 },
        { fromSeconds: 4, bytesPerSecond: 100 },
      ],
    });
    expect(link.secondsToSend(0, 2, 100, 0, 0)).toBe(5);
  });

  it('simulate with a schedule: the same fluid run on a link that halves after 1 s takes longer', () => {
    const base: SimulationParams = {
      pages: 1000,
      ...LINK,
      workload: { kind: 'fluid', dirtyPagesPerSecond: 100 },
      stopRule: { kind: 'alpha', alpha: 0.01 },
    };
    const slow = simulate({ ...base, bandwidthSchedule: [{ fromSeconds: 0.5, bytesPerSecond: 5e5 }] });
    // Round 0: 500 pages in 0.5 s, then 500 pages at 500 pages/s = 1 s: T(0) = 1.5 s.
    expect(slow.rounds[0]!.seconds).toBe(1.5);
    expect(slow.totalSeconds).toBeGreaterThan(simulate(base).totalSeconds);
  });
});
