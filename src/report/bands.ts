/**
 * The band structure of the model in alpha: n (hence Tdown, G, Tpre-copy) is constant on each band
 * alpha in [rho^(n+1), rho^n) (n = 0: [rho, 1)), and within a band the paper's Unet (Eqs. 16, 23, 31) is affine
 * in alpha. This module lists the bands of a case and finds the least Unet any alpha can give: an independent
 * check of the optimiser and the basis of the Table 3 errata. Pure; no Node imports.
 */
import type { Accounting, Summary } from '../model/index.js';
import { type CASE_LABELS, caseSummary } from './figures.js';
import { type ReproductionParams, TABLE2 } from './params.js';

export type CaseKey = keyof typeof CASE_LABELS;

/** One band of constant n. */
export interface Band {
  readonly iterations: number;
  /** Lower end alpha = rho^(n+1) (included: Eq. 9 is met with equality there), clipped to the alpha range. */
  readonly alphaFrom: number;
  /** Upper end alpha = rho^n (excluded; n = 0: 1), clipped to the alpha range. */
  readonly alphaTo: number;
  readonly downtimeSeconds: number;
  /** Unet at the lower end (its least value in the band: paper Unet increases with alpha within a band). */
  readonly networkUtilizationMin: number;
  /** Unet as alpha tends to the upper end from below (its supremum in the band). */
  readonly networkUtilizationSup: number;
}

/** Default alpha range of the scans, as the optimiser's default. */
export const ALPHA_RANGE = { min: 0.001, max: 0.999 } as const;

/**
 * rho of a case under the parameters: D*tau (uniform), D_eff*tau (Hot I, Eq. 17), Dnh*tau (Hot II); tau first.
 * @example caseRho('uniform', TABLE2) // 0.5333333333333333 (= 2 * 16/60)
 */
export function caseRho(name: CaseKey, p: ReproductionParams = TABLE2): number {
  const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
  const d =
    name === 'uniform'
      ? p.dirtyPagesPerSecond
      : name === 'hotPrecopy'
        ? p.coldDirtyPagesPerSecond * (1 - p.hotFraction) + p.hotDirtyPagesPerSecond * p.hotFraction
        : p.coldDirtyPagesPerSecond;
  return d * tau;
}

/** The largest alpha strictly below `edge` that the model puts in the band below the edge (n one higher). */
export function justBelow(edge: number): number {
  return edge * (1 - 1e-9);
}

function at(name: CaseKey, p: ReproductionParams, pages: number, alpha: number, accounting: Accounting): Summary {
  const s = caseSummary(name, p, pages, alpha, accounting);
  if (!s) throw new Error(`bands: case ${name} does not converge (rho >= 1)`);
  return s;
}

/**
 * The bands of a case that meet the alpha range [min, max], from n = 0 upwards, with Tdown and the range of
 * Unet over each band (paper accounting by default). Requires 0 < rho < 1.
 * @example bands('uniform')[3] // {iterations: 3, alphaFrom: 0.0809..., alphaTo: 0.1517..., downtimeSeconds: 88.37...}
 */
export function bands(
  name: CaseKey,
  p: ReproductionParams = TABLE2,
  pages = 4096,
  range: { readonly min: number; readonly max: number } = ALPHA_RANGE,
  accounting: Accounting = 'paper',
): Band[] {
  const rho = caseRho(name, p);
  if (!(rho > 0 && rho < 1)) throw new Error(`bands: rho = ${rho} of case ${name} is outside (0, 1)`);
  const out: Band[] = [];
  for (let n = 0; n < 10_000; n++) {
    const upper = n === 0 ? 1 : rho ** n;
    const lower = rho ** (n + 1);
    if (upper <= range.min) break;
    if (lower > range.max) continue;
    const from = Math.max(lower, range.min);
    const to = Math.min(upper, range.max);
    const lo = at(name, p, pages, from, accounting);
    const hi = at(name, p, pages, to === upper ? justBelow(to) : to, accounting);
    out.push({
      iterations: lo.iterations,
      alphaFrom: from,
      alphaTo: to,
      downtimeSeconds: lo.downtimeSeconds,
      networkUtilizationMin: Math.min(lo.networkUtilization, hi.networkUtilization),
      networkUtilizationSup: Math.max(lo.networkUtilization, hi.networkUtilization),
    });
  }
  return out;
}

/** The least Unet over the alpha range and where it is reached (a band's lower end). */
export function minimumUtilization(
  name: CaseKey,
  p: ReproductionParams = TABLE2,
  range: { readonly min: number; readonly max: number } = ALPHA_RANGE,
  accounting: Accounting = 'paper',
): { readonly networkUtilization: number; readonly alpha: number; readonly iterations: number } {
  let best = { networkUtilization: Number.POSITIVE_INFINITY, alpha: Number.NaN, iterations: -1 };
  for (const b of bands(name, p, 4096, range, accounting)) {
    if (b.networkUtilizationMin < best.networkUtilization) {
      best = { networkUtilization: b.networkUtilizationMin, alpha: b.alphaFrom, iterations: b.iterations };
    }
  }
  return best;
}
