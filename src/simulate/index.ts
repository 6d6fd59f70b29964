/**
 * The page-level pre-copy simulator (see docs/simulator.md). Pure except `pool.ts`/`worker.ts` (worker
 * threads), `trace-file.ts` (reads a trace file) and `budget.ts` (reads the core count), which are exported from their own modules, not here.
 */
export * from './bitset.js';
export * from './compare.js';
export * from './engine.js';
export * from './link.js';
export * from './montecarlo.js';
export * from './multi.js';
export * from './rng.js';
export * from './stop-rules.js';
export * from './trace.js';
export * from './validate.js';
export * from './workloads.js';
