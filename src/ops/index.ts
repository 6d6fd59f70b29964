/**
 * The registry of operations: every operation precopy offers, its module, its input and output schemas (zod;
 * the OpenAPI document is generated from them) and how it is offered. Edges map onto these modules; a new
 * operation gets a module here and an entry below (see docs/architecture.md).
 */
import type { z } from 'zod';
import { fleetPlanOutput, fleetPlanRawInput, fleetPredictOutput, fleetPredictRawInput } from './fleet-http.js';
import { errorJson } from './json.js';
import { optimizeOutput, optimizeRawInput } from './optimize.js';
import { predictOutput, predictRawInput } from './predict.js';
import { qemuPlanHttpInput, qemuPlanOutput } from './qemu-http.js';
import { simulateInput, simulateOutput } from './simulate.js';
import { sweepOutput, sweepRawInput } from './sweep.js';

export { OpError, type OpIssue, issuesOf, lineOf, parseInput, zodIssues } from './errors.js';

export interface Operation {
  /** The CLI command and, for HTTP operations, the route `/api/<name>`. */
  readonly name: string;
  readonly summary: string;
  /** The module under src/ops that holds the input schema, the function and the JSON shape. */
  readonly module: string;
  /** Raw input (the JSON body) and result JSON, when the operation is offered over HTTP. */
  readonly http?: { readonly input: z.ZodType; readonly output: z.ZodType };
  /**
   * Heavy: may take seconds to minutes. The server bounds heavy operations (MAX_API_SWEEP_POINTS,
   * MAX_API_SIMULATE, MAX_API_FLEET_VMS) or does not offer them.
   */
  readonly heavy: boolean;
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: 'predict',
    summary: 'Rounds, times, downtime, pages and network utilisation for each case (Table 1 of the paper)',
    module: 'src/ops/predict.ts',
    http: { input: predictRawInput, output: predictOutput },
    heavy: false,
  },
  {
    name: 'optimize',
    summary: 'The alpha that minimises downtime (or total time, or pages) subject to constraints',
    module: 'src/ops/optimize.ts',
    http: { input: optimizeRawInput, output: optimizeOutput },
    heavy: false,
  },
  {
    name: 'sweep',
    summary: 'Predict over lists (A,B,C) and ranges (LO:HI:STEP) of any numeric field, as a cross product',
    module: 'src/ops/sweep.ts',
    http: { input: sweepRawInput, output: sweepOutput },
    heavy: true,
  },
  {
    name: 'simulate',
    summary: 'Simulate pre-copy page by page (workload, link, stop rule) and compare with the models',
    module: 'src/ops/simulate.ts',
    http: { input: simulateInput, output: simulateOutput },
    heavy: true,
  },
  {
    name: 'fleet/predict',
    summary: 'Predict a given schedule (or a baseline policy) of many migrations sharing links, event by event',
    module: 'src/ops/fleet.ts',
    http: { input: fleetPredictRawInput, output: fleetPredictOutput },
    heavy: true,
  },
  {
    name: 'fleet/plan',
    summary: 'Plan a host drain: order, concurrency and knobs per migration, with six baselines side by side',
    module: 'src/ops/fleet.ts',
    http: { input: fleetPlanRawInput, output: fleetPlanOutput },
    heavy: true,
  },
  {
    name: 'qemu/plan',
    summary:
      "QEMU's downtime-limit and max-bandwidth for one VM under QEMU's own stopping rule, with the prediction, the probability of converging where it is one, and the QMP and virsh commands",
    module: 'src/ops/qemu.ts',
    http: { input: qemuPlanHttpInput, output: qemuPlanOutput },
    heavy: true,
  },
  {
    name: 'validate',
    summary: 'Simulator against the closed forms over a grid of rho, alpha and beta',
    module: 'src/ops/validate.ts',
    heavy: true,
  },
  {
    name: 'reproduce',
    summary: "Regenerate the paper's tables and figures with the computed readings",
    module: 'src/ops/reproduce.ts',
    heavy: true,
  },
  {
    name: 'qemu',
    summary: 'Plan a QEMU migration, advise on a running guest, watch a migration (QMP)',
    module: 'src/ops/qemu.ts',
    heavy: false,
  },
];

/** The body of every 4xx answer. */
export const ERROR_JSON = errorJson;
