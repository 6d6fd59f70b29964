/**
 * `precopy simulate`: one page-level migration, or a Monte Carlo of them, side by side with the model. Maps
 * flags onto src/ops/simulate.ts (schema, then the trace read here), runs the replicas on worker threads, prints table, JSON or CSV.
 */
import { type Command, Option } from 'commander';
import { csvRow } from '../../format/csv.js';
import {
  SIMULATE_CLI_FIELDS,
  asOpError,
  simulateCliInput,
  simulateSetup,
  simulationReport,
} from '../../ops/simulate.js';
import { relativeError } from '../../simulate/compare.js';
import type { Estimate } from '../../simulate/montecarlo.js';
import { checkMonteCarloBudget } from '../../simulate/budget.js';
import { runTasks } from '../../simulate/pool.js';
import { STOP_RULE_KINDS } from '../../simulate/stop-rules.js';
import { readTraceFile } from '../../simulate/trace-file.js';
import { WORKLOAD_KINDS } from '../../simulate/workloads.js';
import {
  addModelOptions,
  checkBudget,
  columns,
  fmt,
  formatOption,
  memoryBudgetOption,
  parseMemoryBudget,
  parseOrFail,
  pick,
  toJson,
} from '../common.js';

async function runSimulate(opts: Record<string, unknown>): Promise<void> {
  // the flags through the operation's schema; the trace file is read here, at the edge
  const setup = simulateSetup(parseOrFail(simulateCliInput, pick(opts, SIMULATE_CLI_FIELDS)), readTraceFile);
  const { params, replicas, seed, jobs, accounting } = setup;
  // replicas x jobs x bitmaps against the memory budget, before any worker starts (issue 15)
  const budgetBytes = parseMemoryBudget(opts.memoryBudget);
  checkBudget(() => checkMonteCarloBudget(params, replicas, jobs, budgetBytes === undefined ? {} : { budgetBytes }));
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
    .addOption(memoryBudgetOption())
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, unknown>) => {
      try {
        await runSimulate(opts);
      } catch (e) {
        throw asOpError(e);
      }
    });
}
