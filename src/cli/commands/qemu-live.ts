/**
 * `precopy qemu advise` and `precopy qemu watch`: the commands that talk to a running QEMU over QMP. Flags go
 * through the operations' schemas and plans are made by src/ops/qemu.ts; this file holds the I/O (the socket,
 * the clock, the progress lines).
 */
import { MigrationWatcher, measureVm, type WatchReport } from '../../hypervisor/qemu/advisor.js';
import { QmpClient, QmpError, type QueryMigrate, parseQmpAddress, qmp } from '../../hypervisor/qemu/qmp.js';
import {
  type PlanInput,
  QEMU_ADVISE_FIELDS,
  QEMU_WATCH_FIELDS,
  planDocument,
  planFor,
  qemuAdviseInput,
  qemuWatchInput,
  qemuWorkloadInput,
} from '../../ops/qemu.js';
import { humanDuration, humanSize } from '../../units/index.js';
import { CliError, parseOrFail, pick } from '../common.js';
import type { Opts, QemuCliIo } from './qemu.js';
import { planTable, watchTable } from './qemu-tables.js';

/** --qmp checked before anything else: a malformed or non-loopback address is bad input (exit 2), not a failure. */
function checkedQmp(path: string, allowRemote: boolean): string {
  try {
    parseQmpAddress(path, { allowRemote });
  } catch (e) {
    if (e instanceof QmpError) throw new CliError(`--qmp: ${e.message}`);
    throw e;
  }
  return path;
}

/** advise: measure the running VM over QMP, plan as `plan` does, and with --apply set the knobs. */
export async function runAdvise(o: Opts, io: QemuCliIo): Promise<number> {
  // Every flag checked before touching the VM.
  const a = parseOrFail(qemuAdviseInput, pick(o, QEMU_ADVISE_FIELDS));
  const client = await QmpClient.connect(checkedQmp(a.qmp, a.allowRemoteQmp), { allowRemote: a.allowRemoteQmp });
  try {
    let m: Awaited<ReturnType<typeof measureVm>>;
    try {
      m = await measureVm(client, a.calcSeconds, 4096, a.correction);
    } catch (e) {
      if (e instanceof QmpError) throw e;
      throw new CliError(e instanceof Error ? e.message : String(e), 1);
    }
    const S = a.pageSizeBytes;
    // A two-period fit also finds the working set: the plan then predicts a random writer into it.
    const fitted = m.dirtyRateMethod === 'two-period-fit' ? m.fittedWorkingSetBytes : undefined;
    const workload = parseOrFail(
      qemuWorkloadInput({
        memoryBytes: m.memoryBytes,
        dirtyPagesPerSecond: m.dirtyBytesPerSecond / S,
        ...(a.twoPeriods ? { pattern: 'random' as const } : {}),
        ...(fitted === undefined ? {} : { workingSetPages: fitted / S }),
      }),
      a.workloadRaw,
    );
    const input: PlanInput = { workload, ...a.knobs };
    const plan = planFor(input);
    let applied = false;
    if (a.apply) {
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
export async function runWatch(o: Opts, io: QemuCliIo): Promise<number> {
  const w = parseOrFail(qemuWatchInput, pick(o, QEMU_WATCH_FIELDS));
  const { format, intervalSeconds: interval, timeoutSeconds: timeout } = w;
  const client = await QmpClient.connect(checkedQmp(w.qmp, w.allowRemoteQmp), { allowRemote: w.allowRemoteQmp });
  try {
    const params = await qmp.queryMigrateParameters(client);
    const watcher = new MigrationWatcher({
      downtimeLimitMs: params.downtimeLimit ?? 300,
      maxBandwidthBytesPerSecond: params.maxBandwidth ?? 128 * 2 ** 20,
      ...(w.linkBandwidthBytesPerSecond === undefined
        ? {}
        : { linkBandwidthBytesPerSecond: w.linkBandwidthBytesPerSecond }),
      ...(w.firstPassBandwidthBytesPerSecond === undefined
        ? {}
        : { firstPassBandwidthBytesPerSecond: w.firstPassBandwidthBytesPerSecond }),
      ...(w.zeroPageSeconds === undefined ? {} : { zeroPageSeconds: w.zeroPageSeconds }),
      ...(w.dirtyPagesPerSecond === undefined ? {} : { dirtyPagesPerSecond: w.dirtyPagesPerSecond }),
      ...(w.zeroPageFraction === undefined ? {} : { zeroPageFraction: w.zeroPageFraction }),
      ...(w.workingSetPages === undefined ? {} : { workingSetPages: w.workingSetPages }),
      dirtyPattern: w.dirtyPattern,
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
    const shape = (q: typeof p, atSeconds: number) =>
      q === undefined
        ? null
        : q.converges
          ? {
              converges: true as const,
              iterations: q.iterations,
              totalSeconds: q.totalSeconds,
              downtimeSeconds: q.downtimeSeconds,
              bytesTransferred: q.bytesTransferred,
              madeAtSeconds: atSeconds,
            }
          : { converges: false as const, reason: q.reason, madeAtSeconds: atSeconds };
    const predicted = shape(p, first?.atSeconds ?? 0);
    // The last prediction taken during the first pass from its own progress (docs/qemu.md, watch).
    const r = watcher.refinedPrediction;
    const duringFirstPass =
      r === undefined ? null : { ...shape(r.prediction, r.atSeconds)!, firstPassEndSeconds: r.firstPassEndSeconds };
    if (format === 'json') io.out(`${JSON.stringify({ actual, predicted, duringFirstPass, measured }, null, 2)}\n`);
    else {
      io.out(watchTable(actual, predicted, measured, duringFirstPass));
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
