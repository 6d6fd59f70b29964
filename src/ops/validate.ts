/**
 * The `validate` operation: the simulator against the closed forms over a grid of rho, alpha and beta.
 * Input: the flags' camelCase names, resolved by {@link resolveValidate} into a grid and a worker count;
 * function: src/simulate/validate.ts (planValidation, validationTasks, assembleValidation, summarizeValidation);
 * JSON: `{grid, summary, cells}`.
 */
import { predictSchema } from '../schema/index.js';
import {
  DEFAULT_GRID,
  VALIDATION_WORKLOADS,
  type ValidationGrid,
  type ValidationWorkload,
} from '../simulate/validate.js';
import { OpError, parseInput } from './errors.js';
import { listFlag, numberFlag } from './parse.js';

/** The grid and worker count `validate` resolved from its input. */
export interface ValidateSetup {
  readonly grid: ValidationGrid;
  readonly jobs: number;
}

/** Resolves `validate`'s options (camelCase names, values as text) into a grid; throws OpError on bad input. */
export function resolveValidate(opts: Record<string, unknown>): ValidateSetup {
  const g = { ...DEFAULT_GRID } as { -readonly [K in keyof ValidationGrid]: ValidationGrid[K] };
  if (
    opts.pages !== undefined ||
    opts.memory !== undefined ||
    opts.pageSize !== undefined ||
    opts.bandwidth !== undefined
  ) {
    const resolved = parseInput(predictSchema, {
      pages: opts.pages ?? (opts.memory === undefined ? String(g.pages) : undefined),
      ...(opts.memory !== undefined ? { memory: opts.memory } : {}),
      pageSize: opts.pageSize ?? String(g.pageSizeBytes),
      bandwidth: opts.bandwidth ?? String(g.bandwidthBytesPerSecond),
      dirtyRate: '0',
      alpha: '0.5',
    });
    g.pages = resolved.input.pages;
    g.pageSizeBytes = resolved.input.pageSizeBytes;
    g.bandwidthBytesPerSecond = resolved.input.bandwidthBytesPerSecond;
  }
  if (g.pages > 2 ** 28)
    throw new OpError(`--pages ${g.pages} is out of range: expected at most 268435456 pages for validate`, {
      field: 'pages',
      value: g.pages,
    });
  if (opts.rho !== undefined)
    g.rhos = listFlag(
      '--rho',
      String(opts.rho),
      (v) => v > 0 && v < 1,
      'a list of values 0 < rho < 1, e.g. 0.1,0.5,0.9',
    );
  if (opts.alpha !== undefined)
    g.alphas = listFlag('--alpha', String(opts.alpha), (v) => v > 0 && v < 1, 'a list of values 0 < alpha < 1');
  if (opts.beta !== undefined)
    g.betas = listFlag('--beta', String(opts.beta), (v) => v >= 0 && v < 1, 'a list of values 0 <= beta < 1');
  if (opts.hotRatio !== undefined)
    g.hotRatio = numberFlag('--hot-ratio', String(opts.hotRatio), (v) => v >= 1, 'Dh/Dnh >= 1');
  if (opts.workingSetFraction !== undefined) {
    g.workingSetFraction = numberFlag(
      '--working-set-fraction',
      String(opts.workingSetFraction),
      (v) => v > 0 && v <= 1,
      '0 < fraction <= 1',
    );
  }
  if (opts.workloads !== undefined) {
    const ws = String(opts.workloads)
      .split(',')
      .map((s) => s.trim());
    for (const w of ws) {
      if (!VALIDATION_WORKLOADS.includes(w as ValidationWorkload)) {
        throw new OpError(`--workloads '${w}' is not one of: ${VALIDATION_WORKLOADS.join(', ')}`, {
          field: 'workloads',
          value: w,
        });
      }
    }
    g.workloads = ws as ValidationWorkload[];
  }
  if (opts.replicas !== undefined)
    g.replicas = numberFlag(
      '--replicas',
      String(opts.replicas),
      (v) => Number.isInteger(v) && v >= 1 && v <= 10000,
      'a whole number from 1 to 10000',
    );
  if (opts.seed !== undefined)
    g.seed = numberFlag(
      '--seed',
      String(opts.seed),
      (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
      'a whole number from 0 to 4294967295',
    );
  const jobs = numberFlag(
    '--jobs',
    String(opts.jobs ?? '1'),
    (v) => Number.isInteger(v) && v >= 1 && v <= 256,
    'a whole number from 1 to 256',
  );
  return { grid: g, jobs };
}
