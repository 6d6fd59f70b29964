/**
 * The paper's experimental set-up (Table 2 of Aldhalaan & Menascé 2013) in base units, and the grids the
 * figures are drawn on. Pure data; no Node imports.
 */

/** Table 2, base units. `KB` is read as 1000 bytes; only S/B matters, so KB vs KiB does not change any result. */
export const TABLE2 = {
  /** Ps values of Figures 2-4 and Table 3 (pages). */
  pagesList: [4096, 8192, 16384, 32768] as const,
  /** S = 16 KB (bytes). */
  pageSizeBytes: 16_000,
  /** B = 60 KB/s (bytes/s). */
  bandwidthBytesPerSecond: 60_000,
  /** D = 2 pages/s (uniform case). */
  dirtyPagesPerSecond: 2,
  /** Dnh = 1.8 pages/s. */
  coldDirtyPagesPerSecond: 1.8,
  /** Dh = 4 pages/s. */
  hotDirtyPagesPerSecond: 4,
  /** beta = 10 %. */
  hotFraction: 0.1,
  /** Umax_net = 40 %. */
  maxNetworkUtilization: 0.4,
} as const;

/** The parameters a figure or table is computed from (Table 2 by default); every field in base units. */
export interface ReproductionParams {
  readonly pagesList: readonly number[];
  readonly pageSizeBytes: number;
  readonly bandwidthBytesPerSecond: number;
  readonly dirtyPagesPerSecond: number;
  readonly coldDirtyPagesPerSecond: number;
  readonly hotDirtyPagesPerSecond: number;
  readonly hotFraction: number;
  readonly maxNetworkUtilization: number;
}

/** `paper`: the paper's grid (steps of 0.05); `fine`: steps of 0.001 (alpha) / 0.005 (beta), shows the staircase. */
export type GridName = 'paper' | 'fine';

/** Ps values of the hot-page figures 3(b), 4(a), 4(b). */
export const HOT_FIGURE_PAGES = [4096, 16384] as const;

/** alpha values of Figure 1 (10 %, 40 %, 70 %). */
export const FIGURE1_ALPHAS = [0.1, 0.4, 0.7] as const;

/**
 * Grid points start + i*step for i = 0..count-1, built by index (no accumulated rounding), each rounded to
 * 12 significant digits so 0.05*3 prints as 0.15.
 * @example linearGrid(0.05, 0.05, 3) // [0.05, 0.1, 0.15]
 */
export function linearGrid(start: number, step: number, count: number): number[] {
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = Number((start + i * step).toPrecision(12));
  return out;
}

/**
 * The alpha grid of Figures 2-4. `paper`: 0.05, 0.10, ..., 0.50 (the paper's steps of 0.05, up to the largest
 * multiple of 0.05 below rho = 8/15, the paper's condition alpha <= rho); `fine`: 0.005, 0.006, ..., 0.700,
 * which also shows alpha > rho where n = 0.
 */
export function alphaGrid(grid: GridName): number[] {
  return grid === 'paper' ? linearGrid(0.05, 0.05, 10) : linearGrid(0.005, 0.001, 696);
}

/** The beta grid of Figure 1. `paper`: 0.05, ..., 0.50; `fine`: 0.005, 0.010, ..., 0.800. */
export function betaGrid(grid: GridName): number[] {
  return grid === 'paper' ? linearGrid(0.05, 0.05, 10) : linearGrid(0.005, 0.005, 160);
}
