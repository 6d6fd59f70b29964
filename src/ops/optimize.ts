/**
 * The `optimize` operation: the alpha that minimises downtime (or total time, pages, energy) subject to
 * constraints, for each requested case. Input: {@link optimizeInput}; function: {@link optimizeAll}; JSON:
 * {@link optimizeJson} per case (the JSON of `precopy optimize --format json` and of `POST /api/optimize`).
 */
import { z } from 'zod';
import { OBJECTIVES, type OptimizeResult, optimize } from '../optimize/index.js';
import { ACCOUNTING_CHOICES, type ResolvedOptimize, optimizeInputSchema, optimizeSchema } from '../schema/index.js';
import { jsonNumber } from './json.js';

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
      ...(r.energy ? { energy: r.energy } : {}),
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
    energyJoules: r.energyJoules,
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

const range = z.strictObject({ min: jsonNumber, max: jsonNumber });
const valueAt = z.strictObject({ value: jsonNumber, atAlpha: jsonNumber });
const common = { rho: jsonNumber, objective: z.enum(OBJECTIVES), accounting: z.enum(ACCOUNTING_CHOICES) };
const caseJson = z.union([
  z.strictObject({
    feasible: z.literal(true),
    alpha: z.strictObject({
      min: z.number(),
      max: z.number(),
      minInclusive: z.boolean(),
      maxInclusive: z.boolean(),
      recommended: z.number(),
    }),
    iterations: z.number().int(),
    downtimeSeconds: jsonNumber,
    networkUtilization: range,
    totalSeconds: jsonNumber,
    pagesTransferred: range,
    energyJoules: range,
    ...common,
  }),
  z.strictObject({
    feasible: z.literal(false),
    minNetworkUtilization: jsonNumber,
    atAlpha: jsonNumber,
    violated: z.array(z.string()),
    best: z.strictObject({
      networkUtilization: valueAt,
      downtimeSeconds: valueAt,
      totalSeconds: valueAt,
      pagesTransferred: valueAt,
      energyJoules: valueAt.optional(),
    }),
    ...common,
  }),
  z.strictObject({ feasible: z.literal(false), converged: z.literal(false), reason: z.string(), rho: jsonNumber }),
]);

/** The shape of {@link optimizeAllJson}: one result per requested case. */
export const optimizeOutput = z.strictObject({
  uniform: caseJson.optional(),
  hotPrecopy: caseJson.optional(),
  hotDowntime: caseJson.optional(),
});
