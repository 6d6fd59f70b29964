import { describe, expect, it } from 'vitest';
import {
  BASELINE_NAMES,
  type DispatchPlan,
  type FleetPrediction,
  type FleetScheduleInput,
  type Inventory,
  assignTargets,
  baselinePlan,
  buildNetwork,
  planFleet,
  predictFleet,
  resolveInventory,
  scheduleOf,
  simulateFleet,
  violationsOf,
} from '../../src/fleet/index.js';
import { simulateMany } from '../../src/simulate/multi.js';
import { qemuRule } from '../../src/simulate/stop-rules.js';
import { expectRel } from '../support/approx.js';
import { randomInventory, seeded } from './corpus.js';

/** The contract is one fluid model on both sides: only rounding separates them (1e-9 relative, the brief's bound). */
const REL = 1e-9;

function scheduleFor(inv: Inventory, plan: DispatchPlan): FleetScheduleInput {
  return scheduleOf(inv, buildNetwork(inv), assignTargets(inv), plan);
}

/** Every cap of a schedule holds at every instant of an outcome (intervals [start, end), ends before starts). */
function capsBroken(s: FleetScheduleInput, o: FleetPrediction): string[] {
  const out: string[] = [];
  const ev: { t: number; d: number; i: number }[] = [];
  o.migrations.forEach((m, i) => {
    ev.push({ t: m.startSeconds, d: 1, i }, { t: m.endSeconds, d: -1, i });
  });
  ev.sort((a, b) => a.t - b.t || a.d - b.d);
  const src = new Map<number, number>();
  const tgt = new Map<number, number>();
  let total = 0;
  for (const e of ev) {
    const m = s.migrations[e.i]!;
    src.set(m.sourceIndex, (src.get(m.sourceIndex) ?? 0) + e.d);
    tgt.set(m.targetIndex, (tgt.get(m.targetIndex) ?? 0) + e.d);
    total += e.d;
    const cs = s.caps?.perSource?.[m.sourceIndex] ?? Number.POSITIVE_INFINITY;
    const ct = s.caps?.perTarget?.[m.targetIndex] ?? Number.POSITIVE_INFINITY;
    const cT = s.caps?.total ?? Number.POSITIVE_INFINITY;
    if (src.get(m.sourceIndex)! > cs) out.push(`source ${m.source} over ${cs} at ${e.t}`);
    if (tgt.get(m.targetIndex)! > ct) out.push(`target ${m.target} over ${ct} at ${e.t}`);
    if (total > cT) out.push(`total over ${cT} at ${e.t}`);
  }
  return out;
}

describe('simulateFleet: a fleet schedule through the multi-VM simulator', () => {
  it('one VM alone: the simulator gives the paper model (hand derivation)', () => {
    // 1 GiB, D = 0, one 1 GB/s path (8 Gbit/s NICs at share 1), the sequential baseline's QEMU 7.2 knobs
    // (max-bandwidth 128 MiB/s): round 0 sends 2^30 B at 2^27 B/s in 8 s, nothing is dirty, QEMU's rule stops
    // (0 <= threshold) and the stop-and-copy is empty: downtime 0.
    const inv = resolveInventory({
      hosts: [
        { name: 'a', nic: '8Gbit/s' },
        { name: 'b', nic: '8Gbit/s' },
      ],
      vms: [{ name: 'v', host: 'a', memory: '1GiB', dirtyRate: 0 }],
      policy: { linkShare: 1 },
    });
    const r = simulateFleet(scheduleFor(inv, baselinePlan(inv, 'sequential')));
    expectRel(r.simulated.makespanSeconds, 8, 1e-15);
    expect(r.simulated.migrations[0]!.downtimeSeconds).toBe(0);
    expect(r.simulated.migrations[0]!.rounds).toBe(1);
  });

  it('fluid corpus: every baseline and the plan match the predictor within 1e-9, caps hold in the simulator', () => {
    const rand = seeded(20261201);
    let compared = 0;
    let migrations = 0;
    let withCaps = 0;
    for (let k = 0; k < 40; k++) {
      const inv = resolveInventory(randomInventory(rand, 'sequential'));
      const plan = planFleet(inv, { budget: 12 });
      const candidates = [
        ...BASELINE_NAMES.map((b) => ({ name: b, plan: baselinePlan(inv, b) })),
        { name: 'plan', plan: plan.best.plan },
      ];
      for (const c of candidates) {
        const s = scheduleFor(inv, c.plan);
        const { simulated: sim, predicted: pred, startAfter } = simulateFleet(s);
        if (startAfter.some((a) => a.length > 0)) withCaps++;
        expect(capsBroken(s, sim), `${k} ${c.name}`).toEqual([]);
        pred.migrations.forEach((p, i) => {
          expect(sim.migrations[i]!.converged, `${k} ${c.name} ${p.vm}`).toBe(p.converged);
        });
        if (!pred.allConverged) continue; // after a cancelled migration the two differ by design (docs/fleet.md)
        compared++;
        pred.migrations.forEach((p, i) => {
          const q = sim.migrations[i]!;
          migrations++;
          expectRel(q.startSeconds, p.startSeconds, REL, 1e-12);
          expectRel(q.endSeconds - q.startSeconds, p.endSeconds - p.startSeconds, REL);
          expectRel(q.downtimeSeconds, p.downtimeSeconds, REL, 1e-15);
          expectRel(q.bytesSent, p.bytesSent, REL);
          expect(q.rounds, `${k} ${c.name} ${p.vm} rounds`).toBe(p.rounds);
        });
        expectRel(sim.makespanSeconds, pred.makespanSeconds, REL);
        expectRel(sim.totalBytes, pred.totalBytes, REL);
      }
    }
    // The corpus must exercise the comparison: most schedules converge, many carry caps into hand-overs.
    expect(compared).toBeGreaterThan(200);
    expect(migrations).toBeGreaterThan(800);
    expect(withCaps).toBeGreaterThan(50);
  }, 60_000);

  it('fluid corpus: the plan breaks no constraint in the simulator and is never slower than a feasible baseline there', () => {
    const rand = seeded(14);
    let feasiblePlans = 0;
    for (let k = 0; k < 40; k++) {
      const inv = resolveInventory(randomInventory(rand, 'sequential'));
      const r = planFleet(inv, { budget: 12 });
      const ps = scheduleFor(inv, r.best.plan);
      const planSim = simulateFleet(ps).simulated;
      expect(capsBroken(ps, planSim)).toEqual([]);
      const planViolations = violationsOf(inv, planSim);
      if (r.feasible) {
        feasiblePlans++;
        expect(planViolations, `inventory ${k}`).toEqual([]);
      }
      for (const b of BASELINE_NAMES) {
        const bsim = simulateFleet(scheduleFor(inv, baselinePlan(inv, b))).simulated;
        if (violationsOf(inv, bsim).length > 0 || planViolations.length > 0) continue;
        expect(planSim.makespanSeconds, `inventory ${k} vs ${b}`).toBeLessThanOrEqual(bsim.makespanSeconds * (1 + REL));
      }
    }
    expect(feasiblePlans).toBeGreaterThan(20);
  }, 60_000);
});

describe('the two simulator options the fleet adapter uses', () => {
  it("QEMU's rule reads Nova's stepped downtime-limit at the elapsed time", () => {
    // pending 5e8 B, bandwidth 1e9 B/s: threshold 1e9 x 0.1 = 1e8 before the step (go on), 1e9 x 1 = 1e9 after (stop).
    const rule = qemuRule({ downtimeLimitSeconds: 0.1, downtimeSteps: [{ atSeconds: 10, limitSeconds: 1 }] });
    const ctx = {
      round: 3,
      pendingPages: 5e8 / 4096,
      livePages: 1e6,
      memoryPages: 1e6,
      pageSizeBytes: 4096,
      pagesSent: 1e6,
      bandwidthEstimate: 1e9,
    };
    expect(rule.decide({ ...ctx, elapsedSeconds: 5 }).stop).toBe(false);
    expect(rule.decide({ ...ctx, elapsedSeconds: 15 }).stop).toBe(true);
  });

  it('fullFirstRound: round 0 runs even when the whole memory fits the downtime-limit', () => {
    // 1 MiB at 1e9 B/s with a 300 ms limit: QEMU's rule would stop before round 0 (2^20 B <= 3e8 B) and send
    // everything in the downtime (2^20 / 1e9 s); with fullFirstRound round 0 sends it live and, D = 0, the
    // stop-and-copy is empty.
    const base = {
      id: 'v',
      pages: 256,
      pageSizeBytes: 4096,
      workload: { kind: 'fluid', dirtyPagesPerSecond: 0 } as const,
      stopRule: { kind: 'qemu', downtimeLimitSeconds: 0.3 } as const,
      links: ['l'],
    };
    const links = [{ name: 'l', bytesPerSecond: 1e9 }];
    const plain = simulateMany({ links, migrations: [base] }).migrations[0]!;
    expect(plain.rounds.length).toBe(0);
    expectRel(plain.downtimeSeconds, 2 ** 20 / 1e9, 1e-15);
    const full = simulateMany({ links, migrations: [{ ...base, fullFirstRound: true }] }).migrations[0]!;
    expect(full.rounds.length).toBe(1);
    expectRel(full.precopySeconds, 2 ** 20 / 1e9, 1e-15);
    expect(full.downtimeSeconds).toBe(0);
  });
});

describe('engine shortcuts against the simulator', () => {
  it('fast-forward of repeating rounds: a non-converging VM beside a converging one, round for round', () => {
    // v dirties 5e5 pages/s (2.05e9 B/s) > even the whole 1e9 B/s link: its dirty set saturates at Ps, every round sends
    // Ps pages and repeats the last one (fast-forwarded); w ends meanwhile (v's rate doubles: a new repeating
    // phase); after maxRounds = 300 rounds the predictor cancels v where the simulator forces its stop-and-copy.
    const inv = resolveInventory({
      hosts: [
        { name: 'a', nic: '8Gbit/s' },
        { name: 'b', nic: '80Gbit/s' },
      ],
      vms: [
        { name: 'v', host: 'a', memory: '1GiB', dirtyRate: 500000 },
        { name: 'w', host: 'a', memory: '2GiB', dirtyRate: 1000 },
      ],
      policy: { linkShare: 1, maxBandwidth: 'unlimited', maxRounds: 300 },
    });
    const s = scheduleFor(inv, baselinePlan(inv, 'kubevirt'));
    const { predicted: p, raw } = simulateFleet(s);
    const v = p.migrations[0]!;
    const rv = raw.migrations[0]!;
    expect(v.converged).toBe(false);
    expect(rv.converged).toBe(false);
    expect(v.rounds).toBe(300);
    expect(rv.rounds.length).toBe(300);
    expectRel(v.endSeconds, rv.stopSeconds, REL);
    expectRel(
      v.bytesSent,
      rv.rounds.reduce((a, r) => a + r.bytesSent, 0),
      REL,
    );
    const w = p.migrations[1]!;
    const rw = raw.migrations[1]!;
    expect(w.converged).toBe(true);
    expectRel(w.endSeconds, rw.endSeconds, REL);
    expectRel(w.downtimeSeconds, rw.downtimeSeconds, REL);
  });

  it('horizon: the prediction stops at the first event past it and says so', () => {
    // Two 1 GiB VMs, D = 0, one after the other (total cap 1) on 1e9 B/s: the first ends at 2^30 / 1e9 =
    // 1.073741824 s, the second at twice that. Horizon 1.5 s: the second's end (2.147483648 s) is past it.
    const inv = resolveInventory({
      hosts: [
        { name: 'a', nic: '8Gbit/s' },
        { name: 'b', nic: '8Gbit/s' },
      ],
      vms: [
        { name: 'v1', host: 'a', memory: '1GiB', dirtyRate: 0 },
        { name: 'v2', host: 'a', memory: '1GiB', dirtyRate: 0 },
      ],
      policy: { linkShare: 1, maxBandwidth: 'unlimited', maxTotal: 1 },
    });
    const s = scheduleFor(inv, baselinePlan(inv, 'kubevirt'));
    const full = predictFleet(s);
    expectRel(full.makespanSeconds, 2 ** 31 / 1e9, 1e-15);
    const cut = predictFleet({ ...s, horizonSeconds: 1.5 });
    expectRel(cut.truncatedAtSeconds!, 2 ** 31 / 1e9, 1e-15);
    expect(cut.migrations[0]!.converged).toBe(true);
    expect(cut.migrations[1]!.converged).toBe(false);
    expect(cut.migrations[1]!.reason).toMatch(/not predicted past 1.5 s/);
    expect(cut.makespanSeconds).toBe(cut.truncatedAtSeconds);
  });
});
