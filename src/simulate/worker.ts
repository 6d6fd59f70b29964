/**
 * Worker-thread entry of the Monte Carlo runner (./pool.ts): receives {params, seed, indices}, runs those
 * replicas and posts the results back in the same order. The only module of src/simulate that touches
 * node:worker_threads besides the pool.
 */
import { parentPort } from 'node:worker_threads';
import type { SimulationParams } from './engine.js';
import { runReplica } from './montecarlo.js';

interface Task {
  readonly params: SimulationParams;
  readonly seed: number;
  readonly indices: readonly number[];
}

parentPort?.on('message', (task: Task) => {
  try {
    const results = task.indices.map((i) => runReplica(task.params, task.seed, i));
    parentPort?.postMessage({ ok: true, results });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
