/**
 * The `validate` operation: the simulator against the closed forms over a grid of rho, alpha and beta.
 * Input: {@link validateInput} (zod; units parsed inside with src/schema/fields.ts over src/units, the memory and
 * link through the predict schema) resolves to a grid and a worker count; function: {@link validationPlan}
 * (the tasks, for the edge's runner: worker threads at the command line) then {@link validationReport}, or
 * {@link validateOp} in this thread; JSON: `{grid, summary, cells}` ({@link ValidationReport}).
 */
import { z } from 'zod';
import { type IssueParams, predictSchema } from '../schema/index.js';
import type { SimulationResult } from '../simulate/engine.js';
import { runReplica } from '../simulate/montecarlo.js';
import type { ReplicaTask } from '../simulate/pool.js';
import {
  DEFAULT_GRID,
  VALIDATION_WORKLOADS,
  type ValidationCell,
  type ValidationGrid,
  type ValidationSummary,
  type ValidationWorkload,
  assembleValidation,
  planValidation,
  summarizeValidation,
  validationTasks,
} from '../simulate/validate.js';
import { FieldParser, text } from '../schema/fields.js';

/** Largest memory of a validation grid, pages. */
const MAX_VALIDATE_PAGES = 2 ** 28;

/** Raw input of `precopy validate` (flags by camelCase name; lists as `0.1,0.5,0.9`). */
export const validateRawInput = z.strictObject({
  pages: text.optional(),
  memory: text.optional(),
  pageSize: text.optional(),
  bandwidth: text.optional(),
  rho: text.optional(),
  alpha: text.optional(),
  beta: text.optional(),
  hotRatio: text.optional(),
  workingSetFraction: text.optional(),
  workloads: z.string().optional(),
  replicas: text.optional(),
  seed: text.optional(),
  jobs: text.optional(),
});

/** The fields of the input (commander's option names). */
export const VALIDATE_FIELDS = Object.keys(validateRawInput.shape);

/** The grid and worker count `validate` resolved from its input. */
export interface ValidateSetup {
  readonly grid: ValidationGrid;
  readonly jobs: number;
}

function resolveValidate(raw: z.output<typeof validateRawInput>, ctx: z.RefinementCtx): ValidateSetup {
  const f = new FieldParser(ctx);
  const g = { ...DEFAULT_GRID } as { -readonly [K in keyof ValidationGrid]: ValidationGrid[K] };
  let modelOk = true;
  if (
    raw.pages !== undefined ||
    raw.memory !== undefined ||
    raw.pageSize !== undefined ||
    raw.bandwidth !== undefined
  ) {
    const m = predictSchema.safeParse({
      ...(raw.pages !== undefined || raw.memory === undefined ? { pages: raw.pages ?? String(g.pages) } : {}),
      ...(raw.memory !== undefined ? { memory: raw.memory } : {}),
      pageSize: raw.pageSize ?? String(g.pageSizeBytes),
      bandwidth: raw.bandwidth ?? String(g.bandwidthBytesPerSecond),
      dirtyRate: '0',
      alpha: '0.5',
    });
    if (m.success) {
      g.pages = m.data.input.pages;
      g.pageSizeBytes = m.data.input.pageSizeBytes;
      g.bandwidthBytesPerSecond = m.data.input.bandwidthBytesPerSecond;
      if (g.pages > MAX_VALIDATE_PAGES) {
        f.fail('pages', g.pages, `is out of range: expected at most ${MAX_VALIDATE_PAGES} pages for validate`);
      }
    } else {
      modelOk = false;
      for (const issue of m.error.issues) {
        const params = (issue as { params?: IssueParams }).params;
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, ...(params ? { params } : {}) });
      }
    }
  }
  const fraction = (v: number) => v > 0 && v < 1;
  const rhos =
    raw.rho === undefined ? g.rhos : f.list('rho', raw.rho, fraction, 'a list of values 0 < rho < 1, e.g. 0.1,0.5,0.9');
  const alphas =
    raw.alpha === undefined ? g.alphas : f.list('alpha', raw.alpha, fraction, 'a list of values 0 < alpha < 1');
  const betas =
    raw.beta === undefined
      ? g.betas
      : f.list('beta', raw.beta, (v) => v >= 0 && v < 1, 'a list of values 0 <= beta < 1');
  const hotRatio =
    raw.hotRatio === undefined ? g.hotRatio : f.number('hotRatio', raw.hotRatio, (v) => v >= 1, 'Dh/Dnh >= 1');
  const workingSetFraction =
    raw.workingSetFraction === undefined
      ? g.workingSetFraction
      : f.number('workingSetFraction', raw.workingSetFraction, (v) => v > 0 && v <= 1, '0 < fraction <= 1');
  let workloads: readonly ValidationWorkload[] | undefined = g.workloads;
  if (raw.workloads !== undefined) {
    const ws = raw.workloads.split(',').map((s) => s.trim());
    const bad = ws.find((w) => !VALIDATION_WORKLOADS.includes(w as ValidationWorkload));
    workloads =
      bad === undefined
        ? (ws as ValidationWorkload[])
        : f.fail('workloads', bad, `is not one of: ${VALIDATION_WORKLOADS.join(', ')}`);
  }
  const replicas =
    raw.replicas === undefined
      ? g.replicas
      : f.number(
          'replicas',
          raw.replicas,
          (v) => Number.isInteger(v) && v >= 1 && v <= 10000,
          'a whole number from 1 to 10000',
        );
  const seed =
    raw.seed === undefined
      ? g.seed
      : f.number(
          'seed',
          raw.seed,
          (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
          'a whole number from 0 to 4294967295',
        );
  const jobs = f.number(
    'jobs',
    raw.jobs ?? '1',
    (v) => Number.isInteger(v) && v >= 1 && v <= 256,
    'a whole number from 1 to 256',
  );
  if (
    !modelOk ||
    f.count > 0 ||
    [rhos, alphas, betas, hotRatio, workingSetFraction, workloads, replicas, seed, jobs].includes(undefined)
  ) {
    return z.NEVER;
  }
  return {
    grid: {
      ...g,
      rhos: rhos!,
      alphas: alphas!,
      betas: betas!,
      hotRatio: hotRatio!,
      workingSetFraction: workingSetFraction!,
      workloads: workloads!,
      replicas: replicas!,
      seed: seed!,
    },
    jobs: jobs!,
  };
}

/** Raw input (flags by camelCase name) to a resolved {@link ValidateSetup}. */
export const validateInput = validateRawInput.transform(resolveValidate);

/** The cells of a grid and the replica tasks that compute them (sizes checked before anything is allocated). */
export interface ValidationPlan {
  readonly cells: ReturnType<typeof planValidation>;
  readonly tasks: readonly ReplicaTask[];
}

export function validationPlan(setup: ValidateSetup): ValidationPlan {
  const cells = planValidation(setup.grid);
  return { cells, tasks: validationTasks(cells, setup.grid.seed) };
}

/** The JSON of `validate --format json`. */
export interface ValidationReport {
  readonly grid: ValidationGrid;
  readonly summary: ValidationSummary[];
  readonly cells: ValidationCell[];
}

/** The tasks' results (in task order) assembled into cells and summarised per workload and case. */
export function validationReport(
  setup: ValidateSetup,
  plan: ValidationPlan,
  results: readonly SimulationResult[],
): ValidationReport {
  const cells = assembleValidation(plan.cells, results);
  return { grid: setup.grid, summary: summarizeValidation(cells), cells };
}

/** The whole operation in this thread (the command line runs the tasks on worker threads instead). */
export function validateOp(setup: ValidateSetup): ValidationReport {
  const plan = validationPlan(setup);
  return validationReport(
    setup,
    plan,
    plan.tasks.map((t) => runReplica(t.params, t.seed, t.index)),
  );
}
