/** The batch kernel against summarizeAt, bit for bit (fast-check, seeded), and its argument checks. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  type Accounting,
  CaseAtAlpha,
  type CaseName,
  ModelInputError,
  createBatchOutputs,
  summarizeAt,
  summarizeBatch,
} from '../../src/model/index.js';

const point = fc.record({
  pages: fc.integer({ min: 1, max: 2 ** 40 }),
  pageSizeBytes: fc.constantFrom(4096, 16_000, 2 ** 21),
  bandwidthBytesPerSecond: fc.double({ min: 1e3, max: 1e11, noNaN: true }),
  // rho from 0 to 1.2: includes rho = 0, rho -> 1 and non-converging points
  rho: fc.oneof(fc.double({ min: 0, max: 1.2, noNaN: true }), fc.constantFrom(0, 8 / 15, 0.4, 0.999999)),
  alpha: fc.oneof(fc.double({ min: 1e-300, max: 0.999999, noNaN: true }), fc.constantFrom(0.16, 0.05, 0.5)),
  hotFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
  hotRatio: fc.double({ min: 0, max: 3, noNaN: true }),
});

const QUANTITIES = [
  'rho',
  'iterations',
  'precopySeconds',
  'downtimeSeconds',
  'totalSeconds',
  'pagesTransferred',
  'downtimePages',
  'gain',
  'networkUtilization',
] as const;

describe('summarizeBatch', () => {
  test.prop(
    [
      fc.array(point, { minLength: 1, maxLength: 40 }),
      fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
      fc.constantFrom<Accounting>('paper', 'consistent'),
    ],
    { seed: 11, numRuns: 300 },
  )('equals summarizeAt bit for bit at every entry, every case and accounting', (pts, name, accounting) => {
    const n = pts.length;
    const col = (f: (p: (typeof pts)[number]) => number) => Float64Array.from(pts, f);
    const tau = (p: (typeof pts)[number]) => p.pageSizeBytes / p.bandwidthBytesPerSecond;
    const input = {
      pages: col((p) => p.pages),
      pageSizeBytes: col((p) => p.pageSizeBytes),
      bandwidthBytesPerSecond: col((p) => p.bandwidthBytesPerSecond),
      alpha: col((p) => p.alpha),
      dirtyPagesPerSecond: col((p) => p.rho / tau(p)),
      hotFraction: col((p) => p.hotFraction),
      coldDirtyPagesPerSecond: col((p) => p.rho / tau(p)),
      hotDirtyPagesPerSecond: col((p) => (p.hotRatio * p.rho) / tau(p)),
    };
    const out = createBatchOutputs(n);
    summarizeBatch(name, input, out, n, accounting);
    for (let i = 0; i < n; i++) {
      const s = summarizeAt(
        {
          pages: input.pages[i]!,
          pageSizeBytes: input.pageSizeBytes[i]!,
          bandwidthBytesPerSecond: input.bandwidthBytesPerSecond[i]!,
          dirtyPagesPerSecond: input.dirtyPagesPerSecond[i]!,
          hotFraction: input.hotFraction[i]!,
          hotDirtyPagesPerSecond: input.hotDirtyPagesPerSecond[i]!,
          coldDirtyPagesPerSecond: input.coldDirtyPagesPerSecond[i]!,
          accounting,
        },
        name,
        input.alpha[i]!,
      );
      expect(out.converged[i]).toBe(s.converged ? 1 : 0);
      expect(Object.is(out.rho[i], s.rho)).toBe(true);
      if (!s.converged) continue;
      for (const q of QUANTITIES) {
        if (!Object.is(out[q][i], s[q])) expect.fail(`${name} ${q}[${i}]: batch ${out[q][i]} vs summarizeAt ${s[q]}`);
      }
    }
  });

  it('equals summarizeAt bit for bit at alphas on both sides of band edges (where the guess of n is refused)', () => {
    // alpha = rho^k (1 + d): within |d| <~ 1e-9 of an edge the kernel's guess of n cannot be proved and
    // lnFast(alpha) decides (the band-edge tolerance 1e-12 lies inside that zone); farther away the guess is
    // kept. Every entry must equal summarizeAt's, whichever path it took. Also chunk boundaries (4096 entries:
    // ln rho computed again), subnormal and extreme alphas, rho -> 0 and rho -> 1.
    const rhos = [1e-300, 1e-6, 0.01, 0.4, 8 / 15, 0.9, 0.999, 0.999999];
    const ds = [-1e-6, -1e-8, -2e-9, -1e-9, -5e-10, -2e-12, -1e-12, -5e-13, 0, 5e-13, 1e-12, 2e-12, 5e-10, 1e-9, 2e-9];
    const alphas: number[] = [];
    const rhoOf: number[] = [];
    for (const rho of rhos) {
      for (let k = 1; k <= 60; k++) {
        const edge = rho ** k;
        if (!(edge > 0) || edge >= 1) continue;
        for (const d of ds) {
          const a = edge * (1 + d);
          if (a > 0 && a < 1) {
            alphas.push(a);
            rhoOf.push(rho);
          }
        }
      }
      for (const a of [5e-324, 2.2e-308, 1e-300, 0.5, 1 - 2 ** -53, 0.999999]) {
        alphas.push(a);
        rhoOf.push(rho);
      }
    }
    const n = alphas.length;
    expect(n).toBeGreaterThan(4096); // more than one chunk
    const tau = 4096 / 1.25e9;
    const input = {
      pages: new Float64Array(n).fill(1e6),
      pageSizeBytes: new Float64Array(n).fill(4096),
      bandwidthBytesPerSecond: new Float64Array(n).fill(1.25e9),
      alpha: Float64Array.from(alphas),
      dirtyPagesPerSecond: Float64Array.from(rhoOf, (r) => r / tau),
    };
    const out = createBatchOutputs(n);
    summarizeBatch('uniform', input, out, n);
    for (let i = 0; i < n; i++) {
      const s = summarizeAt(
        {
          pages: 1e6,
          pageSizeBytes: 4096,
          bandwidthBytesPerSecond: 1.25e9,
          dirtyPagesPerSecond: input.dirtyPagesPerSecond[i]!,
        },
        'uniform',
        alphas[i]!,
      );
      if (!s.converged) expect.fail(`rho ${rhoOf[i]} does not converge`);
      for (const q of QUANTITIES) {
        if (!Object.is(out[q][i], s[q]))
          expect.fail(`alpha ${alphas[i]}, rho ${rhoOf[i]}: ${q} ${out[q][i]} vs ${s[q]}`);
      }
    }
  });

  it('summarizeBatch(paper Table 2) gives n = 4 and G = (15/8)^5 (the paper example)', () => {
    // rho = 2 * 16000/60000 = 8/15; alpha = 0.05: rho^5 = 0.0433 <= 0.05 < rho^4, so n = 4 and G = 1/rho^5.
    const out = createBatchOutputs(1);
    summarizeBatch(
      'uniform',
      {
        pages: Float64Array.of(4096),
        pageSizeBytes: Float64Array.of(16e3),
        bandwidthBytesPerSecond: Float64Array.of(60e3),
        alpha: Float64Array.of(0.05),
        dirtyPagesPerSecond: Float64Array.of(2),
      },
      out,
      1,
    );
    expect(out.iterations[0]).toBe(4);
    expect(Math.abs(out.gain[0]! - (15 / 8) ** 5) / (15 / 8) ** 5).toBeLessThan(1e-14);
  });

  it('summarizeBatch(missing or short arrays, bad count) throws a ModelInputError naming the argument', () => {
    const out = createBatchOutputs(2);
    const a = Float64Array.of(1, 2);
    const base = { pages: a, pageSizeBytes: a, bandwidthBytesPerSecond: a, alpha: a };
    expect(() => summarizeBatch('uniform', base, out, 2)).toThrow(/dirtyPagesPerSecond/);
    expect(() => summarizeBatch('hotDowntime', { ...base, dirtyPagesPerSecond: a }, out, 2)).toThrow(/hotFraction/);
    expect(() => summarizeBatch('uniform', { ...base, dirtyPagesPerSecond: a }, out, 3)).toThrow(ModelInputError);
    expect(() => summarizeBatch('uniform', { ...base, dirtyPagesPerSecond: a }, out, -1)).toThrow(/count/);
    expect(() => createBatchOutputs(0)).toThrow(/capacity/);
    expect(() => createBatchOutputs(2 ** 40)).toThrow(/capacity/);
  });

  test.prop([fc.integer({ min: 1, max: 20_000 })], { seed: 11, numRuns: 60 })(
    'createBatchOutputs(capacity) gives disjoint arrays of capacity entries, the Float64Arrays in distinct cache sets',
    (capacity) => {
      const out = createBatchOutputs(capacity);
      const arrays = Object.values(out) as (Float64Array | Uint8Array)[];
      expect(arrays).toHaveLength(10);
      // disjoint: fill each with its own index, then every entry still holds it
      arrays.forEach((a, k) => {
        expect(a.length).toBe(capacity);
        a.fill(k + 1);
      });
      arrays.forEach((a, k) => {
        expect(a.every((v) => v === k + 1)).toBe(true);
      });
      // the nine Float64Arrays start in nine different 64-byte lines modulo 4096 bytes (L1 sets on x86)
      const sets = arrays.filter((a) => a instanceof Float64Array).map((a) => Math.floor((a.byteOffset % 4096) / 64));
      expect(new Set(sets).size).toBe(9);
    },
  );
});

describe('CaseAtAlpha', () => {
  test.prop(
    [
      point,
      fc.array(fc.oneof(fc.double({ min: 1e-300, max: 0.999999, noNaN: true }), fc.constantFrom(0.16, 0.05)), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.constantFrom<CaseName>('uniform', 'hotPrecopy', 'hotDowntime'),
      fc.constantFrom<Accounting>('paper', 'consistent'),
    ],
    { seed: 12, numRuns: 300 },
  )(
    'load + at(alpha) equals summarizeAt bit for bit, alpha after alpha on one instance',
    (pt, alphas, name, accounting) => {
      const tau = pt.pageSizeBytes / pt.bandwidthBytesPerSecond;
      const params = {
        pages: pt.pages,
        pageSizeBytes: pt.pageSizeBytes,
        bandwidthBytesPerSecond: pt.bandwidthBytesPerSecond,
        dirtyPagesPerSecond: pt.rho / tau,
        hotFraction: pt.hotFraction,
        coldDirtyPagesPerSecond: pt.rho / tau,
        hotDirtyPagesPerSecond: (pt.hotRatio * pt.rho) / tau,
        accounting,
      };
      const e = new CaseAtAlpha();
      const converges = e.load(params, name, accounting);
      for (const alpha of alphas) {
        const s = summarizeAt(params, name, alpha);
        expect(converges).toBe(s.converged);
        expect(Object.is(e.rho, s.rho)).toBe(true);
        if (!s.converged) continue;
        e.at(alpha);
        for (const q of QUANTITIES) {
          if (!Object.is(e[q], s[q])) expect.fail(`${name} ${q} at alpha ${alpha}: ${e[q]} vs summarizeAt ${s[q]}`);
        }
      }
    },
  );
});
