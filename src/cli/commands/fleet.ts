/**
 * `precopy fleet predict` and `precopy fleet plan`: read the files, call the operation (src/ops/fleet.ts),
 * print a table, JSON or CSV, and optionally write the Gantt chart (SVG or PNG through src/report/render.ts).
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { BASELINE_NAMES, OBJECTIVES, ganttSpec } from '../../fleet/index.js';
import { type FleetMigrationJson, fleetPlan, fleetPredict, fleetSimulate, ganttRows } from '../../ops/fleet.js';
import { fleetMigrationsCsv } from '../../ops/fleet-http.js';
import { CliError, formatOption, toJson, writeFileAtomic } from '../common.js';
import { planTable, predictTable, simulateTable, summaryLine } from './fleet-tables.js';

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
