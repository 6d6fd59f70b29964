import { describe, expect, it } from 'vitest';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';
import { expectRel } from '../support/approx.js';

// Hand-worked cases. Numbers are chosen as powers of two so every intermediate value is exact in binary.
// Link: S = 1024 B, B = 1 MiB/s, so tau = 1/1024 s and the link carries 1024 pages/s.
const LINK = { pageSizeBytes: 1024, bandwidthBytesPerSecond: 1_048_576 };

function fluid(pages: number, D: number, stopRule: SimulationParams['stopRule']): SimulationParams {
  return { ...LINK, pages, workload: { kind: 'fluid', dirtyPagesPerSecond: D }, stopRule };
}

describe('stop rules on hand-worked cases', () => {
  it('alpha: Ps = 1024, rho = 1/2, alpha = 0.1 runs rounds 0..3 and leaves 64 pages', () => {
    // P = 1024, 512, 256, 128; P(4) = 64 <= 0.1*1024 = 102.4 < 128 = P(3): stop after round 3.
    const r = simulate(fluid(1024, 512, { kind: 'alpha', alpha: 0.1 }));
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([1024, 512, 256, 128]);
    expect(r.downtimePages).toBe(64);
    expect(r.downtimeSeconds).toBe(64 / 1024);
    expect(r.precopySeconds).toBe(1920 / 1024);
  });

  it('qemu: 125 ms limit, 62.5 ms check interval, rho = 1/4: three rounds with carry-over, 112 pages left', () => {
    // threshold = 0.125 s * 1 MiB/s = 131072 B = 128 pages; a chunk between checks = 0.0625 s = 64 pages.
    // round 0: pending 1024 > 128; send 14 chunks = 896 pages (leaves 128), T = 0.875 s, dirties 224 -> pending 352
    // round 1: 352 > 128; send ceil(224/64) = 4 chunks = 256 (leaves 96), T = 0.25 s, dirties 64 -> pending 160
    // round 2: 160 > 128; send 1 chunk = 64 (leaves 96), T = 0.0625 s, dirties 16 -> pending 112 <= 128: stop.
    const r = simulate(
      fluid(1024, 256, {
        kind: 'qemu',
        downtimeLimitSeconds: 0.125,
        checkIntervalSeconds: 0.0625,
        switchoverBandwidthBytesPerSecond: 1_048_576,
      }),
    );
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([896, 256, 64]);
    expect(r.rounds.map((x) => x.pendingAfter)).toEqual([352, 160, 112]);
    expect(r.precopySeconds).toBe(1.1875);
    expect(r.downtimePages).toBe(112);
    expect(r.downtimeSeconds).toBe(112 / 1024);
    expect(r.livePagesSent).toBe(1216);
  });

  it('qemu: the final copy runs at the separate switch-over (downtime) bandwidth', () => {
    // Same run, final copy at 4 MiB/s: 112 pages * 1024 B / 4 MiB/s = 0.02734375 s.
    const r = simulate({
      ...fluid(1024, 256, {
        kind: 'qemu',
        downtimeLimitSeconds: 0.125,
        checkIntervalSeconds: 0.0625,
        switchoverBandwidthBytesPerSecond: 1_048_576,
      }),
      downtimeBandwidthBytesPerSecond: 4 * 1_048_576,
    });
    expect(r.downtimeSeconds).toBe((112 * 1024) / (4 * 1_048_576));
  });

  it('qemu: a memory that fits the limit stops before any round', () => {
    // 64 pages = 64 KiB <= 1 MiB/s * 0.125 s = 128 KiB: stop and copy at once.
    const r = simulate(fluid(64, 256, { kind: 'qemu', downtimeLimitSeconds: 0.125 }));
    expect(r.rounds).toHaveLength(0);
    expect(r.downtimePages).toBe(64);
  });

  it('xen: stops after 5 rounds when the dirty set stays above 50 pages', () => {
    // rho = 0.75: P = 1024, 768, 576, 432, 324 (rounds 0..4); pending 243 >= 50 but 5 rounds have run.
    const r = simulate(fluid(1024, 768, { kind: 'xen' }));
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([1024, 768, 576, 432, 324]);
    expect(r.downtimePages).toBe(243);
  });

  it('xen: stops as soon as fewer than 50 pages are dirty', () => {
    // rho = 1/4: P = 1024, 256, 64; then 16 < 50 pending: stop before round 3.
    const r = simulate(fluid(1024, 256, { kind: 'xen' }));
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([1024, 256, 64]);
    expect(r.downtimePages).toBe(16);
  });

  it('xen-legacy: stops once more than 3x memory has been sent', () => {
    // rho = 0.875: sent after k rounds = 8192*(1 - 0.875^k): 1024, 1920, 2704, 3390 > 3072 after 4 rounds.
    // pending then = 1024*0.875^4 = 600.25 pages.
    const r = simulate(fluid(1024, 896, { kind: 'xen-legacy' }));
    expect(r.rounds).toHaveLength(4);
    expect(r.downtimePages).toBe(1024 * 0.875 ** 4);
  });

  it('xen-legacy: stops after 29 rounds when neither other condition holds', () => {
    // rho = 1/2 with Ps = 2^40 pages: after 29 rounds 2^11 pages are still dirty (>= 50) and under 2x memory
    // has been sent, so the 29-round cap decides; 2^40 * 2^-29 = 2048 pages are left.
    const r = simulate({ ...fluid(2 ** 40, 512, { kind: 'xen-legacy' }) });
    expect(r.rounds).toHaveLength(29);
    expect(r.downtimePages).toBe(2048);
  });

  it('max-rounds: 3 rounds then stop, whatever is dirty', () => {
    const r = simulate(fluid(1024, 512, { kind: 'max-rounds', maxRounds: 3 }));
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([1024, 512, 256]);
    expect(r.downtimePages).toBe(128);
  });

  it('alpha with a round cap: the cap wins when it comes first', () => {
    const r = simulate(fluid(1024, 512, { kind: 'alpha', alpha: 0.001, maxRounds: 2 }));
    expect(r.rounds).toHaveLength(2);
    expect(r.downtimePages).toBe(256);
  });

  it('hot-held: hot pages never go live and are all copied at downtime', () => {
    // Ps = 1000, beta = 0.2: 200 hot pages held; cold pages never written (Dnh = 0): round 0 sends the 800 cold
    // pages, nothing is dirty, so the downtime copies exactly the 200 hot pages.
    const r = simulate({
      ...LINK,
      pages: 1000,
      workload: { kind: 'hot-cold', hotFraction: 0.2, hotDirtyPagesPerSecond: 5000, coldDirtyPagesPerSecond: 0 },
      stopRule: { kind: 'hot-held', alpha: 0.05 },
    });
    expect(r.rounds.map((x) => x.pagesSent)).toEqual([800]);
    expect(r.heldPages).toBe(200);
    expect(r.downtimePages).toBe(200);
    expectRel(r.downtimeSeconds, 200 / 1024, 1e-15);
  });

  it('random writes with rho = 2 settle at the fixed point x* = 0.797*Ps: alpha = 0.9 stops, alpha = 0.1 stalls', () => {
    // x* solves x = 1 - exp(-2x): x* = 0.7968. With alpha = 0.9 > x* the alpha rule stops after round 0 or 1;
    // with alpha = 0.1 the dirty set never gets there and the stall detector reports it.
    const base = { ...LINK, pages: 20_000, workload: { kind: 'random' as const, dirtyPagesPerSecond: 2048 } };
    const stops = simulate({ ...base, stopRule: { kind: 'alpha', alpha: 0.9 } });
    expect(stops.converged).toBe(true);
    const stalls = simulate({ ...base, stopRule: { kind: 'alpha', alpha: 0.1 }, stallRounds: 30 });
    expect(stalls.converged).toBe(false);
    expect(stalls.reason).toMatch(/stalled/);
    expect(Math.abs(stalls.rounds.at(-1)!.pendingAfter / 20_000 - 0.7968)).toBeLessThan(0.02);
  });

  it('a dirty set that never shrinks hits the round limit and is reported as not converged', () => {
    const r = simulate({ ...fluid(1024, 2048, { kind: 'qemu', downtimeLimitSeconds: 0.01 }), roundLimit: 50 });
    expect(r.converged).toBe(false);
    expect(r.rounds).toHaveLength(50);
    expect(r.reason).toMatch(/did not stop within 50 rounds/);
  });
});
