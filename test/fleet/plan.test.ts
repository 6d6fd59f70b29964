import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type FleetPrediction,
  type Inventory,
  type RawInventory,
  buildNetwork,
  assignTargets,
  planFleet,
  predictFleet,
  resolveInventory,
  scheduleOf,
  violationsOf,
} from '../../src/fleet/index.js';

/** A random small drain: 1-2 sources, 2-3 targets, 1-6 VMs that converge alone (rho alone < 0.6). */
const inventoryArb = fc
  .record({
    sources: fc.integer({ min: 1, max: 2 }),
    targets: fc.integer({ min: 2, max: 3 }),
    nics: fc.array(fc.constantFrom(1, 2.5, 10, 25), { minLength: 5, maxLength: 5 }),
    vms: fc.array(
      fc.record({
        src: fc.nat(1),
        gib: fc.integer({ min: 1, max: 8 }),
        rho: fc.double({ min: 0, max: 0.6, noNaN: true }),
        maxDowntimeMs: fc.option(fc.integer({ min: 50, max: 2000 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    maxPerSource: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    maxTotal: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    linkShare: fc.constantFrom(0.5, 0.8, 1),
  })
  .map((r): RawInventory => {
    const hosts = [
      ...Array.from({ length: r.sources }, (_, i) => ({ name: `s${i}`, nic: `${r.nics[i]}Gbit/s` })),
      ...Array.from({ length: r.targets }, (_, i) => ({ name: `t${i}`, nic: `${r.nics[2 + i]}Gbit/s` })),
    ];
    return {
      hosts,
      vms: r.vms.map((v, i) => {
        const src = v.src % r.sources;
        // dirty rate = rho * (smallest NIC on any path) / page size, so the VM converges alone
        const minNic = (Math.min(...r.nics) * 1e9) / 8;
        return {
          name: `vm${i}`,
          host: `s${src}`,
          memory: `${v.gib}GiB`,
          dirtyRate: (v.rho * minNic * r.linkShare) / 4096,
          ...(v.maxDowntimeMs !== undefined ? { maxDowntime: `${v.maxDowntimeMs}ms` } : {}),
        };
      }),
      policy: {
        ...(r.maxPerSource !== undefined ? { maxPerSource: r.maxPerSource } : {}),
        ...(r.maxTotal !== undefined ? { maxTotal: r.maxTotal } : {}),
        linkShare: r.linkShare,
        window: '4h',
      },
    };
  });

/** Largest number of migrations active at once, per key, from the intervals [start, end). */
function maxConcurrent(p: FleetPrediction, key: (m: FleetPrediction['migrations'][number]) => string): number {
  const ev: [number, number, string][] = [];
  for (const m of p.migrations) {
    ev.push([m.startSeconds, 1, key(m)]);
    ev.push([m.endSeconds, -1, key(m)]);
  }
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // ends before starts at the same instant
  const now = new Map<string, number>();
  let max = 0;
  for (const [, d, k] of ev) {
    const v = (now.get(k) ?? 0) + d;
    now.set(k, v);
    max = Math.max(max, v);
  }
  return max;
}

describe('planFleet', () => {
  test.prop([inventoryArb], { numRuns: 25, seed: 14 })(
    'planFleet never breaks a constraint it claims to meet, and is never worse than a feasible baseline',
    (raw) => {
      const inv: Inventory = resolveInventory(raw);
      const r = planFleet(inv, { budget: 30 });
      // Independent re-evaluation of the chosen schedule.
      const net = buildNetwork(inv);
      const pred = predictFleet(scheduleOf(inv, net, r.targets, r.best.plan));
      expect(pred.makespanSeconds).toBe(r.best.prediction.makespanSeconds);
      if (r.feasible) expect(violationsOf(inv, pred)).toEqual([]);
      const p = inv.policy;
      expect(maxConcurrent(pred, () => 'all')).toBeLessThanOrEqual(p.maxTotal);
      expect(maxConcurrent(pred, (m) => m.source)).toBeLessThanOrEqual(p.maxPerSource);
      for (const b of r.baselines) {
        if (b.feasible) {
          expect(r.feasible).toBe(true);
          // Candidates within 1e-12 relative count as equal (the planner keeps the first found).
          expect(r.best.objective).toBeLessThanOrEqual(b.objective * (1 + 1e-12));
        }
      }
      expect(r.improvementFraction).toBeGreaterThanOrEqual(r.bestBaseline.feasible && r.feasible ? 0 : -Infinity);
    },
  );

  test.prop([inventoryArb, fc.double({ min: 1, max: 4, noNaN: true })], { numRuns: 40, seed: 7 })(
    'more bandwidth never increases the makespan of the same schedule (all start at 0, uncapped)',
    (raw, k) => {
      const inv = resolveInventory(raw);
      const net = buildNetwork(inv);
      const plan = {
        order: inv.vms.map((_, i) => i),
        knobs: inv.vms.map(() => ({
          stopRule: 'qemu' as const,
          downtimeLimitSeconds: 0.3,
          maxBandwidthBytesPerSecond: Infinity,
        })),
      };
      const s = scheduleOf(inv, net, assignTargets(inv), plan);
      const slow = predictFleet(s);
      const fast = predictFleet({
        ...s,
        links: s.links.map((l) => ({ ...l, capacityBytesPerSecond: l.capacityBytesPerSecond * k })),
      });
      if (slow.allConverged) {
        expect(fast.allConverged).toBe(true);
        expect(fast.makespanSeconds).toBeLessThanOrEqual(slow.makespanSeconds * (1 + 1e-9));
      }
    },
  );

  it('planFleet(examples/drain.yaml) beats every baseline on makespan and meets every constraint', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseInventory } = await import('../../src/fleet/index.js');
    const inv = parseInventory(readFileSync('examples/drain.yaml', 'utf8'));
    const r = planFleet(inv);
    expect(r.feasible).toBe(true);
    expect(r.planIsBaseline).toBe(false);
    for (const b of r.baselines) expect(r.best.objective).toBeLessThan(b.objective);
    expect(r.improvementFraction).toBeGreaterThan(0);
  });
});

describe('predictFleet dispatch', () => {
  test.prop([inventoryArb, fc.integer({ min: 1, max: 3 })], { numRuns: 30, seed: 21 })(
    'per-source dispatch (no total cap) equals the global first-fit scan (a huge finite total cap)',
    (raw, k) => {
      const inv = resolveInventory(raw);
      const net = buildNetwork(inv);
      const plan = {
        order: inv.vms.map((_, i) => inv.vms.length - 1 - i),
        knobs: inv.vms.map(() => ({
          stopRule: 'qemu' as const,
          downtimeLimitSeconds: 0.3,
          maxBandwidthBytesPerSecond: Infinity,
        })),
        perSource: k,
      };
      const s = scheduleOf(inv, net, assignTargets(inv), plan);
      const bySource = predictFleet({ ...s, caps: { ...s.caps, total: Number.POSITIVE_INFINITY } });
      const global = predictFleet({ ...s, caps: { ...s.caps, total: 1e9 } });
      expect(bySource.migrations.map((m) => [m.startSeconds, m.endSeconds])).toEqual(
        global.migrations.map((m) => [m.startSeconds, m.endSeconds]),
      );
    },
  );
});
