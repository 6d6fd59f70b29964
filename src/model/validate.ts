import { ModelInputError } from './errors.js';

/** Largest page count accepted: counts stay exact integers in a double. */
export const MAX_PAGES = Number.MAX_SAFE_INTEGER;

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Ps: a whole number of pages, 1 <= Ps <= 2^53 - 1. */
export function checkPages(name: string, v: unknown): void {
  if (!isNum(v) || !Number.isInteger(v) || v < 1 || v > MAX_PAGES) {
    throw new ModelInputError(name, v, `a whole number of pages from 1 to ${MAX_PAGES}`);
  }
}

/** A finite quantity > 0 (page size, bandwidth). */
export function checkPositive(name: string, v: unknown, unit: string): void {
  if (!isNum(v) || v <= 0) throw new ModelInputError(name, v, `a finite number > 0 (${unit})`);
}

/** A finite quantity >= 0 (dirty rates). */
export function checkNonNegative(name: string, v: unknown, unit: string): void {
  if (!isNum(v) || v < 0) throw new ModelInputError(name, v, `a finite number >= 0 (${unit})`);
}

/** alpha in the open interval (0, 1). */
export function checkAlpha(v: unknown): void {
  if (!isNum(v) || v <= 0 || v >= 1) throw new ModelInputError('alpha', v, '0 < alpha < 1');
}

/** beta in [0, 1). */
export function checkHotFraction(v: unknown): void {
  if (!isNum(v) || v < 0 || v >= 1) throw new ModelInputError('hotFraction', v, '0 <= hotFraction < 1');
}

/** The accounting is one of the two names. */
export function checkAccounting(v: unknown): void {
  if (v !== undefined && v !== 'paper' && v !== 'consistent') {
    throw new ModelInputError('accounting', v, "'paper' or 'consistent'");
  }
}
