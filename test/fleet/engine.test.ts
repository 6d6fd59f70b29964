import { describe, expect, it } from 'vitest';
import { type FleetMigration, type FleetScheduleInput, predictFleet } from '../../src/fleet/engine.js';
import { predictUniform } from '../../src/model/index.js';
import { expectRel } from '../support/approx.js';

/** Table 2 of the paper: Ps = 4096 pages of 16 KB, B = 60 KB/s. */
const PS = 4096;
const S = 16_000;
const B = 60_000;

function mig(over: Partial<FleetMigration> = {}): FleetMigration {
  return {
    vm: 'v',
    source: 'a',
    target: 'b',
    sourceIndex: 0,
    targetIndex: 1,
    pages: PS,
    pageSizeBytes: S,
    firstRoundPages: PS,
    dirtyPagesPerSecond: 2,
    workingSetPages: PS,
    pattern: 'sequential',
    links: [0],
    capBytesPerSecond: Number.POSITIVE_INFINITY,
    stopRule: { kind: 'alpha', alpha: 0.05 },
    maxRounds: 1000,
    startSeconds: 0,
    after: [],
    ...over,
  };
}

function schedule(
  migrations: FleetMigration[],
  capacity = B,
  extra: Partial<FleetScheduleInput> = {},
): FleetScheduleInput {
  return { hosts: ['a', 'b'], links: [{ name: 'l', capacityBytesPerSecond: capacity }], migrations, ...extra };
}

describe('predictFleet', () => {
  it('predictFleet(one VM alone, alpha rule) equals the paper model (Eqs. 4-8)', () => {
    // Paper Table 2, uniform: rho = 2 * 16000/60000 = 0.5333; n = 4 (rho^5 = 0.0433 <= 0.05 < rho^4).
    const p = predictFleet(schedule([mig()]));
    const paper = predictUniform({
      pages: PS,
      pageSizeBytes: S,
      bandwidthBytesPerSecond: B,
      dirtyPagesPerSecond: 2,
      alpha: 0.05,
    });
    if (!paper.converged) throw new Error('paper case converges');
    const m = p.migrations[0]!;
    expect(m.converged).toBe(true);
    expect(m.rounds).toBe(paper.iterations + 1);
    expectRel(m.downtimeSeconds, paper.downtimeSeconds, 1e-12);
    expectRel(m.precopySeconds, paper.precopySeconds, 1e-12);
    expectRel(p.makespanSeconds, paper.totalSeconds, 1e-12);
  });

  it('predictFleet(one VM alone, QEMU rule) equals the paper model with alpha = limit*B/(Ps*S)', () => {
    // With a constant rate the measured bandwidth is B, so pending*S <= B*limit is pending <= alpha*Ps.
    // limit = 50 s gives alpha = 50*60000/(4096*16000) = 0.04578 (rho^5 = 0.0433 < alpha < rho^4: n = 4, not at an edge).
    const p = predictFleet(schedule([mig({ stopRule: { kind: 'qemu', downtimeLimitSeconds: 50 } })]));
    const paper = predictUniform({
      pages: PS,
      pageSizeBytes: S,
      bandwidthBytesPerSecond: B,
      dirtyPagesPerSecond: 2,
      alpha: (50 * B) / (PS * S),
    });
    if (!paper.converged) throw new Error('converges');
    expect(p.migrations[0]!.rounds).toBe(paper.iterations + 1);
    expectRel(p.migrations[0]!.downtimeSeconds, paper.downtimeSeconds, 1e-12);
    expectRel(p.makespanSeconds, paper.totalSeconds, 1e-12);
  });

  it('predictFleet(two identical VMs on one link) gives each half the rate, by hand', () => {
    // D = 0.5 pages/s. Each VM gets B/2 = 30000 B/s: tau' = 16000/30000 s, rho' = 0.5 * tau' = 0.26667.
    // T0 = 4096 tau' = 2184.53 s; pending after round i is Ps rho'^(i+1): 1092.3, 291.3, 77.67 pages;
    // alpha Ps = 204.8, so rounds 0, 1, 2 run and 77.67 pages are copied at downtime: Tdown = Ps tau' rho'^3.
    // Both stop at the same instant, so the final copies share the link at B/2 each too.
    const tau = S / (B / 2);
    const rho = 0.5 * tau;
    const p = predictFleet(
      schedule([mig({ vm: 'x', dirtyPagesPerSecond: 0.5 }), mig({ vm: 'y', dirtyPagesPerSecond: 0.5 })]),
    );
    const pre = PS * tau * (1 + rho + rho * rho);
    const down = PS * tau * rho ** 3;
    for (const m of p.migrations) {
      expect(m.rounds).toBe(3);
      expectRel(m.precopySeconds, pre, 1e-12);
      expectRel(m.downtimeSeconds, down, 1e-12);
    }
    expectRel(p.makespanSeconds, pre + down, 1e-12);
    expectRel(p.sumDowntimeSeconds, 2 * down, 1e-12);
    expectRel(p.totalBytes, 2 * PS * S * (1 + rho + rho * rho + rho ** 3), 1e-12);
  });

  it('predictFleet(two VMs, one capped at B/4) gives the other 3B/4 (max-min fairness), by hand', () => {
    // D = 0: one round each, nothing dirty, no downtime. x (cap 15000) sends 4096*16000 B at 15000 B/s;
    // y takes the rest, 45000 B/s, ends at 65536000/45000 = 1456.36 s; x stays capped: ends at 4369.07 s.
    const p = predictFleet(
      schedule([
        mig({ vm: 'x', dirtyPagesPerSecond: 0, capBytesPerSecond: B / 4 }),
        mig({ vm: 'y', dirtyPagesPerSecond: 0 }),
      ]),
    );
    expectRel(p.migrations[1]!.endSeconds, (PS * S) / 45_000, 1e-12);
    expectRel(p.migrations[0]!.endSeconds, (PS * S) / 15_000, 1e-12);
    expect(p.maxDowntimeSeconds).toBe(0);
  });

  it('predictFleet(capped VM) runs the stop-and-copy uncapped at the link rate', () => {
    // cap c = 30000 B/s on a 60000 B/s link, D = 0.5: rho = 0.5*16000/30000 = 0.26667 as above; rounds 0-2 at c,
    // then 77.67 pages at the full link: Tdown = Ps rho^3 S / B.
    const c = 30_000;
    const rho = 0.5 * (S / c);
    const p = predictFleet(schedule([mig({ dirtyPagesPerSecond: 0.5, capBytesPerSecond: c })]));
    expectRel(p.migrations[0]!.downtimeSeconds, (PS * rho ** 3 * S) / B, 1e-12);
    expectRel(p.migrations[0]!.precopySeconds, ((PS * S) / c) * (1 + rho + rho * rho), 1e-12);
  });

  it('predictFleet(after) starts the second migration when the first ends, alone at the full rate', () => {
    const p = predictFleet(
      schedule([mig({ vm: 'x', dirtyPagesPerSecond: 0 }), mig({ vm: 'y', dirtyPagesPerSecond: 0, after: [0] })]),
    );
    const one = (PS * S) / B;
    expectRel(p.migrations[1]!.startSeconds, one, 1e-12);
    expectRel(p.makespanSeconds, 2 * one, 1e-12);
  });

  it('predictFleet(total cap 1) runs migrations one after the other in list order', () => {
    const p = predictFleet(
      schedule([mig({ vm: 'x', dirtyPagesPerSecond: 0 }), mig({ vm: 'y', dirtyPagesPerSecond: 0 })], B, {
        caps: { total: 1 },
      }),
    );
    expectRel(p.migrations[1]!.startSeconds, (PS * S) / B, 1e-12);
  });

  it('predictFleet(rho >= 1) reports non-convergence after maxRounds with a reason', () => {
    const p = predictFleet(schedule([mig({ dirtyPagesPerSecond: 4, maxRounds: 50 })]));
    const m = p.migrations[0]!;
    expect(m.converged).toBe(false);
    expect(m.rounds).toBe(50);
    expect(m.reason).toMatch(/does not converge: 50 pre-copy rounds/);
    expect(p.allConverged).toBe(false);
    expect(Number.isFinite(p.makespanSeconds)).toBe(true);
  });

  it("predictFleet(k sharing a link) stops converging once k*rho >= 1 (the issue's observation)", () => {
    // rho = 2*16000/60000 = 0.5333 alone; two sharing the link see 1.0667 >= 1.
    const alone = predictFleet(schedule([mig({ maxRounds: 200 })]));
    const two = predictFleet(schedule([mig({ vm: 'x', maxRounds: 200 }), mig({ vm: 'y', maxRounds: 200 })]));
    expect(alone.allConverged).toBe(true);
    expect(two.allConverged).toBe(false);
  });

  it('predictFleet(after cycle) is rejected naming the migration', () => {
    expect(() => predictFleet(schedule([mig({ vm: 'x', after: [1] }), mig({ vm: 'y', after: [0] })]))).toThrow(/after/);
  });

  it('predictFleet(bad numbers) names the field and range', () => {
    expect(() => predictFleet(schedule([mig({ dirtyPagesPerSecond: Number.NaN })]))).toThrow(
      /dirtyPagesPerSecond = NaN/,
    );
    expect(() => predictFleet(schedule([mig()], 0))).toThrow(/capacityBytesPerSecond = 0/);
  });

  it('predictFleet(energy) is e_bytes*bytes + E0 + P*duration per migration (Liu et al. 2011)', () => {
    const p = predictFleet(
      schedule([mig({ dirtyPagesPerSecond: 0 })], B, {
        energy: { joulesPerByte: 0.512e-6, joulesPerMigration: 20.165, hostPowerWatts: 10 },
      }),
    );
    // 65536000 B: 0.512e-6 * 65536000 = 33.554432 J; + 20.165 J; + 10 W * 1092.2667 s.
    expectRel(p.energyJoules, 33.554432 + 20.165 + (10 * PS * S) / B, 1e-12);
  });
});
