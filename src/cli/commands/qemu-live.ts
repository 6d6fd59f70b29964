/**
 * `precopy qemu advise` and `precopy qemu watch`: the commands that talk to a running QEMU over QMP. Flags are
 * parsed and plans made by src/ops/qemu.ts; this file holds the I/O (the socket, the clock, the progress lines).
 */
import { MigrationWatcher, measureVm, type WatchReport } from '../../hypervisor/qemu/advisor.js';
import { QmpClient, QmpError, type QueryMigrate, parseQmpAddress, qmp } from '../../hypervisor/qemu/qmp.js';
import {
  type PlanInput,
  QemuUsageError,
  type Raw,
  durationFlag,
  fraction,
  need,
  parsePlanFlags,
  parseWorkloadFlags,
  planDocument,
  planFor,
  qmpPath,
  ranged,
  rateFlag,
  unit,
} from '../../ops/qemu.js';
import { dirtyPagesPerSecond, humanDuration, humanSize, parseDirtyRate, parseSize } from '../../units/index.js';
import type { DirtyPattern } from '../../hypervisor/qemu/predict.js';
import { CliError } from '../common.js';
import type { QemuCliIo } from './qemu.js';
import { planTable } from './qemu-tables.js';

/** --qmp checked before anything else: a malformed or non-loopback address is bad input (exit 2), not a failure. */
function checkedQmp(o: Raw, path: string): string {
  try {
    parseQmpAddress(path, { allowRemote: o.allowRemoteQmp === true });
  } catch (e) {
    if (e instanceof QmpError) throw new CliError(`--qmp: ${e.message}`);
    throw e;
  }
  return path;
}

/** advise: measure the running VM over QMP, plan as `plan` does, and with --apply set the knobs. */
export async function runAdvise(o: Raw, io: QemuCliIo): Promise<number> {
  const path = qmpPath(o);
  const sample = durationFlag(o, 'sample', 'sample', '1s', 1, 60);
  const calcSeconds = Math.max(1, Math.round(sample));
  // Validate every flag before touching the VM.
  parsePlanFlags(o);
  need(o, 'link-bandwidth', 'linkBandwidth', 'a rate such as 10Gbit/s or 1.25GB/s');
  rateFlag(o, 'first-pass-bandwidth', 'firstPassBandwidth');
  // How the dirty rate is corrected for a random writer (dirty-rate.ts): the working set given, or a second
  // sample over twice the time (--two-period-sample, which assumes random writes).
  const twoPeriods = o.twoPeriodSample === true;
  const pattern = typeof o.pattern === 'string' ? o.pattern : 'sequential';
  if (pattern !== 'sequential' && pattern !== 'random')
    throw new QemuUsageError('pattern', pattern, 'sequential or random');
  let measureWorkingSet: number | undefined;
  if (typeof o.workingSet === 'string') {
    const b = unit('working-set', o.workingSet, parseSize);
    measureWorkingSet = ranged('working-set', o.workingSet, Math.ceil(b / 4096), b >= 1, 'a size of at least one page');
  }
  const correction =
    pattern === 'random' || twoPeriods
      ? {
          pattern: 'random' as const,
          ...(measureWorkingSet === undefined ? {} : { workingSetPages: measureWorkingSet }),
          ...(twoPeriods ? { twoPeriods: true } : {}),
        }
      : {};
  // --page-size (and the link) before sampling the guest: it was checked only after the sample (issue 15).
  parseWorkloadFlags(
    { pageSize: o.pageSize, linkBandwidth: o.linkBandwidth },
    { memoryBytes: 2 ** 50, dirtyPagesPerSecond: 0 },
  );
  const client = await QmpClient.connect(checkedQmp(o, path), { allowRemote: o.allowRemoteQmp === true });
  try {
    let m: Awaited<ReturnType<typeof measureVm>>;
    try {
      m = await measureVm(client, calcSeconds, 4096, correction);
    } catch (e) {
      if (e instanceof QmpError) throw e;
      throw new CliError(e instanceof Error ? e.message : String(e), 1);
    }
    const pageText = typeof o.pageSize === 'string' ? o.pageSize : '4KiB';
    const S = unit('page-size', pageText, parseSize);
    // A two-period fit also finds the working set: the plan then predicts a random writer into it.
    const fitted = m.dirtyRateMethod === 'two-period-fit' ? m.fittedWorkingSetBytes : undefined;
    const workload = parseWorkloadFlags(o, {
      memoryBytes: m.memoryBytes,
      dirtyPagesPerSecond: m.dirtyBytesPerSecond / S,
      ...(twoPeriods ? { pattern: 'random' as const } : {}),
      ...(fitted === undefined ? {} : { workingSetPages: fitted / S }),
    });
    const input: PlanInput = { workload, ...parsePlanFlags(o) };
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
      rawDirtyBytesPerSecond: m.rawDirtyBytesPerSecond,
      dirtyRateMethod: m.dirtyRateMethod,
      ...(m.fittedWorkingSetBytes === undefined ? {} : { fittedWorkingSetBytes: m.fittedWorkingSetBytes }),
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
          `dirty rate method        ${m.dirtyRateMethod} (QEMU read ${humanSize(m.rawDirtyBytesPerSecond)}/s${m.fittedWorkingSetBytes === undefined ? '' : `; fitted working set ${humanSize(m.fittedWorkingSetBytes)}`})`,
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
  const link = rateFlag(o, 'link-bandwidth', 'linkBandwidth');
  const firstPass = rateFlag(o, 'first-pass-bandwidth', 'firstPassBandwidth');
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
  const client = await QmpClient.connect(checkedQmp(o, path), { allowRemote: o.allowRemoteQmp === true });
  try {
    const params = await qmp.queryMigrateParameters(client);
    const watcher = new MigrationWatcher({
      downtimeLimitMs: params.downtimeLimit ?? 300,
      maxBandwidthBytesPerSecond: params.maxBandwidth ?? 128 * 2 ** 20,
      ...(link === undefined ? {} : { linkBandwidthBytesPerSecond: link }),
      ...(firstPass === undefined ? {} : { firstPassBandwidthBytesPerSecond: firstPass }),
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
    // What the prediction was made from: the dirty rate's source and the two throughputs as measured.
    const measured = {
      dirtyRateSource: report?.dirtyRateSource ?? null,
      firstPassBytesPerSecond: report?.firstPassBytesPerSecond ?? null,
      laterRoundBytesPerSecond: report?.laterRoundBytesPerSecond ?? null,
    };
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
    if (format === 'json') io.out(`${JSON.stringify({ actual, predicted, measured }, null, 2)}\n`);
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
      const rate = (x: number | null) => (x === null ? '-' : `${humanSize(x)}/s (${Math.round(x)} B/s)`);
      io.out(
        [
          `dirty rate source          ${measured.dirtyRateSource ?? '-'}`,
          `first pass throughput      ${rate(measured.firstPassBytesPerSecond)}`,
          `later-round throughput     ${rate(measured.laterRoundBytesPerSecond)}`,
          '',
        ].join('\n'),
      );
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
