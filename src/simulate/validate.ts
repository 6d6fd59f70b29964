/**
 * Where the closed forms hold and where they break: a grid over rho, alpha and beta, each cell simulated under
 * several workloads and compared with the paper's closed form (and, for random writes, with the distinct-pages
 * model). Pure: the replicas are run by a caller-supplied runner (inline, or worker threads via ./pool.ts).
 */
import type { DistinctResult } from '../model/distinct.js';
import { ModelInputError } from '../model/errors.js';
import type { CaseName, CaseOutcome } from '../model/types.js';
import { distinctModelFor, paperModelFor, relativeError } from './compare.js';
import type { SimulationParams, SimulationResult } from './engine.js';
import { type Estimate, aggregate } from './montecarlo.js';
import { checkValidationBudget } from './budget.js';
import type { ReplicaTask } from './pool.js';
import type { WorkloadSpec } from './workloads.js';

export const VALIDATION_WORKLOADS = ['fluid', 'random', 'hot-cold', 'working-set'] as const;
export type ValidationWorkload = (typeof VALIDATION_WORKLOADS)[number];

/** The grid and the fixed parameters of a validation run. */
export interface ValidationGrid {
  readonly pages: number;
  readonly pageSizeBytes: number;
  readonly bandwidthBytesPerSecond: number;
  readonly rhos: readonly number[];
  readonly alphas: readonly number[];
  readonly betas: readonly number[];
  /** Dh/Dnh for the hot cells (the paper's Table 2: 4/1.8). */
  readonly hotRatio: number;
  /** Working-set size as a fraction of Ps. */
  readonly workingSetFraction: number;
  readonly workloads: readonly ValidationWorkload[];
  readonly replicas: number;
  readonly seed: number;
}

export const DEFAULT_GRID: ValidationGrid = {
  pages: 65_536,
  pageSizeBytes: 4096,
  bandwidthBytesPerSecond: 125e6,
  rhos: [0.1, 0.3, 0.5, 0.7, 0.9],
  alphas: [0.01, 0.05, 0.1, 0.3],
  betas: [0.1, 0.3],
  hotRatio: 4 / 1.8,
  workingSetFraction: 0.25,
  workloads: VALIDATION_WORKLOADS,
  replicas: 10,
  seed: 1,
};

/** One cell: a workload, a case and a point of the grid, with the compared quantities. */
export interface ValidationCell {
  readonly workload: ValidationWorkload;
  readonly case: CaseName;
  /** rho of the case as the paper defines it (rho, rho_eff or rho_nh). */
  readonly rho: number;
  readonly alpha: number;
  /** beta for hot cases, undefined otherwise. */
  readonly beta?: number;
  readonly simulated: {
    readonly iterations: Estimate;
    readonly downtimeSeconds: Estimate;
    readonly totalSeconds: Estimate;
    readonly pagesTransferred: Estimate;
  };
  /** The paper's closed form (consistent accounting), undefined when it does not converge. */
  readonly paper?: { iterations: number; downtimeSeconds: number; totalSeconds: number; pagesTransferred: number };
  readonly distinct?: { iterations: number; downtimeSeconds: number; totalSeconds: number; pagesTransferred: number };
  /** Relative errors of the simulated means against the paper's closed form. */
  readonly paperError: { downtime?: number; total?: number; pages?: number };
  readonly distinctError: { downtime?: number; total?: number; pages?: number };
}

/** Error distribution of one workload and case over the grid. */
export interface ValidationSummary {
  readonly workload: ValidationWorkload;
  readonly case: CaseName;
  readonly cells: number;
  /** Quantiles of |relative error| of the downtime and total time against the paper: median, p90, max. */
  readonly downtime: { median: number; p90: number; max: number };
  readonly total: { median: number; p90: number; max: number };
  /** Cells whose downtime and total time are both within 1 % (resp. 5 %) of the paper. */
  readonly within1pct: number;
  readonly within5pct: number;
  /** Same for the distinct-pages model, when it applies. */
  readonly distinctDowntime?: { median: number; p90: number; max: number };
  readonly distinctWithin5pct?: number;
}

/** A planned cell: its simulation parameters and identity. */
interface PlannedCell {
  readonly workload: ValidationWorkload;
  readonly case: CaseName;
  readonly rho: number;
  readonly alpha: number;
  readonly beta?: number;
  readonly params: SimulationParams;
  readonly replicas: number;
}

function checkGrid(g: ValidationGrid): void {
  const list = (name: string, xs: readonly number[], ok: (x: number) => boolean, range: string) => {
    if (xs.length === 0) throw new ModelInputError(name, 'empty', `at least one value, ${range}`);
    for (const x of xs) if (!(Number.isFinite(x) && ok(x))) throw new ModelInputError(name, x, range);
  };
  list('rho', g.rhos, (x) => x > 0 && x < 1, '0 < rho < 1');
  list('alpha', g.alphas, (x) => x > 0 && x < 1, '0 < alpha < 1');
  list('beta', g.betas, (x) => x >= 0 && x < 1, '0 <= beta < 1');
  if (!(g.hotRatio >= 1 && Number.isFinite(g.hotRatio)))
    throw new ModelInputError('hotRatio', g.hotRatio, 'a number >= 1');
}

/** The cells of a grid (deterministic order: workload, case, beta, rho, alpha). */
export function planValidation(g: ValidationGrid): PlannedCell[] {
  checkGrid(g);
  // Sizes from the list lengths before any cell is built (a 1000 x 1000 grid reached 4.4 GB before).
  checkValidationBudget(g);
  const tau = g.pageSizeBytes / g.bandwidthBytesPerSecond;
  const base = { pages: g.pages, pageSizeBytes: g.pageSizeBytes, bandwidthBytesPerSecond: g.bandwidthBytesPerSecond };
  const cells: PlannedCell[] = [];
  for (const workload of g.workloads) {
    const stochastic = workload === 'random' || workload === 'hot-cold';
    const replicas = stochastic ? g.replicas : 1;
    const uniform = workload !== 'hot-cold';
    const hot = workload === 'fluid' || workload === 'hot-cold';
    if (uniform) {
      for (const rho of g.rhos) {
        for (const alpha of g.alphas) {
          const D = rho / tau;
          const w: WorkloadSpec =
            workload === 'working-set'
              ? {
                  kind: 'working-set' as const,
                  dirtyPagesPerSecond: D,
                  workingSetPages: Math.max(1, Math.round(g.pages * g.workingSetFraction)),
                }
              : ({ kind: workload, dirtyPagesPerSecond: D } as WorkloadSpec);
          cells.push({
            workload,
            case: 'uniform',
            rho,
            alpha,
            replicas,
            params: { ...base, workload: w, stopRule: { kind: 'alpha', alpha } },
          });
        }
      }
    }
    if (hot) {
      for (const name of ['hotPrecopy', 'hotDowntime'] as const) {
        for (const beta of g.betas) {
          for (const rho of g.rhos) {
            for (const alpha of g.alphas) {
              // Hot I: rho_eff = D_eff*tau = rho; Hot II: rho_nh = Dnh*tau = rho (the paper's definitions).
              const Dnh = name === 'hotPrecopy' ? rho / tau / (1 - beta + beta * g.hotRatio) : rho / tau;
              const w = {
                kind: workload,
                hotFraction: beta,
                hotDirtyPagesPerSecond: Dnh * g.hotRatio,
                coldDirtyPagesPerSecond: Dnh,
              } as WorkloadSpec;
              cells.push({
                workload,
                case: name,
                rho,
                alpha,
                beta,
                replicas,
                params: {
                  ...base,
                  workload: w,
                  stopRule: { kind: name === 'hotPrecopy' ? 'alpha' : 'hot-held', alpha },
                },
              });
            }
          }
        }
      }
    }
  }
  return cells;
}

/** The replica tasks of a plan, cell after cell; each cell has its own seed derived from the grid seed. */
export function validationTasks(plan: readonly PlannedCell[], seed: number): ReplicaTask[] {
  const tasks: ReplicaTask[] = [];
  plan.forEach((cell, c) => {
    const cellSeed = (seed + Math.imul(c + 1, 0x9e3779b1)) >>> 0;
    for (let r = 0; r < cell.replicas; r++) tasks.push({ params: cell.params, seed: cellSeed, index: r });
  });
  return tasks;
}

function pick(m: CaseOutcome | DistinctResult | NotConvergedLike | undefined) {
  if (!m?.converged) return undefined;
  return {
    iterations: m.iterations,
    downtimeSeconds: m.downtimeSeconds,
    totalSeconds: m.totalSeconds,
    pagesTransferred: m.pagesTransferred,
  };
}
type NotConvergedLike = { converged: false };

/** Builds the cells from the plan and the replica results (in task order). */
export function assembleValidation(
  plan: readonly PlannedCell[],
  results: readonly SimulationResult[],
): ValidationCell[] {
  const cells: ValidationCell[] = [];
  let k = 0;
  for (const cell of plan) {
    const mine = results.slice(k, k + cell.replicas);
    k += cell.replicas;
    const mc = aggregate(mine, { replicas: cell.replicas, seed: 0 });
    const paper = pick(paperModelFor(cell.params, 'consistent'));
    const isRandom = cell.workload === 'random' || cell.workload === 'hot-cold';
    const distinct = isRandom ? pick(distinctModelFor(cell.params, 'consistent')) : undefined;
    const sim = {
      iterations: mc.estimates.iterations,
      downtimeSeconds: mc.estimates.downtimeSeconds,
      totalSeconds: mc.estimates.totalSeconds,
      pagesTransferred: mc.estimates.pagesTransferred,
    };
    const errs = (m: typeof paper) =>
      m
        ? {
            downtime: relativeError(sim.downtimeSeconds.mean, m.downtimeSeconds),
            total: relativeError(sim.totalSeconds.mean, m.totalSeconds),
            pages: relativeError(sim.pagesTransferred.mean, m.pagesTransferred),
          }
        : {};
    cells.push({
      workload: cell.workload,
      case: cell.case,
      rho: cell.rho,
      alpha: cell.alpha,
      ...(cell.beta !== undefined ? { beta: cell.beta } : {}),
      simulated: sim,
      ...(paper ? { paper } : {}),
      ...(distinct ? { distinct } : {}),
      paperError: errs(paper),
      distinctError: errs(distinct),
    });
  }
  return cells;
}

function quantiles(xs: number[]): { median: number; p90: number; max: number } {
  if (xs.length === 0) return { median: Number.NaN, p90: Number.NaN, max: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { median: q(0.5), p90: q(0.9), max: s[s.length - 1]! };
}

/** Error distribution per workload and case. */
export function summarizeValidation(cells: readonly ValidationCell[]): ValidationSummary[] {
  const groups = new Map<string, ValidationCell[]>();
  for (const c of cells) {
    const key = `${c.workload}\u0000${c.case}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  const out: ValidationSummary[] = [];
  for (const group of groups.values()) {
    const abs = (v: number | undefined) => (v === undefined ? Number.POSITIVE_INFINITY : Math.abs(v));
    const down = group.map((c) => abs(c.paperError.downtime));
    const total = group.map((c) => abs(c.paperError.total));
    const within = (tol: number) =>
      group.filter((c) => abs(c.paperError.downtime) <= tol && abs(c.paperError.total) <= tol).length;
    const hasDistinct = group.some((c) => c.distinct);
    out.push({
      workload: group[0]!.workload,
      case: group[0]!.case,
      cells: group.length,
      downtime: quantiles(down),
      total: quantiles(total),
      within1pct: within(0.01),
      within5pct: within(0.05),
      ...(hasDistinct
        ? {
            distinctDowntime: quantiles(group.map((c) => abs(c.distinctError.downtime))),
            distinctWithin5pct: group.filter(
              (c) => abs(c.distinctError.downtime) <= 0.05 && abs(c.distinctError.total) <= 0.05,
            ).length,
          }
        : {}),
    });
  }
  return out;
}
