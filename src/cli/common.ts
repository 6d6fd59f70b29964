/**
 * Plumbing every command shares: one-line errors with exit code 2, schema parsing worded with flag names,
 * the model flags, number formatting and output writing. Commands parse, validate, call and print; nothing else.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import type { z } from 'zod';
import { ModelInputError } from '../model/errors.js';
import { lineOf, parseInput } from '../ops/errors.js';
import { ACCOUNTING_CHOICES, CASE_CHOICES } from '../schema/index.js';
import { parseSize } from '../units/index.js';

export { columns, fmt, toJson } from '../format/text.js';
export { MODEL_FIELDS, pick } from '../ops/fields.js';

/** An error the user can fix: printed as one line `precopy: <message>`, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Turns any error into the one line the user sees (without the `precopy: ` prefix) and an exit code. */
export function explain(e: unknown): { message: string; exitCode: number } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
  const line = lineOf(e);
  if (line !== undefined) return { message: line, exitCode: 2 };
  const text = e instanceof Error ? e.message : String(e);
  return { message: `internal error: ${text.split('\n')[0]} (please report this)`, exitCode: 1 };
}

/** Parses raw flags with a schema; the first issue becomes a {@link CliError} worded with flag names. */
export function parseOrFail<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  return parseInput(schema, raw);
}

/** Options shared by predict, optimize and sweep: the model's parameters with their units. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', "fill unset parameters from a preset: 'paper' (Table 2)")
    .option('--pages <n>', 'Ps: memory in pages (a whole number)')
    .option('--memory <size>', 'memory as a size (e.g. 64GiB), instead of --pages')
    .option('--page-size <size>', 'S: page size (e.g. 4KiB, 16KB)', undefined)
    .option('--bandwidth <rate>', 'B: link bandwidth (e.g. 10Gbit/s, 125MB/s, 60KB/s)')
    .option('--dirty-rate <rate>', 'D: dirty rate, pages/s (bare number) or a byte rate (e.g. 8MB/s)')
    .option('--hot-fraction <beta>', 'beta: fraction of hot pages, 0 <= beta < 1')
    .option('--hot-rate <rate>', 'Dh: dirty rate of the hot pages (pages/s or a byte rate)')
    .option('--cold-rate <rate>', 'Dnh: dirty rate of the other pages (pages/s or a byte rate)')
    .addOption(new Option('--case <case>', 'which case(s) to compute').choices([...CASE_CHOICES]))
    .addOption(new Option('--accounting <mode>', 'downtime page accounting').choices([...ACCOUNTING_CHOICES]))
    .option('--strict', 'reject alpha > rho instead of warning');
}

/** Writes a file atomically: to a temporary name in the same folder, then renamed into place. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export type Format = 'table' | 'json' | 'csv';
export function formatOption(choices: readonly string[], dflt: string): Option {
  return new Option('--format <format>', 'output format').choices([...choices]).default(dflt);
}

/** Largest `--memory-budget`: 1 TiB. */
export const MAX_MEMORY_BUDGET_BYTES = 2 ** 40;

/** `--memory-budget <size>`: raises (or lowers) the page-level memory budget; the command line only, never the API. */
export function memoryBudgetOption(): Option {
  return new Option(
    '--memory-budget <size>',
    'memory the page-level run may use (estimate checked before anything is allocated; default 2GiB)',
  );
}

/** The bytes of `--memory-budget`, or undefined for the default (src/simulate/budget.ts). */
export function parseMemoryBudget(text: unknown): number | undefined {
  if (text === undefined) return undefined;
  let v = Number.NaN;
  try {
    v = parseSize(String(text));
  } catch {
    // worded below
  }
  if (!(Number.isFinite(v) && v >= 2 ** 20 && v <= MAX_MEMORY_BUDGET_BYTES)) {
    throw new CliError(
      `--memory-budget '${String(text)}' is not allowed: expected a size from 1MiB to 1TiB, e.g. 8GiB`,
    );
  }
  return v;
}

/** Runs a budget check; a refusal gets the flag that raises the budget appended. */
export function checkBudget(check: () => unknown): void {
  try {
    check();
  } catch (e) {
    if (e instanceof ModelInputError && e.parameter === 'memoryEstimate') {
      throw new CliError(`${e.message} (or raise --memory-budget)`);
    }
    throw e;
  }
}
