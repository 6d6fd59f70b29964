import type { Command } from 'commander';
import {
  MAX_SWEEP_POINTS,
  SWEEP_COLUMNS,
  SWEEP_FIELDS,
  type SweepFormat,
  checkSweep,
  planSweepOp,
  sweepInput,
  sweepRecords,
  writeSweep,
} from '../../ops/sweep.js';
import { CliError, MODEL_FIELDS, addModelOptions, columns, fmt, formatOption, parseOrFail, pick } from '../common.js';

/** Most points `sweep --format table` prints (1 to 3 rows each; it aligns columns over every row, so holds them all). */
export const MAX_TABLE_POINTS = 5_000;

export function registerSweep(program: Command): void {
  addModelOptions(
    program
      .command('sweep')
      .description('predict over ranges (LO:HI:STEP) or lists (A,B,C) of any numeric flag; cross product, streamed'),
  )
    .option('--alpha <values>', 'alpha values, e.g. 0.05:0.95:0.05')
    .option('--downtime-limit <values>', 'downtime limits, e.g. 100ms,300ms,1s')
    .addOption(formatOption(['csv', 'jsonl', 'table'], 'csv'))
    .addHelpText(
      'after',
      '\nEvery numeric flag takes a single value, a list A,B,C or a range LO:HI:STEP (units allowed).',
    )
    .action((opts: Record<string, unknown>) => {
      const raw = pick(opts, [...MODEL_FIELDS, 'alpha', 'downtimeLimit']) as Record<string, unknown>;
      const axes: [string, string][] = [];
      const fixed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (SWEEP_FIELDS.includes(k) && typeof v === 'string') axes.push([k, v]);
        else fixed[k] = v;
      }
      const plan = planSweepOp(fixed, axes);
      if (plan.total > MAX_SWEEP_POINTS)
        throw new CliError(`the sweep has ${plan.total} points: at most ${MAX_SWEEP_POINTS}`);
      // Validate every point before printing anything, so bad input never leaves half an output behind.
      const check = checkSweep(plan);
      if (!check.ok) parseOrFail(sweepInput, check.raw);

      const format = opts.format as string;
      if (format !== 'table') return writeSweep(plan, format as SweepFormat, process.stdout);
      // A table is aligned over all its rows, so it is held in memory (about 5 KB a row): bounded, csv streams.
      if (plan.total > MAX_TABLE_POINTS) {
        throw new CliError(
          `--format table shows at most ${MAX_TABLE_POINTS} points and this sweep has ${plan.total}: use --format csv or jsonl (streamed)`,
        );
      }
      const table: string[][] = [];
      for (const row of sweepRecords(plan)) {
        table.push(
          SWEEP_COLUMNS.map((c) => (typeof row[c] === 'number' ? fmt(row[c] as number) : String(row[c] ?? '-'))),
        );
      }
      process.stdout.write(`${columns([[...SWEEP_COLUMNS], ...table])}\n`);
    });
}
