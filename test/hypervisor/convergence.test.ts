import { describe, expect, it } from 'vitest';
import { convergenceDistribution, wilson95 } from '../../src/hypervisor/qemu/convergence.js';
import { planQemuMigration } from '../../src/hypervisor/qemu/plan.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

const MiB = 2 ** 20;
/** 16 MiB of random writes at 6000 pages/s against 16 MiB/s (rho 1.46), 300 ms: the fluid model says never. */
const hovering = {
  memoryBytes: 256 * MiB,
  pageSizeBytes: 4096,
  maxBandwidthBytesPerSecond: 16 * MiB,
  linkBandwidthBytesPerSecond: 1.2e9,
  downtimeLimitSeconds: 0.3,
  dirtyPagesPerSecond: 6000,
  workingSetPages: 4096,
  dirtyPattern: 'random' as const,
  zeroPageFraction: 0.5,
};

describe('convergence as a probability (issue 13)', () => {
  it('wilson95(5, 10) is the hand-computed Wilson interval', () => {
    // centre (0.5 + 1.96^2/20) / (1 + 1.96^2/10) = 0.5; half 1.96 sqrt(0.025 + 3.8416/400) / 1.38416 = 0.2634104
    const [lo, hi] = wilson95(5, 10);
    expectRel(lo, 0.5 - 0.2634104, 1e-6);
    expectRel(hi, 0.5 + 0.2634104, 1e-6);
  });

  it('convergenceDistribution(hovering random writer) gives a probability where the fluid model says never', () => {
    expect(predictQemuMigration(hovering).converges).toBe(false);
    const c = convergenceDistribution(hovering, { timeLimitSeconds: 20, runs: 100 });
    expect(c.certainNever).toBe(false);
    expect(c.probability).toBeGreaterThan(0);
    expect(c.probability).toBeLessThan(1);
    expect(c.iterations!.p10).toBeLessThanOrEqual(c.iterations!.p50);
    expect(c.totalSeconds!.p90).toBeLessThanOrEqual(20);
  });

  it('convergenceDistribution(same seed) is reproducible and its probability grows with the time limit', () => {
    const a = convergenceDistribution(hovering, { timeLimitSeconds: 15, runs: 60, seed: 7 });
    expect(convergenceDistribution(hovering, { timeLimitSeconds: 15, runs: 60, seed: 7 })).toEqual(a);
    // the same seeded runs, cut later: every run converged by 15 s has converged by 30 s
    const b = convergenceDistribution(hovering, { timeLimitSeconds: 30, runs: 60, seed: 7 });
    expect(b.probability).toBeGreaterThanOrEqual(a.probability);
  });

  it('convergenceDistribution(low rho) converges always, with the fluid round count at its median (within 1)', () => {
    const low = { ...hovering, dirtyPagesPerSecond: 1000, workingSetPages: 16384 };
    const f = predictQemuMigration(low);
    const c = convergenceDistribution(low, { timeLimitSeconds: 60, runs: 50 });
    expect(c.probability).toBe(1);
    expect(f.converges).toBe(true);
    if (f.converges) expect(Math.abs(c.iterations!.p50 - f.iterations)).toBeLessThanOrEqual(1);
  });

  it('convergenceDistribution keeps the hard never where it is certain', () => {
    // 200 000 writes/s into 16384 pages against 16384 pages/s: the pending set sits near the whole 67 MB set,
    // 47 MB above the 20 MB threshold, beyond 6 sd of any draw (6 (64 + 0.2 x 16384 / e) pages = 31 MB)
    const flood = {
      ...hovering,
      workingSetPages: 16384,
      dirtyPagesPerSecond: 200_000,
      maxBandwidthBytesPerSecond: 64 * MiB,
    };
    const c = convergenceDistribution(flood, { timeLimitSeconds: 30, runs: 20 });
    expect(c.probability).toBe(0);
    expect(c.certainNever).toBe(true);
    // sequential writers have no chance in them: one run, and never is certain
    const seq = convergenceDistribution({ ...hovering, dirtyPattern: 'sequential' }, { timeLimitSeconds: 30 });
    expect(seq.runs).toBe(1);
    expect(seq.certainNever).toBe(true);
  });

  it('planQemuMigration(hovering random writer) carries the probability in its result', () => {
    const { maxBandwidthBytesPerSecond, downtimeLimitSeconds, ...workload } = hovering;
    const plan = planQemuMigration({
      workload,
      maxBandwidthBytesPerSecond,
      downtimeLimitMs: downtimeLimitSeconds * 1000,
      convergenceTimeLimitSeconds: 20,
      convergenceRuns: 50,
    });
    expect(plan.convergence?.method).toBe('monte-carlo');
    expect(plan.warnings.some((w) => w.includes('matter of chance'))).toBe(true);
  });

  it('convergenceDistribution(bad runs) throws naming the parameter', () => {
    expect(() => convergenceDistribution(hovering, { timeLimitSeconds: 10, runs: 0 })).toThrow(/runs/);
    expect(() => convergenceDistribution(hovering, { timeLimitSeconds: Number.NaN })).toThrow(/timeLimitSeconds/);
  });
});
