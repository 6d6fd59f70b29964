import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../../src/model/errors.js';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';
import { type MultiMigration, type MultiSimulationParams, maxMinFair, simulateMany } from '../../src/simulate/multi.js';
import type { StopRuleSpec } from '../../src/simulate/stop-rules.js';
import type { WorkloadSpec } from '../../src/simulate/workloads.js';
import { expectRel } from '../support/approx.js';

/** The single-VM params of a migration alone on a link of rate B. */
function single(m: MultiMigration, B: number, extra: Partial<SimulationParams> = {}): SimulationParams {
  const { id: _id, links: _l, startSeconds: _s, startAfter: _a, capBytesPerSecond: _c, ...rest } = m;
  return { ...rest, bandwidthBytesPerSecond: B, ...extra };
}

const fluid = (D: number): WorkloadSpec => ({ kind: 'fluid', dirtyPagesPerSecond: D });
const alpha = (a: number): StopRuleSpec => ({ kind: 'alpha', alpha: a });

describe('one migration alone equals the single-VM simulator (bit-identical: same operations in the same order)', () => {
  const workloads: WorkloadSpec[] = [
    fluid(2),
    { kind: 'fluid', hotFraction: 0.1, hotDirtyPagesPerSecond: 20, coldDirtyPagesPerSecond: 1 },
    { kind: 'random', dirtyPagesPerSecond: 300 },
    { kind: 'hot-cold', hotFraction: 0.05, hotDirtyPagesPerSecond: 2000, coldDirtyPagesPerSecond: 50 },
    { kind: 'working-set', dirtyPagesPerSecond: 400, workingSetPages: 700 },
  ];
  const rules: StopRuleSpec[] = [
    alpha(0.05),
    { kind: 'qemu', downtimeLimitSeconds: 0.3 },
    { kind: 'qemu', downtimeLimitSeconds: 0.3, checkIntervalSeconds: 0 },
    { kind: 'xen' },
    { kind: 'max-rounds', maxRounds: 7 },
  ];
  for (const workload of workloads) {
    for (const stopRule of rules) {
      it(`${JSON.stringify(workload)} / ${JSON.stringify(stopRule)}`, () => {
        const m: MultiMigration = {
          id: 'a',
          links: ['l'],
          pages: 8192,
          pageSizeBytes: 4096,
          workload,
          stopRule,
          zeroFraction: 0.2,
          seed: 7,
        };
        const B = 40e6;
        const s = simulate(single(m, B));
        const r = simulateMany({ links: [{ name: 'l', bytesPerSecond: B }], migrations: [m] }).migrations[0]!;
        expect(r.rounds.map(({ endSeconds: _e, ...x }) => x)).toEqual(s.rounds);
        expect(r.converged).toBe(s.converged);
        expect(r.reason).toBe(s.reason);
        expect(r.precopySeconds).toBe(s.precopySeconds);
        expect(r.downtimeSeconds).toBe(s.downtimeSeconds);
        expect(r.totalSeconds).toBe(s.totalSeconds);
        expect(r.bytesTransferred).toBe(s.bytesTransferred);
        expect(r.pagesTransferred).toBe(s.pagesTransferred);
        expect(r.downtimePages).toBe(s.downtimePages);
        expect(r.heldPages).toBe(s.heldPages);
      });
    }
  }
  it('hot-held rule with held hot pages', () => {
    const m: MultiMigration = {
      id: 'a',
      links: ['l'],
      pages: 4096,
      pageSizeBytes: 4096,
      workload: { kind: 'hot-cold', hotFraction: 0.1, hotDirtyPagesPerSecond: 5000, coldDirtyPagesPerSecond: 40 },
      stopRule: { kind: 'hot-held', alpha: 0.02 },
      seed: 11,
    };
    const s = simulate(single(m, 20e6));
    const r = simulateMany({ links: [{ name: 'l', bytesPerSecond: 20e6 }], migrations: [m] }).migrations[0]!;
    expect(r.heldPages).toBe(s.heldPages);
    expect(r.totalSeconds).toBe(s.totalSeconds);
    expect(r.bytesTransferred).toBe(s.bytesTransferred);
  });
});

describe('fair sharing of one link (the paper model with B/k per VM)', () => {
  it('two identical fluid VMs each see half the bandwidth', () => {
    // Ps = 4096 pages of S = 16e3 bytes, D = 0.5 pages/s, link B = 60e3 B/s shared by two VMs started together.
    // By symmetry both end every round at the same instant, so each has B/2 = 30e3 B/s throughout, the
    // stop-and-copy included: tau' = S/(B/2) = 0.5333 s, rho' = D*tau' = 0.2667 (twice rho = 0.1333).
    // Rounds (Eq. 4, T(i) = Ps*tau'*rho'^i): P(i) = Ps*rho'^i = 4096, 1092.3, 291.27, 77.67; the alpha rule
    // (0.05*4096 = 204.8) first holds for P(3) = 77.67, so 3 live rounds, precopy = Ps*tau'*(1+rho'+rho'^2)
    // = 2922.4 s and downtime = Ps*tau'*rho'^3 = 41.42 s.
    const m = (id: string): MultiMigration => ({
      id,
      links: ['l'],
      pages: 4096,
      pageSizeBytes: 16e3,
      workload: fluid(0.5),
      stopRule: alpha(0.05),
    });
    const res = simulateMany({ links: [{ name: 'l', bytesPerSecond: 60e3 }], migrations: [m('a'), m('b')] });
    const tau = 16e3 / 30e3;
    const rho = 0.5 * tau;
    for (const r of res.migrations) {
      expect(r.rounds.length).toBe(3);
      for (let i = 0; i < 3; i++) expectRel(r.rounds[i]!.seconds, 4096 * tau * rho ** i, 1e-12);
      expectRel(r.precopySeconds, 4096 * tau * (1 + rho + rho * rho), 1e-12);
      expectRel(r.downtimeSeconds, 4096 * tau * rho ** 3, 1e-12);
      expect(r.converged).toBe(true);
    }
    expectRel(res.makespanSeconds, 4096 * tau * (1 + rho + rho ** 2 + rho ** 3), 1e-12);
  });

  it("k fluid VMs: rho' = k*rho; converge while k*rho < 1, never once k*rho >= 1", () => {
    // S = 4096, B = 40960 B/s: tau = 0.1 s, D = 2 pages/s: rho = 0.2 alone. With k VMs each sees B/k, so
    // tau' = k*tau and rho' = k*rho (hypervisors.md): k = 4 gives 0.8 (converges, round i lasts
    // Ps*k*tau*0.8^i), k = 5 gives exactly 1: every round re-dirties all Ps pages, which stall detection reports.
    const vm = (id: string): MultiMigration => ({
      id,
      links: ['l'],
      pages: 1024,
      pageSizeBytes: 4096,
      workload: fluid(2),
      stopRule: alpha(0.05),
    });
    for (const k of [1, 2, 3, 4, 5, 6]) {
      const res = simulateMany({
        links: [{ name: 'l', bytesPerSecond: 40960 }],
        migrations: Array.from({ length: k }, (_, i) => vm(`v${i}`)),
      });
      const rhoK = k * 0.2;
      for (const r of res.migrations) {
        expect(r.converged).toBe(rhoK < 1 - 1e-12);
        if (rhoK < 1 - 1e-12) {
          // alpha rule: stop at the first n >= 1 with rho'^n <= 0.05
          const n = Math.ceil(Math.log(0.05) / Math.log(rhoK) - 1e-9);
          expect(r.rounds.length).toBe(n);
          for (let i = 0; i < n; i++) expectRel(r.rounds[i]!.seconds, 1024 * k * 0.1 * rhoK ** i, 1e-12);
        } else {
          expect(r.reason).toMatch(/stalled/);
        }
      }
    }
  });
});

describe('max-min fairness with caps', () => {
  it('progressive filling on hand-derived cases', () => {
    // One link of 10, an uncapped flow and one capped at 2: the capped one freezes at 2, the other takes 8.
    expect(maxMinFair([10], [[0], [0]], [Infinity, 2])).toEqual([8, 2]);
    // L0 = 10, L1 = 4; f0 on L0, f1 on L0 and L1, f2 on L1. All grow to 2, where L1 saturates (2 users),
    // freezing f1 and f2; f0 grows alone on L0's remaining 10 - 2 = 8.
    expect(maxMinFair([10, 4], [[0], [0, 1], [1]], [Infinity, Infinity, Infinity])).toEqual([8, 2, 2]);
    // Not monotone across links: a = 10, b = 4, f1 on a, f2 on a and b. f2 freezes at 4 (b saturated), f1 takes
    // 6. Raise b to 8: both freeze at 5 when a saturates, so f1, which never crosses b, drops from 6 to 5. This is
    // why the monotonicity property in multi-properties.test.ts is stated for one shared link.
    expect(maxMinFair([10, 4], [[0], [0, 1]], [Infinity, Infinity])).toEqual([6, 4]);
    expect(maxMinFair([10, 8], [[0], [0, 1]], [Infinity, Infinity])).toEqual([5, 5]);
    // Caps above the fair share do not bind: 3 flows on 9 each get 3.
    expect(maxMinFair([9], [[0], [0], [0]], [5, 5, 5])).toEqual([3, 3, 3]);
  });

  it('a capped migration leaves the rest of the link to the other; its stop-and-copy is uncapped', () => {
    // Link C = 100e6 B/s. A: 60000 pages of 4096 B capped at 30e6 (QEMU max-bandwidth); B: 2000 pages, uncapped.
    // Max-min: A frozen at its cap 30e6, B gets 70e6. B's whole migration (round 0 = 2000*4096/70e6 = 0.117 s,
    // then smaller rounds and its stop-and-copy) ends long before A's round 0 (60000*4096/30e6 = 8.19 s), so
    // B is the single-VM run at 70e6, and A is the single-VM run at 30e6 whose stop-and-copy runs alone at
    // the full 100e6 (cap lifted).
    const a: MultiMigration = {
      id: 'A',
      links: ['l'],
      pages: 60000,
      pageSizeBytes: 4096,
      workload: fluid(500),
      stopRule: alpha(0.01),
      capBytesPerSecond: 30e6,
    };
    const b: MultiMigration = { ...a, id: 'B', pages: 2000, capBytesPerSecond: undefined };
    const res = simulateMany({ links: [{ name: 'l', bytesPerSecond: 100e6 }], migrations: [a, b] });
    const [ra, rb] = res.migrations;
    const sa = simulate(single(a, 30e6, { downtimeBandwidthBytesPerSecond: 100e6 }));
    const sb = simulate(single(b, 70e6));
    expect(rb!.endSeconds).toBeLessThan(ra!.rounds[0]!.endSeconds);
    // A's round 0 is cut by B's events: its time is summed over segments, so 1e-12 rather than bit equality.
    expectRel(ra!.totalSeconds, sa.totalSeconds, 1e-12);
    expectRel(ra!.downtimeSeconds, sa.downtimeSeconds, 1e-12);
    expect(ra!.rounds.length).toBe(sa.rounds.length);
    expectRel(rb!.totalSeconds, sb.totalSeconds, 1e-12);
    expectRel(rb!.downtimeSeconds, sb.downtimeSeconds, 1e-12);
  });

  it('alone and capped: rounds at the cap, the stop-and-copy at the full link', () => {
    // One migration, cap c = 30e6 on a link of B = 100e6: every pre-copy round runs at c (it is alone, so
    // max-min gives min(c, B)), the QEMU rule's first estimate is c too, and the stop-and-copy runs at B.
    // That is the single-VM engine on a link of c with downtimeBandwidthBytesPerSecond = B. Rounds are
    // bit-identical (same P*tau formula at rate c); the downtime is bytes/B there and P*(S/B) here: 1e-12.
    for (const stopRule of [alpha(0.02), { kind: 'qemu', downtimeLimitSeconds: 0.05 } as StopRuleSpec]) {
      const m: MultiMigration = {
        id: 'a',
        links: ['l'],
        pages: 50000,
        pageSizeBytes: 4096,
        workload: { kind: 'random', dirtyPagesPerSecond: 1500 },
        stopRule,
        capBytesPerSecond: 30e6,
        seed: 5,
      };
      const s = simulate(single(m, 30e6, { downtimeBandwidthBytesPerSecond: 100e6 }));
      const r = simulateMany({ links: [{ name: 'l', bytesPerSecond: 100e6 }], migrations: [m] }).migrations[0]!;
      expect(r.rounds.map(({ endSeconds: _e, ...x }) => x)).toEqual(s.rounds);
      expect(r.precopySeconds).toBe(s.precopySeconds);
      expectRel(r.downtimeSeconds, s.downtimeSeconds, 1e-12);
      expect(r.bytesTransferred).toBe(s.bytesTransferred);
    }
  });

  it('startAfter and startSeconds sequence migrations', () => {
    // Two identical fluid VMs in sequence on one link: the second starts when the first ends, alone, so its
    // total equals the first's and the makespan is twice it.
    const m: MultiMigration = {
      id: 'a',
      links: ['l'],
      pages: 4096,
      pageSizeBytes: 4096,
      workload: fluid(100),
      stopRule: alpha(0.05),
    };
    const res = simulateMany({
      links: [{ name: 'l', bytesPerSecond: 10e6 }],
      migrations: [m, { ...m, id: 'b', startAfter: ['a'] }, { ...m, id: 'c', startSeconds: 1000 }],
    });
    const [ra, rb, rc] = res.migrations;
    expect(rb!.startSeconds).toBe(ra!.endSeconds);
    expectRel(rb!.totalSeconds, ra!.totalSeconds, 1e-12);
    expect(rc!.startSeconds).toBe(1000);
    expectRel(rc!.totalSeconds, ra!.totalSeconds, 1e-12);
    expectRel(res.makespanSeconds, 1000 + ra!.totalSeconds, 1e-12);
  });
});

describe('bad input', () => {
  const m: MultiMigration = {
    id: 'a',
    links: ['l'],
    pages: 1024,
    pageSizeBytes: 4096,
    workload: fluid(1),
    stopRule: alpha(0.1),
  };
  const links = [{ name: 'l', bytesPerSecond: 1e6 }];
  const bad: [string, MultiSimulationParams, string][] = [
    ['unknown link', { links, migrations: [{ ...m, links: ['x'] }] }, 'migrations[a].links'],
    ['no link', { links, migrations: [{ ...m, links: [] }] }, 'migrations[a].links'],
    [
      'bad capacity',
      { links: [{ name: 'l', bytesPerSecond: Number.NaN }], migrations: [m] },
      'links[l].bytesPerSecond',
    ],
    ['bad pages', { links, migrations: [{ ...m, pages: -1 }] }, 'migrations[a].pages'],
    ['bad alpha', { links, migrations: [{ ...m, stopRule: alpha(2) }] }, 'migrations[a].alpha'],
    ['bad cap', { links, migrations: [{ ...m, capBytesPerSecond: 0 }] }, 'migrations[a].capBytesPerSecond'],
    ['bad start', { links, migrations: [{ ...m, startSeconds: Infinity }] }, 'migrations[a].startSeconds'],
    ['duplicate id', { links, migrations: [m, m] }, 'migrations[a].id'],
    ['unknown dep', { links, migrations: [{ ...m, startAfter: ['z'] }] }, 'migrations[a].startAfter'],
    [
      'cycle',
      {
        links,
        migrations: [
          { ...m, startAfter: ['b'] },
          { ...m, id: 'b', startAfter: ['a'] },
        ],
      },
      'migrations[a].startAfter',
    ],
    [
      'too many rounds',
      { links, migrations: Array.from({ length: 1001 }, (_, i) => ({ ...m, id: `v${i}` })) },
      'migrations[].roundLimit',
    ],
    [
      'too much bitmap',
      {
        links,
        migrations: Array.from({ length: 40 }, (_, i) => ({
          ...m,
          id: `v${i}`,
          pages: 2 ** 31,
          workload: { kind: 'random', dirtyPagesPerSecond: 1 } as WorkloadSpec,
          roundLimit: 10,
        })),
      },
      'migrations[].pages',
    ],
  ];
  for (const [what, params, parameter] of bad) {
    it(what, () => {
      let err: unknown;
      try {
        simulateMany(params);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelInputError);
      expect((err as ModelInputError).parameter).toBe(parameter);
    });
  }
});
