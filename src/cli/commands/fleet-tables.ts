/** The tables `precopy fleet predict|plan|simulate` print (src/cli/commands/fleet.ts), from the operations' JSON. */
import type {
  FleetMigrationJson,
  FleetPlanJson,
  FleetPredictJson,
  FleetSimulateJson,
  FleetSummaryJson,
} from '../../ops/fleet.js';
import { humanDuration, humanSize } from '../../units/index.js';
import { columns, fmt } from '../common.js';

function migrationsTable(ms: readonly FleetMigrationJson[]): string {
  const rows = [
    ['vm', 'route', 'start', 'end', 'downtime', 'rounds', 'sent', 'downtime-limit', 'max-bandwidth', 'verdict'],
  ];
  for (const m of ms) {
    rows.push([
      m.vm,
      `${m.source} -> ${m.target}`,
      `${fmt(m.startSeconds, 4)} s`,
      `${fmt(m.endSeconds, 4)} s`,
      m.converged ? humanDuration(m.downtimeSeconds) : '-',
      String(m.rounds),
      humanSize(m.bytesSent),
      m.stopRule === 'qemu' || m.stopRule === 'vmotion' ? `${m.downtimeLimitMs} ms` : m.stopRule,
      m.maxBandwidthBytesPerSecond === null ? 'unlimited' : `${fmt(m.maxBandwidthBytesPerSecond / 2 ** 20, 4)} MiB/s`,
      m.converged ? 'ok' : 'NOT CONVERGED',
    ]);
  }
  return columns(rows);
}

export function summaryLine(s: FleetSummaryJson): string {
  return `makespan ${fmt(s.makespanSeconds, 5)} s (${humanDuration(s.makespanSeconds)}), mean completion ${fmt(s.meanCompletionSeconds, 5)} s, sent ${humanSize(s.totalBytes)}, downtime sum ${fmt(s.sumDowntimeSeconds, 4)} s max ${fmt(s.maxDowntimeSeconds, 4)} s, energy ${fmt(s.energyJoules / 1000, 4)} kJ${s.allConverged ? '' : ', NOT ALL CONVERGED'}`;
}

export function predictTable(r: FleetPredictJson): string {
  const parts = [`schedule: ${r.schedule}`, summaryLine(r.summary), '', migrationsTable(r.migrations)];
  for (const m of r.migrations) if (!m.converged) parts.push(`${m.vm}: ${m.reason}`);
  if (r.violations.length > 0) {
    parts.push('', 'constraints broken:');
    for (const v of r.violations) parts.push(`  ${v.vm} [${v.constraint}]: ${v.detail}`);
  }
  return `${parts.join('\n')}\n`;
}

export function planTable(r: FleetPlanJson, commands: string): string {
  const p = r.plan;
  const parts: string[] = [];
  parts.push(`plan (${r.objective}): ${p.description}`);
  parts.push(summaryLine(p.summary));
  const bb = r.baselines.find((b) => b.name === r.bestBaseline)!;
  parts.push(
    r.planIsBaseline
      ? `the plan is the ${r.bestBaseline} baseline: no candidate beat it (${r.evaluations} evaluations)`
      : `beats the best baseline (${r.bestBaseline}, ${fmt(bb.objectiveValue, 5)}) by ${fmt(r.improvementFraction * 100, 3)} % on ${r.objective} (${fmt(p.objectiveValue, 5)}); ${r.evaluations} evaluations`,
  );
  parts.push(r.feasible ? 'every constraint is met' : 'INFEASIBLE: see the constraints below');
  parts.push('', migrationsTable(p.migrations));
  const brows = [
    [
      'baseline',
      'feasible',
      `objective (${r.objective})`,
      'makespan',
      'max downtime',
      'sent',
      'energy',
      'broken constraints',
    ],
  ];
  for (const b of r.baselines) {
    brows.push([
      b.name,
      b.truncatedAtSeconds !== undefined
        ? `? (stopped at ${fmt(b.truncatedAtSeconds, 4)} s)`
        : b.feasible
          ? 'yes'
          : 'no',
      fmt(b.objectiveValue, 5),
      humanDuration(b.summary.makespanSeconds),
      humanDuration(b.summary.maxDowntimeSeconds),
      humanSize(b.summary.totalBytes),
      `${fmt(b.summary.energyJoules / 1000, 4)} kJ`,
      b.violations.length === 0
        ? '-'
        : `${b.violations.length} (${[...new Set(b.violations.map((v) => v.constraint))].join(', ')})`,
    ]);
  }
  parts.push('', columns(brows));
  for (const n of r.notes) parts.push(`note: ${n}`);
  if (r.violations.length > 0) {
    parts.push('', 'constraints broken by the plan:');
    for (const v of r.violations) parts.push(`  ${v.vm} [${v.constraint}]: ${v.detail}`);
    for (const x of r.remedies) parts.push(`  ${x.vm}: ${x.advice}`);
  }
  if (commands !== 'none') {
    parts.push('', 'commands, in the order to run them:');
    for (const m of p.migrations) {
      const c = m.commands!;
      parts.push(`# ${m.vm}: ${m.source} -> ${m.target}, start ${c.when}`);
      if (commands === 'qmp' || commands === 'both') for (const q of c.qmp) parts.push(`  qmp> ${q}`);
      if (commands === 'virsh' || commands === 'both') for (const q of c.virsh) parts.push(`  $ ${q}`);
    }
  }
  return `${parts.join('\n')}\n`;
}

export function simulateTable(r: FleetSimulateJson): string {
  const e = r.relativeError;
  const pct = (x: number) => `${fmt(x * 100, 3)} %`;
  const parts = [
    `schedule: ${r.schedule} through the page-level multi-VM simulator (seed ${r.seed})`,
    `simulated: ${summaryLine(r.summary)}`,
    `predicted: ${summaryLine(r.predicted)}`,
    `simulator vs predictor: makespan ${pct(e.makespan)}, bytes ${pct(e.totalBytes)}, downtime sum ${pct(e.sumDowntime)}, largest per-migration difference ${pct(e.maxPerMigration)}`,
    '',
  ];
  const rows = [
    [
      'vm',
      'route',
      'start',
      'end',
      'end (predicted)',
      'downtime',
      'downtime (predicted)',
      'sent',
      'rounds',
      'waits for',
      'verdict',
    ],
  ];
  for (const m of r.migrations) {
    rows.push([
      m.vm,
      `${m.source} -> ${m.target}`,
      `${fmt(m.startSeconds, 4)} s`,
      `${fmt(m.endSeconds, 4)} s`,
      `${fmt(m.predicted.endSeconds, 4)} s`,
      humanDuration(m.downtimeSeconds),
      m.predicted.converged ? humanDuration(m.predicted.downtimeSeconds) : '-',
      humanSize(m.bytesSent),
      String(m.rounds),
      m.startAfter.length > 0 ? m.startAfter.join(' ') : '-',
      m.converged ? 'ok' : 'NOT CONVERGED',
    ]);
  }
  parts.push(columns(rows));
  for (const m of r.migrations) if (!m.converged) parts.push(`${m.vm}: ${m.reason}`);
  if (r.violations.length > 0) {
    parts.push('', 'constraints broken in the simulator:');
    for (const v of r.violations) parts.push(`  ${v.vm} [${v.constraint}]: ${v.detail}`);
  }
  return `${parts.join('\n')}\n`;
}
