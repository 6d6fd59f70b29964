import { expect } from 'vitest';

/**
 * Asserts |actual - expected| <= rel * |expected| (plus `abs` for expected values at or near zero). Choose `rel`
 * from the conditioning of the computation: a few ulps (1e-15..1e-13) for closed forms evaluated two ways,
 * looser only with a reason written next to the call.
 */
export function expectRel(actual: number, expected: number, rel: number, abs = 0): void {
  const err = Math.abs(actual - expected);
  const bound = rel * Math.abs(expected) + abs;
  if (!(err <= bound)) {
    expect.fail(
      `expected ${actual} to equal ${expected} within rel ${rel}${abs ? ` + abs ${abs}` : ''} (error ${err}, bound ${bound})`,
    );
  }
}

/** Neumaier-compensated sum: an independent, accurate way to add many terms. */
export function compensatedSum(xs: Iterable<number>): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}
