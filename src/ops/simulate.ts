/**
 * The `simulate` operation: one page-level migration, or a Monte Carlo of them, beside the paper's model and
 * the distinct-pages model. Input: {@link simulateInput} (HTTP) and {@link simulateCliInput} (the command line,
 * which adds trace replay and worker threads), one zod schema with units parsed inside (src/schema/fields.ts over
 * src/units; the model part through the predict schema); function: {@link simulateSetup} (reads a trace
 * through an injected reader, checks the parameters) and {@link simulateOp}, or the edge's own runner of the
 * replicas then {@link simulationReport}; JSON: `simulationReport(...).json`, shape {@link simulateOutput}.
 */
import type { DistinctResult } from '../model/distinct.js';
import { type CaseName, type CaseOutcome, ModelInputError, type Summary, formatValue } from '../model/index.js';
import { z } from 'zod';
import {
  ACCOUNTING_CHOICES,
  CASE_CHOICES,
  FIELD_OF_PARAMETER,
  type IssueParams,
  type ResolvedPredict,
  flagOf,
  predictSchema,
} from '../schema/index.js';
import { distinctModelFor, paperModelFor, relativeError, simulatedSummary } from '../simulate/compare.js';
import { type SimulationParams, type SimulationResult, checkSimulation } from '../simulate/engine.js';
import type { BandwidthStep } from '../simulate/link.js';
import { type Estimate, aggregate, checkMonteCarlo, estimate, runReplica } from '../simulate/montecarlo.js';
import { STOP_RULE_KINDS, type StopRuleSpec } from '../simulate/stop-rules.js';
import { type ParsedTrace, printable } from '../simulate/trace.js';
import { WORKLOAD_KINDS, type WorkloadSpec } from '../simulate/workloads.js';
import { parseDuration, parseRate, parseSize } from '../units/index.js';
import { fmt } from '../format/text.js';
import { OpError } from './errors.js';
import { jsonNumber } from './json.js';
import { MODEL_FIELDS, pick } from './fields.js';
import { FieldParser, choice, fieldOfFlag, text } from '../schema/fields.js';
/** Simulator parameter names (ModelInputError.parameter) to the flags that set them. */
const FLAG_OF_SIM_PARAMETER: Record<string, string> = {
  workingSetPages: '--working-set',
  zeroFraction: '--zero-fraction',
  zeroPageBytes: '--zero-page-bytes',
  maxRounds: '--max-rounds',
  downtimeLimitSeconds: '--downtime-limit',
  switchoverBandwidthBytesPerSecond: '--switchover-bandwidth',
  checkIntervalSeconds: '--check-interval',
  downtimeBandwidthBytesPerSecond: '--downtime-bandwidth',
  replicas: '--replicas',
  seed: '--seed',
  jobs: '--jobs',
  stopRule: '--stop-rule',
  workload: '--workload',
  trace: '--trace',
  rho: '--rho',
  alpha: '--alpha',
  beta: '--beta',
  hotRatio: '--hot-ratio',
};

/** Rewords a simulator error with the flag the user typed; other errors pass through. */
export function asOpError(e: unknown): unknown {
  if (!(e instanceof ModelInputError)) return e;
  const head = e.parameter.replace(/\[.*$/, '').split('.')[0]!;
  const flag =
    FLAG_OF_SIM_PARAMETER[head] ??
    (head === 'schedule' ? '--bandwidth-schedule' : undefined) ??
    (FIELD_OF_PARAMETER[head] ? flagOf(FIELD_OF_PARAMETER[head]!) : undefined);
  if (!flag) return e;
  if (e.message === `${e.parameter} = ${formatValue(e.value)} is out of range: expected ${e.range}`) {
    return new OpError(`${flag} ${formatValue(e.value)} is out of range: expected ${e.range}`, {
      field: fieldOfFlag(flag),
      value: e.value,
    });
  }
  return new OpError(e.message, { field: fieldOfFlag(flag), value: e.value });
}

const SCHEDULE_EXPECTED = "TIME=RATE pairs in increasing time, e.g. '30s=500Mbit/s,60s=1Gbit/s'";
const RATE_EXPECTED = 'a rate > 0 (e.g. 10Gbit/s)';

/** `30s=500Mbit/s,60s=1Gbit/s`: from 30 s on the link carries 500 Mbit/s, from 60 s on 1 Gbit/s. */
function parseSchedule(f: FieldParser, raw: string | number): BandwidthStep[] | undefined {
  const text = String(raw);
  const steps: BandwidthStep[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([^=]+)=(.+)$/.exec(part);
    if (!m) return f.fail('bandwidthSchedule', text, `is not valid: expected ${SCHEDULE_EXPECTED}`);
    const fromSeconds = f.unit('bandwidthSchedule', m[1]!.trim(), parseDuration, (v) => v >= 0, SCHEDULE_EXPECTED);
    if (fromSeconds === undefined) return undefined;
    const bytesPerSecond = f.unit('bandwidthSchedule', m[2]!.trim(), parseRate, (v) => v >= 0, SCHEDULE_EXPECTED);
    if (bytesPerSecond === undefined) return undefined;
    steps.push({ fromSeconds, bytesPerSecond });
  }
  return steps;
}

const WORKLOAD_LABEL: Record<string, string> = {
  fluid: 'fluid (the paper: every write dirties a new page)',
  random: 'random writes (Poisson in time, uniform over pages)',
  'hot-cold': 'random writes with hot pages',
  'working-set': 'working set written in order',
  trace: 'trace replay',
};

/** Workloads a request may name: trace replay reads a file, so only the command line offers it. */
export const HTTP_WORKLOAD_KINDS = WORKLOAD_KINDS.filter((k) => k !== 'trace');

/**
 * The raw input of `simulate` as `POST /api/simulate` takes it: the flags' camelCase names, values as text
 * (units allowed) or numbers in base units. {@link simulateInput} resolves it.
 */
export const simulateRawInput = z.strictObject({
  preset: choice('preset', ['paper'] as const).optional(),
  pages: text.optional(),
  memory: text.optional(),
  pageSize: text.optional(),
  bandwidth: text.optional(),
  dirtyRate: text.optional(),
  hotFraction: text.optional(),
  hotRate: text.optional(),
  coldRate: text.optional(),
  case: choice('case', CASE_CHOICES).optional(),
  accounting: choice('accounting', ACCOUNTING_CHOICES).optional(),
  strict: z.boolean().optional(),
  alpha: text.optional(),
  downtimeLimit: text.optional(),
  workload: choice('workload', HTTP_WORKLOAD_KINDS).optional(),
  workingSet: text.optional(),
  zeroFraction: text.optional(),
  zeroPageBytes: text.optional(),
  stopRule: choice('stopRule', STOP_RULE_KINDS).optional(),
  maxRounds: text.optional(),
  switchoverBandwidth: text.optional(),
  checkInterval: text.optional(),
  downtimeBandwidth: text.optional(),
  bandwidthSchedule: text.optional(),
  replicas: text.optional(),
  seed: text.optional(),
});

/**
 * The command line's raw input: the same fields plus trace replay (`workload: 'trace'` and the `trace` file,
 * read at the edge, see {@link simulateSetup}) and worker threads (`jobs`).
 */
export const simulateCliRawInput = simulateRawInput.extend({
  workload: choice('workload', WORKLOAD_KINDS).optional(),
  trace: z.string().optional(),
  jobs: text.optional(),
});

/** The fields of the command line's input (commander's option names). */
export const SIMULATE_CLI_FIELDS = Object.keys(simulateCliRawInput.shape);

type SimulateRaw = z.output<typeof simulateCliRawInput>;

/** A trace workload before its file is read: the path only. */
export interface TraceFileRef {
  readonly kind: 'trace';
  readonly file: string;
}

/** Simulation parameters as the schema resolves them: a trace workload is still a path. */
export type SimulateParamsInput = Omit<SimulationParams, 'workload'> & {
  readonly workload: Exclude<WorkloadSpec, { kind: 'trace' }> | TraceFileRef;
};

/** Everything the schema resolved from `simulate`'s input. */
export interface SimulateInput {
  readonly params: SimulateParamsInput;
  readonly resolved: ResolvedPredict;
  readonly caseName: CaseName;
  readonly replicas: number;
  readonly seed: number;
  readonly jobs: number;
  readonly accounting: 'paper' | 'consistent';
  readonly describe: string;
}

/** A resolved input with its trace read: what the replicas run with. */
export interface SimulateSetup extends Omit<SimulateInput, 'params'> {
  readonly params: SimulationParams;
}

/**
 * Resolves the raw input (every given field is parsed and range-checked, also fields the chosen workload or
 * stop rule does not use); the model part goes through the predict schema. Pure: a trace is not read here.
 */
function resolveSimulate(raw: SimulateRaw, ctx: z.RefinementCtx): SimulateInput {
  const f = new FieldParser(ctx);
  const stopKind = raw.stopRule as StopRuleSpec['kind'] | undefined;
  const needsAlpha = stopKind === undefined || stopKind === 'alpha' || stopKind === 'hot-held';
  const model = pick(raw, [...MODEL_FIELDS, 'alpha', 'downtimeLimit']);
  // The predict schema needs alpha or a downtime limit; rules without one (Xen, max-rounds) get a placeholder
  // that is never used (no closed form is shown for them).
  if (!needsAlpha && model.alpha === undefined && model.downtimeLimit === undefined) model.alpha = '0.5';
  if (stopKind === 'qemu') {
    // The QEMU rule's threshold comes from the downtime limit: a given alpha is checked but not used.
    if (raw.alpha !== undefined) f.number('alpha', raw.alpha, (v) => v > 0 && v < 1, '0 < alpha < 1');
    delete model.alpha;
    if (raw.downtimeLimit === undefined) {
      f.fail('downtimeLimit', undefined, 'is missing: --stop-rule qemu needs a downtime limit (e.g. 300ms)');
      model.alpha = '0.5';
    }
  }
  // A trace carries its own dirtying: the schema's dirty rate is not needed.
  if (raw.workload === 'trace' && model.dirtyRate === undefined && model.hotFraction === undefined) {
    model.dirtyRate = '0';
  }
  const m = predictSchema.safeParse(model);
  if (!m.success) {
    for (const issue of m.error.issues) {
      const params = (issue as { params?: IssueParams }).params;
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, ...(params ? { params } : {}) });
    }
  }

  const opt = <T>(v: string | number | undefined, parse: (v: string | number) => T | undefined) =>
    v === undefined ? undefined : parse(v);
  let workingSet: { pages: number } | { bytes: number } | undefined;
  if (raw.workingSet !== undefined) {
    const t = String(raw.workingSet);
    if (/^\s*\d+\s*$/.test(t)) workingSet = { pages: Number(t) };
    else {
      const bytes = f.unit('workingSet', raw.workingSet, parseSize, (v) => v > 0, 'a size (e.g. 1GiB) or a page count');
      if (bytes !== undefined) workingSet = { bytes };
    }
  }
  const maxRounds = opt(raw.maxRounds, (v) =>
    f.number(
      'maxRounds',
      v,
      (x) => Number.isInteger(x) && x >= 1 && x <= 1e7,
      'a whole number of rounds from 1 to 10000000',
    ),
  );
  const checkInterval = opt(raw.checkInterval, (v) =>
    f.unit('checkInterval', v, parseDuration, (x) => x >= 0, 'a duration >= 0 (e.g. 50ms)'),
  );
  const switchover = opt(raw.switchoverBandwidth, (v) =>
    f.unit('switchoverBandwidth', v, parseRate, (x) => x > 0, RATE_EXPECTED),
  );
  const downtimeBandwidth = opt(raw.downtimeBandwidth, (v) =>
    f.unit('downtimeBandwidth', v, parseRate, (x) => x > 0, RATE_EXPECTED),
  );
  const zeroFraction = opt(raw.zeroFraction, (v) =>
    f.number('zeroFraction', v, (x) => x >= 0 && x < 1, '0 <= zero-fraction < 1'),
  );
  const zeroPageBytes = opt(raw.zeroPageBytes, (v) =>
    f.unit(
      'zeroPageBytes',
      v,
      (s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : parseSize(s)),
      (x) => x >= 0,
      'a size >= 0 (e.g. 9 or 64B)',
    ),
  );
  const schedule = opt(raw.bandwidthSchedule, (v) => parseSchedule(f, v));
  const replicas = f.number(
    'replicas',
    raw.replicas ?? '1',
    (v) => Number.isInteger(v) && v >= 1 && v <= 1e6,
    'a whole number from 1 to 1000000',
  );
  const seed = f.number(
    'seed',
    raw.seed ?? '1',
    (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    'a whole number from 0 to 4294967295',
  );
  const jobs = f.number(
    'jobs',
    raw.jobs ?? '1',
    (v) => Number.isInteger(v) && v >= 1 && v <= 256,
    'a whole number from 1 to 256',
  );
  if (!m.success || f.count > 0 || replicas === undefined || seed === undefined || jobs === undefined) {
    return z.NEVER;
  }

  // Fields that fit together: the case, the workload and the stop rule.
  const stop = (field: string, problem: string): never => {
    f.fail(field, undefined, problem);
    return z.NEVER;
  };
  const resolved = m.data;
  const input = resolved.input;
  let caseName: CaseName;
  if (raw.case === 'hot-downtime' || stopKind === 'hot-held') caseName = 'hotDowntime';
  else if (raw.case === 'hot-precopy') caseName = 'hotPrecopy';
  else if (raw.case === 'uniform') caseName = 'uniform';
  else caseName = resolved.cases[0]!;
  if (caseName !== 'uniform' && input.hotFraction === undefined) {
    return stop('hotFraction', `is missing: case ${caseName} needs hot-fraction, hot-rate and cold-rate`);
  }
  const kind = (raw.workload as WorkloadSpec['kind'] | undefined) ?? (caseName === 'uniform' ? 'random' : 'hot-cold');
  const D = input.dirtyPagesPerSecond;
  const needD = (): number =>
    D === undefined || caseName !== 'uniform'
      ? stop('dirtyRate', `is missing: --workload ${kind} needs a dirty rate (and no hot-page case)`)
      : D;
  const hotRates = () =>
    caseName === 'uniform'
      ? stop(
          'case',
          `${raw.case ?? 'uniform'} does not fit --workload ${kind}: it needs the hot-page flags and case hot-precopy or hot-downtime`,
        )
      : {
          hotFraction: input.hotFraction!,
          hotDirtyPagesPerSecond: input.hotDirtyPagesPerSecond!,
          coldDirtyPagesPerSecond: input.coldDirtyPagesPerSecond!,
        };
  let workload: SimulateParamsInput['workload'];
  // A valid flag the chosen workload ignores is refused too, not silently dropped (issue 15).
  for (const [field, needs] of [
    ['workingSet', 'working-set'],
    ['trace', 'trace'],
  ] as const) {
    const given = (raw as Record<string, unknown>)[field];
    if (given !== undefined && kind !== needs) {
      f.fail(field, given, `applies only to --workload ${needs} (the workload is ${kind}): drop it`);
      return z.NEVER;
    }
  }
  switch (kind) {
    case 'fluid':
      workload = caseName === 'uniform' ? { kind, dirtyPagesPerSecond: needD() } : { kind, ...hotRates() };
      break;
    case 'random':
      workload = { kind, dirtyPagesPerSecond: needD() };
      break;
    case 'hot-cold':
      workload = { kind, ...hotRates() };
      break;
    case 'working-set': {
      if (workingSet === undefined) {
        return stop('workingSet', 'is missing: --workload working-set needs a size (e.g. 1GiB) or a page count');
      }
      const pages = 'pages' in workingSet ? workingSet.pages : Math.ceil(workingSet.bytes / input.pageSizeBytes);
      workload = { kind, dirtyPagesPerSecond: needD(), workingSetPages: pages };
      break;
    }
    case 'trace':
      if (raw.trace === undefined) {
        return stop('trace', 'is missing: --workload trace needs a trace file (format: docs/simulator.md)');
      }
      workload = { kind, file: raw.trace };
      break;
  }
  const rounds = maxRounds !== undefined ? { maxRounds } : {};
  const rule = stopKind ?? (caseName === 'hotDowntime' ? 'hot-held' : 'alpha');
  let stopRule: StopRuleSpec;
  switch (rule) {
    case 'alpha':
    case 'hot-held':
      stopRule = { kind: rule, alpha: input.alpha, ...rounds };
      break;
    case 'qemu': {
      // checked by the predict schema (0 < limit < Ps*S/B); a number is seconds, as there
      const limit = raw.downtimeLimit!;
      stopRule = {
        kind: 'qemu',
        downtimeLimitSeconds: typeof limit === 'number' ? limit : parseDuration(limit),
        ...(checkInterval !== undefined ? { checkIntervalSeconds: checkInterval } : {}),
        ...(switchover !== undefined ? { switchoverBandwidthBytesPerSecond: switchover } : {}),
        ...rounds,
      };
      break;
    }
    case 'xen':
    case 'xen-legacy':
      stopRule = { kind: rule, ...rounds };
      break;
    case 'max-rounds':
      if (maxRounds === undefined) {
        return stop('maxRounds', 'is missing: --stop-rule max-rounds needs a number of rounds');
      }
      stopRule = { kind: 'max-rounds', maxRounds };
      break;
  }
  const params: SimulateParamsInput = {
    pages: input.pages,
    pageSizeBytes: input.pageSizeBytes,
    bandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
    workload,
    stopRule,
    ...(schedule !== undefined ? { bandwidthSchedule: schedule } : {}),
    ...(downtimeBandwidth !== undefined ? { downtimeBandwidthBytesPerSecond: downtimeBandwidth } : {}),
    ...(zeroFraction !== undefined ? { zeroFraction } : {}),
    ...(zeroPageBytes !== undefined ? { zeroPageBytes } : {}),
  };
  const ruleText =
    stopRule.kind === 'alpha' || stopRule.kind === 'hot-held'
      ? `${stopRule.kind} rule (alpha = ${fmt(stopRule.alpha)})`
      : stopRule.kind === 'qemu'
        ? `QEMU rule (downtime limit ${fmt(stopRule.downtimeLimitSeconds)} s)`
        : `${stopRule.kind} rule`;
  const describe = `${WORKLOAD_LABEL[kind]}, ${ruleText}, Ps = ${input.pages} pages of ${fmt(input.pageSizeBytes)} B, B = ${fmt(input.bandwidthBytesPerSecond)} B/s, seed ${seed}, ${replicas} replica${replicas > 1 ? 's' : ''}`;
  const accounting = raw.accounting === 'paper' ? 'paper' : 'consistent';
  return { params, resolved, caseName, replicas, seed, jobs, accounting, describe };
}

/** Raw input of `POST /api/simulate` to a resolved {@link SimulateInput}. */
export const simulateInput = simulateRawInput.transform(resolveSimulate);
/** Raw input of `precopy simulate` (flags by camelCase name) to a resolved {@link SimulateInput}. */
export const simulateCliInput = simulateCliRawInput.transform(resolveSimulate);

/** Reads a trace file: the command line passes src/simulate/trace-file.ts `readTraceFile`. */
export type TraceReader = (path: string) => ParsedTrace;

/**
 * Completes a resolved input: reads the trace with the injected reader (the edge's I/O; the API offers no trace
 * workload) and checks the whole parameter set against the engine's ranges before any replica runs (so a
 * working set larger than the memory is refused up front, whatever the number of worker threads).
 * @throws {OpError} worded with the flags, carrying the field and the value
 */
export function simulateSetup(input: SimulateInput, readTrace?: TraceReader): SimulateSetup {
  try {
    const w = input.params.workload;
    let workload: WorkloadSpec;
    if (w.kind === 'trace') {
      if (!readTrace) {
        throw new OpError('--workload trace is not offered here: it reads a file (use the command line)', {
          field: 'workload',
          value: 'trace',
        });
      }
      const trace = readTrace(w.file);
      if (trace.pages !== undefined && trace.pages !== input.params.pages) {
        throw new OpError(
          `--trace '${printable(w.file, 200)}' was taken on ${trace.pages} pages but --pages/--memory gives ${input.params.pages}`,
          { field: 'trace', value: w.file },
        );
      }
      workload = { kind: 'trace', trace };
    } else workload = w;
    const params: SimulationParams = { ...input.params, workload };
    checkSimulation(params);
    checkMonteCarlo({ replicas: input.replicas, seed: input.seed });
    return { ...input, params };
  } catch (e) {
    throw asOpError(e);
  }
}

/**
 * The operation run in this thread: the replicas one after the other, then {@link simulationReport}. The
 * command line runs the same replicas on worker threads instead (same results for any number of them).
 */
export function simulateOp(input: SimulateInput, readTrace?: TraceReader): SimulationReport {
  const setup = simulateSetup(input, readTrace);
  try {
    const results = Array.from({ length: setup.replicas }, (_, index) => runReplica(setup.params, setup.seed, index));
    return simulationReport(setup, results);
  } catch (e) {
    throw asOpError(e);
  }
}

const TOTALS: { key: keyof Summary; label: string }[] = [
  { key: 'iterations', label: 'rounds n (last live round)' },
  { key: 'precopySeconds', label: 'pre-copy time (s)' },
  { key: 'downtimeSeconds', label: 'downtime (s)' },
  { key: 'totalSeconds', label: 'total time (s)' },
  { key: 'pagesTransferred', label: 'pages migrated' },
  { key: 'downtimePages', label: 'pages copied at downtime' },
  { key: 'gain', label: 'gain G' },
  { key: 'networkUtilization', label: 'network utilisation Unet' },
];

interface ComparisonRow {
  readonly quantity: string;
  readonly simulated: Estimate;
  readonly model?: number;
  readonly relativeError?: number;
  readonly distinct?: number;
  readonly distinctRelativeError?: number;
}

function modelValue(m: CaseOutcome | DistinctResult | undefined, key: keyof Summary): number | undefined {
  if (!m?.converged) return undefined;
  return m[key] as number;
}

/** The simulated replicas set beside the paper's model and the distinct-pages model. */
export interface SimulationReport {
  readonly mc: ReturnType<typeof aggregate>;
  readonly rows: ComparisonRow[];
  readonly paper: ReturnType<typeof paperModelFor>;
  readonly distinct: ReturnType<typeof distinctModelFor>;
  /** The JSON of `simulate --format json` (and of `POST /api/simulate`). */
  readonly json: unknown;
}

/** Compares the replicas' results with the models; throws OpError when no replica converged. */
export function simulationReport(setup: SimulateSetup, results: readonly SimulationResult[]): SimulationReport {
  const { params, replicas, seed, accounting } = setup;
  const mc = aggregate(results, { replicas, seed });
  if (mc.converged === 0) throw new OpError(`simulation did not converge: ${results[0]!.reason}`);
  const ok = results.filter((r) => r.converged);
  const summaries = ok.map((r) => simulatedSummary(r, params, accounting));
  const paper = paperModelFor(params, accounting);
  const distinct = distinctModelFor(params, accounting);
  const rows: ComparisonRow[] = TOTALS.map(({ key, label }) => {
    const sim = estimate(summaries.map((s) => s[key] as number).filter(Number.isFinite));
    const m = modelValue(paper, key);
    const d = modelValue(distinct, key);
    return {
      quantity: label,
      simulated: sim,
      ...(m !== undefined ? { model: m, relativeError: relativeError(sim.mean, m) } : {}),
      ...(d !== undefined ? { distinct: d, distinctRelativeError: relativeError(sim.mean, d) } : {}),
    };
  });
  const { trace: _t, ...workloadNoTrace } = params.workload as WorkloadSpec & { trace?: unknown };
  const json = {
    input: { ...params, workload: workloadNoTrace, replicas, seed, accounting },
    simulation:
      replicas === 1 ? results[0] : { replicas, converged: mc.converged, estimates: mc.estimates, rounds: mc.rounds },
    model: paper ?? null,
    distinctModel: distinct ?? null,
    comparison: rows,
  };
  return { mc, rows, paper, distinct, json };
}

const estimateJson = z.strictObject({
  mean: jsonNumber,
  sd: jsonNumber,
  halfWidth: jsonNumber,
  low: jsonNumber,
  high: jsonNumber,
  count: z.number().int(),
});

/** The shape of `simulationReport(...).json`: the resolved input, the simulation, both models, the comparison. */
export const simulateOutput = z.strictObject({
  input: z.looseObject({
    pages: z.number().int(),
    pageSizeBytes: z.number(),
    bandwidthBytesPerSecond: z.number(),
    workload: z.looseObject({ kind: z.string() }),
    stopRule: z.looseObject({ kind: z.string() }),
    replicas: z.number().int(),
    seed: z.number().int(),
    accounting: z.enum(ACCOUNTING_CHOICES),
  }),
  simulation: z.looseObject({}),
  model: z.looseObject({}).nullable(),
  distinctModel: z.looseObject({}).nullable(),
  comparison: z.array(
    z.strictObject({
      quantity: z.string(),
      simulated: estimateJson,
      model: jsonNumber.optional(),
      relativeError: jsonNumber.optional(),
      distinct: jsonNumber.optional(),
      distinctRelativeError: jsonNumber.optional(),
    }),
  ),
});
