/**
 * The one input schema of precopy (zod), shared by the CLI, the HTTP API and the explorer. Raw input carries
 * units as text (`'64GiB'`, `'10Gbit/s'`, `'300ms'`) or plain numbers in base units; resolution turns it into
 * the model's base-unit {@link ModelInput}. Errors are zod issues whose `params` hold the field, the value as
 * given and the valid range, so every edge can word them in its own spelling (`--page-size`, `pageSize`).
 */
import { z } from 'zod';
import {
  type Accounting,
  type CaseName,
  MAX_PAGES,
  type ModelInput,
  availableCases,
  hasHotParams,
} from '../model/index.js';
import { FieldParser, type IssueParams, show } from './fields.js';
import { type EnergyModel, LIU_ENERGY } from '../fleet/energy-model.js';
import type { Constraints, Objective } from '../optimize/index.js';
import {
  dirtyPagesPerSecond,
  parseDirtyRate,
  parseDuration,
  parseNumber,
  parseRate,
  parseSize,
} from '../units/index.js';

export { type IssueParams, flagOf } from './fields.js';

export const CASE_CHOICES = ['uniform', 'hot-precopy', 'hot-downtime', 'all'] as const;
export type CaseChoice = (typeof CASE_CHOICES)[number];
export const CASE_KEY: Record<Exclude<CaseChoice, 'all'>, CaseName> = {
  uniform: 'uniform',
  'hot-precopy': 'hotPrecopy',
  'hot-downtime': 'hotDowntime',
};
export const ACCOUNTING_CHOICES = ['paper', 'consistent'] as const;
export const OBJECTIVE_CHOICES = ['downtime', 'total-time', 'pages', 'energy'] as const;
export const OBJECTIVE_KEY: Record<(typeof OBJECTIVE_CHOICES)[number], Objective> = {
  downtime: 'downtime',
  'total-time': 'totalTime',
  pages: 'pagesTransferred',
  energy: 'energy',
};

/** Table 2 of the paper: the built-in defaults of `--preset paper`. */
export const PAPER_PRESET = {
  pages: 4096,
  pageSize: '16KB',
  bandwidth: '60KB/s',
  dirtyRate: '2',
  hotFraction: '0.1',
  hotRate: '4',
  coldRate: '1.8',
  alpha: '0.05',
  maxUtilization: '0.4',
} as const;

const value = z.union([z.number(), z.string()]);

const modelFields = {
  preset: z.enum(['paper']).optional(),
  pages: value.optional(),
  memory: value.optional(),
  pageSize: value.optional(),
  bandwidth: value.optional(),
  dirtyRate: value.optional(),
  hotFraction: value.optional(),
  hotRate: value.optional(),
  coldRate: value.optional(),
  case: z.enum(CASE_CHOICES).optional(),
  accounting: z.enum(ACCOUNTING_CHOICES).optional(),
  strict: z.boolean().optional(),
};

/** Raw input of `predict` (and of every sweep point). */
export const predictInputSchema = z.strictObject({
  ...modelFields,
  alpha: value.optional(),
  downtimeLimit: value.optional(),
});
export type PredictInputRaw = z.input<typeof predictInputSchema>;

/** Raw input of `optimize`. */
export const optimizeInputSchema = z.strictObject({
  ...modelFields,
  maxUtilization: value.optional(),
  alphaRange: z.union([z.string(), z.strictObject({ min: z.number(), max: z.number() })]).optional(),
  maxDowntime: value.optional(),
  maxTotalTime: value.optional(),
  maxPages: value.optional(),
  /** Energy limit, joules (src/fleet/energy-model.ts). */
  maxEnergy: value.optional(),
  /** Energy coefficients (default Liu et al., HPDC 2011): J per MB (10^6 B) sent, J per migration, host W. */
  joulesPerMegabyte: value.optional(),
  joulesPerMigration: value.optional(),
  hostPowerWatts: value.optional(),
  objective: z.enum(OBJECTIVE_CHOICES).optional(),
});
export type OptimizeInputRaw = z.input<typeof optimizeInputSchema>;

type Ctx = z.RefinementCtx;

/**
 * These schemas stop at their first problem (later fields depend on earlier ones: the memory on the page
 * size, alpha on the memory and link): a parser that returned undefined (its issue added) ends the run.
 */
const ABORT = Symbol('abort');
function must<T>(v: T | undefined): T {
  if (v === undefined) throw ABORT;
  return v;
}
function abort(_issueAdded: undefined): never {
  throw ABORT;
}

/** Whether text is a plain number as src/units reads it. */
function isNumber(t: string): boolean {
  try {
    parseNumber(t);
    return true;
  } catch {
    return false;
  }
}

/** A value in an error line: text quoted, JSON for arrays, objects and null, at most 60 characters. */
function showValue(v: unknown): string {
  const text = typeof v === 'object' ? JSON.stringify(v) : show(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** What an invalid_type or invalid_union issue expected, in words ("a number or text ..."). */
function expectedTypes(issue: z.core.$ZodIssue): string | undefined {
  const list =
    issue.code === 'invalid_type'
      ? [issue.expected]
      : issue.code === 'invalid_union'
        ? issue.errors.flat().flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : []))
        : [];
  const words = [...new Set(list.map((t) => TYPE_WORDS[t] ?? String(t)))];
  return words.length ? words.join(' or ') : undefined;
}

/** The model part of a resolved input. */
export interface ResolvedModel {
  /** All parameters but alpha. */
  readonly base: Omit<ModelInput, 'alpha'>;
  readonly cases: readonly CaseName[];
  readonly accounting: Accounting;
  readonly strict: boolean;
}

type ModelRaw = { [K in keyof typeof modelFields]?: z.output<(typeof modelFields)[K]> };

function resolveModel(rawIn: ModelRaw, ctx: Ctx): ResolvedModel {
  const f = new FieldParser(ctx);
  const raw: ModelRaw = rawIn.preset === 'paper' ? { ...PAPER_PRESET, ...stripUndefined(rawIn) } : rawIn;
  const pageSizeBytes = raw.pageSize === undefined ? 4096 : must(f.read('pageSize', raw.pageSize, parseSize));
  must(f.within('pageSize', raw.pageSize, pageSizeBytes, pageSizeBytes > 0, 'a size > 0 (e.g. 4KiB)'));

  let pages: number;
  if (raw.pages !== undefined && raw.memory !== undefined) {
    abort(f.fail('memory', raw.memory, 'conflicts with pages: give pages or memory, not both'));
  }
  if (raw.pages !== undefined) {
    pages = must(f.number('pages', raw.pages, () => true, 'a finite decimal number'));
    must(
      f.within(
        'pages',
        raw.pages,
        pages,
        Number.isInteger(pages) && pages >= 1 && pages <= MAX_PAGES,
        `a whole number of pages from 1 to ${MAX_PAGES}`,
      ),
    );
  } else if (raw.memory !== undefined) {
    const bytes = must(f.read('memory', raw.memory, parseSize));
    // A partial last page is still a page to copy.
    pages = Math.ceil(bytes / pageSizeBytes - 1e-9);
    must(
      f.within(
        'memory',
        raw.memory,
        bytes,
        bytes > 0 && pages <= MAX_PAGES,
        `a size > 0 and at most ${MAX_PAGES} pages`,
      ),
    );
  } else {
    return abort(f.fail('pages', undefined, 'is missing: give pages (a count) or memory (a size such as 64GiB)'));
  }

  if (raw.bandwidth === undefined)
    abort(f.fail('bandwidth', undefined, 'is missing: give a rate such as 1Gbit/s or 125MB/s'));
  const bandwidth = must(f.read('bandwidth', raw.bandwidth, parseRate));
  must(f.within('bandwidth', raw.bandwidth, bandwidth, bandwidth > 0, 'a rate > 0 (e.g. 10Gbit/s)'));

  const dirty = (field: 'dirtyRate' | 'hotRate' | 'coldRate'): number | undefined => {
    const r = raw[field];
    if (r === undefined) return undefined;
    const v = must(f.read(field, r, (t) => dirtyPagesPerSecond(parseDirtyRate(t), pageSizeBytes)));
    return must(
      f.within(field, r, v, Number.isFinite(v) && v >= 0, 'a rate >= 0 (pages/s, or a byte rate such as 8MB/s)'),
    );
  };
  const dirtyPages = dirty('dirtyRate');
  let hotFraction: number | undefined;
  if (raw.hotFraction !== undefined) {
    hotFraction = must(f.fraction('hotFraction', raw.hotFraction));
    must(
      f.within(
        'hotFraction',
        raw.hotFraction,
        hotFraction,
        hotFraction >= 0 && hotFraction < 1,
        '0 <= hot-fraction < 1',
      ),
    );
  }
  const hotRate = dirty('hotRate');
  const coldRate = dirty('coldRate');

  const base: Omit<ModelInput, 'alpha'> = {
    pages,
    pageSizeBytes,
    bandwidthBytesPerSecond: bandwidth,
    accounting: raw.accounting ?? 'paper',
    ...(dirtyPages !== undefined ? { dirtyPagesPerSecond: dirtyPages } : {}),
    ...(hotFraction !== undefined ? { hotFraction } : {}),
    ...(hotRate !== undefined ? { hotDirtyPagesPerSecond: hotRate } : {}),
    ...(coldRate !== undefined ? { coldDirtyPagesPerSecond: coldRate } : {}),
  };

  const choice = raw.case ?? 'all';
  let cases: CaseName[];
  if (choice === 'all') {
    const anyHot = raw.hotFraction !== undefined || raw.hotRate !== undefined || raw.coldRate !== undefined;
    if (anyHot && !hasHotParams({ ...base, alpha: 0.5 })) missingHot(f, raw, 'all');
    if (dirtyPages === undefined && !anyHot) {
      abort(
        f.fail(
          'dirtyRate',
          undefined,
          'is missing: give a dirty rate (uniform case) or hot-fraction, hot-rate and cold-rate (hot cases)',
        ),
      );
    }
    cases = availableCases({ ...base, alpha: 0.5 });
  } else {
    const key = CASE_KEY[choice];
    if (key === 'uniform' && dirtyPages === undefined) {
      abort(f.fail('dirtyRate', undefined, 'is missing: the uniform case needs a dirty rate (pages/s or a byte rate)'));
    }
    if (key !== 'uniform') missingHot(f, raw, choice);
    cases = [key];
  }
  return { base, cases, accounting: raw.accounting ?? 'paper', strict: raw.strict ?? false };
}

function missingHot(f: FieldParser, raw: ModelRaw, choice: string): void {
  for (const field of ['hotFraction', 'hotRate', 'coldRate'] as const) {
    if (raw[field] === undefined) {
      abort(f.fail(field, undefined, `is missing: case ${choice} needs hot-fraction, hot-rate and cold-rate`));
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A resolved `predict` input: the model input with alpha, the cases to compute and the options. */
export interface ResolvedPredict extends ResolvedModel {
  readonly input: ModelInput;
  /** How alpha was obtained, for display: `alpha 0.05` or `downtime-limit 300ms -> alpha 0.0123`. */
  readonly alphaSource: 'alpha' | 'downtimeLimit';
}

/**
 * alpha from a QEMU-style downtime limit: the pages that fit the limit at bandwidth B, as a fraction of memory,
 * alpha = limit * B / (Ps * S) (see hypervisors.md: QEMU stops when pending <= bandwidth * downtime-limit).
 * @example alphaFromDowntimeLimit(0.3, 125e6, 262144, 4096) // 0.0349...
 */
export function alphaFromDowntimeLimit(
  limitSeconds: number,
  bandwidthBytesPerSecond: number,
  pages: number,
  pageSizeBytes: number,
): number {
  return (limitSeconds * bandwidthBytesPerSecond) / (pages * pageSizeBytes);
}

function resolvePredict(rawIn: PredictInputRaw, ctx: Ctx): ResolvedPredict {
  const f = new FieldParser(ctx);
  const model = resolveModel(rawIn, ctx);
  const raw =
    rawIn.preset === 'paper' && rawIn.alpha === undefined && rawIn.downtimeLimit === undefined
      ? { ...rawIn, alpha: PAPER_PRESET.alpha }
      : rawIn;
  if (raw.alpha !== undefined && raw.downtimeLimit !== undefined) {
    abort(f.fail('downtimeLimit', raw.downtimeLimit, 'conflicts with alpha: give alpha or downtime-limit, not both'));
  }
  let alpha: number;
  let alphaSource: ResolvedPredict['alphaSource'] = 'alpha';
  if (raw.alpha !== undefined) {
    alpha = must(f.fraction('alpha', raw.alpha));
    must(f.within('alpha', raw.alpha, alpha, alpha > 0 && alpha < 1, '0 < alpha < 1'));
  } else if (raw.downtimeLimit !== undefined) {
    const limit = must(f.read('downtimeLimit', raw.downtimeLimit, parseDuration));
    const full = (model.base.pages * model.base.pageSizeBytes) / model.base.bandwidthBytesPerSecond;
    must(
      f.within(
        'downtimeLimit',
        raw.downtimeLimit,
        limit,
        limit > 0 && limit < full,
        `0 < downtime-limit < Ps*S/B = ${Number(full.toPrecision(6))} s (so that 0 < alpha < 1)`,
      ),
    );
    alpha = alphaFromDowntimeLimit(
      limit,
      model.base.bandwidthBytesPerSecond,
      model.base.pages,
      model.base.pageSizeBytes,
    );
    alphaSource = 'downtimeLimit';
  } else {
    return abort(
      f.fail('alpha', undefined, 'is missing: give alpha (0 < alpha < 1) or downtime-limit (a duration such as 300ms)'),
    );
  }
  return { ...model, input: { ...model.base, alpha }, alphaSource };
}

/** A resolved `optimize` input. */
export interface ResolvedOptimize extends ResolvedModel {
  readonly alphaRange: { readonly min: number; readonly max: number };
  readonly constraints: Constraints;
  readonly objective: Objective;
  /** Energy coefficients when any was given (else the optimiser's default, Liu et al.). */
  readonly energy?: EnergyModel;
}

function resolveOptimize(rawIn: OptimizeInputRaw, ctx: Ctx): ResolvedOptimize {
  const f = new FieldParser(ctx);
  const model = resolveModel(rawIn, ctx);
  const raw =
    rawIn.preset === 'paper' && rawIn.maxUtilization === undefined
      ? { ...rawIn, maxUtilization: PAPER_PRESET.maxUtilization }
      : rawIn;
  let alphaRange = { min: 0.001, max: 0.999 };
  if (typeof raw.alphaRange === 'string') {
    const m = /^\s*([^:]+):([^:]+)\s*$/.exec(raw.alphaRange);
    const lo = m ? Number(m[1]) : Number.NaN;
    const hi = m ? Number(m[2]) : Number.NaN;
    if (!m || !isNumber(m[1]!) || !isNumber(m[2]!))
      abort(f.fail('alphaRange', raw.alphaRange, 'is not a range: expected LO:HI, e.g. 0.01:0.99'));
    alphaRange = { min: lo, max: hi };
  } else if (raw.alphaRange !== undefined) {
    alphaRange = { ...raw.alphaRange };
  }
  const { min, max } = alphaRange;
  must(
    f.within(
      'alphaRange',
      raw.alphaRange,
      min,
      Number.isFinite(min) && Number.isFinite(max) && min > 0 && min <= max && max < 1,
      '0 < LO <= HI < 1',
    ),
  );
  const constraints: { -readonly [K in keyof Constraints]: Constraints[K] } = {};
  if (raw.maxUtilization !== undefined) {
    const u = must(f.fraction('maxUtilization', raw.maxUtilization));
    constraints.maxNetworkUtilization = must(
      f.within('maxUtilization', raw.maxUtilization, u, u > 0, 'a fraction > 0 (e.g. 0.4)'),
    );
  }
  if (raw.maxDowntime !== undefined) {
    const d = must(f.read('maxDowntime', raw.maxDowntime, parseDuration));
    constraints.maxDowntimeSeconds = must(
      f.within('maxDowntime', raw.maxDowntime, d, d > 0, 'a duration > 0 (e.g. 500ms)'),
    );
  }
  if (raw.maxTotalTime !== undefined) {
    const d = must(f.read('maxTotalTime', raw.maxTotalTime, parseDuration));
    constraints.maxTotalSeconds = must(
      f.within('maxTotalTime', raw.maxTotalTime, d, d > 0, 'a duration > 0 (e.g. 10min)'),
    );
  }
  if (raw.maxPages !== undefined) {
    const pg = must(f.number('maxPages', raw.maxPages, () => true, 'a finite decimal number'));
    constraints.maxPagesTransferred = must(f.within('maxPages', raw.maxPages, pg, pg >= 1, 'a page count >= 1'));
  }
  if (raw.maxEnergy !== undefined) {
    const e = must(f.number('maxEnergy', raw.maxEnergy, () => true, 'a finite decimal number'));
    constraints.maxEnergyJoules = must(f.within('maxEnergy', raw.maxEnergy, e, e > 0, 'an energy > 0 in joules'));
  }
  let energy: EnergyModel | undefined;
  if (raw.joulesPerMegabyte !== undefined || raw.joulesPerMigration !== undefined || raw.hostPowerWatts !== undefined) {
    const coef = (field: 'joulesPerMegabyte' | 'joulesPerMigration' | 'hostPowerWatts', dflt: number) => {
      const r = raw[field];
      if (r === undefined) return dflt;
      const v = must(f.number(field, r, () => true, 'a finite decimal number'));
      return must(f.within(field, r, v, v >= 0, 'a number >= 0'));
    };
    energy = {
      joulesPerByte: coef('joulesPerMegabyte', LIU_ENERGY.joulesPerByte * 1e6) / 1e6,
      joulesPerMigration: coef('joulesPerMigration', LIU_ENERGY.joulesPerMigration),
      hostPowerWatts: coef('hostPowerWatts', LIU_ENERGY.hostPowerWatts),
    };
  }
  return {
    ...model,
    alphaRange,
    constraints,
    objective: OBJECTIVE_KEY[raw.objective ?? 'downtime'],
    ...(energy ? { energy } : {}),
  };
}

function guarded<I, O>(fn: (raw: I, ctx: Ctx) => O) {
  return (raw: I, ctx: Ctx): O => {
    try {
      return fn(raw, ctx);
    } catch (e) {
      if (e === ABORT) return z.NEVER;
      throw e;
    }
  };
}

/** Schema that parses raw predict input into a {@link ResolvedPredict}. */
export const predictSchema = predictInputSchema.transform(guarded(resolvePredict));
/** Schema that parses raw optimize input into a {@link ResolvedOptimize}. */
export const optimizeSchema = optimizeInputSchema.transform(guarded(resolveOptimize));

/**
 * The model's own parameter names (from a ModelInputError) mapped to schema fields, so errors raised by the
 * model itself can be worded with the user's field names.
 */
export const FIELD_OF_PARAMETER: Record<string, string> = {
  pages: 'pages',
  pageSizeBytes: 'pageSize',
  bandwidthBytesPerSecond: 'bandwidth',
  dirtyPagesPerSecond: 'dirtyRate',
  alpha: 'alpha',
  hotFraction: 'hotFraction',
  hotDirtyPagesPerSecond: 'hotRate',
  coldDirtyPagesPerSecond: 'coldRate',
  alphaRange: 'alphaRange',
  maxNetworkUtilization: 'maxUtilization',
  maxDowntimeSeconds: 'maxDowntime',
  maxTotalSeconds: 'maxTotalTime',
  maxPagesTransferred: 'maxPages',
  maxEnergyJoules: 'maxEnergy',
};

/** One line per issue, worded for an edge: `fieldName(field)` spells the field (a flag, a JSON key). */
export function describeIssue(issue: z.core.$ZodIssue, fieldName: (field: string) => string = (f) => f): string {
  const params = (issue as { params?: IssueParams }).params;
  if (params?.field) {
    const value = params.value === undefined ? '' : ` ${show(params.value)}`;
    return `${fieldName(params.field)}${value} ${params.problem}`;
  }
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => fieldName(k)).join(', ')}`;
  }
  // The value as given (parses ask zod for it with reportInput), else nothing: never "(missing)" for a value that
  // was there, never zod's bare "Invalid input" (issue 15).
  const given = 'input' in issue && issue.input !== undefined ? ` ${showValue(issue.input)}` : '';
  if (issue.code === 'invalid_value' && path) {
    return `${fieldName(path)}${given} is not one of: ${issue.values.map(String).join(', ')}`;
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && path) {
    const expected = expectedTypes(issue);
    if (expected) return `${fieldName(path)}${given} is not allowed: expected ${expected}`;
  }
  return path ? `${fieldName(path)}: ${issue.message}` : issue.message;
}
