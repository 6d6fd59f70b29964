import { describe, expect, it } from 'vitest';
import {
  expectedDistinctPages,
  predictHotDowntimeDistinct,
  predictHotPrecopyDistinct,
  predictUniformDistinct,
} from '../../src/model/distinct.js';
import { predictUniform } from '../../src/model/index.js';
import { expectRel } from '../support/approx.js';

const PAPER = { pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3 };

describe('distinct-pages model (random writes)', () => {
  it('expectedDistinctPages(1000, D = 1000/s, 1 s) = 1000*(1 - 1/e)', () => {
    expectRel(expectedDistinctPages(1000, [{ fraction: 1, intensity: 1000 }], 1), 1000 * (1 - Math.exp(-1)), 1e-15);
  });

  it('paper example, round 1: P(1) = 4096*(1 - exp(-8/15)) = 1693.3 (the paper: 2184.5)', () => {
    // rho = 2 * 16/60 = 8/15; P(1) = Ps*(1 - e^(-rho*P(0)/Ps)) = 4096*(1 - e^(-8/15)).
    const r = predictUniformDistinct({ ...PAPER, dirtyPagesPerSecond: 2, alpha: 0.05 });
    if (!r.converged) throw new Error('not converged');
    expectRel(r.rounds[1]!.pages, 4096 * -Math.expm1(-8 / 15), 1e-14);
    expectRel(r.rounds[2]!.pages, 4096 * -Math.expm1((-8 / 15) * -Math.expm1(-8 / 15)), 1e-14);
  });

  it('coincides with the paper when rho is small (few writes hit a page twice)', () => {
    // With Ps -> infinity at fixed rho the first round still dirties rho*Ps writes over Ps pages, so the
    // recursions differ; they coincide when rho is small: rho = 0.01 gives P(1)/Ps = 1 - e^-0.01 ~ 0.00995.
    const p = { ...PAPER, pages: 1_000_000, dirtyPagesPerSecond: 0.01 / (16 / 60), alpha: 0.001 };
    const d = predictUniformDistinct({ ...p, accounting: 'consistent' });
    const m = predictUniform({ ...p, accounting: 'consistent' });
    if (!d.converged || !m.converged) throw new Error('not converged');
    expect(d.iterations).toBe(m.iterations);
    expectRel(d.totalSeconds, m.totalSeconds, 1e-4);
  });

  it('rho > 1 converges when alpha is above the fixed point, and not below it', () => {
    // rho = 1.5: x* solves x = 1 - e^(-1.5x), x* = 0.5828. alpha = 0.7 converges; alpha = 0.5 never does.
    const base = { pages: 10_000, pageSizeBytes: 1000, bandwidthBytesPerSecond: 1e6, dirtyPagesPerSecond: 1500 };
    const ok = predictUniformDistinct({ ...base, alpha: 0.7 });
    expect(ok.converged).toBe(true);
    const never = predictUniformDistinct({ ...base, alpha: 0.5 });
    expect(never.converged).toBe(false);
    if (!never.converged) expect(never.reason).toMatch(/5828/);
  });

  it('Hot II holds beta*Ps pages: downtime >= beta*Ps*tau, and Hot I with beta = 0 is the uniform case', () => {
    const hot = { ...PAPER, hotFraction: 0.1, hotDirtyPagesPerSecond: 4, coldDirtyPagesPerSecond: 1.8, alpha: 0.1 };
    const h2 = predictHotDowntimeDistinct(hot);
    if (!h2.converged) throw new Error('not converged');
    expect(h2.downtimeSeconds).toBeGreaterThanOrEqual(0.1 * 4096 * (16 / 60));
    const h1 = predictHotPrecopyDistinct({ ...hot, hotFraction: 0 });
    const u = predictUniformDistinct({ ...PAPER, dirtyPagesPerSecond: 1.8, alpha: 0.1 });
    if (!h1.converged || !u.converged) throw new Error('not converged');
    expectRel(h1.totalSeconds, u.totalSeconds, 1e-15);
  });

  it('bad input is a ModelInputError naming the parameter', () => {
    expect(() => predictUniformDistinct({ ...PAPER, dirtyPagesPerSecond: -1, alpha: 0.1 })).toThrow(
      /dirtyPagesPerSecond/,
    );
    expect(() => predictUniformDistinct({ ...PAPER, dirtyPagesPerSecond: 1, alpha: 0 })).toThrow(/0 < alpha < 1/);
  });
});
