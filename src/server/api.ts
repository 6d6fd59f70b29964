/**
 * The JSON API: the command line's predict, optimize and sweep behind HTTP, with the same zod schema, the same
 * validation and the same JSON as `--format json`. Handlers are plain functions from a parsed body to a status
 * and a JSON value, so they are testable without HTTP.
 */
import { type OpIssue, issuesOf, zodIssues } from '../ops/errors.js';
import { FleetInventoryError } from '../fleet/index.js';
import { fleetPlan, fleetPlanInputSchema, fleetPredict, fleetPredictInputSchema } from '../ops/fleet.js';
import { MAX_API_FLEET_BUDGET, checkFleetSize, inventoryIssues } from '../ops/fleet-http.js';
import { optimizeAll, optimizeAllJson, optimizeInput } from '../ops/optimize.js';
import { predictInput, predictJson, predictOp } from '../ops/predict.js';
import { planOp, qemuInputError, qemuPlanHttpInput } from '../ops/qemu.js';
import { simulateInput, simulateOp } from '../ops/simulate.js';
import { SWEEP_COLUMNS, checkSweep, planSweepOp, sweepInput, sweepRecords } from '../ops/sweep.js';

/** One problem with a request, data first: what, where, the value given, and a line in words (src/ops/errors.ts). */
export type ApiIssue = OpIssue;

/** The body of every 4xx answer. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly issues: readonly ApiIssue[] };
}

export type ApiResult =
  | { readonly status: 200; readonly body: unknown }
  | { readonly status: 400; readonly body: ApiErrorBody };

/** At most this many sweep points per request (the CLI streams more; an HTTP answer is held in memory). */
export const MAX_API_SWEEP_POINTS = 100_000;

/** The body of a 4xx answer: a code, one line joining the issues' messages, and the issues. */
export function errorBody(code: string, issues: readonly ApiIssue[]): ApiErrorBody {
  return { error: { code, message: issues.map((i) => i.message).join('; '), issues } };
}

function bad(issues: readonly ApiIssue[]): ApiResult {
  return { status: 400, body: errorBody('invalid_request', issues) };
}

function guard(run: () => ApiResult): ApiResult {
  try {
    return run();
  } catch (e) {
    if (e instanceof FleetInventoryError) return bad(inventoryIssues(e));
    const issues = issuesOf(e);
    if (issues) return bad(issues);
    throw e;
  }
}

function objectBody(body: unknown): ApiResult | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad([{ code: 'invalid_type', path: [], message: 'the request body must be a JSON object' }]);
  }
  return undefined;
}

/**
 * POST /api/predict: the body is the predict input (`{"preset": "paper", "alpha": 0.05}`, units as text).
 * Answers the JSON of `precopy predict --format json`: one object per case plus `hotGain`; a case that does not
 * converge is `{converged: false, rho, reason}` (a result, not an error).
 */
export function apiPredict(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = predictInput.safeParse(body, { reportInput: true });
      if (!r.success) return bad(zodIssues(r.error));
      return { status: 200, body: predictJson(r.data, predictOp(r.data)) };
    })
  );
}

/**
 * POST /api/optimize: the body is the optimize input (`{"preset": "paper", "maxUtilization": 0.4}`).
 * Answers the JSON of `precopy optimize --format json`: one result per case.
 */
export function apiOptimize(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = optimizeInput.safeParse(body, { reportInput: true });
      if (!r.success) return bad(zodIssues(r.error));
      return { status: 200, body: optimizeAllJson(optimizeAll(r.data)) };
    })
  );
}

/**
 * POST /api/sweep: the predict input where any numeric field may be a list `"A,B,C"` or a range
 * `"LO:HI:STEP"` (as the CLI's sweep flags). Answers `{columns, rows}` with the rows of
 * `precopy sweep --format jsonl`. Every point is validated before any is computed.
 */
export function apiSweep(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const raw = body as Record<string, unknown>;
      const axes: [string, string][] = [];
      const fixed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v === 'string' && (v.includes(':') || v.includes(',')) && SWEEPABLE.has(k)) axes.push([k, v]);
        else fixed[k] = v;
      }
      const plan = planSweepOp(fixed, axes);
      const total = plan.total;
      if (total > MAX_API_SWEEP_POINTS) {
        return bad([
          {
            code: 'too_many_points',
            path: [],
            value: total,
            message: `the sweep has ${total} points: at most ${MAX_API_SWEEP_POINTS} per request (use the CLI for more)`,
          },
        ]);
      }
      // Every point is validated before any row is computed: a bad point is a 400, never half an answer.
      const check = checkSweep(plan);
      if (!check.ok) {
        const r = sweepInput.safeParse(check.raw, { reportInput: true });
        if (!r.success) return bad(zodIssues(r.error));
      }
      return { status: 200, body: { columns: SWEEP_COLUMNS, rows: [...sweepRecords(plan)] } };
    })
  );
}

const SWEEPABLE = new Set([
  'pages',
  'memory',
  'pageSize',
  'bandwidth',
  'dirtyRate',
  'hotRate',
  'coldRate',
  'alpha',
  'downtimeLimit',
  'hotFraction',
]);

/** Largest simulation one request may ask for: pages per replica, replicas, and pages x replicas. */
export const MAX_API_SIMULATE = { pages: 2 ** 22, replicas: 100, pageReplicas: 2 ** 24 } as const;

/**
 * POST /api/simulate: the body is `precopy simulate`'s options by their camelCase names (`{"preset": "paper",
 * "alpha": 0.05, "workload": "random", "seed": 1}`). Answers the JSON of `precopy simulate --format json`.
 * The body goes through the operation's schema (src/ops/simulate.ts simulateInput, the one the OpenAPI document
 * describes). Runs in the request (no worker threads), so it is bounded by MAX_API_SIMULATE; `trace` workloads
 * are refused (they read a file) and `jobs` is not accepted.
 */
export function apiSimulate(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = simulateInput.safeParse(body);
      if (!r.success) return bad(zodIssues(r.error));
      const { params, replicas } = r.data;
      const limit = (field: string, value: number, max: number, what: string): ApiResult =>
        bad([
          {
            code: 'too_large',
            path: [field],
            field,
            value,
            message: `${what} ${value} is too large for one request: at most ${max} (use the CLI for more)`,
          },
        ]);
      if (params.pages > MAX_API_SIMULATE.pages) return limit('pages', params.pages, MAX_API_SIMULATE.pages, 'pages');
      if (replicas > MAX_API_SIMULATE.replicas)
        return limit('replicas', replicas, MAX_API_SIMULATE.replicas, 'replicas');
      if (params.pages * replicas > MAX_API_SIMULATE.pageReplicas)
        return limit('replicas', params.pages * replicas, MAX_API_SIMULATE.pageReplicas, 'pages x replicas');
      return { status: 200, body: simulateOp(r.data).json };
    })
  );
}

/**
 * POST /api/fleet/predict: the body is `fleet predict`'s input (`{"inventory": {...} | "yaml text", "policy":
 * "nova"}` or `"schedule": {...} | "yaml text"`, `"rounds": true`). Answers the JSON of `precopy fleet predict
 * --format json`. An inventory with problems is a 400 with one issue per problem (VM or host, field, line).
 * Bounded: at most MAX_API_FLEET_VMS VMs.
 */
export function apiFleetPredict(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = fleetPredictInputSchema.safeParse(body);
      if (!r.success) return bad(zodIssues(r.error));
      checkFleetSize(r.data.inventory);
      return { status: 200, body: fleetPredict(r.data) };
    })
  );
}

/**
 * POST /api/fleet/plan: the body is `fleet plan`'s input (`{"inventory": ..., "objective": "makespan",
 * "budget": 150}`). Answers the JSON of `precopy fleet plan --format json`. Bounded: at most MAX_API_FLEET_VMS
 * VMs and a budget of at most MAX_API_FLEET_BUDGET evaluations.
 */
export function apiFleetPlan(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = fleetPlanInputSchema.safeParse(body);
      if (!r.success) return bad(zodIssues(r.error));
      if (r.data.budget !== undefined && r.data.budget > MAX_API_FLEET_BUDGET) {
        return bad([
          {
            code: 'too_large',
            path: ['budget'],
            field: 'budget',
            value: r.data.budget,
            message: `budget ${r.data.budget} is too large for one request: at most ${MAX_API_FLEET_BUDGET} (use the CLI for more)`,
          },
        ]);
      }
      checkFleetSize(r.data.inventory);
      return { status: 200, body: fleetPlan(r.data) };
    })
  );
}

/**
 * POST /api/qemu/plan: the body is `qemu plan`'s input without `format` (`{"memory": "16GiB", "linkBandwidth":
 * "10Gbit/s", "dirtyRate": "200MB/s", "maxDowntime": "300ms"}`). Answers the JSON of `precopy qemu plan --format
 * json`: the knobs, the prediction under QEMU's stopping rule, the probability of converging where it is one, and
 * the QMP and virsh commands. A migration that never converges is a result (with its remedy), not an error.
 */
export function apiQemuPlan(body: unknown): ApiResult {
  return (
    objectBody(body) ??
    guard(() => {
      const r = qemuPlanHttpInput.safeParse(body, { reportInput: true });
      if (!r.success) return bad(zodIssues(r.error));
      try {
        return { status: 200, body: planOp(r.data).json };
      } catch (e) {
        // a range the planner checks (e.g. the working set above the non-zero pages) named as the field
        throw qemuInputError(e);
      }
    })
  );
}
