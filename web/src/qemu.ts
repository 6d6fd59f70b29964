/**
 * The QEMU panel's numbers: the library's own planner (src/hypervisor/qemu/plan.ts, the function `precopy qemu
 * plan` calls) for the VM on screen, so the panel equals `qemu plan --format json` for the same inputs:
 *   --memory <Ps·S bytes> --page-size <S> --link-bandwidth <B> --dirty-rate <D pages/s> [--downtime-limit <typed>]
 * The planner has one dirty rate: the uniform D, or for hot-only views the mean beta·Dh + (1 - beta)·Dnh.
 */
import type { ModelInput } from '../../src/model/predict.js';
import {
  type QemuPlan,
  type QemuPlanParams,
  migrateSetParametersCommand,
  planQemuMigration,
  virshCommands,
} from '../../src/hypervisor/qemu/plan.js';

export interface QemuPanelData {
  readonly params: QemuPlanParams;
  readonly plan: QemuPlan;
  readonly qmp: string;
  readonly virsh: readonly string[];
}

/** The planner's input for a view; the downtime limit (seconds) fixes QEMU's downtime-limit when typed. */
export function qemuParams(input: ModelInput, downtimeLimitSeconds: number | undefined): QemuPlanParams {
  const D =
    input.dirtyPagesPerSecond ??
    input.hotFraction! * input.hotDirtyPagesPerSecond! + (1 - input.hotFraction!) * input.coldDirtyPagesPerSecond!;
  return {
    workload: {
      memoryBytes: input.pages * input.pageSizeBytes,
      pageSizeBytes: input.pageSizeBytes,
      linkBandwidthBytesPerSecond: input.bandwidthBytesPerSecond,
      dirtyPagesPerSecond: D,
    },
    // As the command line: whole ms, at least 1.
    ...(downtimeLimitSeconds === undefined
      ? {}
      : { downtimeLimitMs: Math.max(1, Math.round(downtimeLimitSeconds * 1000)) }),
  };
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
