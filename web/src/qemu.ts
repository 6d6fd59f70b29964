/**
 * The QEMU panel's numbers: the library's own planner (src/hypervisor/qemu/plan.ts, the function `precopy qemu
 * plan` calls) for the VM on screen, so the panel equals `qemu plan --format json` for the same inputs:
 *   --memory <Ps·S bytes> --page-size <S> --link-bandwidth <B> --dirty-rate <D pages/s> [--downtime-limit <typed>]
 *   [--zero-fraction <typed>] [--zero-page-time <typed>] [--first-pass-bandwidth <typed>]
 * The planner has one dirty rate: the uniform D, or for hot-only views the mean beta·Dh + (1 - beta)·Dnh.
 * The three first-pass fields are QEMU's alone (the paper's model has no zero pages): typed in the panel, read by
 * the command line's own schema (`qemuPlanInput`, src/ops/qemu.ts), so a value it refuses is refused here in the
 * same words.
 */
import type { ModelInput } from '../../src/model/predict.js';
import {
  type QemuPlan,
  type QemuPlanParams,
  migrateSetParametersCommand,
  planQemuMigration,
  virshCommands,
} from '../../src/hypervisor/qemu/plan.js';
import { lineOf, parseInput } from '../../src/ops/errors.js';
import { qemuPlanInput } from '../../src/ops/qemu.js';

export interface QemuPanelData {
  readonly params: QemuPlanParams;
  readonly plan: QemuPlan;
  readonly qmp: string;
  readonly virsh: readonly string[];
}

/** The panel's own fields, as typed ('' = not given: the command line's default). */
export interface QemuExtras {
  readonly zeroFraction: string;
  readonly zeroPageTime: string;
  readonly firstPassBandwidth: string;
}

export const NO_EXTRAS: QemuExtras = { zeroFraction: '', zeroPageTime: '', firstPassBandwidth: '' };

/** The flags of `qemu plan` for the extras that are given, in the command line's spelling. */
export function extraFlags(extras: QemuExtras): string[] {
  const out: string[] = [];
  if (extras.zeroFraction.trim() !== '') out.push(`--zero-fraction ${extras.zeroFraction.trim()}`);
  if (extras.zeroPageTime.trim() !== '') out.push(`--zero-page-time ${extras.zeroPageTime.trim()}`);
  if (extras.firstPassBandwidth.trim() !== '') out.push(`--first-pass-bandwidth ${extras.firstPassBandwidth.trim()}`);
  return out;
}

/**
 * The planner's input for a view; the downtime limit (seconds) fixes QEMU's downtime-limit when typed. With extras,
 * the whole input goes through `qemuPlanInput` (the command line's schema): an error is its one line.
 */
export function qemuParams(
  input: ModelInput,
  downtimeLimitSeconds: number | undefined,
  extras: QemuExtras = NO_EXTRAS,
): { params: QemuPlanParams; error?: undefined } | { params?: undefined; error: string } {
  const D =
    input.dirtyPagesPerSecond ??
    input.hotFraction! * input.hotDirtyPagesPerSecond! + (1 - input.hotFraction!) * input.coldDirtyPagesPerSecond!;
  // As the command line: whole ms, at least 1.
  const downtimeLimitMs =
    downtimeLimitSeconds === undefined ? undefined : Math.max(1, Math.round(downtimeLimitSeconds * 1000));
  const base: QemuPlanParams = {
    workload: {
      memoryBytes: input.pages * input.pageSizeBytes,
      pageSizeBytes: input.pageSizeBytes,
      linkBandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
      dirtyPagesPerSecond: D,
    },
    ...(downtimeLimitMs === undefined ? {} : { downtimeLimitMs }),
  };
  if (extraFlags(extras).length === 0) return { params: base };
  const w = base.workload;
  const raw = {
    memory: `${w.memoryBytes}B`,
    pageSize: `${w.pageSizeBytes}B`,
    linkBandwidth: `${w.linkBandwidthBytesPerSecond}B/s`,
    dirtyRate: String(D),
    ...(downtimeLimitMs === undefined ? {} : { downtimeLimit: `${downtimeLimitMs}ms` }),
    ...(extras.zeroFraction.trim() === '' ? {} : { zeroFraction: extras.zeroFraction.trim() }),
    ...(extras.zeroPageTime.trim() === '' ? {} : { zeroPageTime: extras.zeroPageTime.trim() }),
    ...(extras.firstPassBandwidth.trim() === '' ? {} : { firstPassBandwidth: extras.firstPassBandwidth.trim() }),
  };
  try {
    const p = parseInput(qemuPlanInput, raw);
    return {
      params: {
        workload: p.workload,
        ...(p.downtimeLimitMs === undefined ? {} : { downtimeLimitMs: p.downtimeLimitMs }),
      },
    };
  } catch (e) {
    // the command line's own line (it names the flag, the value and the range)
    const line = lineOf(e);
    if (line === undefined) throw e;
    return { error: line };
  }
}

/** Plans (this can take a second for a free search: the page runs it in a worker). */
export function qemuPanel(params: QemuPlanParams): QemuPanelData {
  const plan = planQemuMigration(params);
  return {
    params,
    plan,
    qmp: JSON.stringify(migrateSetParametersCommand(plan.parameters)),
    virsh: virshCommands(plan.parameters, 'DOMAIN'),
  };
}
