/**
 * Worker-thread entry of the replica runner (./pool.ts): receives {tasks}, runs each replica and posts the
 * results back in the same order.
 */
import { parentPort } from 'node:worker_threads';
import { runReplica } from './montecarlo.js';
import type { ReplicaTask } from './pool.js';

parentPort?.on('message', (m: { tasks: readonly ReplicaTask[] }) => {
  try {
    const results = m.tasks.map((t) => runReplica(t.params, t.seed, t.index));
    parentPort?.postMessage({ ok: true, results });
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
