import { describe, expect, it } from 'vitest';
import { Rng, logGamma, replicaSeed } from '../../src/simulate/rng.js';
import { expectRel } from '../support/approx.js';

describe('Rng', () => {
  it('uniformIndex(10) is uniform: chi-square over 100,000 draws below the 99.9 % point', () => {
    const rng = new Rng(12345);
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.uniformIndex(10)]++;
    const e = n / 10;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(27.88); // chi-square, 9 degrees of freedom, 0.999 quantile
  });

  it('uniformIndex(n) stays in [0, n) at the largest n (2^32 - 1) and at n = 1', () => {
    const rng = new Rng(7);
    let bad = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = rng.uniformIndex(0xffffffff);
      if (!(a >= 0 && a < 0xffffffff && Number.isInteger(a))) bad++;
      if (rng.uniformIndex(1) !== 0) bad++;
    }
    expect(bad).toBe(0);
  });

  it('uniformIndex(3 * 2^30) reaches the top quarter (high bits recovered exactly)', () => {
    // n = 3*2^30: the top third of the range [2^31, 3*2^30) must receive about a third of the draws.
    const rng = new Rng(99);
    let top = 0;
    const n = 30_000;
    for (let i = 0; i < n; i++) if (rng.uniformIndex(3 * 2 ** 30) >= 2 ** 31) top++;
    expect(Math.abs(top / n - 1 / 3)).toBeLessThan(0.02);
  });

  it.each([0.5, 3, 9.9, 10, 37.5, 1e6, 4e9])('poisson(%d): sample mean and variance match the mean', (mean) => {
    // Poisson: E = Var = mean. With N draws the sample mean has sd sqrt(mean/N): allow 5 sd; the sample
    // variance has relative sd about sqrt(2/N) (+ 1/(mean N)): allow 8 %.
    const rng = new Rng(2024);
    const N = 20_000;
    let s = 0;
    let s2 = 0;
    let bad = 0;
    for (let i = 0; i < N; i++) {
      const k = rng.poisson(mean);
      if (!(Number.isInteger(k) && k >= 0)) bad++;
      s += k;
      s2 += k * k;
    }
    expect(bad).toBe(0);
    const m = s / N;
    const v = (s2 - N * m * m) / (N - 1);
    expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / N));
    expect(Math.abs(v / mean - 1)).toBeLessThan(0.08);
  });

  it('poisson(30): the frequency of each value 20..40 matches the pmf (chi-square)', () => {
    const rng = new Rng(5);
    const N = 50_000;
    const freq = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const k = rng.poisson(30);
      freq.set(k, (freq.get(k) ?? 0) + 1);
    }
    let chi2 = 0;
    for (let k = 20; k <= 40; k++) {
      const p = Math.exp(-30 + k * Math.log(30) - logGamma(k + 1));
      chi2 += ((freq.get(k) ?? 0) - N * p) ** 2 / (N * p);
    }
    expect(chi2).toBeLessThan(46.8); // chi-square, 21 cells (20 df is conservative), 0.999 quantile 45.3..46.8
  });

  it('poisson(0) and poisson of a negative mean give 0', () => {
    const rng = new Rng(1);
    expect(rng.poisson(0)).toBe(0);
    expect(rng.poisson(-1)).toBe(0);
  });

  it('logGamma(n+1) = ln n! for n = 0..20 and logGamma(10.5) = 13.9406252194', () => {
    let f = 1;
    for (let n = 0; n <= 20; n++) {
      if (n > 0) f *= n;
      expectRel(logGamma(n + 1), Math.log(f), 1e-13, 1e-15);
    }
    expectRel(logGamma(10.5), 13.940625219403763, 1e-13);
  });

  it('replicaSeed(seed, r) gives distinct streams for distinct replicas and seeds', () => {
    const seeds = new Set<number>();
    for (let s = 0; s < 20; s++) for (let r = 0; r < 50; r++) seeds.add(replicaSeed(s, r));
    expect(seeds.size).toBe(1000);
  });

  it('the same seed gives the same stream', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });
});
