import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planQemuMigration } from '../../src/hypervisor/qemu/plan.js';
import { predictQemuMigration } from '../../src/hypervisor/qemu/predict.js';

const bucket = (downtime: number) => Math.ceil(downtime / 0.01 - 1e-9);

describe('planQemuMigration against a brute-force oracle', () => {
  it('planQemuMigration(fixed bandwidth) finds the least downtime step and within 2 % the shortest migration in it', () => {
    // Oracle: every downtime limit from 1 to 3000 ms, predicted one by one.
    fc.assert(
      fc.property(
        fc.integer({ min: 2 ** 28, max: 2 ** 33 }),
        fc.double({ min: 1e8, max: 1.1e9, noNaN: true }),
        fc.double({ min: 0, max: 30000, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.constantFrom<'sequential' | 'random'>('sequential', 'random'),
        (memoryBytes, link, D, z, pattern) => {
          const w = {
            memoryBytes,
            pageSizeBytes: 4096,
            linkBandwidthBytesPerSecond: link,
            dirtyPagesPerSecond: D,
            zeroPageFraction: z,
            dirtyPattern: pattern,
          };
          const B = Math.floor(link * 0.8);
          let best = Number.POSITIVE_INFINITY;
          let bestTotal = Number.POSITIVE_INFINITY;
          for (let ms = 1; ms <= 3000; ms++) {
            const p = predictQemuMigration({ ...w, maxBandwidthBytesPerSecond: B, downtimeLimitSeconds: ms / 1000 });
            if (!p.converges) continue;
            const b = bucket(p.downtimeSeconds);
            if (b < best || (b === best && p.totalSeconds < bestTotal)) {
              best = b;
              bestTotal = p.totalSeconds;
            }
          }
          const plan = planQemuMigration({ workload: w, maxBandwidthBytesPerSecond: B });
          const p = plan.prediction;
          if (!p.converges) return best === Number.POSITIVE_INFINITY;
          const b = bucket(p.downtimeSeconds);
          expect(b).toBeLessThanOrEqual(best);
          if (b === best) expect(p.totalSeconds).toBeLessThanOrEqual(bestTotal * 1.02);
          return true;
        },
      ),
      { seed: 2013, numRuns: 12 },
    );
  });

  // CPU-heavy (40 whole plans): 15 s on a quiet machine, 38 s at load 14, so a timeout above vitest's 20 s default
  it('planQemuMigration(constraints) never breaks them', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2 ** 28, max: 2 ** 36 }),
        fc.double({ min: 1e7, max: 1e10, noNaN: true }),
        fc.double({ min: 0, max: 200000, noNaN: true }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.double({ min: 0.005, max: 2, noNaN: true }),
        (memoryBytes, link, D, share, maxDown) => {
          const plan = planQemuMigration({
            workload: { memoryBytes, pageSizeBytes: 4096, linkBandwidthBytesPerSecond: link, dirtyPagesPerSecond: D },
            maxLinkShare: share,
            maxDowntimeSeconds: maxDown,
          });
          if (!plan.feasible) return true;
          const p = plan.prediction;
          return (
            p.converges &&
            p.downtimeSeconds <= maxDown &&
            plan.parameters.maxBandwidthBytesPerSecond <= link * share &&
            Number.isInteger(plan.parameters.downtimeLimitMs) &&
            plan.parameters.downtimeLimitMs >= 1
          );
        },
      ),
      { seed: 2014, numRuns: 40 },
    );
  });
});
