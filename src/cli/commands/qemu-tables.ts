/** The text tables of `precopy qemu plan` (and of advise, which plans as plan does) and of `qemu watch`. */
import type { QemuPlan } from '../../hypervisor/qemu/plan.js';
import { migrateSetParametersCommand, virshCommands } from '../../hypervisor/qemu/plan.js';
import type { PlanInput, presetsFor } from '../../ops/qemu.js';
import { humanDuration, humanSize } from '../../units/index.js';

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
  const c = plan.convergence;
  if (c !== undefined) {
    rows.push([
      'converges within',
      `${humanDuration(c.timeLimitSeconds)}: probability ${c.probability.toFixed(2)} (95 % ${c.confidence95.map((x) => x.toFixed(2)).join('-')}, ${c.runs} runs, seed ${c.seed})${c.certainNever ? ', certainly never' : ''}`,
    ]);
    if (c.iterations !== null && c.totalSeconds !== null) {
      rows.push([
        '  when it does',
        `rounds p10/p50/p90 ${c.iterations.p10}/${c.iterations.p50}/${c.iterations.p90}, total time ${humanDuration(c.totalSeconds.p10)}/${humanDuration(c.totalSeconds.p50)}/${humanDuration(c.totalSeconds.p90)}`,
      ]);
    }
  }
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

export function presetsTable(pr: ReturnType<typeof presetsFor>, plan: QemuPlan): string {
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

/** What `watch` prints at the end: predicted against actual, then where the prediction's figures came from. */
export function watchTable(
  actual: {
    status: string;
    totalSeconds: number;
    downtimeSeconds: number | null;
    iterations: number | null;
    bytesTransferred: number | null;
  },
  predicted:
    | {
        converges: true;
        iterations: number;
        totalSeconds: number;
        downtimeSeconds: number;
        bytesTransferred: number;
        madeAtSeconds: number;
      }
    | { converges: false; madeAtSeconds: number }
    | null,
  measured: {
    dirtyRateSource: string | null;
    firstPassBytesPerSecond: number | null;
    laterRoundBytesPerSecond: number | null;
  },
  duringFirstPass: {
    converges: boolean;
    totalSeconds?: number;
    madeAtSeconds: number;
    firstPassEndSeconds: number;
  } | null = null,
): string {
  const rows: [string, string, string][] = [['', 'predicted', 'actual']];
  const pc = predicted?.converges ? predicted : undefined;
  rows.push([
    'status',
    predicted === null ? '-' : predicted.converges ? 'converges' : 'never converges',
    actual.status,
  ]);
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
  const rate = (x: number | null) => (x === null ? '-' : `${humanSize(x)}/s (${Math.round(x)} B/s)`);
  return [
    `${rows.map((r) => `${r[0].padEnd(w)}  ${r[1].padEnd(12)}  ${r[2]}`).join('\n')}\n`,
    predicted === null ? '' : `(prediction made ${humanDuration(predicted.madeAtSeconds)} into the migration)\n`,
    duringFirstPass === null
      ? ''
      : `during the first pass (${humanDuration(duringFirstPass.madeAtSeconds)} in, from its own progress): first pass to ${humanDuration(duringFirstPass.firstPassEndSeconds)}, total ${
          duringFirstPass.converges && duringFirstPass.totalSeconds !== undefined
            ? humanDuration(duringFirstPass.totalSeconds)
            : 'never converges'
        }\n`,
    [
      `dirty rate source          ${measured.dirtyRateSource ?? '-'}`,
      `first pass throughput      ${rate(measured.firstPassBytesPerSecond)}`,
      `later-round throughput     ${rate(measured.laterRoundBytesPerSecond)}`,
      '',
    ].join('\n'),
  ].join('');
}
