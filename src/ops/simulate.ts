/**
 * The `simulate` operation: one page-level migration, or a Monte Carlo of them, beside the paper's model and
 * the distinct-pages model. Input: the flags' camelCase names with values as text or numbers, resolved by
 * {@link resolveSimulate} (hand-parsed with src/ops/parse.ts; the model part goes through the predict
 * schema); function: replicas by src/simulate (the edge chooses the runner: worker threads at the CLI, in the
 * request at the API) then {@link simulationReport}; JSON: `simulationReport(...).json`.
 */
import type { DistinctResult } from '../model/distinct.js';
import { type CaseName, type CaseOutcome, ModelInputError, type Summary, formatValue } from '../model/index.js';
import { z } from 'zod';
import {
  ACCOUNTING_CHOICES,
  CASE_CHOICES,
  FIELD_OF_PARAMETER,
  type ResolvedPredict,
  flagOf,
  predictSchema,
} from '../schema/index.js';
import { distinctModelFor, paperModelFor, relativeError, simulatedSummary } from '../simulate/compare.js';
import type { SimulationParams, SimulationResult } from '../simulate/engine.js';
import type { BandwidthStep } from '../simulate/link.js';
import { type Estimate, aggregate, estimate } from '../simulate/montecarlo.js';
import { STOP_RULE_KINDS, type StopRuleSpec } from '../simulate/stop-rules.js';
import { readTraceFile } from '../simulate/trace-file.js';
import { WORKLOAD_KINDS, type WorkloadSpec } from '../simulate/workloads.js';
import { parseDuration, parseRate, parseSize } from '../units/index.js';
import { fmt } from '../format/text.js';
import { OpError, parseInput } from './errors.js';
import { jsonNumber } from './json.js';
import { MODEL_FIELDS, pick } from './fields.js';
import { fieldOfFlag, numberFlag, unitFlag } from './parse.js';

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

/** `30s=500Mbit/s,60s=1Gbit/s`: from 30 s on the link carries 500 Mbit/s, from 60 s on 1 Gbit/s. */
export function parseSchedule(text: string): BandwidthStep[] {
  const expected = "TIME=RATE pairs in increasing time, e.g. '30s=500Mbit/s,60s=1Gbit/s'";
  return text.split(',').map((part) => {
    const m = /^\s*([^=]+)=(.+)$/.exec(part);
    if (!m) throw new OpError(`--bandwidth-schedule '${text}' is not valid: expected ${expected}`);
    return {
      fromSeconds: unitFlag('--bandwidth-schedule', m[1]!.trim(), parseDuration, (v) => v >= 0, expected),
      bytesPerSecond: unitFlag('--bandwidth-schedule', m[2]!.trim(), parseRate, (v) => v >= 0, expected),
    };
  });
}

const WORKLOAD_LABEL: Record<string, string> = {
  fluid: 'fluid (the paper: every write dirties a new page)',
  random: 'random writes (Poisson in time, uniform over pages)',
  'hot-cold': 'random writes with hot pages',
  'working-set': 'working set written in order',
  trace: 'trace replay',
};

/** Everything `simulate` resolved from its flags. */
export interface SimulateSetup {
  readonly params: SimulationParams;
  readonly resolved: ResolvedPredict;
  readonly caseName: CaseName;
  readonly replicas: number;
  readonly seed: number;
  readonly jobs: number;
  readonly accounting: 'paper' | 'consistent';
  readonly describe: string;
}

/**
 * Resolves `simulate`'s options (the flags' camelCase names, values as text or numbers) into simulation
 * parameters; shared by the command line and `POST /api/simulate`. Throws OpError/ModelInputError/UnitError.
 */
export function resolveSimulate(opts: Record<string, unknown>): SimulateSetup {
  const stopKind = (opts.stopRule as StopRuleSpec['kind'] | undefined) ?? undefined;
  const needsAlpha = stopKind === undefined || stopKind === 'alpha' || stopKind === 'hot-held';
  const raw = pick(opts, [...MODEL_FIELDS, 'alpha', 'downtimeLimit']);
  // The schema needs alpha or a downtime limit; rules without one (Xen, max-rounds) get a placeholder that is
  // never used (no closed form is shown for them).
  if (!needsAlpha && raw.alpha === undefined && raw.downtimeLimit === undefined) raw.alpha = '0.5';
  if (stopKind === 'qemu' && raw.downtimeLimit === undefined) {
    throw new OpError('--downtime-limit is missing: --stop-rule qemu needs a downtime limit (e.g. 300ms)');
  }
  if (stopKind === 'qemu') delete raw.alpha;
  // A trace carries its own dirtying: the schema's dirty rate is not needed.
  if (opts.workload === 'trace' && raw.dirtyRate === undefined && raw.hotFraction === undefined) raw.dirtyRate = '0';
  const resolved = parseInput(predictSchema, raw);
  const input = resolved.input;
  const hot = input.hotFraction !== undefined;
  let caseName: CaseName;
  if (opts.case === 'hot-downtime' || stopKind === 'hot-held') caseName = 'hotDowntime';
  else if (opts.case === 'hot-precopy') caseName = 'hotPrecopy';
  else if (opts.case === 'uniform') caseName = 'uniform';
  else caseName = resolved.cases[0]!;
  if (caseName !== 'uniform' && !hot) {
    throw new OpError(`--hot-fraction is missing: case ${caseName} needs hot-fraction, hot-rate and cold-rate`);
  }
  const kind = (opts.workload as WorkloadSpec['kind'] | undefined) ?? (caseName === 'uniform' ? 'random' : 'hot-cold');
  let workload: WorkloadSpec;
  const D = input.dirtyPagesPerSecond;
  const needD = () => {
    if (D === undefined || caseName !== 'uniform') {
      throw new OpError(`--dirty-rate is missing: --workload ${kind} needs a dirty rate (and no hot-page case)`);
    }
    return D;
  };
  const hotRates = () => {
    if (caseName === 'uniform') {
      throw new OpError(
        `--case ${opts.case ?? 'uniform'} does not fit --workload ${kind}: it needs the hot-page flags and case hot-precopy or hot-downtime`,
      );
    }
    return {
      hotFraction: input.hotFraction!,
      hotDirtyPagesPerSecond: input.hotDirtyPagesPerSecond!,
      coldDirtyPagesPerSecond: input.coldDirtyPagesPerSecond!,
    };
  };
  // A flag the chosen workload ignores is refused, not silently dropped (issue 15: `--working-set 💥` with a
  // random workload was accepted).
  const only: [string, unknown, string][] = [
    ['--working-set', opts.workingSet, 'working-set'],
    ['--trace', opts.trace, 'trace'],
  ];
  for (const [flag, given, needs] of only) {
    if (given !== undefined && kind !== needs) {
      throw new OpError(
        `${flag} '${String(given)}' applies only to --workload ${needs} (the workload is ${kind}): drop it`,
      );
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
      if (opts.workingSet === undefined)
        throw new OpError('--working-set is missing: --workload working-set needs a size (e.g. 1GiB) or a page count');
      const text = String(opts.workingSet);
      const pages = /^\s*\d+\s*$/.test(text)
        ? Number(text)
        : Math.ceil(
            unitFlag('--working-set', text, parseSize, (v) => v > 0, 'a size (e.g. 1GiB) or a page count') /
              input.pageSizeBytes,
          );
      workload = { kind, dirtyPagesPerSecond: needD(), workingSetPages: pages };
      break;
    }
    case 'trace': {
      if (opts.trace === undefined)
        throw new OpError('--trace is missing: --workload trace needs a trace file (format: docs/simulator.md)');
      const trace = readTraceFile(String(opts.trace));
      if (trace.pages !== undefined && trace.pages !== input.pages) {
        throw new OpError(
          `--trace '${String(opts.trace)}' was taken on ${trace.pages} pages but --pages/--memory gives ${input.pages}`,
        );
      }
      workload = { kind, trace };
      break;
    }
  }
  const maxRounds =
    opts.maxRounds === undefined
      ? undefined
      : numberFlag(
          '--max-rounds',
          String(opts.maxRounds),
          (v) => Number.isInteger(v) && v >= 1 && v <= 1e7,
          'a whole number of rounds from 1 to 10000000',
        );
  const rounds = maxRounds !== undefined ? { maxRounds } : {};
  const rule = stopKind ?? (caseName === 'hotDowntime' ? 'hot-held' : 'alpha');
  let stopRule: StopRuleSpec;
  switch (rule) {
    case 'alpha':
    case 'hot-held':
      stopRule = { kind: rule, alpha: input.alpha, ...rounds };
      break;
    case 'qemu':
      stopRule = {
        kind: 'qemu',
        downtimeLimitSeconds: parseDuration(String(opts.downtimeLimit)),
        ...(opts.checkInterval !== undefined
          ? {
              checkIntervalSeconds: unitFlag(
                '--check-interval',
                String(opts.checkInterval),
                parseDuration,
                (v) => v >= 0,
                'a duration >= 0 (e.g. 50ms)',
              ),
            }
          : {}),
        ...(opts.switchoverBandwidth !== undefined
          ? {
              switchoverBandwidthBytesPerSecond: unitFlag(
                '--switchover-bandwidth',
                String(opts.switchoverBandwidth),
                parseRate,
                (v) => v > 0,
                'a rate > 0 (e.g. 10Gbit/s)',
              ),
            }
          : {}),
        ...rounds,
      };
      break;
    case 'xen':
    case 'xen-legacy':
      stopRule = { kind: rule, ...rounds };
      break;
    case 'max-rounds':
      if (maxRounds === undefined)
        throw new OpError('--max-rounds is missing: --stop-rule max-rounds needs a number of rounds');
      stopRule = { kind: 'max-rounds', maxRounds };
      break;
  }
  const params: SimulationParams = {
    pages: input.pages,
    pageSizeBytes: input.pageSizeBytes,
    bandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
    workload,
    stopRule,
    ...(opts.bandwidthSchedule !== undefined
      ? { bandwidthSchedule: parseSchedule(String(opts.bandwidthSchedule)) }
      : {}),
    ...(opts.downtimeBandwidth !== undefined
      ? {
          downtimeBandwidthBytesPerSecond: unitFlag(
            '--downtime-bandwidth',
            String(opts.downtimeBandwidth),
            parseRate,
            (v) => v > 0,
            'a rate > 0 (e.g. 10Gbit/s)',
          ),
        }
      : {}),
    ...(opts.zeroFraction !== undefined
      ? {
          zeroFraction: numberFlag(
            '--zero-fraction',
            String(opts.zeroFraction),
            (v) => v >= 0 && v < 1,
            '0 <= zero-fraction < 1',
          ),
        }
      : {}),
    ...(opts.zeroPageBytes !== undefined
      ? {
          zeroPageBytes: unitFlag(
            '--zero-page-bytes',
            String(opts.zeroPageBytes),
            (s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : parseSize(s)),
            (v) => v >= 0,
            'a size >= 0 (e.g. 9 or 64B)',
          ),
        }
      : {}),
  };
  const replicas = numberFlag(
    '--replicas',
    String(opts.replicas ?? '1'),
    (v) => Number.isInteger(v) && v >= 1 && v <= 1e6,
    'a whole number from 1 to 1000000',
  );
  const seed = numberFlag(
    '--seed',
    String(opts.seed ?? '1'),
    (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    'a whole number from 0 to 4294967295',
  );
  const jobs = numberFlag(
    '--jobs',
    String(opts.jobs ?? '1'),
    (v) => Number.isInteger(v) && v >= 1 && v <= 256,
    'a whole number from 1 to 256',
  );
  const ruleText =
    stopRule.kind === 'alpha' || stopRule.kind === 'hot-held'
      ? `${stopRule.kind} rule (alpha = ${fmt(stopRule.alpha)})`
      : stopRule.kind === 'qemu'
        ? `QEMU rule (downtime limit ${fmt(stopRule.downtimeLimitSeconds)} s)`
        : `${stopRule.kind} rule`;
  const describe = `${WORKLOAD_LABEL[kind]}, ${ruleText}, Ps = ${input.pages} pages of ${fmt(input.pageSizeBytes)} B, B = ${fmt(input.bandwidthBytesPerSecond)} B/s, seed ${seed}, ${replicas} replica${replicas > 1 ? 's' : ''}`;
  const accounting = opts.accounting === 'paper' ? 'paper' : 'consistent';
  return { params, resolved, caseName, replicas, seed, jobs, accounting, describe };
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

const text = z.union([z.number(), z.string()]).optional();

/** Workloads a request may name: trace replay reads a file, so only the command line offers it. */
export const HTTP_WORKLOAD_KINDS = WORKLOAD_KINDS.filter((k) => k !== 'trace');

/**
 * The raw input of `simulate` as `POST /api/simulate` takes it (the flags' camelCase names; values as text
 * or numbers, units allowed). It names the fields and choices; the values are resolved by {@link resolveSimulate}.
 */
export const simulateRawInput = z.strictObject({
  preset: z.enum(['paper']).optional(),
  pages: text,
  memory: text,
  pageSize: text,
  bandwidth: text,
  dirtyRate: text,
  hotFraction: text,
  hotRate: text,
  coldRate: text,
  case: z.enum(CASE_CHOICES).optional(),
  accounting: z.enum(ACCOUNTING_CHOICES).optional(),
  strict: z.boolean().optional(),
  alpha: text,
  downtimeLimit: text,
  workload: z.enum(HTTP_WORKLOAD_KINDS as [string, ...string[]]).optional(),
  workingSet: text,
  zeroFraction: text,
  zeroPageBytes: text,
  stopRule: z.enum(STOP_RULE_KINDS as unknown as [string, ...string[]]).optional(),
  maxRounds: text,
  switchoverBandwidth: text,
  checkInterval: text,
  downtimeBandwidth: text,
  bandwidthSchedule: text,
  replicas: text,
  seed: text,
});

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
