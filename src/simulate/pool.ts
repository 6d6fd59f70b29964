/**
 * Replicas on worker threads (node:worker_threads, no dependency). A task is (params, seed, replica index);
 * replica r always runs with the stream replicaSeed(seed, r) and results come back in task order, so every
 * output is the same for any number of jobs. `jobs <= 1` runs inline. Kept at the edge of src/simulate: the
 * rest is pure.
 */
import { Worker } from 'node:worker_threads';
import { checkJobsLimit, checkMonteCarloBudget } from './budget.js';
import { type SimulationParams, type SimulationResult, checkSimulation } from './engine.js';
import { type MonteCarloOptions, type MonteCarloResult, aggregate, checkMonteCarlo, runReplica } from './montecarlo.js';

/** One replica to run. */
export interface ReplicaTask {
  readonly params: SimulationParams;
  readonly seed: number;
  readonly index: number;
}

/** How to run tasks. */
export interface JobOptions {
  /** Worker threads, 1 to twice the available cores (./budget.ts); 1 runs in this thread. */
  readonly jobs: number;
  /** Extra Node flags for the workers (tests use a TypeScript loader). */
  readonly execArgv?: readonly string[];
  /** The worker module; default ./worker.js next to this file. */
  readonly workerUrl?: URL;
}

export interface PoolOptions extends MonteCarloOptions, JobOptions {
  /** Memory budget of the run, bytes; default MEMORY_BUDGET_BYTES (2 GiB). Only the command line raises it. */
  readonly memoryBudgetBytes?: number;
}

/** Splits task positions 0..n-1 into `jobs` interleaved lists (position k goes to job k mod jobs). */
export function splitReplicas(n: number, jobs: number): number[][] {
  const parts: number[][] = Array.from({ length: Math.max(1, Math.min(jobs, n)) }, () => []);
  for (let r = 0; r < n; r++) parts[r % parts.length]!.push(r);
  return parts;
}

function runOnWorker(url: URL, execArgv: readonly string[], tasks: ReplicaTask[]): Promise<SimulationResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { execArgv: [...execArgv] });
    let settled = false;
    worker.once('message', (m: { ok: boolean; results?: SimulationResult[]; message?: string }) => {
      settled = true;
      void worker.terminate();
      if (m.ok) resolve(m.results!);
      else reject(new Error(m.message));
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.postMessage({ tasks });
  });
}

/** `jobs` from 1 to twice the available cores (see ./budget.ts). */
function checkJobs(jobs: number): void {
  checkJobsLimit(jobs);
}

/**
 * Runs replica tasks over `jobs` worker threads and returns their results in task order.
 * @throws {ModelInputError} bad `jobs`
 */
export async function runTasks(tasks: readonly ReplicaTask[], options: JobOptions): Promise<SimulationResult[]> {
  checkJobs(options.jobs);
  if (options.jobs === 1 || tasks.length <= 1) return tasks.map((t) => runReplica(t.params, t.seed, t.index));
  const url = options.workerUrl ?? new URL('./worker.js', import.meta.url);
  const parts = splitReplicas(tasks.length, options.jobs);
  const outs = await Promise.all(
    parts.map((positions) =>
      runOnWorker(
        url,
        options.execArgv ?? [],
        positions.map((k) => tasks[k]!),
      ),
    ),
  );
  const results: SimulationResult[] = new Array(tasks.length);
  parts.forEach((positions, j) => {
    positions.forEach((k, i) => {
      results[k] = outs[j]![i]!;
    });
  });
  return results;
}

/**
 * Monte Carlo over `jobs` worker threads; identical results to `monteCarlo` for the same seed.
 * @throws {ModelInputError} bad parameters (checked before any worker starts)
 */
export async function monteCarloParallel(params: SimulationParams, options: PoolOptions): Promise<MonteCarloResult> {
  checkMonteCarlo(options);
  checkSimulation(params);
  checkJobs(options.jobs);
  checkMonteCarloBudget(params, options.replicas, options.jobs, { budgetBytes: options.memoryBudgetBytes });
  const tasks = Array.from({ length: options.replicas }, (_, index) => ({ params, seed: options.seed, index }));
  return aggregate(await runTasks(tasks, options), options);
}
