/**
 * The `qemu` operations: plan QEMU's migration knobs from the model (`plan`), and the inputs of `advise` and
 * `watch`. Input: zod schemas with units parsed inside (src/schema/fields.ts over src/units; every issue names
 * the field, the value as given and the valid range): {@link qemuPlanInput}, {@link qemuAdviseInput} (checked
 * before the guest is touched) then {@link qemuWorkloadInput} with what was measured, {@link qemuWatchInput};
 * function: {@link planOp} (planFor, presetsFor); JSON: {@link planDocument}. advise and watch talk to a
 * running QEMU over QMP: their I/O stays in the command (src/cli/commands/qemu-live.ts).
 */
import { z } from 'zod';
import { predictNova, predictXenPolicy } from '../hypervisor/presets.js';
import {
  migrateSetParametersCommand,
  planQemuMigration,
  type QemuPlan,
  type QemuPlanParams,
  type QemuWorkload,
  virshCommands,
} from '../hypervisor/qemu/plan.js';
import { type DirtyPattern, MAX_ZERO_PAGE_SECONDS } from '../hypervisor/qemu/predict.js';
import { ModelInputError } from '../model/index.js';
import { FieldParser, choice, flagOf, text } from '../schema/fields.js';
import {
  dirtyPagesPerSecond,
  humanDuration,
  humanSize,
  parseDirtyRate,
  parseDuration,
  parseRate,
  parseSize,
} from '../units/index.js';
import { OpError } from './errors.js';

/** The largest rate any rate field takes (10 TB/s), bytes/s. */
export const MAX_RATE = 1e13;
const RATE_RANGE = 'a rate from 1 B/s to 10 TB/s';
const PATTERNS = ['sequential', 'random'] as const;
const FORMATS = ['table', 'json'] as const;

/** The guest and link: the fields shared by plan, advise and (some of them) watch. */
const workloadFields = {
  memory: text.optional(),
  pageSize: text.optional(),
  linkBandwidth: text.optional(),
  dirtyRate: text.optional(),
  zeroFraction: text.optional(),
  workingSet: text.optional(),
  pattern: choice('pattern', PATTERNS, 'is invalid: expected sequential or random').optional(),
  firstPassBandwidth: text.optional(),
  zeroPageTime: text.optional(),
};

/** Raw input of `qemu plan`: the flags' camelCase names, values as text (units allowed) or base-unit numbers. */
export const qemuPlanRawInput = z.strictObject({
  ...workloadFields,
  maxDowntime: text.optional(),
  maxTotalTime: text.optional(),
  maxLinkShare: text.optional(),
  maxBandwidth: text.optional(),
  downtimeLimit: text.optional(),
  downtimeResolution: text.optional(),
  availSwitchover: z.boolean().optional(),
  domain: z.string().optional(),
  presets: z.boolean().optional(),
  convergenceTimeLimit: text.optional(),
  convergenceRuns: text.optional(),
  seed: text.optional(),
  format: choice('format', FORMATS, 'is invalid: expected table or json').optional(),
});
type WorkloadRaw = { [K in keyof typeof workloadFields]?: z.output<(typeof workloadFields)[K]> };
type PlanRaw = z.output<typeof qemuPlanRawInput>;

/** The parsed `plan` options: the planner's parameters plus how to print them. */
export interface PlanInput extends QemuPlanParams {
  readonly useAvailSwitchover: boolean;
  readonly format: 'table' | 'json';
  readonly domain: string;
  /** Also predict Xen's default policy and Nova's downtime stepping ({@link presetsFor}). */
  readonly presets: boolean;
}

/** What advise measured on the guest, in place of (or beside) the workload fields. */
export interface KnownWorkload {
  readonly memoryBytes?: number;
  readonly dirtyPagesPerSecond?: number;
  readonly workingSetPages?: number;
  readonly pattern?: DirtyPattern;
}

/** An optional rate from 1 B/s to 10 TB/s. */
function rate(f: FieldParser, field: string, raw: string | number | undefined): number | undefined {
  return raw === undefined ? undefined : f.quantity(field, raw, parseRate, (x) => x >= 1 && x <= MAX_RATE, RATE_RANGE);
}

/** What `--zero-page-time` takes (plan, advise and watch). */
const ZERO_PAGE_TIME_EXPECTED = 'a duration from 0 to 10ms per zero page, e.g. 6us';

/** An optional duration from lo to hi seconds. */
function duration(
  f: FieldParser,
  field: string,
  raw: string | number | undefined,
  lo: number,
  hi: number,
  expected: string,
) {
  return raw === undefined ? undefined : f.quantity(field, raw, parseDuration, (x) => x >= lo && x <= hi, expected);
}

/**
 * The workload from its fields (and what was measured): every field checked in the order the flags are
 * documented; a check that needs another field (the memory needs the page size) runs once that one is valid.
 */
function resolveWorkload(f: FieldParser, raw: WorkloadRaw, known?: KnownWorkload): QemuWorkload | undefined {
  const start = f.count;
  const pageSizeRaw = raw.pageSize ?? '4KiB';
  const pageSize = f.read('pageSize', pageSizeRaw, parseSize);
  const S =
    pageSize === undefined
      ? undefined
      : f.within(
          'pageSize',
          pageSizeRaw,
          pageSize,
          Number.isInteger(pageSize) && pageSize >= 512 && pageSize <= 2 ** 30,
          'a whole number of bytes from 512 B to 1 GiB, e.g. 4KiB',
        );
  let memory = known?.memoryBytes;
  if (memory === undefined || raw.memory !== undefined) {
    const given = f.need('memory', raw.memory, 'a size such as 8GiB');
    const bytes = given === undefined ? undefined : f.read('memory', given, parseSize);
    memory =
      bytes === undefined || S === undefined
        ? undefined
        : f.within('memory', given, bytes, bytes >= S && bytes <= 2 ** 50, `a size from one page (${S} B) to 1 PiB`);
  }
  const linkGiven = f.need('linkBandwidth', raw.linkBandwidth, 'a rate such as 10Gbit/s or 1.25GB/s');
  const link = linkGiven === undefined ? undefined : rate(f, 'linkBandwidth', linkGiven);
  let D = known?.dirtyPagesPerSecond;
  if (D === undefined || raw.dirtyRate !== undefined) {
    const given = f.need('dirtyRate', raw.dirtyRate, 'pages/s (20000) or a byte rate (80MB/s)');
    const r = given === undefined ? undefined : f.read('dirtyRate', given, parseDirtyRate);
    // a number is pages/s (the dirty rate's base unit); a byte rate needs the page size
    const pages =
      typeof r === 'number' ? r : r === undefined || S === undefined ? undefined : dirtyPagesPerSecond(r, S);
    D =
      pages === undefined
        ? undefined
        : f.within(
            'dirtyRate',
            given,
            pages,
            pages >= 0 && pages <= 1e12,
            'a rate >= 0 pages/s (or bytes/s) below 10^12 pages/s',
          );
  }
  const z0 =
    raw.zeroFraction === undefined
      ? 0
      : f.number('zeroFraction', raw.zeroFraction, (x) => x >= 0 && x < 1, 'a number with 0 <= x < 1');
  const pages = memory === undefined || S === undefined ? undefined : Math.ceil(memory / S);
  const nonZero = pages === undefined || z0 === undefined ? undefined : pages - Math.floor(z0 * pages);
  let W: number | undefined;
  if (known?.workingSetPages !== undefined && raw.workingSet === undefined) {
    // A measured working set (advise's two-period fit): at least one page, at most the non-zero memory.
    if (nonZero !== undefined) W = Math.min(Math.max(1, Math.round(known.workingSetPages)), nonZero);
  } else if (raw.workingSet !== undefined) {
    const ws = f.read('workingSet', raw.workingSet, parseSize);
    if (ws !== undefined && S !== undefined && nonZero !== undefined) {
      W = f.within(
        'workingSet',
        raw.workingSet,
        Math.ceil(ws / S),
        Math.ceil(ws / S) >= 1 && Math.ceil(ws / S) <= nonZero,
        `a size from one page to the non-zero memory (${humanSize(nonZero * S)})`,
      );
    }
  }
  // Round 1's throughput (fresh destination memory); default the link (docs/qemu.md, two throughputs).
  const firstPass = rate(f, 'firstPassBandwidth', raw.firstPassBandwidth);
  // The first pass's time per zero page (src/hypervisor/qemu/predict.ts, zeroPageSeconds; docs/qemu.md).
  const zeroScan = duration(f, 'zeroPageTime', raw.zeroPageTime, 0, MAX_ZERO_PAGE_SECONDS, ZERO_PAGE_TIME_EXPECTED);
  if (f.count > start || memory === undefined || S === undefined || link === undefined || D === undefined) return;
  return {
    ...(firstPass === undefined ? {} : { firstPassBandwidthBytesPerSecond: firstPass }),
    ...(zeroScan === undefined ? {} : { zeroPageSeconds: zeroScan }),
    memoryBytes: memory,
    pageSizeBytes: S,
    linkBandwidthBytesPerSecond: link,
    dirtyPagesPerSecond: D,
    zeroPageFraction: z0 ?? 0,
    dirtyPattern: known?.pattern ?? raw.pattern ?? 'sequential',
    ...(W === undefined ? {} : { workingSetPages: W }),
  };
}

/** The constraints, knobs and output options shared by plan and advise. */
function resolveKnobs(f: FieldParser, raw: PlanRaw): Omit<PlanInput, 'workload'> {
  const maxDowntimeSeconds = duration(f, 'maxDowntime', raw.maxDowntime, 1e-3, 2000, 'a duration from 1ms to 2000s');
  const maxTotalSeconds = duration(f, 'maxTotalTime', raw.maxTotalTime, 1e-3, 1e9, 'a duration > 0, e.g. 10min');
  const dl = duration(
    f,
    'downtimeLimit',
    raw.downtimeLimit,
    1e-3,
    2000,
    'a duration from 1ms to 2000s (QEMU counts whole ms)',
  );
  const maxLinkShare =
    raw.maxLinkShare === undefined
      ? undefined
      : f.number('maxLinkShare', raw.maxLinkShare, (x) => x > 0 && x <= 1, 'a number with 0 < x <= 1');
  // QEMU accepts a max-bandwidth above the link and runs at the link's speed: the model clamps it and says so
  // in the prediction's notes (and the plan's warnings), so it is not refused here.
  const b = rate(f, 'maxBandwidth', raw.maxBandwidth);
  const convergenceTimeLimitSeconds = duration(
    f,
    'convergenceTimeLimit',
    raw.convergenceTimeLimit,
    0.1,
    30 * 86400,
    'a duration from 100ms to 30 days',
  );
  const convergenceRuns =
    raw.convergenceRuns === undefined ? undefined : f.integer('convergenceRuns', raw.convergenceRuns, 1, 10000);
  const convergenceSeed = raw.seed === undefined ? undefined : f.integer('seed', raw.seed, 0, 2 ** 32 - 1);
  const resolution = duration(f, 'downtimeResolution', raw.downtimeResolution, 1e-6, 10, 'a duration from 1us to 10s');
  return {
    ...(convergenceTimeLimitSeconds === undefined ? {} : { convergenceTimeLimitSeconds }),
    ...(convergenceRuns === undefined ? {} : { convergenceRuns }),
    ...(convergenceSeed === undefined ? {} : { convergenceSeed }),
    ...(maxDowntimeSeconds === undefined ? {} : { maxDowntimeSeconds }),
    ...(maxTotalSeconds === undefined ? {} : { maxTotalSeconds }),
    ...(maxLinkShare === undefined ? {} : { maxLinkShare }),
    ...(b === undefined ? {} : { maxBandwidthBytesPerSecond: Math.max(1, Math.floor(b)) }),
    ...(dl === undefined ? {} : { downtimeLimitMs: Math.max(1, Math.round(dl * 1000)) }),
    useAvailSwitchover: raw.availSwitchover === true,
    ...(resolution === undefined ? {} : { downtimeResolutionSeconds: resolution }),
    format: raw.format ?? 'table',
    domain: raw.domain ?? 'DOMAIN',
    presets: raw.presets === true,
  };
}

/** `qemu plan`'s raw input to a {@link PlanInput}. */
function planInputOf(raw: PlanRaw, ctx: z.core.$RefinementCtx<PlanRaw>): PlanInput {
  const f = new FieldParser(ctx);
  const workload = resolveWorkload(f, raw);
  const knobs = resolveKnobs(f, raw);
  return workload === undefined || f.count > 0 ? z.NEVER : { workload, ...knobs };
}
export const qemuPlanInput = qemuPlanRawInput.transform(planInputOf);
/** The same over HTTP: no `format` (the answer is the JSON document). */
export const qemuPlanHttpInput = qemuPlanRawInput.omit({ format: true }).transform(planInputOf);

/** The fields of `qemu plan` (commander's option names). */
export const QEMU_PLAN_FIELDS = Object.keys(qemuPlanRawInput.shape);

const QMP_EXPECTED = 'the path of a QMP unix socket (QEMU -qmp unix:PATH,server=on,wait=off)';
const qmpFields = { qmp: z.string().optional(), allowRemoteQmp: z.boolean().optional() };

/** Raw input of `qemu advise`: plan's fields (memory and dirty rate measured when not given) and the QMP ones. */
export const qemuAdviseRawInput = qemuPlanRawInput.extend({
  ...qmpFields,
  sample: text.optional(),
  twoPeriodSample: z.boolean().optional(),
  apply: z.boolean().optional(),
});
export const QEMU_ADVISE_FIELDS = Object.keys(qemuAdviseRawInput.shape);

/** advise's input, every field checked before the guest is touched; the workload is resolved once measured. */
export interface AdviseInput {
  readonly qmp: string;
  readonly allowRemoteQmp: boolean;
  /** calc-dirty-rate's sampling time, whole seconds from 1 to 60. */
  readonly calcSeconds: number;
  /** How the measured rate is corrected for a random writer (src/hypervisor/qemu/dirty-rate.ts). */
  readonly correction: { pattern?: 'random'; workingSetPages?: number; twoPeriods?: boolean };
  readonly twoPeriods: boolean;
  readonly apply: boolean;
  /** The page size the measured byte rate is divided by. */
  readonly pageSizeBytes: number;
  readonly knobs: Omit<PlanInput, 'workload'>;
  /** The workload fields as given, for {@link qemuWorkloadInput} after measuring. */
  readonly workloadRaw: WorkloadRaw;
}

export const qemuAdviseInput = qemuAdviseRawInput.transform((raw, ctx): AdviseInput => {
  const f = new FieldParser(ctx);
  const qmp = f.need('qmp', raw.qmp, QMP_EXPECTED);
  const sample = duration(
    f,
    'sample',
    raw.sample ?? '1s',
    1,
    60,
    `a duration from ${humanDuration(1)} to ${humanDuration(60)}`,
  );
  const knobs = resolveKnobs(f, raw);
  // The page size and the link before sampling the guest (issue 15); memory and dirty rate come from QEMU.
  const pre = resolveWorkload(
    f,
    { pageSize: raw.pageSize, linkBandwidth: raw.linkBandwidth, firstPassBandwidth: raw.firstPassBandwidth },
    { memoryBytes: 2 ** 50, dirtyPagesPerSecond: 0 },
  );
  // How the dirty rate is corrected for a random writer (dirty-rate.ts): the working set given, or a second
  // sample over twice the time (--two-period-sample, which assumes random writes).
  const twoPeriods = raw.twoPeriodSample === true;
  let measureWorkingSet: number | undefined;
  if (raw.workingSet !== undefined) {
    const b = f.read('workingSet', raw.workingSet, parseSize);
    if (b !== undefined)
      measureWorkingSet = f.within(
        'workingSet',
        raw.workingSet,
        Math.ceil(b / 4096),
        b >= 1,
        'a size of at least one page',
      );
  }
  if (f.count > 0 || sample === undefined || pre === undefined) return z.NEVER;
  const { qmp: _q, allowRemoteQmp, sample: _s, twoPeriodSample: _t, apply, ...planRaw } = raw;
  const workloadRaw: WorkloadRaw = Object.fromEntries(
    Object.keys(workloadFields).flatMap((k) =>
      planRaw[k as keyof WorkloadRaw] === undefined ? [] : [[k, planRaw[k as keyof WorkloadRaw]]],
    ),
  );
  return {
    qmp: String(qmp),
    allowRemoteQmp: allowRemoteQmp === true,
    calcSeconds: Math.max(1, Math.round(sample)),
    correction:
      raw.pattern === 'random' || twoPeriods
        ? {
            pattern: 'random',
            ...(measureWorkingSet === undefined ? {} : { workingSetPages: measureWorkingSet }),
            ...(twoPeriods ? { twoPeriods: true } : {}),
          }
        : {},
    twoPeriods,
    apply: apply === true,
    pageSizeBytes: pre.pageSizeBytes,
    knobs,
    workloadRaw,
  };
});

/** The workload fields with what advise measured on the guest ({@link KnownWorkload}) to a workload. */
export function qemuWorkloadInput(known: KnownWorkload) {
  return z.strictObject(workloadFields).transform((raw, ctx): QemuWorkload => {
    const f = new FieldParser(ctx);
    return resolveWorkload(f, raw, known) ?? z.NEVER;
  });
}

/** Raw input of `qemu watch`. */
export const qemuWatchRawInput = z.strictObject({
  ...qmpFields,
  interval: text.optional(),
  timeout: text.optional(),
  linkBandwidth: text.optional(),
  firstPassBandwidth: text.optional(),
  zeroPageTime: text.optional(),
  dirtyRate: text.optional(),
  zeroFraction: text.optional(),
  workingSet: text.optional(),
  pattern: workloadFields.pattern,
  format: qemuPlanRawInput.shape.format,
});
export const QEMU_WATCH_FIELDS = Object.keys(qemuWatchRawInput.shape);

/** watch's input: where to poll, how often and how long, and what to predict with instead of QEMU's figures. */
export interface WatchInput {
  readonly qmp: string;
  readonly allowRemoteQmp: boolean;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly format: 'table' | 'json';
  readonly linkBandwidthBytesPerSecond?: number;
  readonly firstPassBandwidthBytesPerSecond?: number;
  /** First-pass time per zero page, seconds: extrapolating the first pass before its zero pages start. */
  readonly zeroPageSeconds?: number;
  readonly dirtyPagesPerSecond?: number;
  readonly zeroPageFraction?: number;
  readonly workingSetPages?: number;
  readonly dirtyPattern: DirtyPattern;
}

export const qemuWatchInput = qemuWatchRawInput.transform((raw, ctx): WatchInput => {
  const f = new FieldParser(ctx);
  const qmp = f.need('qmp', raw.qmp, QMP_EXPECTED);
  const within = (lo: number, hi: number) => `a duration from ${humanDuration(lo)} to ${humanDuration(hi)}`;
  const interval = duration(f, 'interval', raw.interval ?? '500ms', 0.05, 60, within(0.05, 60));
  const timeout = duration(f, 'timeout', raw.timeout ?? '24h', 1, 30 * 86400, within(1, 30 * 86400));
  const link = rate(f, 'linkBandwidth', raw.linkBandwidth);
  const firstPass = rate(f, 'firstPassBandwidth', raw.firstPassBandwidth);
  const zeroScan = duration(f, 'zeroPageTime', raw.zeroPageTime, 0, MAX_ZERO_PAGE_SECONDS, ZERO_PAGE_TIME_EXPECTED);
  let dirty: number | undefined;
  if (raw.dirtyRate !== undefined) {
    const r = f.read('dirtyRate', raw.dirtyRate, parseDirtyRate);
    const pages = r === undefined ? undefined : typeof r === 'number' ? r : dirtyPagesPerSecond(r, 4096);
    if (pages !== undefined) dirty = f.within('dirtyRate', raw.dirtyRate, pages, pages >= 0, 'a rate >= 0');
  }
  const zero =
    raw.zeroFraction === undefined
      ? undefined
      : f.number('zeroFraction', raw.zeroFraction, (x) => x >= 0 && x < 1, 'a number with 0 <= x < 1');
  let ws: number | undefined;
  if (raw.workingSet !== undefined) {
    const b = f.read('workingSet', raw.workingSet, parseSize);
    if (b !== undefined)
      ws = f.within('workingSet', raw.workingSet, Math.ceil(b / 4096), b >= 4096, 'a size of at least one page');
  }
  if (f.count > 0 || interval === undefined || timeout === undefined) return z.NEVER;
  return {
    qmp: String(qmp),
    allowRemoteQmp: raw.allowRemoteQmp === true,
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    format: raw.format ?? 'table',
    ...(link === undefined ? {} : { linkBandwidthBytesPerSecond: link }),
    ...(firstPass === undefined ? {} : { firstPassBandwidthBytesPerSecond: firstPass }),
    ...(zeroScan === undefined ? {} : { zeroPageSeconds: zeroScan }),
    ...(dirty === undefined ? {} : { dirtyPagesPerSecond: dirty }),
    ...(zero === undefined ? {} : { zeroPageFraction: zero }),
    ...(ws === undefined ? {} : { workingSetPages: ws }),
    dirtyPattern: raw.pattern ?? 'sequential',
  };
});

/** The planner's parameter names (ModelInputError.parameter) to the fields that set them. */
const FIELD_OF_PARAMETER: Record<string, string> = {
  memoryBytes: 'memory',
  pageSizeBytes: 'pageSize',
  maxBandwidthBytesPerSecond: 'maxBandwidth',
  linkBandwidthBytesPerSecond: 'linkBandwidth',
  downtimeLimitSeconds: 'downtimeLimit',
  dirtyPagesPerSecond: 'dirtyRate',
  zeroPageFraction: 'zeroFraction',
  workingSetPages: 'workingSet',
  firstPassBandwidthBytesPerSecond: 'firstPassBandwidth',
  zeroPageSeconds: 'zeroPageTime',
  convergenceTimeLimitSeconds: 'convergenceTimeLimit',
  convergenceRuns: 'convergenceRuns',
  convergenceSeed: 'seed',
};

/** A planner range error reworded as an input error naming the flag; other errors pass through. */
export function qemuInputError(e: unknown): unknown {
  if (e instanceof ModelInputError) {
    const field = FIELD_OF_PARAMETER[e.parameter] ?? e.parameter;
    const value = String(e.value);
    return new OpError(`${flagOf(field)} '${value}' is out of range: expected ${e.range}`, { field, value });
  }
  return e;
}

/** `qemu plan`: the plan, its JSON document, and the presets when asked for. */
export function planOp(input: PlanInput): {
  plan: QemuPlan;
  presets: ReturnType<typeof presetsFor> | undefined;
  json: Record<string, unknown>;
} {
  const plan = planFor(input);
  const presets = input.presets ? presetsFor(input, plan) : undefined;
  return { plan, presets, json: { ...planDocument(input, plan), ...(presets === undefined ? {} : { presets }) } };
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
        firstPassBandwidthBytesPerSecond: pr.firstPassBandwidthBytesPerSecond,
        notes: pr.notes,
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
        firstPassBandwidthBytesPerSecond: pr.firstPassBandwidthBytesPerSecond,
        notes: pr.notes,
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
    convergence: plan.convergence ?? null,
    ...(plan.remedy === undefined ? {} : { remedy: plan.remedy }),
    qmp: migrateSetParametersCommand(plan.parameters),
    virsh: virshCommands(plan.parameters, input.domain),
  };
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

export function planFor(input: PlanInput): QemuPlan {
  const plan = planQemuMigration({
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
    ...(input.convergenceTimeLimitSeconds === undefined
      ? {}
      : { convergenceTimeLimitSeconds: input.convergenceTimeLimitSeconds }),
    ...(input.convergenceRuns === undefined ? {} : { convergenceRuns: input.convergenceRuns }),
    ...(input.convergenceSeed === undefined ? {} : { convergenceSeed: input.convergenceSeed }),
  });
  // A fixed max-bandwidth is taken as given (QEMU accepts any), but one above a link share below 1 breaks the
  // operator's own constraint: say so. Above the whole link the model's note already says it runs at the link.
  const share = input.maxLinkShare ?? 1;
  const bw = input.maxBandwidthBytesPerSecond;
  const allowed = input.workload.linkBandwidthBytesPerSecond * share;
  if (bw !== undefined && share < 1 && bw > allowed) {
    return {
      ...plan,
      warnings: [
        ...plan.warnings,
        `max-bandwidth ${bw} B/s is above the allowed share of the link (${Math.floor(allowed)} B/s, --max-link-share ${share})`,
      ],
    };
  }
  return plan;
}
