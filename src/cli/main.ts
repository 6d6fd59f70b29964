#!/usr/bin/env node
/**
 * The `precopy` command. Each command lives in ./commands and is registered here; errors the user can fix
 * print one line `precopy: ...` on stderr and exit with code 2.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { explain } from './common.js';
import { registerOptimize } from './commands/optimize.js';
import { registerPredict } from './commands/predict.js';
import { registerQemu } from './commands/qemu.js';
import { registerReproduce } from './commands/reproduce.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerValidate } from './commands/validate.js';
import { registerSweep } from './commands/sweep.js';
import { registerFleet } from './commands/fleet.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the program (exported so tests can run it in-process). */
export function buildProgram(): Command {
  const program = new Command('precopy')
    .description('predict, optimise and validate pre-copy live migration of virtual machines')
    .version(pkg.version)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`precopy: ${text.replace(/^error: /, '').trim()}\n`),
    });
  registerPredict(program);
  registerOptimize(program);
  registerSweep(program);
  registerReproduce(program);
  registerSimulate(program);
  registerValidate(program);
  registerServe(program);
  registerQemu(program);
  registerFleet(program);
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({
      outputError: (text, write) => write(`precopy: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting (the bin wrapper exits). */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors (already printed by commander) exit 2.
      return e.exitCode === 0 ? 0 : 2;
    }
    const { message, exitCode } = explain(e);
    process.stderr.write(`precopy: ${message}\n`);
    if (process.env.PRECOPY_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return exitCode;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
/**
 * Output errors of the process's own streams (issue 15): a reader that goes away (`precopy sweep ... | head -1`,
 * EPIPE) ends the command quietly with status 0, as `head` users expect; any other failure to write stdout
 * (`> /dev/full`, ENOSPC) is one line on stderr and exit 2. Without this Node printed a stack trace.
 */
export function outputErrorExit(e: unknown, stream: 'stdout' | 'stderr'): { code: number; line?: string } {
  const code = (e as { code?: string }).code;
  if (code === 'EPIPE' || stream === 'stderr') return { code: code === 'EPIPE' ? 0 : 2 };
  const reason = code === 'ENOSPC' ? 'no space left on the device' : (e as Error).message?.split('\n')[0];
  return {
    code: 2,
    line: `precopy: cannot write the output (standard output): ${reason}${code ? ` (${code})` : ''}\n`,
  };
}

function guardStream(stream: 'stdout' | 'stderr'): void {
  process[stream].on('error', (e) => {
    const { code, line } = outputErrorExit(e, stream);
    if (line) {
      try {
        process.stderr.write(line);
      } catch {
        // stderr is gone too: the status says it
      }
    }
    process.exit(code);
  });
}

if (invokedDirectly()) {
  guardStream('stdout');
  guardStream('stderr');
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
