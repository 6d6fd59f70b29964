import { describe, expect, test } from 'vitest';
import { checkClaims, num } from '../../src/report/claims.js';
import { TABLE2 } from '../../src/report/params.js';

const byId = (claims: ReturnType<typeof checkClaims>) => new Map(claims.map((c) => [c.id, c]));

describe('claims checked against the model', () => {
  const claims = byId(checkClaims());
  test('every claim has a verdict, evidence with a number, and a condition exactly when it holds only if', () => {
    expect(claims.size).toBeGreaterThanOrEqual(20);
    for (const c of claims.values()) {
      expect(['holds', 'holds-if', 'fails']).toContain(c.verdict);
      expect(c.evidence).toMatch(/\d/);
      expect(c.condition !== undefined).toBe(c.verdict === 'holds-if');
    }
  });
  test('the 23-times claim holds: G(alpha = 0.05) = (15/8)^5 = 23.17', () => {
    const c = claims.get('s7-gain-23')!;
    expect(c.verdict).toBe('holds');
    expect(c.evidence).toContain(num((15 / 8) ** 5));
  });
  test('the Table 3 optimum is infeasible under Umax = 0.4 and every Table 3 block fails on Unet', () => {
    expect(claims.get('t3-optimum-meets-umax')!.verdict).toBe('fails');
    for (const c of ['uniform', 'hotPrecopy', 'hotDowntime']) expect(claims.get(`t3-rows-${c}`)!.verdict).toBe('fails');
    expect(claims.get('t3-rows-uniform')!.evidence).toContain('0.5863');
  });
  test('Figure 1 alpha = 70 %: HG > 1 only while beta < 0.375 (rho_eff reaches 0.7 there)', () => {
    // rho_eff = (4/15)(1.8 + 2.2 beta) = 0.7  <=>  beta = (2.625 - 1.8)/2.2 = 0.375
    const c = claims.get('f1-hg-above-1-alpha-70')!;
    expect(c.verdict).toBe('holds-if');
    expect(c.condition).toContain('0.375');
  });
  test('lower alpha gives LOWER Unet as the paper defines it: the conclusion holds only for traffic volume', () => {
    const c = claims.get('s9-lower-alpha-higher-utilisation')!;
    expect(c.verdict).toBe('holds-if');
    expect(c.evidence).toMatch(/Unet\(α = 0\.05\) = 0\.546\d* < Unet\(α = 0\.5\) = 0\.7249/);
  });
  test('downtime below 500 s: the paper lists {0.05, 0.1, 0.15} for Ps = 8192 but 0.2 and 0.25 also work', () => {
    // Ps = 8192: Ps*tau = 2184.5 s; alpha in [rho^3, rho^2) = [0.1517, 0.2844) gives n = 2, Tdown = 2184.5*rho^3 = 331.4 s
    const c = claims.get('s7-downtime-below-500')!;
    expect(c.evidence).toContain('Ps = 8192: α ∈ {0.05, 0.1, 0.15, 0.2, 0.25}');
    expect(c.verdict).toBe('holds-if');
  });
  test('verdicts follow the parameters, not typed text: with D = 2.2 pages/s the 23-times claim fails', () => {
    // rho = 2.2*4/15 = 0.5867: rho^5 = 0.0697 > 0.05 >= rho^6 = 0.0409, so n = 5 and G = 1/rho^6 = 24.45
    const c = byId(checkClaims({ ...TABLE2, dirtyPagesPerSecond: 2.2 })).get('s7-gain-23')!;
    expect(c.verdict).toBe('fails');
    expect(c.evidence).toContain(num(1 / ((2.2 * 4) / 15) ** 6));
  });
  test('verdicts follow the parameters: with Umax = 0.6 some alpha is feasible', () => {
    const c = byId(checkClaims({ ...TABLE2, maxNetworkUtilization: 0.6 })).get('t3-optimum-meets-umax')!;
    expect(c.verdict).not.toBe('fails');
  });
});
