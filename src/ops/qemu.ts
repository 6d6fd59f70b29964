/**
 * The `qemu` operations: plan QEMU's migration knobs from the model, and the input parsing shared by plan,
 * advise and watch. Input: the flags' camelCase names with text values (parseWorkloadFlags, parsePlanFlags;
 * every error a {@link QemuUsageError} naming the flag, the value and the valid range); function: planFor
 * (and presetsFor); JSON: planDocument. advise and watch talk to a running QEMU over QMP: their I/O stays in
 * the command (src/cli/commands/qemu-live.ts), which calls these functions for everything else.
 */
import { predictNova, predictXenPolicy } from '../hypervisor/presets.js';
import { ModelInputError } from '../model/index.js';
import {
  migrateSetParametersCommand,
  planQemuMigration,
  type QemuPlan,
  type QemuPlanParams,
  type QemuWorkload,
  virshCommands,
} from '../hypervisor/qemu/plan.js';
import type { DirtyPattern } from '../hypervisor/qemu/predict.js';
import {
  dirtyPagesPerSecond,
  humanDuration,
  humanSize,
  parseDirtyRate,
  parseDuration,
  parseRate,
  parseSize,
  UnitError,
} from '../units/index.js';
import { OpError } from './errors.js';
import { fieldOfFlag } from './parse.js';

/** A bad flag value: the CLI prints it as one line `precopy: --flag 'value' ...: expected ...`, exit code 2. */
export class QemuUsageError extends OpError {
  constructor(
    readonly flag: string,
    override readonly value: string,
    readonly expected: string,
    problem = 'is invalid',
  ) {
    super(`--${flag} '${value}' ${problem}: expected ${expected}`, { field: fieldOfFlag(`--${flag}`), value });
    this.name = 'QemuUsageError';
  }
}

export type Raw = Record<string, string | boolean | undefined>;

export function need(o: Raw, flag: string, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new QemuUsageError(flag, v === undefined ? '' : String(v), what, 'is missing');
  }
  return v;
}

export function unit<T>(flag: string, value: string, parse: (s: string) => T): T {
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof UnitError) throw new QemuUsageError(flag, value, e.expected, `is not a ${e.kind}`);
    throw e;
  }
}

export function ranged(flag: string, value: string, x: number, ok: boolean, expected: string): number {
  if (!Number.isFinite(x) || !ok) throw new QemuUsageError(flag, value, expected, 'is out of range');
  return x;
}

export function fraction(flag: string, value: string, lo: 'open' | 'closed', hi: 'open' | 'closed'): number {
  const x = Number(value);
  const okLo = lo === 'open' ? x > 0 : x >= 0;
  const okHi = hi === 'open' ? x < 1 : x <= 1;
  const expected = `a number with ${lo === 'open' ? '0 <' : '0 <='} x ${hi === 'open' ? '< 1' : '<= 1'}`;
  if (value.trim() === '' || !Number.isFinite(x)) throw new QemuUsageError(flag, value, expected, 'is not a number');
  return ranged(flag, value, x, okLo && okHi, expected);
}

export const PARAM_FLAGS: Record<string, string> = {
  memoryBytes: 'memory',
  pageSizeBytes: 'page-size',
  maxBandwidthBytesPerSecond: 'max-bandwidth',
  linkBandwidthBytesPerSecond: 'link-bandwidth',
  downtimeLimitSeconds: 'downtime-limit',
  dirtyPagesPerSecond: 'dirty-rate',
  zeroPageFraction: 'zero-fraction',
  workingSetPages: 'working-set',
  firstPassBandwidthBytesPerSecond: 'first-pass-bandwidth',
  convergenceTimeLimitSeconds: 'convergence-time-limit',
  convergenceRuns: 'convergence-runs',
  convergenceSeed: 'seed',
};

/** The largest rate any rate flag takes (10 TB/s), bytes/s. */
export const MAX_RATE = 1e13;

/** Reads an optional `--flag <rate>` from 1 B/s to 10 TB/s. */
export function rateFlag(o: Raw, flag: string, key: string): number | undefined {
  const v = o[key];
  if (typeof v !== 'string') return undefined;
  const x = unit(flag, v, parseRate);
  return ranged(flag, v, x, x >= 1 && x <= MAX_RATE, 'a rate from 1 B/s to 10 TB/s');
}

/** Reads an optional `--flag <n>`: a whole number in [lo, hi]. */
export function integerFlag(o: Raw, flag: string, key: string, lo: number, hi: number): number | undefined {
  const v = o[key];
  if (typeof v !== 'string') return undefined;
  const x = v.trim() === '' ? Number.NaN : Number(v);
  return ranged(flag, v, x, Number.isInteger(x) && x >= lo && x <= hi, `a whole number from ${lo} to ${hi}`);
}

/** The parsed `plan` options: the planner's parameters plus how to print them. */
export interface PlanInput extends QemuPlanParams {
  readonly useAvailSwitchover: boolean;
  readonly format: 'table' | 'json';
  readonly domain: string;
}

/** Reads the workload flags shared by plan and advise. */
export function parseWorkloadFlags(
  o: Raw,
  known?: { memoryBytes?: number; dirtyPagesPerSecond?: number; workingSetPages?: number; pattern?: DirtyPattern },
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
  if (known?.workingSetPages !== undefined && typeof o.workingSet !== 'string') {
    // A measured working set (advise's two-period fit): at least one page, at most the non-zero memory.
    W = Math.min(Math.max(1, Math.round(known.workingSetPages)), pages - Math.floor(z * pages));
  } else if (typeof o.workingSet === 'string') {
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
  const pattern = known?.pattern ?? ((typeof o.pattern === 'string' ? o.pattern : 'sequential') as DirtyPattern);
  if (pattern !== 'sequential' && pattern !== 'random')
    throw new QemuUsageError('pattern', pattern, 'sequential or random');
  // Round 1's throughput (fresh destination memory); default the link (docs/qemu.md, two throughputs).
  const firstPass = rateFlag(o, 'first-pass-bandwidth', 'firstPassBandwidth');
  return {
    ...(firstPass === undefined ? {} : { firstPassBandwidthBytesPerSecond: firstPass }),
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
export function parsePlanFlags(o: Raw): Omit<PlanInput, 'workload'> {
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
  // QEMU accepts a max-bandwidth above the link and runs at the link's speed: the model clamps it and says so
  // in the prediction's notes (and the plan's warnings), so it is not refused here.
  const b = rateFlag(o, 'max-bandwidth', 'maxBandwidth');
  const maxBandwidthBytesPerSecond = b === undefined ? undefined : Math.max(1, Math.floor(b));
  const convergenceTimeLimitSeconds = dur(
    'convergence-time-limit',
    'convergenceTimeLimit',
    0.1,
    30 * 86400,
    'a duration from 100ms to 30 days',
  );
  const convergenceRuns = integerFlag(o, 'convergence-runs', 'convergenceRuns', 1, 10000);
  const convergenceSeed = integerFlag(o, 'seed', 'seed', 0, 2 ** 32 - 1);
  return {
    ...(convergenceTimeLimitSeconds === undefined ? {} : { convergenceTimeLimitSeconds }),
    ...(convergenceRuns === undefined ? {} : { convergenceRuns }),
    ...(convergenceSeed === undefined ? {} : { convergenceSeed }),
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

/** Reads a `--flag <duration>` in a range, with a default. */
export function durationFlag(o: Raw, flag: string, key: string, fallback: string, lo: number, hi: number): number {
  const v = typeof o[key] === 'string' ? (o[key] as string) : fallback;
  const x = unit(flag, v, parseDuration);
  return ranged(flag, v, x, x >= lo && x <= hi, `a duration from ${humanDuration(lo)} to ${humanDuration(hi)}`);
}

export function qmpPath(o: Raw): string {
  return need(o, 'qmp', 'qmp', 'the path of a QMP unix socket (QEMU -qmp unix:PATH,server=on,wait=off)');
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

/** A planner range error reworded as a usage error naming the flag; other errors pass through. */
export function qemuInputError(e: unknown): unknown {
  if (e instanceof ModelInputError) {
    const flag = PARAM_FLAGS[e.parameter] ?? e.parameter;
    return new QemuUsageError(flag, String(e.value), e.range, 'is out of range');
  }
  return e;
}
