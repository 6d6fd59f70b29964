/**
 * `precopy validate`: a grid over rho, alpha and beta, simulator against model: where the closed forms hold and
 * where they break. Maps flags onto src/ops/validate.ts, runs the grid on worker threads, prints.
 */
import type { Command } from 'commander';
import { csvRow } from '../../format/csv.js';
import { asOpError } from '../../ops/simulate.js';
import { VALIDATE_FIELDS, validateInput, validationPlan, validationReport } from '../../ops/validate.js';
import { validationChartSpec } from '../../report/validation-chart.js';
import { checkValidationBudget } from '../../simulate/budget.js';
import { runTasks } from '../../simulate/pool.js';
import { DEFAULT_GRID, VALIDATION_WORKLOADS, type ValidationSummary } from '../../simulate/validate.js';
import {
  CliError,
  checkBudget,
  columns,
  fmt,
  formatOption,
  memoryBudgetOption,
  parseMemoryBudget,
  parseOrFail,
  pick,
  toJson,
  writeFileAtomic,
} from '../common.js';
import { CASE_SHORT, errorMatrix, q } from './validate-tables.js';

async function runValidate(opts: Record<string, unknown>): Promise<void> {
  const setup = parseOrFail(validateInput, pick(opts, VALIDATE_FIELDS));
  const g = setup.grid;
  // cells, runs and jobs x bitmaps against the memory budget, before the grid is built (issue 15)
  const budgetBytes = parseMemoryBudget(opts.memoryBudget);
  checkBudget(() => checkValidationBudget(g, setup.jobs, budgetBytes === undefined ? {} : { budgetBytes }));
  const plan = validationPlan(setup);
  const report = validationReport(setup, plan, await runTasks(plan.tasks, { jobs: setup.jobs }));
  const { summary, cells } = report;
  if (opts.chart !== undefined) {
    const path = String(opts.chart);
    const spec = validationChartSpec(cells);
    if (path.endsWith('.svg')) writeFileAtomic(path, await renderSvg(spec));
    else writeFileAtomic(path, `${JSON.stringify(spec, null, 2)}\n`);
  }
  const format = opts.format as string;
  if (format === 'json') {
    process.stdout.write(`${toJson(report)}\n`);
    return;
  }
  if (format === 'csv') {
    let out = csvRow([
      'workload',
      'case',
      'beta',
      'rho',
      'alpha',
      'simIterations',
      'simDowntimeSeconds',
      'simDowntimeHalfWidth',
      'simTotalSeconds',
      'paperIterations',
      'paperDowntimeSeconds',
      'paperTotalSeconds',
      'downtimeError',
      'totalError',
      'distinctDowntimeSeconds',
      'distinctDowntimeError',
      'distinctTotalError',
    ]);
    for (const c of cells) {
      out += csvRow([
        c.workload,
        c.case,
        c.beta,
        c.rho,
        c.alpha,
        c.simulated.iterations.mean,
        c.simulated.downtimeSeconds.mean,
        c.simulated.downtimeSeconds.halfWidth,
        c.simulated.totalSeconds.mean,
        c.paper?.iterations,
        c.paper?.downtimeSeconds,
        c.paper?.totalSeconds,
        c.paperError.downtime,
        c.paperError.total,
        c.distinct?.downtimeSeconds,
        c.distinctError.downtime,
        c.distinctError.total,
      ]);
    }
    process.stdout.write(out);
    return;
  }
  const parts: string[] = [
    `precopy validate: simulator vs the paper's closed forms (consistent accounting) over rho = ${g.rhos.map((x) => fmt(x)).join(',')}, alpha = ${g.alphas.map((x) => fmt(x)).join(',')}, beta = ${g.betas.map((x) => fmt(x)).join(',')}`,
    `Ps = ${g.pages} pages of ${fmt(g.pageSizeBytes)} B, B = ${fmt(g.bandwidthBytesPerSecond)} B/s, Dh/Dnh = ${fmt(g.hotRatio)}, working set = ${fmt(g.workingSetFraction)}*Ps, ${g.replicas} replicas per random cell, seed ${g.seed}`,
    '',
  ];
  const head = [
    'workload',
    'case',
    'cells',
    '<=1%',
    '<=5%',
    'downtime |err| median',
    'p90',
    'max',
    'total |err| median',
    'p90',
    'max',
    'distinct model <=5%',
    'its downtime |err| median',
    'max',
  ];
  const rows: string[][] = [head];
  for (const s of summary as ValidationSummary[]) {
    rows.push([
      s.workload,
      CASE_SHORT[s.case],
      String(s.cells),
      String(s.within1pct),
      String(s.within5pct),
      ...q(s.downtime),
      ...q(s.total),
      s.distinctWithin5pct === undefined ? '-' : String(s.distinctWithin5pct),
      ...(s.distinctDowntime ? [q(s.distinctDowntime)[0]!, q(s.distinctDowntime)[2]!] : ['-', '-']),
    ]);
  }
  parts.push(columns(rows));
  parts.push(
    '',
    'Downtime error (simulated - paper) / paper by alpha (rows) and rho (columns); ~ over 1 %, ! over 5 %:',
  );
  for (const s of summary) {
    const beta = s.case === 'uniform' ? undefined : g.betas[0];
    const these = cells.filter((c) => c.workload === s.workload && c.case === s.case && c.beta === beta);
    parts.push(
      '',
      `${s.workload}, ${CASE_SHORT[s.case]}${beta !== undefined ? `, beta = ${fmt(beta)}` : ''}`,
      errorMatrix(these, g),
    );
  }
  parts.push(
    '',
    "Reading: fluid = the paper's own assumption, so its errors are rounding only (the independent check of the closed",
    'forms). Random writes re-dirty pages already dirty, so fewer pages are sent than rho^i*Ps predicts; the',
    'distinct-pages model (src/model/distinct.ts) follows them. A working set caps the dirty set at W pages.',
    "Hot II with random hot/cold writes dirties the cold pages at (1-beta)*Dnh, not the paper's Dnh.",
  );
  if (opts.chart !== undefined) parts.push(`chart written to ${String(opts.chart)}`);
  process.stdout.write(`${parts.join('\n')}\n`);
}

/** Renders a Vega-Lite spec to SVG when vega and vega-lite are installed; a one-line error otherwise. */
async function renderSvg(spec: object): Promise<string> {
  const load = (name: string) => import(name) as Promise<Record<string, unknown>>;
  let vega: Record<string, unknown>;
  let vegaLite: Record<string, unknown>;
  try {
    vega = await load('vega');
    vegaLite = await load('vega-lite');
  } catch {
    throw new CliError(
      '--chart: SVG needs the packages vega and vega-lite; write the Vega-Lite spec instead (a path ending in .json)',
    );
  }
  const compile = (vegaLite.compile ?? (vegaLite.default as Record<string, unknown>)?.compile) as (s: object) => {
    spec: object;
  };
  const V = (vega.View ?? (vega.default as Record<string, unknown>)?.View) as new (
    rt: unknown,
    o: object,
  ) => { toSVG(): Promise<string>; finalize(): void };
  const parse = (vega.parse ?? (vega.default as Record<string, unknown>)?.parse) as (s: object) => unknown;
  const view = new V(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Registers `precopy validate`: the model-vs-simulation grid, its error table, heat maps and chart. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('where the closed forms hold and where they break: simulator vs model over a grid of rho, alpha, beta')
    .option('--pages <n>', `Ps: memory in pages (default ${DEFAULT_GRID.pages})`)
    .option('--memory <size>', 'memory as a size, instead of --pages')
    .option('--page-size <size>', `S: page size (default ${DEFAULT_GRID.pageSizeBytes} B)`)
    .option('--bandwidth <rate>', `B: link bandwidth (default ${DEFAULT_GRID.bandwidthBytesPerSecond} B/s)`)
    .option('--rho <list>', `rho values (default ${DEFAULT_GRID.rhos.join(',')})`)
    .option('--alpha <list>', `alpha values (default ${DEFAULT_GRID.alphas.join(',')})`)
    .option('--beta <list>', `hot fractions (default ${DEFAULT_GRID.betas.join(',')})`)
    .option('--hot-ratio <r>', "Dh/Dnh in the hot cells (default 4/1.8, the paper's Table 2)")
    .option('--working-set-fraction <f>', 'working set W as a fraction of Ps (default 0.25)')
    .option('--workloads <list>', `workloads to run (default ${VALIDATION_WORKLOADS.join(',')})`)
    .option('--replicas <n>', `replicas per random cell (default ${DEFAULT_GRID.replicas})`)
    .option('--seed <n>', 'random seed (default 1)')
    .option('--jobs <n>', 'worker threads (default 1; same results for any value)')
    .option('--chart <file>', 'write a chart of the errors: a Vega-Lite spec (.json) or SVG (.svg, needs vega)')
    .addOption(memoryBudgetOption())
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action(async (opts: Record<string, unknown>) => {
      try {
        await runValidate(opts);
      } catch (e) {
        throw asOpError(e);
      }
    });
}
