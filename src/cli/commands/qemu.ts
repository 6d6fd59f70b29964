/**
 * `precopy qemu ...`: QEMU's knobs from the model. Parse, validate, call, print; nothing else.
 *
 *   precopy qemu plan --memory 8GiB --link-bandwidth 10Gbit/s --dirty-rate 20000 [--max-downtime 300ms] ...
 *
 * Bad input is one line on stderr naming the flag, the value and the valid range, exit code 2. A plan that
 * cannot meet the constraints (or a migration that never converges) prints its result and exits with 1.
 */
import type { Command } from 'commander';
import { MigrationWatcher, measureVm, type WatchReport } from '../../hypervisor/qemu/advisor.js';
import { QmpClient, QmpError, type QueryMigrate, qmp } from '../../hypervisor/qemu/qmp.js';
import { predictNova, predictXenPolicy } from '../../hypervisor/presets.js';
import { ModelInputError } from '../../model/index.js';
import { CliError } from '../common.js';
import {
  migrateSetParametersCommand,
  planQemuMigration,
  type QemuPlan,
  type QemuPlanParams,
  type QemuWorkload,
  virshCommands,
} from '../../hypervisor/qemu/plan.js';
import type { DirtyPattern } from '../../hypervisor/qemu/predict.js';
import {
  dirtyPagesPerSecond,
  humanDuration,
  humanSize,
  parseDirtyRate,
  parseDuration,
  parseRate,
  parseSize,
  UnitError,
} from '../../units/index.js';

/** Where a command writes its result (stdout) and progress (stderr); tests pass their own. */
export interface QemuCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: QemuCliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** A bad flag value: the CLI prints it as one line `precopy: --flag 'value' ...: expected ...`, exit code 2. */
export class QemuUsageError extends CliError {
  constructor(
    readonly flag: string,
    readonly value: string,
    readonly expected: string,
    problem = 'is invalid',
  ) {
    super(`--${flag} '${value}' ${problem}: expected ${expected}`, 2);
    this.name = 'QemuUsageError';
  }
}

type Raw = Record<string, string | boolean | undefined>;

function need(o: Raw, flag: string, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new QemuUsageError(flag, v === undefined ? '' : String(v), what, 'is missing');
  }
  return v;
}

function unit<T>(flag: string, value: string, parse: (s: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof UnitError) throw new QemuUsageError(flag, value, e.expected, `is not a ${e.kind}`);
    throw e;
  }
}

function ranged(flag: string, value: string, x: number, ok: boolean, expected: string): number {
  if (!Number.isFinite(x) || !ok) throw new QemuUsageError(flag, value, expected, 'is out of range');
  return x;
}

function fraction(flag: string, value: string, lo: 'open' | 'closed', hi: 'open' | 'closed'): number {
  const x = Number(value);
  const okLo = lo === 'open' ? x > 0 : x >= 0;
  const okHi = hi === 'open' ? x < 1 : x <= 1;
  const expected = `a number with ${lo === 'open' ? '0 <' : '0 <='} x ${hi === 'open' ? '< 1' : '<= 1'}`;
  if (value.trim() === '' || !Number.isFinite(x)) throw new QemuUsageError(flag, value, expected, 'is not a number');
  return ranged(flag, value, x, okLo && okHi, expected);
}

const PARAM_FLAGS: Record<string, string> = {
  memoryBytes: 'memory',
  pageSizeBytes: 'page-size',
  maxBandwidthBytesPerSecond: 'max-bandwidth',
  linkBandwidthBytesPerSecond: 'link-bandwidth',
  downtimeLimitSeconds: 'downtime-limit',
  dirtyPagesPerSecond: 'dirty-rate',
  zeroPageFraction: 'zero-fraction',
  workingSetPages: 'working-set',
};

/** The parsed `plan` options: the planner's parameters plus how to print them. */
export interface PlanInput extends QemuPlanParams {
  readonly useAvailSwitchover: boolean;
  readonly format: 'table' | 'json';
  readonly domain: string;
}

/** Reads the workload flags shared by plan and advise. */
export function parseWorkloadFlags(
  o: Raw,
  known?: { memoryBytes?: number; dirtyPagesPerSecond?: number },
): QemuWorkload {
  const pageSizeText = typeof o.pageSize === 'string' ? o.pageSize : '4KiB';
  const S = unit('page-size', pageSizeText, parseSize);
  ranged(
    'page-size',
    pageSizeText,
    S,
    Number.isInteger(S) && S >= 512 && S <= 2 ** 30,
    'a whole number of bytes from 512 B to 1 GiB, e.g. 4KiB',
  );
  let memory = known?.memoryBytes;
  if (memory === undefined || typeof o.memory === 'string') {
    const text = need(o, 'memory', 'memory', 'a size such as 8GiB');
    memory = unit('memory', text, parseSize);
    ranged('memory', text, memory, memory >= S && memory <= 2 ** 50, `a size from one page (${S} B) to 1 PiB`);
  }
  const linkText = need(o, 'link-bandwidth', 'linkBandwidth', 'a rate such as 10Gbit/s or 1.25GB/s');
  const link = unit('link-bandwidth', linkText, parseRate);
  ranged('link-bandwidth', linkText, link, link >= 1 && link <= 1e13, 'a rate from 1 B/s to 10 TB/s');
  let D = known?.dirtyPagesPerSecond;
  if (D === undefined || typeof o.dirtyRate === 'string') {
    const text = need(o, 'dirty-rate', 'dirtyRate', 'pages/s (20000) or a byte rate (80MB/s)');
    D = dirtyPagesPerSecond(
      unit('dirty-rate', text, (s) => parseDirtyRate(s)),
      S,
    );
    ranged('dirty-rate', text, D, D >= 0 && D <= 1e12, 'a rate >= 0 pages/s (or bytes/s) below 10^12 pages/s');
  }
  const pages = Math.ceil(memory / S);
  let z = 0;
  if (typeof o.zeroFraction === 'string') z = fraction('zero-fraction', o.zeroFraction, 'closed', 'open');
  let W: number | undefined;
  if (typeof o.workingSet === 'string') {
    const ws = unit('working-set', o.workingSet, parseSize);
    const nonZero = pages - Math.floor(z * pages);
    W = Math.ceil(ws / S);
    ranged(
      'working-set',
      o.workingSet,
      W,
      W >= 1 && W <= nonZero,
      `a size from one page to the non-zero memory (${humanSize(nonZero * S)})`,
    );
  }
  const pattern = (typeof o.pattern === 'string' ? o.pattern : 'sequential') as DirtyPattern;
  if (pattern !== 'sequential' && pattern !== 'random')
    throw new QemuUsageError('pattern', pattern, 'sequential or random');
  return {
    memoryBytes: memory,
    pageSizeBytes: S,
    linkBandwidthBytesPerSecond: link,
    dirtyPagesPerSecond: D,
    zeroPageFraction: z,
    dirtyPattern: pattern,
    ...(W === undefined ? {} : { workingSetPages: W }),
  };
}

/** Reads the constraint and knob flags shared by plan and advise. */
export function parsePlanFlags(o: Raw, workload: QemuWorkload): Omit<PlanInput, 'workload'> {
  const format = typeof o.format === 'string' ? o.format : 'table';
  if (format !== 'table' && format !== 'json') throw new QemuUsageError('format', format, 'table or json');
  const dur = (flag: string, key: string, lo: number, hi: number, expected: string) => {
    const v = o[key];
    if (typeof v !== 'string') return undefined;
    const x = unit(flag, v, parseDuration);
    return ranged(flag, v, x, x >= lo && x <= hi, expected);
  };
  const maxDowntimeSeconds = dur('max-downtime', 'maxDowntime', 1e-3, 2000, 'a duration from 1ms to 2000s');
  const maxTotalSeconds = dur('max-total-time', 'maxTotalTime', 1e-3, 1e9, 'a duration > 0, e.g. 10min');
  const dlSeconds = dur(
    'downtime-limit',
    'downtimeLimit',
    1e-3,
    2000,
    'a duration from 1ms to 2000s (QEMU counts whole ms)',
  );
  const maxLinkShare =
    typeof o.maxLinkShare === 'string' ? fraction('max-link-share', o.maxLinkShare, 'open', 'closed') : undefined;
  let maxBandwidthBytesPerSecond: number | undefined;
  if (typeof o.maxBandwidth === 'string') {
    const b = unit('max-bandwidth', o.maxBandwidth, parseRate);
    const limit = workload.linkBandwidthBytesPerSecond * (maxLinkShare ?? 1);
    maxBandwidthBytesPerSecond = ranged(
      'max-bandwidth',
      o.maxBandwidth,
      Math.floor(b),
      b >= 1 && b <= limit,
      `a rate from 1 B/s to the allowed share of the link (${Math.floor(limit)} B/s)`,
    );
  }
  return {
    ...(maxDowntimeSeconds === undefined ? {} : { maxDowntimeSeconds }),
    ...(maxTotalSeconds === undefined ? {} : { maxTotalSeconds }),
    ...(maxLinkShare === undefined ? {} : { maxLinkShare }),
    ...(maxBandwidthBytesPerSecond === undefined ? {} : { maxBandwidthBytesPerSecond }),
    ...(dlSeconds === undefined ? {} : { downtimeLimitMs: Math.max(1, Math.round(dlSeconds * 1000)) }),
    useAvailSwitchover: o.availSwitchover === true,
    ...(() => {
      const r = dur('downtime-resolution', 'downtimeResolution', 1e-6, 10, 'a duration from 1us to 10s');
      return r === undefined ? {} : { downtimeResolutionSeconds: r };
    })(),
    format,
    domain: typeof o.domain === 'string' ? o.domain : 'DOMAIN',
  };
}

/** The JSON document `plan` prints (documented in docs/qemu.md). */
export function planDocument(input: PlanInput, plan: QemuPlan): Record<string, unknown> {
  const pr = plan.prediction;
  const prediction = pr.converges
    ? {
        converges: true,
        iterations: pr.iterations,
        totalSeconds: pr.totalSeconds,
        downtimeSeconds: pr.downtimeSeconds,
        bytesTransferred: pr.bytesTransferred,
        precopyRounds: pr.rounds.length,
        alpha: pr.alpha,
        rho: pr.rho,
        rounds: pr.rounds,
      }
    : {
        converges: false,
        iterations: null,
        totalSeconds: null,
        downtimeSeconds: null,
        bytesTransferred: null,
        reason: pr.reason,
        cause: pr.cause,
        alpha: pr.alpha,
        rho: pr.rho,
      };
  return {
    feasible: plan.feasible,
    warnings: plan.warnings,
    ...(plan.reason === undefined ? {} : { reason: plan.reason }),
    input: {
      ...input.workload,
      maxDowntimeSeconds: input.maxDowntimeSeconds ?? null,
      maxLinkShare: input.maxLinkShare ?? 1,
      maxTotalSeconds: input.maxTotalSeconds ?? null,
    },
    parameters: plan.parameters,
    prediction,
    ...(plan.remedy === undefined ? {} : { remedy: plan.remedy }),
    qmp: migrateSetParametersCommand(plan.parameters),
    virsh: virshCommands(plan.parameters, input.domain),
  };
}

/** The table `plan` prints. */
export function planTable(input: PlanInput, plan: QemuPlan): string {
  const pr = plan.prediction;
  const k = plan.parameters;
  const rows: [string, string][] = [
    ['downtime-limit', `${k.downtimeLimitMs} ms`],
    ['max-bandwidth', `${k.maxBandwidthBytesPerSecond} B/s (${humanSize(k.maxBandwidthBytesPerSecond)}/s)`],
  ];
  if (k.availSwitchoverBandwidthBytesPerSecond !== undefined) {
    rows.push(['avail-switchover-bandwidth', `${k.availSwitchoverBandwidthBytesPerSecond} B/s`]);
  }
  if (pr.converges) {
    rows.push(
      ['converges', 'yes'],
      ['rounds (dirty-sync-count)', `${pr.iterations} (${pr.rounds.length} pre-copy rounds)`],
      ['total time', humanDuration(pr.totalSeconds)],
      ['downtime', humanDuration(pr.downtimeSeconds)],
      ['bytes sent', `${Math.round(pr.bytesTransferred)} (${humanSize(pr.bytesTransferred)})`],
      ['alpha (paper)', pr.alpha.toPrecision(4)],
      ['rho (paper)', pr.rho.toPrecision(4)],
    );
  } else {
    rows.push(['converges', `no: ${pr.reason}`]);
  }
  if (!plan.feasible && plan.reason !== undefined && (pr.converges || plan.reason !== pr.reason))
    rows.push(['constraints', `not met: ${plan.reason}`]);
  for (const w of plan.warnings) rows.push(['warning', w]);
  if (plan.remedy !== undefined) {
    const r = plan.remedy;
    rows.push([
      'would converge with',
      r.bandwidthNeededBytesPerSecond === null
        ? 'no bandwidth below 1 PB/s'
        : `bandwidth >= ${humanSize(r.bandwidthNeededBytesPerSecond)}/s (${r.bandwidthNeededBytesPerSecond} B/s)`,
    ]);
    rows.push([
      'or auto-converge',
      r.throttleFractionNeeded === null
        ? 'not even at 99 % throttle'
        : `vCPU throttle >= ${(r.throttleFractionNeeded * 100).toFixed(1)} % (QEMU step ${r.autoConvergeThrottlePercent} %)`,
    ]);
  }
  const width = Math.max(...rows.map(([a]) => a.length));
  const lines = rows.map(([a, b]) => `${a.padEnd(width)}  ${b}`);
  lines.push('', `QMP:   ${JSON.stringify(migrateSetParametersCommand(k))}`);
  for (const v of virshCommands(k, input.domain)) lines.push(`virsh: ${v}`);
  return `${lines.join('\n')}\n`;
}

/** Translates library errors into one-line usage errors naming the flag. */
function toUsage(e: unknown): unknown {
  if (e instanceof QmpError) return new CliError(e.message, 1);
  if (e instanceof ModelInputError) {
    const flag = PARAM_FLAGS[e.parameter] ?? e.parameter;
    return new QemuUsageError(flag, String(e.value), e.range, 'is out of range');
  }
  return e;
}

/**
 * Runs a command body; library range errors become usage errors naming the flag (exit code 2). A body that
 * returns a non-zero code (no plan meets the constraints, the migration failed) ends as a CliError with that
 * code after its result has been printed.
 */
export async function runGuarded(body: () => Promise<number> | number, failure: string): Promise<void> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    throw toUsage(e);
  }
  if (code !== 0) throw new CliError(failure, code);
}

/** Plans (or predicts for fixed knobs) and prints; returns the exit code. */
export function runPlan(o: Raw, io: QemuCliIo): number {
  const workload = parseWorkloadFlags(o);
  const input: PlanInput = { workload, ...parsePlanFlags(o, workload) };
  const plan = planFor(input);
  const presets = o.presets === true ? presetsFor(input, plan) : undefined;
  if (input.format === 'json') {
    io.out(
      `${JSON.stringify({ ...planDocument(input, plan), ...(presets === undefined ? {} : { presets }) }, null, 2)}\n`,
    );
  } else {
    io.out(planTable(input, plan));
    if (presets !== undefined) io.out(presetsTable(presets, plan));
  }
  return plan.feasible && plan.prediction.converges ? 0 : 1;
}

/** Adds the workload, constraint and knob options to a command. */
export function addPlanOptions(cmd: Command, memoryRequired: boolean): Command {
  return cmd
    .option('--memory <size>', `guest RAM, e.g. 8GiB${memoryRequired ? '' : ' (default: from QEMU)'}`)
    .option('--page-size <size>', 'page size', '4KiB')
    .option('--link-bandwidth <rate>', 'link speed, e.g. 10Gbit/s (carries the final copy)')
    .option('--dirty-rate <rate>', `pages/s (20000) or bytes/s (80MB/s)${memoryRequired ? '' : ' (default: measured)'}`)
    .option('--zero-fraction <f>', 'fraction of RAM that is zero pages, 0 <= f < 1', '0')
    .option('--working-set <size>', 'writable working set (default: all non-zero memory)')
    .option('--pattern <p>', 'how writes spread: sequential or random', 'sequential')
    .option('--max-downtime <duration>', 'largest acceptable downtime, e.g. 300ms')
    .option('--max-link-share <f>', 'largest share of the link pre-copy may use, 0 < f <= 1', '1')
    .option('--max-total-time <duration>', 'largest acceptable total migration time, e.g. 10min')
    .option('--max-bandwidth <rate>', 'fix QEMU max-bandwidth instead of choosing it')
    .option('--downtime-limit <duration>', 'fix QEMU downtime-limit instead of choosing it, e.g. 300ms')
    .option(
      '--downtime-resolution <duration>',
      'downtimes closer than this count as equal (then the shorter migration wins)',
      '10ms',
    )
    .option('--avail-switchover', 'also set avail-switchover-bandwidth to the link speed (QEMU >= 8.2)')
    .option('--domain <name>', 'libvirt domain name for the virsh commands', 'DOMAIN')
    .option('--presets', "also predict Xen's default policy and Nova's downtime stepping for this VM")
    .option('--format <format>', 'table or json', 'table');
}

/** Reads a `--flag <duration>` in a range, with a default. */
function durationFlag(o: Raw, flag: string, key: string, fallback: string, lo: number, hi: number): number {
  const v = typeof o[key] === 'string' ? (o[key] as string) : fallback;
  const x = unit(flag, v, parseDuration);
  return ranged(flag, v, x, x >= lo && x <= hi, `a duration from ${humanDuration(lo)} to ${humanDuration(hi)}`);
}

function qmpPath(o: Raw): string {
  return need(o, 'qmp', 'qmp', 'the path of a QMP unix socket (QEMU -qmp unix:PATH,server=on,wait=off)');
}

/** advise: measure the running VM over QMP, plan as `plan` does, and with --apply set the knobs. */
export async function runAdvise(o: Raw, io: QemuCliIo): Promise<number> {
  const path = qmpPath(o);
  const sample = durationFlag(o, 'sample', 'sample', '1s', 1, 60);
  const calcSeconds = Math.max(1, Math.round(sample));
  // Validate every flag before touching the VM.
  parsePlanFlags(o, {
    memoryBytes: 1,
    pageSizeBytes: 4096,
    linkBandwidthBytesPerSecond: Number.MAX_SAFE_INTEGER,
    dirtyPagesPerSecond: 0,
  });
  need(o, 'link-bandwidth', 'linkBandwidth', 'a rate such as 10Gbit/s or 1.25GB/s');
  const client = await QmpClient.connect(path);
  try {
    let m: Awaited<ReturnType<typeof measureVm>>;
    try {
      m = await measureVm(client, calcSeconds);
    } catch (e) {
      if (e instanceof QmpError) throw e;
      throw new CliError(e instanceof Error ? e.message : String(e), 1);
    }
    const pageText = typeof o.pageSize === 'string' ? o.pageSize : '4KiB';
    const S = unit('page-size', pageText, parseSize);
    const workload = parseWorkloadFlags(o, {
      memoryBytes: m.memoryBytes,
      dirtyPagesPerSecond: m.dirtyBytesPerSecond / S,
    });
    const input: PlanInput = { workload, ...parsePlanFlags(o, workload) };
    const plan = planFor(input);
    let applied = false;
    if (o.apply === true) {
      if (!plan.feasible || !plan.prediction.converges) {
        io.err('precopy: not applying: no knobs meet the constraints\n');
      } else {
        const k = plan.parameters;
        await qmp.migrateSetParameters(client, {
          downtimeLimit: k.downtimeLimitMs,
          maxBandwidth: k.maxBandwidthBytesPerSecond,
          ...(k.availSwitchoverBandwidthBytesPerSecond === undefined
            ? {}
            : { availSwitchoverBandwidth: k.availSwitchoverBandwidthBytesPerSecond }),
        });
        applied = true;
      }
    }
    const measured = {
      memoryBytes: m.memoryBytes,
      dirtyBytesPerSecond: m.dirtyBytesPerSecond,
      dirtyPagesPerSecond: m.dirtyBytesPerSecond / S,
      sampleSeconds: m.sampleSeconds,
      current: m.current,
    };
    if (input.format === 'json') {
      io.out(`${JSON.stringify({ measured, ...planDocument(input, plan), applied }, null, 2)}\n`);
    } else {
      const cur = m.current;
      io.out(
        [
          `measured memory          ${humanSize(m.memoryBytes)}`,
          `measured dirty rate      ${humanSize(m.dirtyBytesPerSecond)}/s (${Math.round(m.dirtyBytesPerSecond / S)} pages/s, page sampling over ${m.sampleSeconds} s)`,
          `current knobs            downtime-limit ${cur.downtimeLimitMs ?? '?'} ms, max-bandwidth ${cur.maxBandwidthBytesPerSecond ?? '?'} B/s`,
          '',
        ].join('\n'),
      );
      io.out(planTable(input, plan));
      io.out(
        applied
          ? 'applied: migrate-set-parameters sent\n'
          : 'not applied (read-only; add --apply to set these knobs)\n',
      );
    }
    return plan.feasible && plan.prediction.converges ? 0 : 1;
  } finally {
    client.close();
  }
}

/** watch: follow a migration, progress on stderr, predicted vs actual at the end. */
export async function runWatch(o: Raw, io: QemuCliIo): Promise<number> {
  const path = qmpPath(o);
  const interval = durationFlag(o, 'interval', 'interval', '500ms', 0.05, 60);
  const timeout = durationFlag(o, 'timeout', 'timeout', '24h', 1, 30 * 86400);
  const format = typeof o.format === 'string' ? o.format : 'table';
  if (format !== 'table' && format !== 'json') throw new QemuUsageError('format', format, 'table or json');
  let link: number | undefined;
  if (typeof o.linkBandwidth === 'string') {
    link = unit('link-bandwidth', o.linkBandwidth, parseRate);
    ranged('link-bandwidth', o.linkBandwidth, link, link >= 1 && link <= 1e13, 'a rate from 1 B/s to 10 TB/s');
  }
  let dirty: number | undefined;
  if (typeof o.dirtyRate === 'string') {
    dirty = dirtyPagesPerSecond(unit('dirty-rate', o.dirtyRate, parseDirtyRate), 4096);
    ranged('dirty-rate', o.dirtyRate, dirty, dirty >= 0, 'a rate >= 0');
  }
  const zero =
    typeof o.zeroFraction === 'string' ? fraction('zero-fraction', o.zeroFraction, 'closed', 'open') : undefined;
  let ws: number | undefined;
  if (typeof o.workingSet === 'string') {
    const b = unit('working-set', o.workingSet, parseSize);
    ws = ranged('working-set', o.workingSet, Math.ceil(b / 4096), b >= 4096, 'a size of at least one page');
  }
  const pattern = (typeof o.pattern === 'string' ? o.pattern : 'sequential') as DirtyPattern;
  if (pattern !== 'sequential' && pattern !== 'random')
    throw new QemuUsageError('pattern', pattern, 'sequential or random');
  const client = await QmpClient.connect(path);
  try {
    const params = await qmp.queryMigrateParameters(client);
    const watcher = new MigrationWatcher({
      downtimeLimitMs: params.downtimeLimit ?? 300,
      maxBandwidthBytesPerSecond: params.maxBandwidth ?? 128 * 2 ** 20,
      ...(link === undefined ? {} : { linkBandwidthBytesPerSecond: link }),
      ...(dirty === undefined ? {} : { dirtyPagesPerSecond: dirty }),
      ...(zero === undefined ? {} : { zeroPageFraction: zero }),
      ...(ws === undefined ? {} : { workingSetPages: ws }),
      dirtyPattern: pattern,
    });
    const end = Date.now() + timeout * 1000;
    let last: QueryMigrate = {};
    let report: WatchReport | undefined;
    for (;;) {
      last = await qmp.queryMigrate(client);
      report = watcher.update(last);
      if (format === 'table' && last.status !== undefined) {
        const rem =
          report.remainingSeconds === null
            ? 'not converging'
            : `~${humanDuration(report.remainingSeconds)} left${report.remainingRounds === null ? '' : `, ~${report.remainingRounds} rounds`}`;
        io.err(
          `[${humanDuration(report.elapsedSeconds)}] ${report.status} sync ${report.dirtySyncCount} sent ${humanSize(report.transferredBytes)} pending ${humanSize(report.remainingBytes)} progress ${(report.progress * 100).toFixed(0)} % ${rem}\n`,
        );
      }
      if (last.status === 'completed' || last.status === 'failed' || last.status === 'cancelled') break;
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
    const first = watcher.initialPrediction;
    const p = first?.prediction;
    const actual = {
      status: last.status ?? 'none',
      totalSeconds: (last.totalTime ?? 0) / 1000,
      downtimeSeconds: last.downtime === undefined ? null : last.downtime / 1000,
      iterations: last.ram?.dirtySyncCount ?? null,
      bytesTransferred: last.ram?.transferred ?? null,
    };
    const predicted =
      p === undefined
        ? null
        : p.converges
          ? {
              converges: true,
              iterations: p.iterations,
              totalSeconds: p.totalSeconds,
              downtimeSeconds: p.downtimeSeconds,
              bytesTransferred: p.bytesTransferred,
              madeAtSeconds: first!.atSeconds,
            }
          : { converges: false, reason: p.reason, madeAtSeconds: first!.atSeconds };
    if (format === 'json') io.out(`${JSON.stringify({ actual, predicted }, null, 2)}\n`);
    else {
      const rows: [string, string, string][] = [['', 'predicted', 'actual']];
      const pc = p?.converges ? p : undefined;
      rows.push(['status', p === undefined ? '-' : p.converges ? 'converges' : 'never converges', actual.status]);
      rows.push(['total time', pc ? humanDuration(pc.totalSeconds) : '-', humanDuration(actual.totalSeconds)]);
      rows.push(['rounds (dirty-sync-count)', pc ? String(pc.iterations) : '-', String(actual.iterations ?? '-')]);
      rows.push([
        'bytes sent',
        pc ? humanSize(pc.bytesTransferred) : '-',
        actual.bytesTransferred === null ? '-' : humanSize(actual.bytesTransferred),
      ]);
      rows.push([
        'downtime',
        pc ? humanDuration(pc.downtimeSeconds) : '-',
        actual.downtimeSeconds === null ? '-' : humanDuration(actual.downtimeSeconds),
      ]);
      const w = Math.max(...rows.map((r) => r[0].length));
      io.out(`${rows.map((r) => `${r[0].padEnd(w)}  ${r[1].padEnd(12)}  ${r[2]}`).join('\n')}\n`);
      if (first !== undefined) io.out(`(prediction made ${humanDuration(first.atSeconds)} into the migration)\n`);
    }
    if (last.status === 'completed') return 0;
    if (last.status !== 'failed' && last.status !== 'cancelled')
      io.err(
        `precopy: watch stopped after ${humanDuration(timeout)}: migration still ${last.status ?? 'not started'}\n`,
      );
    return 1;
  } finally {
    client.close();
  }
}

/** Xen's default policy and Nova's downtime stepping for this VM, next to the plan. */
export function presetsFor(input: PlanInput, plan: QemuPlan) {
  const w = input.workload;
  const xen = predictXenPolicy({
    memoryBytes: w.memoryBytes,
    pageSizeBytes: w.pageSizeBytes,
    bandwidthBytesPerSecond: w.linkBandwidthBytesPerSecond,
    dirtyPagesPerSecond: w.dirtyPagesPerSecond,
    ...(w.workingSetPages === undefined ? {} : { workingSetPages: w.workingSetPages }),
    ...(w.dirtyPattern === undefined ? {} : { dirtyPattern: w.dirtyPattern }),
  });
  const nova = predictNova({
    ...w,
    maxBandwidthBytesPerSecond: plan.parameters.maxBandwidthBytesPerSecond,
    downtimeLimitSeconds: 0.05,
  });
  const np = nova.prediction;
  return {
    xen: { ...xen, rule: 'stop when < 50 pages are dirty or after 5 iterations; no rate limit' },
    nova: {
      rule: 'downtime limit raised in 10 steps to 500 ms, every 75 s per GiB (data_gb = max(2, RAM GiB))',
      schedule: nova.schedule,
      convergesAtStep: nova.convergesAtStep,
      converges: np.converges,
      ...(np.converges
        ? {
            totalSeconds: np.totalSeconds,
            downtimeSeconds: np.downtimeSeconds,
            iterations: np.iterations,
            bytesTransferred: np.bytesTransferred,
          }
        : { reason: np.reason }),
    },
  };
}

function presetsTable(pr: ReturnType<typeof presetsFor>, plan: QemuPlan): string {
  const x = pr.xen;
  const n = pr.nova;
  const lines = [
    '',
    'Other stop rules for this VM:',
    `  Xen default policy: ${x.iterations} iteration(s), stopped by ${x.stoppedBy === 'dirty-pages' ? '< 50 dirty pages' : 'the 5-iteration cap'}; total ${humanDuration(x.totalSeconds)}, downtime ${humanDuration(x.downtimeSeconds)}`,
    `  Nova stepping (limit ms at s): ${n.schedule.map((s) => `${s.limitMs}@${s.atSeconds}`).join(' ')}`,
  ];
  if ('totalSeconds' in n && n.convergesAtStep !== null) {
    const step = n.schedule[n.convergesAtStep]!;
    lines.push(
      `  Nova: converges at step ${n.convergesAtStep} (${step.limitMs} ms, from ${step.atSeconds} s): total ${humanDuration(n.totalSeconds)}, downtime ${humanDuration(n.downtimeSeconds)}`,
    );
  } else {
    lines.push(`  Nova: never converges (${'reason' in n ? n.reason : ''}); Nova aborts after 800 s per GiB`);
  }
  const p = plan.prediction;
  if (p.converges) {
    lines.push(
      `  precopy: ${plan.parameters.downtimeLimitMs} ms at once: total ${humanDuration(p.totalSeconds)}, downtime ${humanDuration(p.downtimeSeconds)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function planFor(input: PlanInput): QemuPlan {
  return planQemuMigration({
    workload: input.workload,
    ...(input.maxDowntimeSeconds === undefined ? {} : { maxDowntimeSeconds: input.maxDowntimeSeconds }),
    ...(input.maxTotalSeconds === undefined ? {} : { maxTotalSeconds: input.maxTotalSeconds }),
    ...(input.maxLinkShare === undefined ? {} : { maxLinkShare: input.maxLinkShare }),
    ...(input.maxBandwidthBytesPerSecond === undefined
      ? {}
      : { maxBandwidthBytesPerSecond: input.maxBandwidthBytesPerSecond }),
    ...(input.downtimeLimitMs === undefined ? {} : { downtimeLimitMs: input.downtimeLimitMs }),
    useAvailSwitchover: input.useAvailSwitchover,
    ...(input.downtimeResolutionSeconds === undefined
      ? {}
      : { downtimeResolutionSeconds: input.downtimeResolutionSeconds }),
  });
}

/** Registers `precopy qemu` and its subcommands on the program. */
export function registerQemu(program: Command, io: QemuCliIo = processIo): Command {
  const qemu = program
    .command('qemu')
    .description('QEMU: choose downtime-limit and max-bandwidth, advise over QMP, watch a migration');
  addPlanOptions(
    qemu
      .command('plan')
      .description('choose downtime-limit and max-bandwidth for the least downtime within constraints, and predict'),
    true,
  ).action(async (opts: Raw) =>
    runGuarded(() => runPlan(opts, io), 'no knobs meet the constraints, or the migration never converges (see above)'),
  );
  addPlanOptions(
    qemu
      .command('advise')
      .description(
        'measure a running VM over QMP (memory, dirty rate by page sampling), then plan; read-only unless --apply',
      )
      .option('--qmp <socket>', 'QMP unix socket of the source QEMU')
      .option('--sample <duration>', 'dirty-rate sampling time (whole seconds, 1s to 60s)', '1s')
      .option('--apply', 'set the chosen knobs with migrate-set-parameters'),
    false,
  ).action(async (opts: Raw) => runGuarded(() => runAdvise(opts, io), 'no knobs meet the constraints (see above)'));
  qemu
    .command('watch')
    .description('follow a migration over QMP: progress on stderr, predicted vs actual at the end')
    .option('--qmp <socket>', 'QMP unix socket of the source QEMU')
    .option('--interval <duration>', 'polling interval', '500ms')
    .option('--timeout <duration>', 'give up after this long', '24h')
    .option('--link-bandwidth <rate>', 'link speed for the final copy (default: max-bandwidth)')
    .option('--dirty-rate <rate>', "dirty rate to use instead of QEMU's measured one (pages/s or bytes/s)")
    .option('--zero-fraction <f>', 'zero-page fraction of RAM (with --dirty-rate: predict from the first sample)')
    .option('--working-set <size>', 'writable working set of the guest')
    .option('--pattern <p>', 'how writes spread: sequential or random', 'sequential')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: Raw) => runGuarded(() => runWatch(opts, io), 'the migration did not complete (see above)'));
  for (const cmd of qemu.commands) {
    cmd.exitOverride().configureOutput({
      outputError: (text, write) => write(`precopy: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
  return qemu;
}
