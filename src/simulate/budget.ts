/**
 * Size checks made before anything is allocated: the memory a page-level simulation needs, replicas x jobs,
 * the validation grid, and the number of worker threads. Pure (the core count is passed in or read once by
 * {@link defaultMaxJobs}); the operations layer calls these before running anything.
 *
 * The memory estimate (documented in docs/simulator.md):
 *   per replica in flight  W = bitmaps * ceil(Ps/32) * 4 bytes    (pending, log, written: 3 bitmaps of Ps bits;
 *                                                                  fluid workloads keep no bitmap: W = 0)
 *   per worker thread      O = 16 MiB                               (a Node worker's own heap and code)
 *   per finished replica   K = 4 KiB                                (its result, kept until aggregated)
 *   estimate = c * W + (jobs > 1 ? c * O : 0) + R * K,  c = min(jobs, R) replicas in flight.
 * It is refused above a budget, 2 GiB by default (MEMORY_BUDGET_BYTES). The command line may raise the budget
 * with a flag; the HTTP API never does.
 */
import { availableParallelism } from 'node:os';
import { ModelInputError } from '../model/errors.js';
import type { SimulationParams } from './engine.js';
import { wordsFor } from './bitset.js';
import type { ValidationGrid } from './validate.js';

/** Default memory budget of one operation, bytes (2 GiB). */
export const MEMORY_BUDGET_BYTES = 2 * 2 ** 30;
/** Bitmaps of Ps bits a page-level replica holds at once (pending, dirty log, written-since-start). */
export const BITMAPS_PER_REPLICA = 3;
/** Estimated fixed cost of one worker thread, bytes. */
export const WORKER_OVERHEAD_BYTES = 16 * 2 ** 20;
/** Estimated size of one finished replica's result kept until aggregation, bytes. */
export const RESULT_BYTES = 4096;
/** Most cells a validation grid may have (rhos x alphas x betas x cases x workloads). */
export const MAX_VALIDATION_CELLS = 100_000;
/** Most replica runs a validation may start (cells x replicas). */
export const MAX_VALIDATION_RUNS = 1_000_000;

/** The cap on `jobs`: twice the available cores (a worker per core, and as many waiting on memory). */
export function defaultMaxJobs(cores: number = availableParallelism()): number {
  return Math.max(1, 2 * Math.floor(cores));
}

/**
 * Checks a worker-thread count against the cap (default: twice the available cores).
 * @throws {ModelInputError} parameter `jobs`
 */
export function checkJobsLimit(jobs: unknown, maxJobs: number = defaultMaxJobs()): void {
  if (!(typeof jobs === 'number' && Number.isInteger(jobs) && jobs >= 1 && jobs <= maxJobs)) {
    throw new ModelInputError('jobs', jobs, `a whole number from 1 to ${maxJobs} (twice the available cores)`);
  }
}

/** Bytes of working memory of one replica of `params` (bitmaps; 0 for the fluid workload). */
export function replicaWorkingBytes(params: Pick<SimulationParams, 'pages' | 'workload'>): number {
  if (params.workload?.kind === 'fluid') return 0;
  return BITMAPS_PER_REPLICA * wordsFor(params.pages) * 4;
}

/** The memory estimate of R replicas over `jobs` threads (formula in the module doc). */
export function estimateRunBytes(workingBytesPerReplica: number, replicas: number, jobs: number): number {
  const inFlight = Math.min(Math.max(1, jobs), Math.max(1, replicas));
  return (
    inFlight * workingBytesPerReplica + (jobs > 1 ? inFlight * WORKER_OVERHEAD_BYTES : 0) + replicas * RESULT_BYTES
  );
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/**
 * Refuses a run whose memory estimate exceeds the budget, before anything is allocated.
 * @throws {ModelInputError} parameter `memoryEstimate`, naming the estimate and the budget
 */
export function checkMemoryBudget(
  estimateBytes: number,
  budgetBytes: number = MEMORY_BUDGET_BYTES,
  what = 'the run',
): void {
  if (!(Number.isFinite(budgetBytes) && budgetBytes > 0)) {
    throw new ModelInputError('memoryBudget', budgetBytes, 'a finite number of bytes > 0');
  }
  if (!(estimateBytes <= budgetBytes)) {
    throw new ModelInputError(
      'memoryEstimate',
      mib(estimateBytes),
      `at most ${mib(budgetBytes)}`,
      `${what} would need about ${mib(estimateBytes)} of memory, above the budget of ${mib(budgetBytes)}: use fewer pages, replicas or jobs`,
    );
  }
}

/**
 * Checks a Monte Carlo run (R replicas of `params` over `jobs` threads) against the jobs cap and the memory
 * budget. Call before {@link monteCarloParallel} / {@link monteCarlo}.
 */
export function checkMonteCarloBudget(
  params: Pick<SimulationParams, 'pages' | 'workload'>,
  replicas: number,
  jobs = 1,
  options: { budgetBytes?: number; maxJobs?: number } = {},
): number {
  checkJobsLimit(jobs, options.maxJobs);
  const est = estimateRunBytes(replicaWorkingBytes(params), replicas, jobs);
  checkMemoryBudget(est, options.budgetBytes, `${replicas} replicas over ${jobs} jobs`);
  return est;
}

/** Cells and replica runs of a validation grid, computed from the list lengths (nothing is built). */
export function validationSize(g: Pick<ValidationGrid, 'rhos' | 'alphas' | 'betas' | 'workloads' | 'replicas'>): {
  cells: number;
  runs: number;
} {
  let cells = 0;
  let runs = 0;
  const uniformCells = g.rhos.length * g.alphas.length;
  const hotCells = 2 * g.betas.length * uniformCells;
  for (const w of g.workloads) {
    const c = (w !== 'hot-cold' ? uniformCells : 0) + (w === 'fluid' || w === 'hot-cold' ? hotCells : 0);
    cells += c;
    runs += c * (w === 'random' || w === 'hot-cold' ? g.replicas : 1);
  }
  return { cells, runs };
}

/**
 * Checks a validation grid's size (cells, runs) and memory estimate before the grid is built.
 * @throws {ModelInputError} `grid` (too many cells or runs) or `memoryEstimate`
 */
export function checkValidationBudget(
  g: ValidationGrid,
  jobs = 1,
  options: { budgetBytes?: number; maxJobs?: number } = {},
): { cells: number; runs: number; estimateBytes: number } {
  const { cells, runs } = validationSize(g);
  if (cells > MAX_VALIDATION_CELLS) {
    throw new ModelInputError(
      'grid',
      `${cells} cells`,
      `at most ${MAX_VALIDATION_CELLS} cells (rhos x alphas x (1 + 2 x betas) per workload)`,
    );
  }
  if (runs > MAX_VALIDATION_RUNS) {
    throw new ModelInputError('grid', `${runs} runs`, `at most ${MAX_VALIDATION_RUNS} runs (cells x replicas)`);
  }
  checkJobsLimit(jobs, options.maxJobs);
  const estimateBytes = estimateRunBytes(BITMAPS_PER_REPLICA * wordsFor(g.pages) * 4, runs, jobs);
  checkMemoryBudget(estimateBytes, options.budgetBytes, `the validation grid (${runs} runs)`);
  return { cells, runs, estimateBytes };
}
