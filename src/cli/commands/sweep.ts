import type { Command } from 'commander';
import { csvRow } from '../../format/csv.js';
import {
  AXES,
  MAX_SWEEP_POINTS,
  SWEEP_COLUMNS,
  crossProduct,
  expandAxis,
  sweepInput,
  sweepRows,
} from '../../ops/sweep.js';
import type { PredictInputRaw } from '../../schema/index.js';
import {
  CliError,
  MODEL_FIELDS,
  addModelOptions,
  columns,
  fmt,
  formatOption,
  parseOrFail,
  pick,
  toJson,
} from '../common.js';

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
      const axes: [string, string[]][] = [];
      const fixed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (k in AXES && typeof v === 'string') axes.push([k, expandAxis(k, v)]);
        else fixed[k] = v;
      }
      const total = axes.reduce((n, [, v]) => n * v.length, 1);
      if (total > MAX_SWEEP_POINTS) throw new CliError(`the sweep has ${total} points: at most ${MAX_SWEEP_POINTS}`);
      // Validate every point before printing anything, so bad input never leaves half an output behind.
      for (const point of crossProduct(axes)) parseOrFail(sweepInput, { ...fixed, ...point } as PredictInputRaw);

      const format = opts.format as string;
      const table: string[][] = [];
      let buf = format === 'csv' ? csvRow(SWEEP_COLUMNS) : '';
      const flush = (force = false) => {
        if (buf.length > 65536 || (force && buf.length > 0)) {
          process.stdout.write(buf);
          buf = '';
        }
      };
      for (const point of crossProduct(axes)) {
        const resolved = parseOrFail(sweepInput, { ...fixed, ...point } as PredictInputRaw);
        for (const row of sweepRows(resolved)) {
          if (format === 'csv') buf += csvRow(SWEEP_COLUMNS.map((c) => row[c]));
          else if (format === 'jsonl') buf += `${toJson(row, 0)}\n`;
          else
            table.push(
              SWEEP_COLUMNS.map((c) => (typeof row[c] === 'number' ? fmt(row[c] as number) : String(row[c] ?? '-'))),
            );
        }
        flush();
      }
      if (format === 'table') buf = `${columns([[...SWEEP_COLUMNS], ...table])}\n`;
      flush(true);
    });
}
