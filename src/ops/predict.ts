/**
 * The `predict` operation: Table 1 of the paper for each requested case. Input: {@link predictInput} (the
 * shared zod schema, units parsed inside). Function: {@link predictOp}. JSON: {@link predictJson} (the JSON of
 * `precopy predict --format json` and of `POST /api/predict`).
 */
import { type CaseResult, type Prediction, type PredictOptions, predict } from '../model/index.js';
import { z } from 'zod';
import { ACCOUNTING_CHOICES, type ResolvedPredict, predictInputSchema, predictSchema } from '../schema/index.js';
import { jsonNumber } from './json.js';

/** Raw input (JSON body or flags by camelCase name) to a resolved prediction input. */
export const predictInput = predictSchema;
/** The raw input's shape before resolution (for the OpenAPI document). */
export const predictRawInput = predictInputSchema;

/**
 * Predicts every requested case; a case that does not converge is a result (`converged: false`), not an error.
 * `maxRoundsListed` bounds the per-round list (the explorer draws at most 60 bars per case).
 */
export function predictOp(r: ResolvedPredict, options: Pick<PredictOptions, 'maxRoundsListed'> = {}): Prediction {
  return predict(r.input, r.cases, { strict: r.strict, ...options });
}

/** The JSON object of one case: the contract's keys first, then the extras. */
export function caseJson(r: CaseResult) {
  return {
    rho: r.rho,
    iterations: r.iterations,
    precopySeconds: r.precopySeconds,
    downtimeSeconds: r.downtimeSeconds,
    totalSeconds: r.totalSeconds,
    pagesTransferred: r.pagesTransferred,
    gain: r.gain,
    networkUtilization: r.networkUtilization,
    rounds: r.rounds,
    warnings: r.warnings,
    alpha: r.alpha,
    accounting: r.accounting,
    pages: r.pages,
    pageSeconds: r.pageSeconds,
    downtimePages: r.downtimePages,
    roundsTruncated: r.roundsTruncated,
  };
}

/** The JSON of a prediction: one object per case plus `hotGain`; a non-converging case is `{converged: false, rho, reason}`. */
export function predictJson(r: ResolvedPredict, prediction: Prediction): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of r.cases) {
    const o = prediction[name]!;
    out[name] = o.converged ? caseJson(o) : { converged: false, rho: o.rho, reason: o.reason };
  }
  if (prediction.hotGain !== undefined) out.hotGain = prediction.hotGain;
  return out;
}

const caseResultJson = z.strictObject({
  rho: jsonNumber,
  iterations: z.number().int(),
  precopySeconds: jsonNumber,
  downtimeSeconds: jsonNumber,
  totalSeconds: jsonNumber,
  pagesTransferred: jsonNumber,
  gain: jsonNumber,
  networkUtilization: jsonNumber,
  rounds: z.array(z.strictObject({ pages: jsonNumber, seconds: jsonNumber })),
  warnings: z.array(z.string()),
  alpha: z.number(),
  accounting: z.enum(ACCOUNTING_CHOICES),
  pages: z.number(),
  pageSeconds: jsonNumber,
  downtimePages: jsonNumber,
  roundsTruncated: z.boolean(),
});
const notConvergedJson = z.strictObject({ converged: z.literal(false), rho: jsonNumber, reason: z.string() });
const caseOutcomeJson = z.union([caseResultJson, notConvergedJson]);

/** The shape of {@link predictJson}: the requested cases (by name) and `hotGain` when both hot cases ran. */
export const predictOutput = z.strictObject({
  uniform: caseOutcomeJson.optional(),
  hotPrecopy: caseOutcomeJson.optional(),
  hotDowntime: caseOutcomeJson.optional(),
  hotGain: jsonNumber.optional(),
});
