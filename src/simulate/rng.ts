/**
 * Seeded pseudo-random numbers for the simulator: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32, plus exact samplers for a uniform page index (Lemire's multiply-and-reject) and Poisson counts
 * (inversion by multiplication for small means, Hörmann's PTRS for means >= 10). Pure, no globals: every stream
 * is an object built from a seed, so a replica's results depend only on (seed, replica index).
 */

/** splitmix32 step: a good 32-bit mixer used only to expand seeds. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seed of replica `index` of a run seeded with `seed`: a hash of both, so replicas are independent streams and a
 * replica's stream does not depend on how replicas are split over worker threads.
 * @example replicaSeed(1, 0) !== replicaSeed(1, 1) // true
 */
export function replicaSeed(seed: number, index: number): number {
  const st = { s: (seed >>> 0) ^ 0x5bd1e995 };
  const a = splitmix32(st);
  st.s = (a ^ Math.imul(index + 1, 0x27d4eb2f)) | 0;
  splitmix32(st);
  return splitmix32(st);
}

/**
 * xoshiro128**: 128-bit state, period 2^128 - 1, passes BigCrush; fast in JS because every step is 32-bit
 * integer arithmetic. The state is public so hot loops can copy it into locals and write it back.
 */
export class Rng {
  s0: number;
  s1: number;
  s2: number;
  s3: number;

  /** A stream from a 32-bit seed (any number; it is truncated to 32 bits) expanded with splitmix32. */
  constructor(seed: number) {
    const st = { s: seed | 0 };
    this.s0 = splitmix32(st) | 0;
    this.s1 = splitmix32(st) | 0;
    this.s2 = splitmix32(st) | 0;
    this.s3 = splitmix32(st) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform integer in [0, n), exactly uniform (no modulo bias): Lemire's multiply-shift with rejection
   * ("Fast random integer generation in an interval", 2019). The 64-bit product u*n is split into its exact
   * low 32 bits (Math.imul) and high 32 bits recovered exactly from the rounded double product (its error,
   * at most 2^11, is far below the 2^31 that would change the rounding to the nearest multiple of 2^32).
   * @param n 1 <= n <= 2^32 - 1
   */
  uniformIndex(n: number): number {
    let u = this.nextUint32();
    let low = Math.imul(u, n) >>> 0;
    if (low < n) {
      const threshold = (0x100000000 - n) % n;
      while (low < threshold) {
        u = this.nextUint32();
        low = Math.imul(u, n) >>> 0;
      }
    }
    return Math.round((u * n - low) / 4294967296);
  }

  /**
   * A Poisson(mean) count, exact in distribution (no normal approximation at any mean):
   * - mean < 10: inversion by sequential multiplication of uniforms (Knuth), O(mean) uniforms;
   * - mean >= 10: PTRS, the transformed rejection with squeeze of W. Hörmann, "The transformed rejection method
   *   for generating Poisson random variables", Insurance: Mathematics and Economics 12 (1993), as in NumPy;
   *   about 1.2 pairs of uniforms per draw whatever the mean.
   * @param mean finite, >= 0
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let prod = this.nextDouble();
      while (prod > limit) {
        k++;
        prod *= this.nextDouble();
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = this.nextDouble() - 0.5;
      const V = this.nextDouble();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + mean + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logGamma(k + 1)) {
        return k;
      }
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LOG_GAMMA_SERIES = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/**
 * ln Gamma(x) for x >= 1 by the Stirling series (shifted up to x >= 7 for accuracy), as NumPy's `loggam`;
 * relative error near 1e-15.
 * @example logGamma(5) // ln(24) = 3.178053830347945...
 */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  let x0 = x;
  let n = 0;
  if (x < 7) {
    n = Math.floor(7 - x);
    x0 = x + n;
  }
  const x2 = 1 / (x0 * x0);
  let gl0 = LOG_GAMMA_SERIES[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + LOG_GAMMA_SERIES[k]!;
  let gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    x0 -= 1;
    gl -= Math.log(x0);
  }
  return gl;
}
