import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correctRandomWriterRate, fitRandomWriter } from '../../src/hypervisor/qemu/dirty-rate.js';
import { distinctPagesDirtied } from '../../src/hypervisor/qemu/predict.js';
import { expectRel } from '../support/approx.js';

describe('dirty-rate corrections for random writers (issue 13)', () => {
  it('correctRandomWriterRate(36500 pages/s over 1 s into 65536 pages) undoes the saturation', () => {
    // -65536 ln(1 - 36500 / 65536) = -65536 ln(0.4430542) = 65536 x 0.8140632 = 53 350.44
    const c = correctRandomWriterRate(36500, 1, 65536);
    expect(c.method).toBe('saturation-corrected');
    expectRel(c.pagesPerSecond, -65536 * Math.log(1 - 36500 / 65536), 1e-14);
    expectRel(c.pagesPerSecond, 53350.44, 1e-6);
  });

  it('correctRandomWriterRate(distinctPagesDirtied(D)) returns D (round trip)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 1e6, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.integer({ min: 1000, max: 1 << 24 }),
        (D, T, W) => {
          const r = distinctPagesDirtied(D, T, W, 'random') / T;
          const c = correctRandomWriterRate(r, T, W);
          if (c.method === 'saturated-lower-bound') return (r * T) / W >= 0.99;
          expectRel(c.pagesPerSecond, D, 1e-8);
          return true;
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });

  it('fitRandomWriter(rates over T and 2T) recovers the write rate and the working set', () => {
    fc.assert(
      fc.property(fc.double({ min: 100, max: 1e5, noNaN: true }), fc.integer({ min: 1000, max: 1 << 20 }), (D, W) => {
        const T = 1;
        const a = (D * T) / W;
        if (a < 0.01 || a > 5) return true; // outside this range the ratio is 2 or 1 to double precision
        const r1 = distinctPagesDirtied(D, T, W, 'random') / T;
        const r2 = distinctPagesDirtied(D, 2 * T, W, 'random') / (2 * T);
        const f = fitRandomWriter(r1, T, r2);
        expect(f.method).toBe('two-period-fit');
        expectRel(f.pagesPerSecond, D, 1e-6);
        expectRel(f.workingSetPages!, W, 1e-6);
        return true;
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('fitRandomWriter(sequential writer, rates equal) keeps the measured rate', () => {
    expect(fitRandomWriter(5000, 1, 5000)).toEqual({ pagesPerSecond: 5000, method: 'as-measured' });
    expect(fitRandomWriter(5000, 1, 2500).method).toBe('saturated-lower-bound');
  });

  it('correctRandomWriterRate(bad period) throws naming the parameter', () => {
    expect(() => correctRandomWriterRate(1, 0, 10)).toThrow(/periodSeconds/);
  });
});
