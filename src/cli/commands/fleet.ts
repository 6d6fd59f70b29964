/**
 * `precopy fleet predict` and `precopy fleet plan`: read the files, call the operation (src/ops/fleet.ts),
 * print a table, JSON or CSV, and optionally write the Gantt chart (SVG or PNG through src/report/render.ts).
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { BASELINE_NAMES, OBJECTIVES, ganttSpec } from '../../fleet/index.js';
import {
  type FleetMigrationJson,
  type FleetPlanJson,
  type FleetPredictJson,
  type FleetSimulateJson,
  type FleetSummaryJson,
  fleetPlan,
  fleetPredict,
  fleetSimulate,
  ganttRows,
} from '../../ops/fleet.js';
import { humanDuration, humanSize } from '../../units/index.js';
import { fleetMigrationsCsv } from '../../ops/fleet-http.js';
import { CliError, columns, fmt, formatOption, toJson, writeFileAtomic } from '../common.js';

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`${flag} '${path}': cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function writeGantt(path: string, migrations: readonly FleetMigrationJson[], title: string, subtitle: string) {
  const spec = ganttSpec(ganttRows(migrations), title, subtitle);
  if (path.endsWith('.json')) {
    writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
    return;
  }
  if (!path.endsWith('.svg') && !path.endsWith('.png')) {
    throw new CliError(`--gantt '${path}': expected a file name ending in .svg, .png or .json`);
  }
  const { renderSvg, svgToPng } = await import('../../report/render.js');
  const svg = await renderSvg(spec);
  writeFileAtomic(path, path.endsWith('.png') ? svgToPng(svg) : svg);
}

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

function summaryLine(s: FleetSummaryJson): string {
  return `makespan ${fmt(s.makespanSeconds, 5)} s (${humanDuration(s.makespanSeconds)}), mean completion ${fmt(s.meanCompletionSeconds, 5)} s, sent ${humanSize(s.totalBytes)}, downtime sum ${fmt(s.sumDowntimeSeconds, 4)} s max ${fmt(s.maxDowntimeSeconds, 4)} s, energy ${fmt(s.energyJoules / 1000, 4)} kJ${s.allConverged ? '' : ', NOT ALL CONVERGED'}`;
}

function predictTable(r: FleetPredictJson): string {
  const parts = [`schedule: ${r.schedule}`, summaryLine(r.summary), '', migrationsTable(r.migrations)];
  for (const m of r.migrations) if (!m.converged) parts.push(`${m.vm}: ${m.reason}`);
  if (r.violations.length > 0) {
    parts.push('', 'constraints broken:');
    for (const v of r.violations) parts.push(`  ${v.vm} [${v.constraint}]: ${v.detail}`);
  }
  return `${parts.join('\n')}\n`;
}

function planTable(r: FleetPlanJson, commands: string): string {
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

function simulateTable(r: FleetSimulateJson): string {
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

export function registerFleet(program: Command): void {
  const fleet = program.command('fleet').description('many migrations at once: predict a schedule, plan a host drain');
  fleet
    .command('predict')
    .description('predict a given schedule (or a baseline policy) event by event while migrations share links')
    .requiredOption('--inventory <file>', 'inventory (YAML or JSON, see docs/fleet.md)')
    .option('--schedule <file>', 'schedule (YAML or JSON): order, start times, knobs')
    .addOption(new Option('--policy <name>', 'a baseline policy instead of a schedule').choices([...BASELINE_NAMES]))
    .option('--rounds', 'include every round of every migration (JSON)')
    .option('--gantt <file>', 'write the Gantt chart (.svg, .png or .json for the Vega-Lite spec)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      if ((opts.schedule === undefined) === (opts.policy === undefined)) {
        throw new CliError('give exactly one of --schedule FILE or --policy NAME');
      }
      const inventory = readText('--inventory', String(opts.inventory));
      const r = fleetPredict({
        inventory,
        ...(opts.schedule !== undefined ? { schedule: readText('--schedule', String(opts.schedule)) } : {}),
        ...(opts.policy !== undefined ? { policy: opts.policy as (typeof BASELINE_NAMES)[number] } : {}),
        rounds: opts.rounds === true,
      });
      if (typeof opts.gantt === 'string')
        await writeGantt(opts.gantt, r.migrations, `fleet predict: ${r.schedule}`, summaryLine(r.summary));
      const out =
        opts.format === 'json'
          ? `${toJson(r)}\n`
          : opts.format === 'csv'
            ? fleetMigrationsCsv(r.migrations)
            : predictTable(r);
      process.stdout.write(out);
    });
  fleet
    .command('simulate')
    .description('run a schedule, a baseline policy or the plan through the page-level multi-VM simulator')
    .requiredOption('--inventory <file>', 'inventory (YAML or JSON, see docs/fleet.md)')
    .option('--schedule <file>', 'schedule (YAML or JSON): order, start times, knobs')
    .addOption(new Option('--policy <name>', 'a baseline policy instead of a schedule').choices([...BASELINE_NAMES]))
    .option('--plan', 'the schedule `fleet plan` chooses (with --objective, --budget)')
    .addOption(new Option('--objective <name>', 'objective of --plan').choices([...OBJECTIVES]).default('makespan'))
    .option('--budget <n>', 'engine evaluations the search of --plan may spend')
    .option('--seed <n>', 'seed of the random writers', '1')
    .option('--rounds', 'include every round of every migration (JSON)')
    .option('--gantt <file>', 'write the Gantt chart of the simulated run (.svg, .png or .json)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const given = [opts.schedule, opts.policy, opts.plan === true ? true : undefined].filter((v) => v !== undefined);
      if (given.length !== 1) throw new CliError('give exactly one of --schedule FILE, --policy NAME or --plan');
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) {
        throw new CliError(`--seed '${opts.seed}' is out of range: expected a whole number from 0 to 4294967295`);
      }
      let budget: number | undefined;
      if (opts.budget !== undefined) {
        budget = Number(opts.budget);
        if (!Number.isInteger(budget) || budget < 1 || budget > 100_000) {
          throw new CliError(`--budget '${opts.budget}' is out of range: expected a whole number from 1 to 100000`);
        }
      }
      const inventory = readText('--inventory', String(opts.inventory));
      const r = fleetSimulate({
        inventory,
        ...(opts.schedule !== undefined ? { schedule: readText('--schedule', String(opts.schedule)) } : {}),
        ...(opts.policy !== undefined ? { policy: opts.policy as (typeof BASELINE_NAMES)[number] } : {}),
        ...(opts.plan === true
          ? { plan: true, objective: opts.objective as (typeof OBJECTIVES)[number], ...(budget ? { budget } : {}) }
          : {}),
        seed,
        rounds: opts.rounds === true,
      });
      if (typeof opts.gantt === 'string')
        await writeGantt(opts.gantt, r.migrations, `fleet simulate: ${r.schedule}`, summaryLine(r.summary));
      const out =
        opts.format === 'json'
          ? `${toJson(r)}\n`
          : opts.format === 'csv'
            ? fleetMigrationsCsv(
                r.migrations,
                {},
                r.migrations.map((m) => ({
                  predictedEndSeconds: m.predicted.endSeconds,
                  predictedDowntimeSeconds: m.predicted.downtimeSeconds,
                  predictedBytesSent: m.predicted.bytesSent,
                })),
              )
            : simulateTable(r);
      process.stdout.write(out);
    });
  fleet
    .command('plan')
    .description('choose order, start times, concurrency and knobs for a drain; baselines side by side; the commands')
    .requiredOption('--inventory <file>', 'inventory (YAML or JSON, see docs/fleet.md)')
    .addOption(new Option('--objective <name>', 'what to minimise').choices([...OBJECTIVES]).default('makespan'))
    .option('--budget <n>', 'engine evaluations the search may spend (default: by inventory size)')
    .addOption(
      new Option('--commands <which>', 'commands printed in the table')
        .choices(['both', 'qmp', 'virsh', 'none'])
        .default('both'),
    )
    .option('--gantt <file>', 'write the Gantt chart (.svg, .png or .json for the Vega-Lite spec)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, string | undefined>) => {
      let budget: number | undefined;
      if (opts.budget !== undefined) {
        budget = Number(opts.budget);
        if (!Number.isInteger(budget) || budget < 1 || budget > 100_000) {
          throw new CliError(`--budget '${opts.budget}' is out of range: expected a whole number from 1 to 100000`);
        }
      }
      const inventory = readText('--inventory', String(opts.inventory));
      const r = fleetPlan({
        inventory,
        objective: opts.objective as (typeof OBJECTIVES)[number],
        ...(budget !== undefined ? { budget } : {}),
      });
      if (opts.gantt !== undefined)
        await writeGantt(opts.gantt, r.plan.migrations, `fleet plan (${r.objective})`, r.plan.description);
      const out =
        opts.format === 'json'
          ? `${toJson(r)}\n`
          : opts.format === 'csv'
            ? fleetMigrationsCsv(r.plan.migrations)
            : planTable(r, String(opts.commands));
      process.stdout.write(out);
    });
}
