/**
 * The data behind the paper's Figures 1-4, computed from the model: pure functions from parameters to rows.
 * Each figure gives the curve rows for its chart spec ({@link CurveRow}), a CSV table with every quantity
 * needed to check a point by hand (rho, n, the value), and the Vega-Lite spec itself.
 * No Node imports: the explorer can use these builders in the browser.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  type Accounting,
  type HotParams,
  type Summary,
  type UniformParams,
  summarizeHotDowntime,
  summarizeHotPrecopy,
  summarizeUniform,
} from '../model/index.js';
import { type CurveRow, downtimeVsAlphaSpec, gainVsAlphaSpec, hotGainVsBetaSpec, pagesVsAlphaSpec } from './charts.js';
import {
  alphaGrid,
  betaGrid,
  FIGURE1_ALPHAS,
  type GridName,
  HOT_FIGURE_PAGES,
  type ReproductionParams,
  TABLE2,
} from './params.js';

export const FIGURE_IDS = ['figure1', 'figure2a', 'figure2b', 'figure3a', 'figure3b', 'figure4a', 'figure4b'] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

/** A CSV table: header and records (numbers are written at full precision by the CSV writer). */
export interface Table {
  readonly header: readonly string[];
  readonly records: readonly (readonly (string | number)[])[];
}

/** Everything about one figure: its curves, its CSV, its chart spec. */
export interface FigureData {
  readonly id: FigureId;
  /** The paper's figure label, e.g. `Figure 2(a)`. */
  readonly label: string;
  /** What the figure shows, one line. */
  readonly title: string;
  readonly grid: GridName;
  readonly rows: readonly CurveRow[];
  readonly table: Table;
  readonly spec: TopLevelSpec;
}

/** Options of every figure builder. */
export interface FigureOptions {
  /** Grid of alpha (or beta in Figure 1): the paper's steps of 0.05 or a fine grid. Default `paper`. */
  readonly grid?: GridName;
  /** Parameters (default Table 2). */
  readonly params?: ReproductionParams;
  /** Page accounting of PTotalMig (Figures 3a, 4b); default `paper` (Eqs. 13, 21, 28 as printed). */
  readonly accounting?: Accounting;
}

/** The three cases as the figures label them. */
export const CASE_LABELS = { uniform: 'uniform', hotPrecopy: 'Hot I', hotDowntime: 'Hot II' } as const;

type Quantity = 'downtimeSeconds' | 'gain' | 'pagesTransferred';

const QUANTITY_COLUMN: Record<Quantity, string> = {
  downtimeSeconds: 'Tdown_s',
  gain: 'G',
  pagesTransferred: 'PTotalMig_pages',
};

function uniformParams(p: ReproductionParams, pages: number, alpha: number, accounting: Accounting): UniformParams {
  return {
    pages,
    pageSizeBytes: p.pageSizeBytes,
    bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
    dirtyPagesPerSecond: p.dirtyPagesPerSecond,
    alpha,
    accounting,
  };
}

function hotParams(
  p: ReproductionParams,
  pages: number,
  alpha: number,
  accounting: Accounting,
  beta = p.hotFraction,
): HotParams {
  return {
    pages,
    pageSizeBytes: p.pageSizeBytes,
    bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
    hotFraction: beta,
    hotDirtyPagesPerSecond: p.hotDirtyPagesPerSecond,
    coldDirtyPagesPerSecond: p.coldDirtyPagesPerSecond,
    alpha,
    accounting,
  };
}

/** Summary of one case at one point, or undefined when pre-copy does not converge there (rho >= 1). */
export function caseSummary(
  name: keyof typeof CASE_LABELS,
  p: ReproductionParams,
  pages: number,
  alpha: number,
  accounting: Accounting = 'paper',
  beta = p.hotFraction,
): Summary | undefined {
  const s =
    name === 'uniform'
      ? summarizeUniform(uniformParams(p, pages, alpha, accounting))
      : name === 'hotPrecopy'
        ? summarizeHotPrecopy(hotParams(p, pages, alpha, accounting, beta))
        : summarizeHotDowntime(hotParams(p, pages, alpha, accounting, beta));
  return s.converged ? s : undefined;
}

function subtitle(p: ReproductionParams, grid: GridName, extra: string): string[] {
  const g = grid === 'paper' ? 'grid: steps of 0.05 (as in the paper)' : 'fine grid: shows the staircase in n';
  return [`B = ${p.bandwidthBytesPerSecond / 1000} KB/s, S = ${p.pageSizeBytes / 1000} KB, ${extra}; ${g}`];
}

/** Curves of one quantity against alpha: one series per Ps, and per case when several cases are drawn. */
function alphaFigure(
  id: FigureId,
  label: string,
  title: string,
  quantity: Quantity,
  cases: readonly (keyof typeof CASE_LABELS)[],
  pagesList: readonly number[],
  options: FigureOptions,
): FigureData {
  const p = options.params ?? TABLE2;
  const grid = options.grid ?? 'paper';
  const accounting = options.accounting ?? 'paper';
  const rows: CurveRow[] = [];
  const records: (string | number)[][] = [];
  const withStyle = cases.length > 1;
  for (const name of cases) {
    for (const pages of pagesList) {
      for (const alpha of alphaGrid(grid)) {
        const s = caseSummary(name, p, pages, alpha, accounting);
        if (!s) continue;
        const y = s[quantity];
        if (!Number.isFinite(y)) continue;
        const series = `Ps = ${pages}`;
        rows.push(withStyle ? { x: alpha, y, series, style: CASE_LABELS[name] } : { x: alpha, y, series });
        records.push([CASE_LABELS[name], pages, alpha, s.rho, s.iterations, y]);
      }
    }
  }
  const extra =
    cases[0] === 'uniform'
      ? `D = ${p.dirtyPagesPerSecond} pages/s`
      : `Dnh = ${p.coldDirtyPagesPerSecond}, Dh = ${p.hotDirtyPagesPerSecond} pages/s, β = ${p.hotFraction}`;
  const specOptions = {
    title: `${label}: ${title}`,
    subtitle: [
      ...subtitle(p, grid, quantity === 'pagesTransferred' ? `${extra}, ${accounting} accounting` : extra),
      ...(quantity === 'gain' && !withStyle ? ['G does not depend on Ps: the curves of the four Ps coincide'] : []),
    ],
    points: grid === 'paper',
    seriesOrder: pagesList.map((ps) => `Ps = ${ps}`),
    ...(withStyle ? { styleOrder: cases.map((c) => CASE_LABELS[c]) } : {}),
    ...(id === 'figure2a' ? { references: [{ y: 500, label: 'Tdown = 500 s' }] } : {}),
  };
  const spec =
    quantity === 'downtimeSeconds'
      ? downtimeVsAlphaSpec(rows, specOptions)
      : quantity === 'gain'
        ? gainVsAlphaSpec(rows, specOptions)
        : pagesVsAlphaSpec(rows, specOptions);
  return {
    id,
    label,
    title,
    grid,
    rows,
    table: { header: ['case', 'Ps', 'alpha', 'rho', 'n', QUANTITY_COLUMN[quantity]], records },
    spec,
  };
}

/**
 * Figure 1: HG = Tdown(Hot I)/Tdown(Hot II) against beta for alpha in {10 %, 40 %, 70 %}, Ps = 4096 pages
 * (HG does not depend on Ps: both downtimes are proportional to it).
 */
export function figure1(options: FigureOptions = {}): FigureData {
  const p = options.params ?? TABLE2;
  const grid = options.grid ?? 'paper';
  const pages = 4096;
  const rows: CurveRow[] = [];
  const records: (string | number)[][] = [];
  for (const alpha of FIGURE1_ALPHAS) {
    for (const beta of betaGrid(grid)) {
      const one = caseSummary('hotPrecopy', p, pages, alpha, 'paper', beta);
      const two = caseSummary('hotDowntime', p, pages, alpha, 'paper', beta);
      if (!one || !two || two.downtimeSeconds === 0) continue;
      const hg = one.downtimeSeconds / two.downtimeSeconds;
      rows.push({ x: beta, y: hg, series: `α = ${Math.round(alpha * 100)} %` });
      records.push([
        alpha,
        beta,
        one.rho,
        one.iterations,
        one.downtimeSeconds,
        two.rho,
        two.iterations,
        two.downtimeSeconds,
        hg,
      ]);
    }
  }
  const spec = hotGainVsBetaSpec(rows, {
    subtitle: subtitle(
      p,
      grid,
      `Dnh = ${p.coldDirtyPagesPerSecond}, Dh = ${p.hotDirtyPagesPerSecond} pages/s, Ps = ${pages} pages`,
    ).map((s) => s.replace('grid: steps of 0.05 (as in the paper)', 'β in steps of 0.05')),
    points: grid === 'paper',
    seriesOrder: FIGURE1_ALPHAS.map((a) => `α = ${Math.round(a * 100)} %`),
  });
  return {
    id: 'figure1',
    label: 'Figure 1',
    title: 'HG = Tdown(Hot I) / Tdown(Hot II) vs. β',
    grid,
    rows,
    table: {
      header: ['alpha', 'beta', 'rho_eff', 'n_hotI', 'Tdown_hotI_s', 'rho_nh', 'n_hotII', 'Tdown_hotII_s', 'HG'],
      records,
    },
    spec,
  };
}

/** Figure 2(a): uniform Tdown (s) vs. alpha, one curve per Ps in Table 2. */
export function figure2a(options: FigureOptions = {}): FigureData {
  const pl = (options.params ?? TABLE2).pagesList;
  return alphaFigure(
    'figure2a',
    'Figure 2(a)',
    'Tdown vs. α, uniform dirtying',
    'downtimeSeconds',
    ['uniform'],
    pl,
    options,
  );
}

/** Figure 2(b): uniform gain G vs. alpha (one curve per Ps; they coincide since G does not depend on Ps). */
export function figure2b(options: FigureOptions = {}): FigureData {
  const pl = (options.params ?? TABLE2).pagesList;
  return alphaFigure('figure2b', 'Figure 2(b)', 'gain G vs. α, uniform dirtying', 'gain', ['uniform'], pl, options);
}

/** Figure 3(a): uniform PTotalMig vs. alpha, one curve per Ps. */
export function figure3a(options: FigureOptions = {}): FigureData {
  const pl = (options.params ?? TABLE2).pagesList;
  return alphaFigure(
    'figure3a',
    'Figure 3(a)',
    'PTotalMig vs. α, uniform dirtying',
    'pagesTransferred',
    ['uniform'],
    pl,
    options,
  );
}

/** Figure 3(b): Tdown (s) vs. alpha for Hot I and Hot II, Ps in {4096, 16384}. */
export function figure3b(options: FigureOptions = {}): FigureData {
  return alphaFigure(
    'figure3b',
    'Figure 3(b)',
    'Tdown vs. α, hot pages',
    'downtimeSeconds',
    ['hotPrecopy', 'hotDowntime'],
    HOT_FIGURE_PAGES,
    options,
  );
}

/** Figure 4(a): gain G vs. alpha for Hot I and Hot II, Ps in {4096, 16384}. */
export function figure4a(options: FigureOptions = {}): FigureData {
  return alphaFigure(
    'figure4a',
    'Figure 4(a)',
    'gain G vs. α, hot pages',
    'gain',
    ['hotPrecopy', 'hotDowntime'],
    HOT_FIGURE_PAGES,
    options,
  );
}

/** Figure 4(b): PTotalMig vs. alpha for Hot I and Hot II, Ps in {4096, 16384}. */
export function figure4b(options: FigureOptions = {}): FigureData {
  return alphaFigure(
    'figure4b',
    'Figure 4(b)',
    'PTotalMig vs. α, hot pages',
    'pagesTransferred',
    ['hotPrecopy', 'hotDowntime'],
    HOT_FIGURE_PAGES,
    options,
  );
}

/** Builder of each figure by id. */
export const FIGURE_BUILDERS: Record<FigureId, (options?: FigureOptions) => FigureData> = {
  figure1,
  figure2a,
  figure2b,
  figure3a,
  figure3b,
  figure4a,
  figure4b,
};

/** All seven figures on one grid. */
export function allFigures(options: FigureOptions = {}): FigureData[] {
  return FIGURE_IDS.map((id) => FIGURE_BUILDERS[id](options));
}
