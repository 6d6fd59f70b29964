/**
 * Baselines: what production stacks do when they drain a host, run by the same engine on the same inventory
 * (facts and sources in /work/shared/design/hypervisors.md, summarised in docs/fleet.md). Every baseline is
 * also held to the inventory's own concurrency caps (the operator's limits apply to every stack alike).
 */
import type { DispatchPlan, MigrationKnobs } from './build.js';
import { type Inventory, QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS, QEMU_DEFAULT_MAX_BANDWIDTH } from './inventory.js';

export const BASELINE_NAMES = ['sequential', 'watcher', 'nova', 'kubevirt', 'xapi', 'vcenter'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export const BASELINE_DESCRIPTIONS: Record<BaselineName, string> = {
  sequential: 'one at a time in inventory order, QEMU 7.2 defaults (300 ms, 128 MiB/s) unless the policy fixes them',
  watcher: 'OpenStack Watcher: largest memory first, 6 in all, 2 per node, Nova downtime stepping, unlimited bandwidth',
  nova: 'OpenStack Nova: 1 per compute host, downtime stepped to 500 ms (10 steps, 75 s/GiB), unlimited bandwidth',
  kubevirt: 'KubeVirt: 2 outbound per node, 5 per cluster, QEMU default 300 ms, unlimited bandwidth',
  xapi: 'XAPI host evacuation: 10 per host, Xen stop rule (< 50 pages or 5 iterations), unlimited bandwidth',
  vcenter:
    'VMware vCenter: 4 per host (< 10 GbE) or 8 (>= 10 GbE), vMotion 500 ms switch-over rule, unlimited bandwidth',
};

/** Nova's defaults (nova.conf [libvirt] live_migration_downtime, _steps, _delay). */
export const NOVA_DOWNTIME = { downtimeMs: 500, steps: 10, delaySecondsPerGiB: 75 } as const;

/**
 * Nova's downtime steps (nova/virt/libvirt/migration.py `downtime_steps`): data_gb = max(2, RAM GiB),
 * base = downtime/steps, offset = (downtime - base)/steps; step i applies at int(delay * data_gb) * i s with
 * int(base + offset * i) ms.
 * @example novaSteps(2 ** 30)[1] // { atSeconds: 150, limitSeconds: 0.095 }
 */
export function novaSteps(memoryBytes: number): { atSeconds: number; limitSeconds: number }[] {
  const { downtimeMs, steps, delaySecondsPerGiB } = NOVA_DOWNTIME;
  const dataGb = Math.max(2, memoryBytes / 2 ** 30);
  const delay = Math.trunc(delaySecondsPerGiB * dataGb);
  const base = downtimeMs / steps;
  const offset = (downtimeMs - base) / steps;
  const out: { atSeconds: number; limitSeconds: number }[] = [];
  for (let i = 0; i <= steps; i++)
    out.push({ atSeconds: delay * i, limitSeconds: Math.trunc(base + offset * i) / 1000 });
  return out;
}

const UNLIMITED = Number.POSITIVE_INFINITY;
const TEN_GBE = 10e9 / 8;

function capped(inv: Inventory, plan: DispatchPlan): DispatchPlan {
  const p = inv.policy;
  const ps = plan.perSource;
  const perSource =
    typeof ps === 'function'
      ? (h: string) => Math.min(ps(h), p.maxPerSource)
      : Math.min(ps ?? Number.POSITIVE_INFINITY, p.maxPerSource);
  return {
    ...plan,
    perSource,
    perTarget: Math.min(plan.perTarget ?? Number.POSITIVE_INFINITY, p.maxPerTarget),
    total: Math.min(plan.total ?? Number.POSITIVE_INFINITY, p.maxTotal),
  };
}

/** Nova's knobs per VM, per inventory (read-only once built: callers copy the array before changing it). */
const NOVA_KNOBS = new WeakMap<Inventory, MigrationKnobs[]>();

/** The dispatch plan of a baseline on an inventory. */
export function baselinePlan(inv: Inventory, name: BaselineName): DispatchPlan {
  const n = inv.vms.length;
  const inventoryOrder = inv.vms.map((_, i) => i);
  const all = (k: MigrationKnobs) => inv.vms.map(() => k);
  // Built only for the two Nova baselines (11 step objects per VM: most of the garbage of the others at scale),
  // once per inventory and memory size: both Nova baselines then share each VM's knobs object, so the planner's
  // migration cache (keyed by knobs) builds each VM's Nova migration once instead of once per baseline.
  const novaKnobs = (): MigrationKnobs[] => {
    const known = NOVA_KNOBS.get(inv);
    if (known) return known;
    const bySize = new Map<number, MigrationKnobs>();
    const out = inv.vms.map((v): MigrationKnobs => {
      let k = bySize.get(v.memoryBytes);
      if (!k) {
        const steps = novaSteps(v.memoryBytes);
        k = {
          stopRule: 'qemu',
          downtimeLimitSeconds: steps[0]!.limitSeconds,
          downtimeSteps: steps,
          maxBandwidthBytesPerSecond: UNLIMITED,
        };
        bySize.set(v.memoryBytes, k);
      }
      return k;
    });
    NOVA_KNOBS.set(inv, out);
    return out;
  };
  switch (name) {
    case 'sequential':
      return capped(inv, {
        order: inventoryOrder,
        knobs: all({
          stopRule: inv.policy.stopRule,
          downtimeLimitSeconds: inv.policy.downtimeLimitSeconds ?? QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
          maxBandwidthBytesPerSecond: inv.policy.maxBandwidthBytesPerSecond ?? QEMU_DEFAULT_MAX_BANDWIDTH,
        }),
        total: 1,
      });
    case 'watcher': {
      const order = [...inventoryOrder].sort((a, b) => inv.vms[b]!.memoryBytes - inv.vms[a]!.memoryBytes || a - b);
      return capped(inv, { order, knobs: novaKnobs(), total: 6, perSource: 2 });
    }
    case 'nova':
      return capped(inv, { order: inventoryOrder, knobs: novaKnobs(), perSource: 1 });
    case 'kubevirt':
      return capped(inv, {
        order: inventoryOrder,
        knobs: all({
          stopRule: 'qemu',
          downtimeLimitSeconds: QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
          maxBandwidthBytesPerSecond: UNLIMITED,
        }),
        perSource: 2,
        total: 5,
      });
    case 'xapi':
      return capped(inv, {
        order: inventoryOrder,
        knobs: all({
          stopRule: 'xen',
          downtimeLimitSeconds: QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
          maxBandwidthBytesPerSecond: UNLIMITED,
        }),
        perSource: 10,
      });
    case 'vcenter': {
      const nic = new Map(inv.hosts.map((h) => [h.name, h.nicOutBytesPerSecond]));
      return capped(inv, {
        order: inventoryOrder,
        knobs: all({ stopRule: 'vmotion', downtimeLimitSeconds: 0.5, maxBandwidthBytesPerSecond: UNLIMITED }),
        perSource: (h: string) => ((nic.get(h) ?? 0) >= TEN_GBE ? 8 : 4),
      });
    }
  }
  return { order: inventoryOrder.slice(0, n), knobs: [] };
}
