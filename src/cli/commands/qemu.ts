/**
 * `precopy qemu ...`: QEMU's knobs from the model. Flags onto the operation's input (src/ops/qemu.ts, zod), call,
 * print; nothing else.
 *
 *   precopy qemu plan --memory 8GiB --link-bandwidth 10Gbit/s --dirty-rate 20000 [--max-downtime 300ms] ...
 *
 * Bad input is one line on stderr naming the flag, the value and the valid range, exit code 2. A plan that
 * cannot meet the constraints (or a migration that never converges) prints its result and exits with 1.
 */
import type { Command } from 'commander';
import { QmpError } from '../../hypervisor/qemu/qmp.js';
import { QEMU_PLAN_FIELDS, planOp, qemuInputError, qemuPlanInput } from '../../ops/qemu.js';
import { CliError, parseOrFail, pick } from '../common.js';
import { runAdvise, runWatch } from './qemu-live.js';
import { planTable, presetsTable } from './qemu-tables.js';

/** Where a command writes its result (stdout) and progress (stderr); tests pass their own. */
export interface QemuCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIo: QemuCliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Translates library errors into one-line usage errors naming the flag. */
function toUsage(e: unknown): unknown {
  if (e instanceof QmpError) return new CliError(e.message, 1);
  return qemuInputError(e);
}

/**
 * Runs a command body; library range errors become usage errors naming the flag (exit code 2). A body that
 * returns a non-zero code (no plan meets the constraints, the migration failed) ends as a CliError with that
 * code after its result has been printed.
 */
export async function runGuarded(body: () => Promise<number> | number, failure: string): Promise<void> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    throw toUsage(e);
  }
  if (code !== 0) throw new CliError(failure, code);
}

/** Commander's options: flag values as text, switches as true. */
export type Opts = Record<string, unknown>;

/** Plans (or predicts for fixed knobs) and prints; returns the exit code. */
export function runPlan(o: Opts, io: QemuCliIo): number {
  const input = parseOrFail(qemuPlanInput, pick(o, QEMU_PLAN_FIELDS));
  const { plan, presets, json } = planOp(input);
  if (input.format === 'json') io.out(`${JSON.stringify(json, null, 2)}\n`);
  else {
    io.out(planTable(input, plan));
    if (presets !== undefined) io.out(presetsTable(presets, plan));
  }
  return plan.feasible && plan.prediction.converges ? 0 : 1;
}

/** Adds the workload, constraint and knob options to a command. */
export function addPlanOptions(cmd: Command, memoryRequired: boolean): Command {
  return cmd
    .option('--memory <size>', `guest RAM, e.g. 8GiB${memoryRequired ? '' : ' (default: from QEMU)'}`)
    .option('--page-size <size>', 'page size', '4KiB')
    .option('--link-bandwidth <rate>', 'link speed, e.g. 10Gbit/s (carries the final copy)')
    .option('--dirty-rate <rate>', `pages/s (20000) or bytes/s (80MB/s)${memoryRequired ? '' : ' (default: measured)'}`)
    .option('--zero-fraction <f>', 'fraction of RAM that is zero pages, 0 <= f < 1', '0')
    .option('--working-set <size>', 'writable working set (default: all non-zero memory)')
    .option('--pattern <p>', 'how writes spread: sequential or random', 'sequential')
    .option('--max-downtime <duration>', 'largest acceptable downtime, e.g. 300ms')
    .option('--max-link-share <f>', 'largest share of the link pre-copy may use, 0 < f <= 1', '1')
    .option('--max-total-time <duration>', 'largest acceptable total migration time, e.g. 10min')
    .option(
      '--first-pass-bandwidth <rate>',
      'throughput of the first pass (fresh destination memory; default: the link)',
    )
    .option('--zero-page-time <duration>', 'first-pass time per zero page, e.g. 6us (default 0; docs/qemu.md)')
    .option(
      '--max-bandwidth <rate>',
      'fix QEMU max-bandwidth instead of choosing it (above the link: runs at the link)',
    )
    .option('--downtime-limit <duration>', 'fix QEMU downtime-limit instead of choosing it, e.g. 300ms')
    .option(
      '--downtime-resolution <duration>',
      'downtimes closer than this count as equal (then the shorter migration wins)',
      '10ms',
    )
    .option('--avail-switchover', 'also set avail-switchover-bandwidth to the link speed (QEMU >= 8.2)')
    .option('--domain <name>', 'libvirt domain name for the virsh commands', 'DOMAIN')
    .option('--presets', "also predict Xen's default policy and Nova's downtime stepping for this VM")
    .option(
      '--convergence-time-limit <duration>',
      'random writers near the send rate: probability of converging within this time (default: --max-total-time, else 600s)',
    )
    .option('--convergence-runs <n>', 'Monte Carlo runs for that probability, 1 to 10000 (default 200)')
    .option('--seed <n>', 'seed of those runs, 0 to 2^32-1 (default 2013)')
    .option('--format <format>', 'table or json', 'table');
}

/** Registers `precopy qemu` and its subcommands on the program. */
export function registerQemu(program: Command, io: QemuCliIo = processIo): Command {
  const qemu = program
    .command('qemu')
    .description('QEMU: choose downtime-limit and max-bandwidth, advise over QMP, watch a migration');
  addPlanOptions(
    qemu
      .command('plan')
      .description('choose downtime-limit and max-bandwidth for the least downtime within constraints, and predict'),
    true,
  ).action(async (opts: Opts) =>
    runGuarded(() => runPlan(opts, io), 'no knobs meet the constraints, or the migration never converges (see above)'),
  );
  addPlanOptions(
    qemu
      .command('advise')
      .description(
        'measure a running VM over QMP (memory, dirty rate by page sampling), then plan; read-only unless --apply',
      )
      .option('--qmp <socket>', 'QMP unix socket of the source QEMU (or tcp:HOST:PORT, loopback only)')
      .option('--allow-remote-qmp', 'allow a --qmp tcp:HOST:PORT that is not loopback (QMP has no authentication)')
      .option('--sample <duration>', 'dirty-rate sampling time (whole seconds, 1s to 60s)', '1s')
      .option(
        '--two-period-sample',
        'random writer, working set unknown: sample over T and 2T and fit rate and working set (twice the time)',
      )
      .option('--apply', 'set the chosen knobs with migrate-set-parameters'),
    false,
  ).action(async (opts: Opts) => runGuarded(() => runAdvise(opts, io), 'no knobs meet the constraints (see above)'));
  qemu
    .command('watch')
    .description('follow a migration over QMP: progress on stderr, predicted vs actual at the end')
    .option('--qmp <socket>', 'QMP unix socket of the source QEMU (or tcp:HOST:PORT, loopback only)')
    .option('--allow-remote-qmp', 'allow a --qmp tcp:HOST:PORT that is not loopback (QMP has no authentication)')
    .option('--interval <duration>', 'polling interval', '500ms')
    .option('--timeout <duration>', 'give up after this long', '24h')
    .option('--link-bandwidth <rate>', 'link speed for the final copy (default: max-bandwidth)')
    .option('--dirty-rate <rate>', "dirty rate to use instead of QEMU's measured one (pages/s or bytes/s)")
    .option('--zero-fraction <f>', 'zero-page fraction of RAM (with --dirty-rate: predict from the first sample)')
    .option('--working-set <size>', 'writable working set of the guest')
    .option('--pattern <p>', 'how writes spread: sequential or random', 'sequential')
    .option(
      '--first-pass-bandwidth <rate>',
      'throughput of the first pass (default: measured while dirty-sync-count is 1)',
    )
    .option(
      '--zero-page-time <duration>',
      "first-pass time per zero page, e.g. 10us: the zero pages' cost while the first pass has shown none (default: a normal page's)",
    )
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: Opts) => runGuarded(() => runWatch(opts, io), 'the migration did not complete (see above)'));
  for (const cmd of qemu.commands) {
    cmd.exitOverride().configureOutput({
      outputError: (text, write) => write(`precopy: ${text.replace(/^error: /, '').trim()}\n`),
    });
  }
  return qemu;
}
