/**
 * Monte Carlo on worker threads (node:worker_threads, no dependency). Replica r always runs with the stream
 * replicaSeed(seed, r) and results are put back in replica order before aggregation, so the output is the same
 * for any number of jobs. `jobs <= 1` runs inline. Kept at the edge of src/simulate: the rest is pure.
 */
import { Worker } from 'node:worker_threads';
import { ModelInputError } from '../model/errors.js';
import { checkSimulation, type SimulationParams, type SimulationResult } from './engine.js';
import { aggregate, checkMonteCarlo, type MonteCarloOptions, type MonteCarloResult, monteCarlo } from './montecarlo.js';

export interface PoolOptions extends MonteCarloOptions {
  /** Worker threads, >= 1; 1 runs in this thread. */
  readonly jobs: number;
  /** Extra Node flags for the workers (tests use a TypeScript loader). */
  readonly execArgv?: readonly string[];
  /** The worker module; default ./worker.js next to this file. */
  readonly workerUrl?: URL;
}

/** Splits replica indices 0..R-1 into `jobs` interleaved lists (r goes to job r mod jobs). */
export function splitReplicas(replicas: number, jobs: number): number[][] {
  const parts: number[][] = Array.from({ length: Math.min(jobs, replicas) }, () => []);
  for (let r = 0; r < replicas; r++) parts[r % parts.length]!.push(r);
  return parts;
}

function runOnWorker(
  url: URL,
  execArgv: readonly string[],
  params: SimulationParams,
  seed: number,
  indices: number[],
): Promise<SimulationResult[]> {
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
    worker.postMessage({ params, seed, indices });
  });
}

/**
 * Monte Carlo over `jobs` worker threads; identical results to {@link monteCarlo} for the same seed.
 * @throws {ModelInputError} bad parameters (checked before any worker starts)
 */
export async function monteCarloParallel(params: SimulationParams, options: PoolOptions): Promise<MonteCarloResult> {
  checkMonteCarlo(options);
  checkSimulation(params);
  if (!(Number.isInteger(options.jobs) && options.jobs >= 1 && options.jobs <= 256)) {
    throw new ModelInputError('jobs', options.jobs, 'a whole number from 1 to 256');
  }
  if (options.jobs === 1 || options.replicas === 1) return monteCarlo(params, options);
  const url = options.workerUrl ?? new URL('./worker.js', import.meta.url);
  const parts = splitReplicas(options.replicas, options.jobs);
  const outs = await Promise.all(
    parts.map((indices) => runOnWorker(url, options.execArgv ?? [], params, options.seed, indices)),
  );
  const results: SimulationResult[] = new Array(options.replicas);
  parts.forEach((indices, j) => {
    indices.forEach((r, k) => {
      results[r] = outs[j]![k]!;
    });
  });
  return aggregate(results, options);
}
