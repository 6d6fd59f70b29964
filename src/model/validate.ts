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

/**
 * Page sizes accepted, bytes: from one byte (a page holds at least one byte; 0.5 B pages made page counts and
 * transfer rates meaningless) to 2^40 (1 TiB, far above any huge page), so Ps*S stays finite.
 */
export const MIN_PAGE_BYTES = 1;
export const MAX_PAGE_BYTES = 2 ** 40;
/**
 * Bandwidths accepted, bytes/s: from 1 B/s (below it tau = S/B overflows: 16 kB / 5e-324 B/s = Infinity) to
 * 1e15 B/s (1 PB/s), so tau, 1/tau and rho = D*tau stay finite and nonzero.
 */
export const MIN_BANDWIDTH_BYTES_PER_SECOND = 1;
export const MAX_BANDWIDTH_BYTES_PER_SECOND = 1e15;
/** Dirty rates accepted, pages/s: up to 1e15 (so rho = D*tau <= 1e15 * 2^40 stays finite). */
export const MAX_DIRTY_PAGES_PER_SECOND = 1e15;

/** S: a page size in bytes, MIN_PAGE_BYTES <= S <= MAX_PAGE_BYTES. */
export function checkPageSize(name: string, v: unknown): void {
  if (!isNum(v) || v < MIN_PAGE_BYTES || v > MAX_PAGE_BYTES) {
    throw new ModelInputError(name, v, `a page size from ${MIN_PAGE_BYTES} to ${MAX_PAGE_BYTES} bytes`);
  }
}

/** B: a bandwidth in bytes/s, MIN_BANDWIDTH_BYTES_PER_SECOND <= B <= MAX_BANDWIDTH_BYTES_PER_SECOND. */
export function checkBandwidth(name: string, v: unknown): void {
  if (!isNum(v) || v < MIN_BANDWIDTH_BYTES_PER_SECOND || v > MAX_BANDWIDTH_BYTES_PER_SECOND) {
    throw new ModelInputError(
      name,
      v,
      `a bandwidth from ${MIN_BANDWIDTH_BYTES_PER_SECOND} to ${MAX_BANDWIDTH_BYTES_PER_SECOND} bytes/s`,
    );
  }
}

/**
 * A finite quantity > 0. Page sizes and bandwidths (recognised by `unit` 'bytes' and 'bytes/s', as every model
 * caller passes them) get their ranges above, so no caller lets Infinity through tau = S/B.
 */
export function checkPositive(name: string, v: unknown, unit: string): void {
  if (unit === 'bytes') checkPageSize(name, v);
  else if (unit === 'bytes/s') checkBandwidth(name, v);
  else if (!isNum(v) || v <= 0) throw new ModelInputError(name, v, `a finite number > 0 (${unit})`);
}

/** A finite quantity >= 0 (dirty rates, at most MAX_DIRTY_PAGES_PER_SECOND when in pages/s). */
export function checkNonNegative(name: string, v: unknown, unit: string): void {
  if (unit === 'pages/s') {
    if (!isNum(v) || v < 0 || v > MAX_DIRTY_PAGES_PER_SECOND) {
      throw new ModelInputError(name, v, `a rate from 0 to ${MAX_DIRTY_PAGES_PER_SECOND} pages/s`);
    }
    return;
  }
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
