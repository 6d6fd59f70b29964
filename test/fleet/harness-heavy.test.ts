import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetPlan, fleetPredict } from '../../src/ops/fleet.js';

// The concurrent grid's heavy scenario (docs/qemu.md): four 256 MiB guests writing 5000 pages/s of 4 KiB
// (20.48 MB/s) sequentially into 64 MiB, one 400 Mbit/s (50 MB/s) link, 64 MiB/s caps. At once each has
// 50/4 = 12.5 MB/s < 20.48 MB/s of writes: the dirty set never shrinks (rho = 1.64); alone each has 50 MB/s
// (rho = 0.41) and converges. The real-QEMU grid ran both schedules: all at once was cancelled at 60 s, one by
// one converged; this checks that the fleet planner's own order is the one that converges.
const inventory = readFileSync('examples/qemu-heavy4.yaml', 'utf8');

describe('fleet plan of the heavy concurrent scenario (issue 13, point 4)', () => {
  it('all four at once: fleet predict says none converges', () => {
    const p = fleetPredict({ inventory, schedule: readFileSync('examples/qemu-heavy4-at-once.yaml', 'utf8') });
    expect(p.migrations.map((m) => m.converged)).toEqual([false, false, false, false]);
  });

  it("fleet plan's order converges every migration and never runs two of them at once", () => {
    const r = fleetPlan({ inventory });
    expect(r.feasible).toBe(true);
    const ms = [...r.plan.migrations].sort((a, b) => a.startSeconds - b.startSeconds);
    expect(ms.every((m) => m.converged)).toBe(true);
    for (let i = 1; i < ms.length; i++) expect(ms[i]!.startSeconds).toBeGreaterThanOrEqual(ms[i - 1]!.endSeconds);
  });
});
