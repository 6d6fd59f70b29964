/**
 * Everything the explorer shows, computed in the browser with the library's own model code: the prediction at
 * the chosen alpha (numbers table, per-round bars), sweeps over alpha (Figures 2-4 of the paper, live) and over
 * beta (Figure 1), and the optimum alpha under the utilisation limit. Pure; no DOM.
 */
import { CaseAtAlpha } from '../../src/model/batch.js';
import { summarizeHotDowntime, summarizeHotPrecopy, summarizeUniform } from '../../src/model/cases.js';
import type { ModelInput, Prediction } from '../../src/model/predict.js';
import type { CaseName, NotConverged, Summary } from '../../src/model/types.js';
import { optimizeAll } from '../../src/ops/optimize.js';
import { predictOp } from '../../src/ops/predict.js';
import type { CurveRow } from '../../src/report/charts.js';
import type { ResolvedOptimize, ResolvedPredict } from '../../src/schema/index.js';
import { type OptimizeOutcome, outcomeOf } from './optimum.js';

/**
 * What the page computes from: the view's inputs as the operations layer resolved them (`predictInput` and
 * `optimizeInput` of src/ops, the schemas behind `precopy predict|optimize` and `POST /api/predict|optimize`).
 */
export interface ExplorerInput {
  readonly predict: ResolvedPredict;
  /** The same model, with the utilisation limit as the optimiser's only constraint (objective: downtime). */
  readonly optimize: ResolvedOptimize;
}

/** The four charts against alpha (the paper's Figures 2-4, live). */
export type AlphaChart = 'downtime' | 'gain' | 'pages' | 'utilization';
/** The alpha charts in page order. */
export const ALPHA_CHARTS: readonly AlphaChart[] = ['downtime', 'gain', 'pages', 'utilization'];
const ALPHA_FIELD = {
  downtime: 'downtimeSeconds',
  gain: 'gain',
  pages: 'pagesTransferred',
  utilization: 'networkUtilization',
} as const;

/** A marked point on an alpha chart: the chosen alpha or a case's optimum under Umax. */
export interface MarkPoint {
  readonly x: number;
  readonly y: number;
  readonly series: string;
  readonly kind: 'chosen' | 'optimum';
}

/** Case names as the page and its charts print them. */
export const CASE_LABEL: Record<CaseName, string> = {
  uniform: 'Uniform',
  hotPrecopy: 'Hot I',
  hotDowntime: 'Hot II',
};

/** One point of the alpha sweep for one case. */
export interface AlphaRow {
  readonly case: string;
  readonly alpha: number;
  readonly iterations: number;
  readonly downtimeSeconds: number;
  readonly totalSeconds: number;
  readonly pagesTransferred: number;
  /** null where the gain is unbounded (no page left at downtime). */
  readonly gain: number | null;
  readonly networkUtilization: number;
}

export interface RoundRow {
  readonly case: string;
  readonly round: number;
  readonly pages: number;
  readonly seconds: number;
}

export interface HotGainRow {
  readonly beta: number;
  readonly series: string;
  readonly hotGain: number;
}

/** Marks drawn over the alpha charts: the chosen alpha and each case's optimum. */
export interface MarkRow {
  readonly case: string;
  readonly kind: 'chosen' | 'optimum';
  readonly alpha: number;
  readonly downtimeSeconds: number;
  readonly gain: number | null;
  readonly pagesTransferred: number;
  readonly networkUtilization: number;
}

export interface ExplorerData {
  readonly input: ModelInput;
  readonly cases: readonly CaseName[];
  readonly prediction: Prediction;
  readonly alphaRows: readonly AlphaRow[];
  readonly roundRows: readonly RoundRow[];
  readonly hotGainRows: readonly HotGainRow[];
  readonly marks: readonly MarkRow[];
  /** The alpha sweep as chart rows (x = alpha, y = the quantity, series = case), one array per chart. */
  readonly curves: Readonly<Record<AlphaChart, readonly CurveRow[]>>;
  /** The marks as chart points, one array per chart. */
  readonly markPoints: Readonly<Record<AlphaChart, readonly MarkPoint[]>>;
  /** HG against beta as chart rows (x = beta, y = HG, series = alpha). */
  readonly hotGainCurves: readonly CurveRow[];
  /** The utilisation limit as a one-row source for its rule. */
  readonly limitRows: readonly { readonly maxUtilization: number }[];
  readonly optimum: Partial<Record<CaseName, OptimizeOutcome>>;
  readonly maxUtilization: number;
  /** Warnings in words, each prefixed by its case. */
  readonly warnings: readonly string[];
}

/**
 * Alpha grid of the sweeps: 0.01, 0.02, ..., 0.99, built by index (no accumulated rounding). The band edges are
 * added per case, so the staircases are exact however coarse the grid; 99 points keep a slider move within a frame.
 */
export const ALPHA_GRID: readonly number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
/** Beta grid of the HG chart: 0, 0.02, ..., 0.96. */
export const BETA_GRID: readonly number[] = Array.from({ length: 49 }, (_, i) => i / 50);
/** The three alphas of the paper's Figure 1. */
export const FIGURE1_ALPHAS: readonly number[] = [0.1, 0.4, 0.7];
/** Series of the HG chart: the chosen alpha, then the paper's three (fixed names keep the colours fixed). */
export const HOT_GAIN_SERIES: readonly string[] = ['chosen α', 'α = 0.1', 'α = 0.4', 'α = 0.7'];
/** At most this many rounds are drawn per case. */
export const MAX_ROUNDS_DRAWN = 60;

let sweepCache:
  | { key: string; rows: readonly AlphaRow[]; curves: Readonly<Record<AlphaChart, readonly CurveRow[]>> }
  | undefined;

/** Chart rows of one quantity; points without a finite value (an unbounded gain) are left out. */
function curveOf(rows: readonly AlphaRow[], chart: AlphaChart): CurveRow[] {
  const field = ALPHA_FIELD[chart];
  const out: CurveRow[] = [];
  for (const r of rows) {
    const y = r[field];
    if (y !== null && Number.isFinite(y)) out.push({ x: r.alpha, y, series: r.case });
  }
  return out;
}

function summarize(name: CaseName, p: ModelInput): Summary | NotConverged {
  if (name === 'uniform') return summarizeUniform({ ...p, dirtyPagesPerSecond: p.dirtyPagesPerSecond! });
  const hot = {
    ...p,
    hotFraction: p.hotFraction!,
    hotDirtyPagesPerSecond: p.hotDirtyPagesPerSecond!,
    coldDirtyPagesPerSecond: p.coldDirtyPagesPerSecond!,
  };
  return name === 'hotPrecopy' ? summarizeHotPrecopy(hot) : summarizeHotDowntime(hot);
}

/** One evaluator reused for every curve point (no object per point; the same doubles as summarizeAt). */
const atAlpha = new CaseAtAlpha();

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The alpha grid plus every band edge rho^k inside it and a point just below each edge, so the staircases
 * step exactly where n changes even with straight lines between points.
 */
function alphaPoints(rho: number): number[] {
  const lo = ALPHA_GRID[0]!;
  const hi = ALPHA_GRID[ALPHA_GRID.length - 1]!;
  const pts = [...ALPHA_GRID];
  if (rho > 0 && rho < 1) {
    for (let k = 1; k < 2000; k++) {
      const edge = rho ** k;
      if (edge < lo) break;
      if (edge <= hi) pts.push(edge * (1 - 1e-9), edge);
    }
  }
  pts.sort((a, b) => a - b);
  return pts.filter((x, i) => i === 0 || x !== pts[i - 1]); // an edge can fall on a grid point (rho = 0.48)
}

/**
 * Computes the whole view. Throws {@link ModelInputError} only for input the page's parser let through, which
 * it never should (the parser uses the same validators).
 */
export function computeExplorer(resolved: ExplorerInput): ExplorerData {
  const { input, cases } = resolved.predict;
  const maxUtilization = resolved.optimize.constraints.maxNetworkUtilization!;
  // The operations behind `precopy predict` and `precopy optimize` (src/ops), on the same resolved input.
  const prediction = predictOp(resolved.predict, { maxRoundsListed: MAX_ROUNDS_DRAWN });
  const optimized = optimizeAll(resolved.optimize);
  // The alpha sweep does not depend on alpha: reuse it (same array, so the charts skip it) when only alpha moved.
  const sweepKey = JSON.stringify([{ ...input, alpha: 0 }, cases]);
  const reuse = sweepCache?.key === sweepKey ? sweepCache.rows : undefined;
  const alphaRows: AlphaRow[] = reuse ? (reuse as AlphaRow[]) : [];
  const roundRows: RoundRow[] = [];
  const marks: MarkRow[] = [];
  const warnings: string[] = [];
  const optimum: Partial<Record<CaseName, OptimizeOutcome>> = {};
  for (const name of cases) {
    const label = CASE_LABEL[name];
    const outcome = prediction[name]!;
    if (!outcome.converged) {
      warnings.push(`${label}: ${outcome.reason}`);
      continue;
    }
    for (const w of outcome.warnings) warnings.push(`${label}: ${w}`);
    // The curves: the case loaded once (rho, tau, ln rho), then evaluated point by point (src/model/batch.ts).
    if (!reuse && atAlpha.load(input, name, input.accounting ?? 'paper')) {
      for (const alpha of alphaPoints(outcome.rho)) {
        const s = atAlpha;
        s.at(alpha);
        alphaRows.push({
          case: label,
          alpha,
          iterations: s.iterations,
          downtimeSeconds: s.downtimeSeconds,
          totalSeconds: s.totalSeconds,
          pagesTransferred: s.pagesTransferred,
          gain: finiteOrNull(s.gain),
          networkUtilization: s.networkUtilization,
        });
      }
    }
    outcome.rounds.forEach((r, i) => {
      roundRows.push({ case: label, round: i, pages: r.pages, seconds: r.seconds });
    });
    marks.push({
      case: label,
      kind: 'chosen',
      alpha: input.alpha,
      downtimeSeconds: outcome.downtimeSeconds,
      gain: finiteOrNull(outcome.gain),
      pagesTransferred: outcome.pagesTransferred,
      networkUtilization: outcome.networkUtilization,
    });
    const opt = outcomeOf(optimized[name]!, maxUtilization);
    optimum[name] = opt;
    if (opt.feasible) {
      const s = summarize(name, { ...input, alpha: opt.alpha });
      if (s.converged) {
        marks.push({
          case: label,
          kind: 'optimum',
          alpha: opt.alpha,
          downtimeSeconds: s.downtimeSeconds,
          gain: finiteOrNull(s.gain),
          pagesTransferred: s.pagesTransferred,
          networkUtilization: s.networkUtilization,
        });
      }
    } else {
      warnings.push(`${label}: ${opt.reason}`);
    }
  }
  const curves =
    reuse && sweepCache
      ? sweepCache.curves
      : (Object.fromEntries(ALPHA_CHARTS.map((c) => [c, curveOf(alphaRows, c)])) as Record<AlphaChart, CurveRow[]>);
  if (!reuse) sweepCache = { key: sweepKey, rows: alphaRows, curves };
  const markPoints = Object.fromEntries(
    ALPHA_CHARTS.map((c) => {
      const field = ALPHA_FIELD[c];
      const pts: MarkPoint[] = [];
      for (const m of marks) {
        const y = m[field];
        if (y !== null && Number.isFinite(y)) pts.push({ x: m.alpha, y, series: m.case, kind: m.kind });
      }
      return [c, pts];
    }),
  ) as Record<AlphaChart, MarkPoint[]>;
  const hotGainRows: HotGainRow[] = [];
  if (cases.includes('hotPrecopy') && cases.includes('hotDowntime')) {
    const alphas = [input.alpha, ...FIGURE1_ALPHAS];
    for (let i = 0; i < alphas.length; i++) {
      const alpha = alphas[i]!;
      const series = HOT_GAIN_SERIES[i]!;
      for (const beta of BETA_GRID) {
        // HG = Tdown(Hot I) / Tdown(Hot II) (as hotGain in src/model/cases.ts: undefined unless both converge
        // and Hot II's downtime is not 0).
        const p = { ...input, hotFraction: beta };
        if (!atAlpha.load(p, 'hotPrecopy', input.accounting ?? 'paper')) continue;
        atAlpha.at(alpha);
        const hot1 = atAlpha.downtimeSeconds;
        if (!atAlpha.load(p, 'hotDowntime', input.accounting ?? 'paper')) continue;
        atAlpha.at(alpha);
        const hot2 = atAlpha.downtimeSeconds;
        if (hot2 === 0) continue;
        const hg = hot1 / hot2;
        if (Number.isFinite(hg)) hotGainRows.push({ beta, series, hotGain: hg });
      }
    }
  }
  return {
    input,
    cases,
    prediction,
    alphaRows,
    roundRows,
    hotGainRows,
    marks,
    curves,
    markPoints,
    limitRows: [{ maxUtilization }],
    hotGainCurves: hotGainRows.map((r) => ({ x: r.beta, y: r.hotGain, series: r.series })),
    optimum,
    maxUtilization,
    warnings,
  };
}
