/**
 * `precopy simulate` (one page-level migration, or a Monte Carlo of them, side by side with the model) and
 * `precopy validate` (a grid over rho, alpha and beta: where the closed forms hold and where they break).
 * Parse, validate, call src/simulate, print; nothing else.
 */
import { type Command, Option } from 'commander';
import { csvRow } from '../../format/csv.js';
import type { DistinctResult } from '../../model/distinct.js';
import { type CaseName, type CaseOutcome, ModelInputError, type Summary, formatValue } from '../../model/index.js';
import { FIELD_OF_PARAMETER, type ResolvedPredict, flagOf, predictSchema } from '../../schema/index.js';
import { distinctModelFor, paperModelFor, relativeError, simulatedSummary } from '../../simulate/compare.js';
import type { SimulationParams, SimulationResult } from '../../simulate/engine.js';
import type { BandwidthStep } from '../../simulate/link.js';
import { type Estimate, aggregate, checkMonteCarlo, estimate } from '../../simulate/montecarlo.js';
import { runTasks } from '../../simulate/pool.js';
import { STOP_RULE_KINDS, type StopRuleSpec } from '../../simulate/stop-rules.js';
import { readTraceFile } from '../../simulate/trace-file.js';
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
} from '../../simulate/validate.js';
import { WORKLOAD_KINDS, type WorkloadSpec } from '../../simulate/workloads.js';
import { validationChartSpec } from '../../report/validation-chart.js';
import { parseDuration, parseRate, parseSize } from '../../units/index.js';
import {
  CliError,
  MODEL_FIELDS,
  addModelOptions,
  columns,
  fmt,
  formatOption,
  parseOrFail,
  pick,
  toJson,
  writeFileAtomic,
} from '../common.js';

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
export function asCliError(e: unknown): unknown {
  if (!(e instanceof ModelInputError)) return e;
  const head = e.parameter.replace(/\[.*$/, '').split('.')[0]!;
  const flag =
    FLAG_OF_SIM_PARAMETER[head] ??
    (head === 'schedule' ? '--bandwidth-schedule' : undefined) ??
    (FIELD_OF_PARAMETER[head] ? flagOf(FIELD_OF_PARAMETER[head]!) : undefined);
  if (!flag) return e;
  if (e.message === `${e.parameter} = ${formatValue(e.value)} is out of range: expected ${e.range}`) {
    return new CliError(`${flag} ${formatValue(e.value)} is out of range: expected ${e.range}`);
  }
  return new CliError(e.message);
}

function numberFlag(flag: string, text: string, ok: (v: number) => boolean, expected: string): number {
  const v = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(v)) throw new CliError(`${flag} '${text}' is not a number: expected ${expected}`);
  if (!ok(v)) throw new CliError(`${flag} '${text}' is out of range: expected ${expected}`);
  return v;
}

function unitFlag(
  flag: string,
  text: string,
  parse: (s: string) => number,
  ok: (v: number) => boolean,
  expected: string,
): number {
  let v: number;
  try {
    v = parse(text);
  } catch {
    throw new CliError(`${flag} '${text}' is not valid: expected ${expected}`);
  }
  if (!ok(v)) throw new CliError(`${flag} '${text}' is out of range: expected ${expected}`);
  return v;
}

function listFlag(flag: string, text: string, ok: (v: number) => boolean, expected: string): number[] {
  return text.split(',').map((t) => numberFlag(flag, t.trim(), ok, expected));
}

/** `30s=500Mbit/s,60s=1Gbit/s`: from 30 s on the link carries 500 Mbit/s, from 60 s on 1 Gbit/s. */
export function parseSchedule(text: string): BandwidthStep[] {
  const expected = "TIME=RATE pairs in increasing time, e.g. '30s=500Mbit/s,60s=1Gbit/s'";
  return text.split(',').map((part) => {
    const m = /^\s*([^=]+)=(.+)$/.exec(part);
    if (!m) throw new CliError(`--bandwidth-schedule '${text}' is not valid: expected ${expected}`);
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
 * parameters; shared by the command line and `POST /api/simulate`. Throws CliError/ModelInputError/UnitError.
 */
export function resolveSimulate(opts: Record<string, unknown>): SimulateSetup {
  const stopKind = (opts.stopRule as StopRuleSpec['kind'] | undefined) ?? undefined;
  const needsAlpha = stopKind === undefined || stopKind === 'alpha' || stopKind === 'hot-held';
  const raw = pick(opts, [...MODEL_FIELDS, 'alpha', 'downtimeLimit']);
  // The schema needs alpha or a downtime limit; rules without one (Xen, max-rounds) get a placeholder that is
  // never used (no closed form is shown for them).
  if (!needsAlpha && raw.alpha === undefined && raw.downtimeLimit === undefined) raw.alpha = '0.5';
  if (stopKind === 'qemu' && raw.downtimeLimit === undefined) {
    throw new CliError('--downtime-limit is missing: --stop-rule qemu needs a downtime limit (e.g. 300ms)');
  }
  if (stopKind === 'qemu') delete raw.alpha;
  // A trace carries its own dirtying: the schema's dirty rate is not needed.
  if (opts.workload === 'trace' && raw.dirtyRate === undefined && raw.hotFraction === undefined) raw.dirtyRate = '0';
  const resolved = parseOrFail(predictSchema, raw);
  const input = resolved.input;
  const hot = input.hotFraction !== undefined;
  let caseName: CaseName;
  if (opts.case === 'hot-downtime' || stopKind === 'hot-held') caseName = 'hotDowntime';
  else if (opts.case === 'hot-precopy') caseName = 'hotPrecopy';
  else if (opts.case === 'uniform') caseName = 'uniform';
  else caseName = resolved.cases[0]!;
  if (caseName !== 'uniform' && !hot) {
    throw new CliError(`--hot-fraction is missing: case ${caseName} needs hot-fraction, hot-rate and cold-rate`);
  }
  const kind = (opts.workload as WorkloadSpec['kind'] | undefined) ?? (caseName === 'uniform' ? 'random' : 'hot-cold');
  let workload: WorkloadSpec;
  const D = input.dirtyPagesPerSecond;
  const needD = () => {
    if (D === undefined || caseName !== 'uniform') {
      throw new CliError(`--dirty-rate is missing: --workload ${kind} needs a dirty rate (and no hot-page case)`);
    }
    return D;
  };
  const hotRates = () => {
    if (caseName === 'uniform') {
      throw new CliError(
        `--case ${opts.case ?? 'uniform'} does not fit --workload ${kind}: it needs the hot-page flags and case hot-precopy or hot-downtime`,
      );
    }
    return {
      hotFraction: input.hotFraction!,
      hotDirtyPagesPerSecond: input.hotDirtyPagesPerSecond!,
      coldDirtyPagesPerSecond: input.coldDirtyPagesPerSecond!,
    };
  };
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
        throw new CliError('--working-set is missing: --workload working-set needs a size (e.g. 1GiB) or a page count');
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
        throw new CliError('--trace is missing: --workload trace needs a trace file (format: docs/simulator.md)');
      const trace = readTraceFile(String(opts.trace));
      if (trace.pages !== undefined && trace.pages !== input.pages) {
        throw new CliError(
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
        throw new CliError('--max-rounds is missing: --stop-rule max-rounds needs a number of rounds');
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

/** Compares the replicas' results with the models; throws CliError when no replica converged. */
export function simulationReport(setup: SimulateSetup, results: readonly SimulationResult[]): SimulationReport {
  const { params, replicas, seed, accounting } = setup;
  const mc = aggregate(results, { replicas, seed });
  if (mc.converged === 0) throw new CliError(`simulation did not converge: ${results[0]!.reason}`);
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

async function runSimulate(opts: Record<string, unknown>): Promise<void> {
  const setup = resolveSimulate(opts);
  const { params, replicas, seed, jobs, accounting } = setup;
  checkMonteCarlo({ replicas, seed });
  const tasks = Array.from({ length: replicas }, (_, index) => ({ params, seed, index }));
  const results = await runTasks(tasks, { jobs });
  const { mc, rows, paper, distinct, json } = simulationReport(setup, results);
  const modelRounds = paper?.converged ? paper.rounds : undefined;
  const format = opts.format as string;
  if (format === 'json') {
    process.stdout.write(`${toJson(json)}\n`);
    return;
  }
  if (format === 'csv') {
    let out = csvRow([
      'section',
      'index',
      'quantity',
      'simulated',
      'low',
      'high',
      'model',
      'relativeError',
      'distinct',
      'distinctRelativeError',
    ]);
    mc.rounds.forEach((r, i) => {
      const m = modelRounds?.[i];
      // pages sent and seconds have a model value per round; pages dirtied and pending have none
      const modelOf = { pagesSent: m?.pages, seconds: m?.seconds, pagesDirtied: undefined, pendingAfter: undefined };
      for (const [quantity, model] of Object.entries(modelOf)) {
        const e = r[quantity as keyof typeof modelOf];
        out += csvRow([
          'round',
          i,
          quantity,
          e.mean,
          e.low,
          e.high,
          model,
          model === undefined ? undefined : relativeError(e.mean, model),
          undefined,
          undefined,
        ]);
      }
    });
    for (const r of rows) {
      out += csvRow([
        'total',
        undefined,
        r.quantity,
        r.simulated.mean,
        r.simulated.low,
        r.simulated.high,
        r.model,
        r.relativeError,
        r.distinct,
        r.distinctRelativeError,
      ]);
    }
    process.stdout.write(out);
    return;
  }
  const show = (e: Estimate) =>
    e.count > 1 && e.halfWidth > 0 ? `${fmt(e.mean)} ± ${fmt(e.halfWidth, 3)}` : fmt(e.mean);
  const pct = (x: number | undefined) => (x === undefined ? '-' : `${fmt(100 * x, 3)} %`);
  const parts: string[] = [`precopy simulate: ${setup.describe}`];
  if (replicas > 1) parts.push(`means over ${mc.converged} converged replicas, ± half-width of the 95 % interval`);
  const roundRows: string[][] = [
    ['round', 'pages sent', 'seconds', 'pages dirtied', 'pending after', 'model P(i)', 'model T(i)', 'error P(i)'],
  ];
  const listed =
    mc.rounds.length <= 24
      ? mc.rounds.map((_, i) => i)
      : [...Array(12).keys(), -1, ...[...Array(6).keys()].map((k) => mc.rounds.length - 6 + k)];
  for (const i of listed) {
    if (i < 0) {
      roundRows.push(['...', '', '', '', '', '', '', '']);
      continue;
    }
    const r = mc.rounds[i]!;
    const m = modelRounds?.[i];
    roundRows.push([
      String(i),
      show(r.pagesSent),
      show(r.seconds),
      show(r.pagesDirtied),
      show(r.pendingAfter),
      m ? fmt(m.pages) : '-',
      m ? fmt(m.seconds) : '-',
      pct(m ? relativeError(r.pagesSent.mean, m.pages) : undefined),
    ]);
  }
  parts.push('', columns(roundRows));
  const first = results[0]!;
  parts.push(
    '',
    `stop-and-copy (replica 0): ${fmt(first.downtimePages)} pages (${fmt(first.heldPages)} held hot, ${fmt(first.downtimeZeroPages)} zero) in ${fmt(first.downtimeSeconds)} s; stopped because ${first.reason}`,
  );
  const hasModel = paper !== undefined;
  const header = [
    '',
    'simulated',
    ...(hasModel ? ['paper model', 'error'] : []),
    ...(distinct ? ['distinct model', 'error'] : []),
  ];
  const table: string[][] = [header];
  for (const r of rows) {
    table.push([
      r.quantity,
      show(r.simulated),
      ...(hasModel ? [fmt(r.model), pct(r.relativeError)] : []),
      ...(distinct ? [fmt(r.distinct), pct(r.distinctRelativeError)] : []),
    ]);
  }
  parts.push('', columns(table));
  if (paper && !paper.converged) parts.push(`paper model: ${paper.reason}`);
  if (distinct && !distinct.converged) parts.push(`distinct-pages model: ${distinct.reason}`);
  if (!hasModel) parts.push('no closed form for this workload or stop rule: simulation only');
  else
    parts.push(
      `(${accounting} accounting; error = (simulated - model) / model${params.stopRule.kind === 'qemu' ? '; paper model at alpha = downtime-limit*B/(Ps*S)' : ''})`,
    );
  process.stdout.write(`${parts.join('\n')}\n`);
}

/** Registers `precopy simulate`: the predict flags plus workload, stop rule, link and Monte Carlo options. */
export function registerSimulate(program: Command): void {
  addModelOptions(
    program
      .command('simulate')
      .description('simulate pre-copy page by page (workload, link, stop rule) and compare with the model'),
  )
    .option('--alpha <fraction>', 'alpha stop rule: stop when at most alpha*Ps pages are dirty, 0 < alpha < 1')
    .option(
      '--downtime-limit <duration>',
      'QEMU downtime limit (e.g. 300ms); with the alpha rule, alpha = limit*B/(Ps*S)',
    )
    .addOption(
      new Option('--workload <kind>', 'how the guest dirties pages (default: random, hot-cold with hot flags)').choices(
        [...WORKLOAD_KINDS],
      ),
    )
    .option('--working-set <size>', 'working-set size for --workload working-set (e.g. 1GiB, or a page count)')
    .option('--trace <file>', 'dirty-page trace for --workload trace (format: docs/simulator.md)')
    .option('--zero-fraction <z>', 'fraction of zero pages at the start, sent as tiny records, 0 <= z < 1')
    .option('--zero-page-bytes <size>', 'bytes on the wire per zero page (default 9)')
    .addOption(
      new Option(
        '--stop-rule <rule>',
        'when pre-copy stops (default: alpha, hot-held for --case hot-downtime)',
      ).choices([...STOP_RULE_KINDS]),
    )
    .option('--max-rounds <n>', 'stop after this many rounds (a cap on any rule, or the rule itself)')
    .option(
      '--switchover-bandwidth <rate>',
      'QEMU: bandwidth for the threshold (avail-switchover-bandwidth); default: measured',
    )
    .option('--check-interval <duration>', 'QEMU: sending time between checks of the pending bytes (default 50ms)')
    .option(
      '--downtime-bandwidth <rate>',
      'rate of the final copy (default: --switchover-bandwidth if given, else the link)',
    )
    .option('--bandwidth-schedule <steps>', "link rate changes, e.g. '30s=500Mbit/s,60s=1Gbit/s'")
    .option('--replicas <n>', 'Monte Carlo replicas (default 1)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--jobs <n>', 'worker threads for the replicas (default 1; same results for any value)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, unknown>) => {
      try {
        await runSimulate(opts);
      } catch (e) {
        throw asCliError(e);
      }
    });
}

const CASE_SHORT: Record<CaseName, string> = { uniform: 'uniform', hotPrecopy: 'Hot I', hotDowntime: 'Hot II' };

function q(x: { median: number; p90: number; max: number } | undefined): string[] {
  const p = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${fmt(100 * v, 2)}%`);
  return x ? [p(x.median), p(x.p90), p(x.max)] : ['-', '-', '-'];
}

/** A text heat map of the downtime error over (alpha, rho) for one workload, case and beta. */
function errorMatrix(cells: readonly ValidationCell[], grid: ValidationGrid): string {
  const rows: string[][] = [['alpha \\ rho', ...grid.rhos.map((r) => fmt(r))]];
  for (const a of grid.alphas) {
    rows.push([
      fmt(a),
      ...grid.rhos.map((r) => {
        const c = cells.find((x) => x.rho === r && x.alpha === a);
        const e = c?.paperError.downtime;
        if (e === undefined) return '-';
        const mark = Math.abs(e) <= 0.01 ? ' ' : Math.abs(e) <= 0.05 ? '~' : '!';
        return `${e >= 0 ? '+' : ''}${fmt(100 * e, 2)}%${mark}`;
      }),
    ]);
  }
  return columns(rows.map((r) => r.map((c, i) => (i === 0 ? `  ${c}` : c))));
}

async function runValidate(opts: Record<string, unknown>): Promise<void> {
  const g = { ...DEFAULT_GRID } as { -readonly [K in keyof ValidationGrid]: ValidationGrid[K] };
  if (
    opts.pages !== undefined ||
    opts.memory !== undefined ||
    opts.pageSize !== undefined ||
    opts.bandwidth !== undefined
  ) {
    const resolved = parseOrFail(predictSchema, {
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
    throw new CliError(`--pages ${g.pages} is out of range: expected at most 268435456 pages for validate`);
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
        throw new CliError(`--workloads '${w}' is not one of: ${VALIDATION_WORKLOADS.join(', ')}`);
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
  const plan = planValidation(g);
  const results = await runTasks(validationTasks(plan, g.seed), { jobs });
  const cells = assembleValidation(plan, results);
  const summary = summarizeValidation(cells);
  if (opts.chart !== undefined) {
    const path = String(opts.chart);
    const spec = validationChartSpec(cells);
    if (path.endsWith('.svg')) writeFileAtomic(path, await renderSvg(spec));
    else writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
  }
  const format = opts.format as string;
  if (format === 'json') {
    process.stdout.write(`${toJson({ grid: g, summary, cells })}\n`);
    return;
  }
  if (format === 'csv') {
    let out = csvRow([
      'workload',
      'case',
      'beta',
      'rho',
      'alpha',
      'simIterations',
      'simDowntimeSeconds',
      'simDowntimeHalfWidth',
      'simTotalSeconds',
      'paperIterations',
      'paperDowntimeSeconds',
      'paperTotalSeconds',
      'downtimeError',
      'totalError',
      'distinctDowntimeSeconds',
      'distinctDowntimeError',
      'distinctTotalError',
    ]);
    for (const c of cells) {
      out += csvRow([
        c.workload,
        c.case,
        c.beta,
        c.rho,
        c.alpha,
        c.simulated.iterations.mean,
        c.simulated.downtimeSeconds.mean,
        c.simulated.downtimeSeconds.halfWidth,
        c.simulated.totalSeconds.mean,
        c.paper?.iterations,
        c.paper?.downtimeSeconds,
        c.paper?.totalSeconds,
        c.paperError.downtime,
        c.paperError.total,
        c.distinct?.downtimeSeconds,
        c.distinctError.downtime,
        c.distinctError.total,
      ]);
    }
    process.stdout.write(out);
    return;
  }
  const parts: string[] = [
    `precopy validate: simulator vs the paper's closed forms (consistent accounting) over rho = ${g.rhos.map((x) => fmt(x)).join(',')}, alpha = ${g.alphas.map((x) => fmt(x)).join(',')}, beta = ${g.betas.map((x) => fmt(x)).join(',')}`,
    `Ps = ${g.pages} pages of ${fmt(g.pageSizeBytes)} B, B = ${fmt(g.bandwidthBytesPerSecond)} B/s, Dh/Dnh = ${fmt(g.hotRatio)}, working set = ${fmt(g.workingSetFraction)}*Ps, ${g.replicas} replicas per random cell, seed ${g.seed}`,
    '',
  ];
  const head = [
    'workload',
    'case',
    'cells',
    '<=1%',
    '<=5%',
    'downtime |err| median',
    'p90',
    'max',
    'total |err| median',
    'p90',
    'max',
    'distinct model <=5%',
    'its downtime |err| median',
    'max',
  ];
  const rows: string[][] = [head];
  for (const s of summary as ValidationSummary[]) {
    rows.push([
      s.workload,
      CASE_SHORT[s.case],
      String(s.cells),
      String(s.within1pct),
      String(s.within5pct),
      ...q(s.downtime),
      ...q(s.total),
      s.distinctWithin5pct === undefined ? '-' : String(s.distinctWithin5pct),
      ...(s.distinctDowntime ? [q(s.distinctDowntime)[0]!, q(s.distinctDowntime)[2]!] : ['-', '-']),
    ]);
  }
  parts.push(columns(rows));
  parts.push(
    '',
    'Downtime error (simulated - paper) / paper by alpha (rows) and rho (columns); ~ over 1 %, ! over 5 %:',
  );
  for (const s of summary) {
    const beta = s.case === 'uniform' ? undefined : g.betas[0];
    const these = cells.filter((c) => c.workload === s.workload && c.case === s.case && c.beta === beta);
    parts.push(
      '',
      `${s.workload}, ${CASE_SHORT[s.case]}${beta !== undefined ? `, beta = ${fmt(beta)}` : ''}`,
      errorMatrix(these, g),
    );
  }
  parts.push(
    '',
    "Reading: fluid = the paper's own assumption, so its errors are rounding only (the independent check of the closed",
    'forms). Random writes re-dirty pages already dirty, so fewer pages are sent than rho^i*Ps predicts; the',
    'distinct-pages model (src/model/distinct.ts) follows them. A working set caps the dirty set at W pages.',
    "Hot II with random hot/cold writes dirties the cold pages at (1-beta)*Dnh, not the paper's Dnh.",
  );
  if (opts.chart !== undefined) parts.push(`chart written to ${String(opts.chart)}`);
  process.stdout.write(`${parts.join('\n')}\n`);
}

/** Renders a Vega-Lite spec to SVG when vega and vega-lite are installed; a one-line error otherwise. */
async function renderSvg(spec: object): Promise<string> {
  const load = (name: string) => import(name) as Promise<Record<string, unknown>>;
  let vega: Record<string, unknown>;
  let vegaLite: Record<string, unknown>;
  try {
    vega = await load('vega');
    vegaLite = await load('vega-lite');
  } catch {
    throw new CliError(
      '--chart: SVG needs the packages vega and vega-lite; write the Vega-Lite spec instead (a path ending in .json)',
    );
  }
  const compile = (vegaLite.compile ?? (vegaLite.default as Record<string, unknown>)?.compile) as (s: object) => {
    spec: object;
  };
  const V = (vega.View ?? (vega.default as Record<string, unknown>)?.View) as new (
    rt: unknown,
    o: object,
  ) => { toSVG(): Promise<string>; finalize(): void };
  const parse = (vega.parse ?? (vega.default as Record<string, unknown>)?.parse) as (s: object) => unknown;
  const view = new V(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Registers `precopy validate`: the model-vs-simulation grid, its error table, heat maps and chart. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('where the closed forms hold and where they break: simulator vs model over a grid of rho, alpha, beta')
    .option('--pages <n>', `Ps: memory in pages (default ${DEFAULT_GRID.pages})`)
    .option('--memory <size>', 'memory as a size, instead of --pages')
    .option('--page-size <size>', `S: page size (default ${DEFAULT_GRID.pageSizeBytes} B)`)
    .option('--bandwidth <rate>', `B: link bandwidth (default ${DEFAULT_GRID.bandwidthBytesPerSecond} B/s)`)
    .option('--rho <list>', `rho values (default ${DEFAULT_GRID.rhos.join(',')})`)
    .option('--alpha <list>', `alpha values (default ${DEFAULT_GRID.alphas.join(',')})`)
    .option('--beta <list>', `hot fractions (default ${DEFAULT_GRID.betas.join(',')})`)
    .option('--hot-ratio <r>', "Dh/Dnh in the hot cells (default 4/1.8, the paper's Table 2)")
    .option('--working-set-fraction <f>', 'working set W as a fraction of Ps (default 0.25)')
    .option('--workloads <list>', `workloads to run (default ${VALIDATION_WORKLOADS.join(',')})`)
    .option('--replicas <n>', `replicas per random cell (default ${DEFAULT_GRID.replicas})`)
    .option('--seed <n>', 'random seed (default 1)')
    .option('--jobs <n>', 'worker threads (default 1; same results for any value)')
    .option('--chart <file>', 'write a chart of the errors: a Vega-Lite spec (.json) or SVG (.svg, needs vega)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, unknown>) => {
      try {
        await runValidate(opts);
      } catch (e) {
        throw asCliError(e);
      }
    });
}
