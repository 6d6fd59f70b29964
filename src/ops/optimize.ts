/**
 * The `optimize` operation: the alpha that minimises downtime (or total time, or pages) subject to
 * constraints, for each requested case. Input: {@link optimizeInput}; function: {@link optimizeAll}; JSON:
 * {@link optimizeJson} per case (the JSON of `precopy optimize --format json` and of `POST /api/optimize`).
 */
import { type OptimizeResult, optimize } from '../optimize/index.js';
import { type ResolvedOptimize, optimizeInputSchema, optimizeSchema } from '../schema/index.js';

/** Raw input to a resolved optimize input. */
export const optimizeInput = optimizeSchema;
/** The raw input's shape before resolution (for the OpenAPI document). */
export const optimizeRawInput = optimizeInputSchema;

/** Runs the optimiser for every requested case. */
export function optimizeAll(r: ResolvedOptimize): Record<string, OptimizeResult> {
  const out: Record<string, OptimizeResult> = {};
  for (const c of r.cases) {
    out[c] = optimize({
      ...r.base,
      case: c,
      alphaRange: r.alphaRange,
      constraints: r.constraints,
      objective: r.objective,
    });
  }
  return out;
}

/** The JSON contract of one case: `{feasible: true, alpha: {min, max}, iterations, downtimeSeconds,
 * networkUtilization: {min, max}}` or `{feasible: false, minNetworkUtilization, atAlpha}`, plus extras. */
export function optimizeJson(r: OptimizeResult) {
  if (!r.converged) return { feasible: false, converged: false, reason: r.reason, rho: r.rho };
  if (!r.feasible) {
    return {
      feasible: false,
      minNetworkUtilization: r.minNetworkUtilization,
      atAlpha: r.atAlpha,
      violated: r.violated,
      best: r.best,
      rho: r.rho,
      objective: r.objective,
      accounting: r.accounting,
    };
  }
  return {
    feasible: true,
    alpha: r.alpha,
    iterations: r.iterations,
    downtimeSeconds: r.downtimeSeconds,
    networkUtilization: r.networkUtilization,
    totalSeconds: r.totalSeconds,
    pagesTransferred: r.pagesTransferred,
    rho: r.rho,
    objective: r.objective,
    accounting: r.accounting,
  };
}

/** The JSON of every case's result, keyed by case. */
export function optimizeAllJson(results: Record<string, OptimizeResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, o] of Object.entries(results)) out[k] = optimizeJson(o);
  return out;
}
