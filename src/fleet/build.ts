/**
 * From an inventory to the engine's input: the network (one link per NIC direction, plus the shared links,
 * each at its capacity times the policy's link share), each VM's target and path, and one
 * {@link FleetMigration} per VM with the knobs of a schedule.
 */
import type { FleetLink, FleetMigration, FleetScheduleInput, FleetStopRule } from './engine.js';
import { type Inventory, QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS, type StopRuleName, type Vm } from './inventory.js';
import { ModelInputError } from '../model/errors.js';

/** vMotion's switch-over goal: stop when the rest fits 500 ms at the measured bandwidth. */
export const VMOTION_SWITCHOVER_SECONDS = 0.5;
/** Xen's default policy: stop below 50 dirty pages or after 5 iterations (libxenguest). */
export const XEN_TARGET_PAGES = 50;
export const XEN_MAX_ITERATIONS = 5;

export interface FleetNetwork {
  readonly hosts: readonly string[];
  readonly hostIndex: ReadonlyMap<string, number>;
  readonly links: readonly FleetLink[];
  /** Index of host h's outgoing and incoming NIC links. */
  readonly outLink: readonly number[];
  readonly inLink: readonly number[];
  /** Shared links: index into `links`, and the two host groups. */
  readonly shared: readonly {
    readonly link: number;
    readonly a: ReadonlySet<string>;
    readonly b: ReadonlySet<string>;
  }[];
}

/** Builds the links: `<host> out`, `<host> in` and the shared links, all times the policy's link share. */
export function buildNetwork(inv: Inventory): FleetNetwork {
  const share = inv.policy.linkShare;
  const links: FleetLink[] = [];
  const outLink: number[] = [];
  const inLink: number[] = [];
  const hostIndex = new Map<string, number>();
  inv.hosts.forEach((h, i) => {
    hostIndex.set(h.name, i);
    outLink.push(links.length);
    links.push({ name: `${h.name} out`, capacityBytesPerSecond: h.nicOutBytesPerSecond * share });
    inLink.push(links.length);
    links.push({ name: `${h.name} in`, capacityBytesPerSecond: h.nicInBytesPerSecond * share });
  });
  const shared = inv.links.map((l) => {
    const link = links.length;
    links.push({ name: l.name, capacityBytesPerSecond: l.rateBytesPerSecond * share });
    return { link, a: new Set(l.between[0]), b: new Set(l.between[1]) };
  });
  return { hosts: inv.hosts.map((h) => h.name), hostIndex, links, outLink, inLink, shared };
}

/** The links a migration from `source` to `target` crosses. */
export function pathLinks(net: FleetNetwork, source: string, target: string): number[] {
  const s = net.hostIndex.get(source)!;
  const t = net.hostIndex.get(target)!;
  const out = [net.outLink[s]!, net.inLink[t]!];
  for (const sh of net.shared) {
    if ((sh.a.has(source) && sh.b.has(target)) || (sh.b.has(source) && sh.a.has(target))) out.push(sh.link);
  }
  return out;
}

/** Bottleneck capacity of a path, bytes/s. */
export function pathCapacity(net: FleetNetwork, links: readonly number[]): number {
  let c = Number.POSITIVE_INFINITY;
  for (const l of links) c = Math.min(c, net.links[l]!.capacityBytesPerSecond);
  return c;
}

/**
 * Chooses each VM's target: its own when given; else, among its allowed targets (default: every host that
 * is not a source of a VM in the inventory), the one with the least memory already assigned relative to its
 * incoming NIC rate, respecting host memory capacities. Deterministic (inventory order, ties by host order).
 * @throws ModelInputError when a VM has no host with room left
 */
export function assignTargets(inv: Inventory, order?: readonly number[]): string[] {
  const sources = new Set(inv.vms.map((v) => v.host));
  const assigned = new Map<string, number>();
  const nic = new Map(inv.hosts.map((h) => [h.name, h.nicInBytesPerSecond]));
  const capacity = new Map(inv.hosts.map((h) => [h.name, h.memoryBytes ?? Number.POSITIVE_INFINITY]));
  const defaultTargets = inv.hosts.map((h) => h.name).filter((h) => !sources.has(h));
  // Fixed targets first, so automatic choices see their load.
  const out: (string | undefined)[] = inv.vms.map((v) => (v.targets.length === 1 ? v.targets[0] : undefined));
  out.forEach((t, i) => {
    if (t !== undefined) assigned.set(t, (assigned.get(t) ?? 0) + inv.vms[i]!.memoryBytes);
  });
  for (const i of order ?? inv.vms.map((_, j) => j)) {
    const v = inv.vms[i]!;
    if (out[i] !== undefined) continue;
    const cands =
      v.targets.length > 0
        ? v.targets
        : defaultTargets.length > 0
          ? defaultTargets
          : inv.hosts.map((h) => h.name).filter((h) => h !== v.host);
    let best: string | undefined;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (const c of cands) {
      if (c === v.host) continue;
      const used = assigned.get(c) ?? 0;
      if (used + v.memoryBytes > capacity.get(c)!) continue;
      const load = (used + v.memoryBytes) / nic.get(c)!;
      if (load < bestLoad) {
        bestLoad = load;
        best = c;
      }
    }
    if (best === undefined) {
      throw new ModelInputError(`vm '${v.name}' targets`, cands.join(', '), 'a target host with enough memory left');
    }
    assigned.set(best, (assigned.get(best) ?? 0) + v.memoryBytes);
    out[i] = best;
  }
  return out as string[];
}

/** Knobs of one migration. */
export interface MigrationKnobs {
  readonly stopRule: StopRuleName;
  /** QEMU downtime-limit, seconds (for `qemu`; `vmotion` uses 500 ms). */
  readonly downtimeLimitSeconds: number;
  /** Nova's stepping of the limit (seconds since the migration started). */
  readonly downtimeSteps?: readonly { readonly atSeconds: number; readonly limitSeconds: number }[];
  /** QEMU max-bandwidth, bytes/s; Infinity = unlimited. */
  readonly maxBandwidthBytesPerSecond: number;
}

export const QEMU_DEFAULT_KNOBS: MigrationKnobs = {
  stopRule: 'qemu',
  downtimeLimitSeconds: QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
  maxBandwidthBytesPerSecond: 128 * 2 ** 20,
};

export function stopRuleOf(k: MigrationKnobs, alpha: number): FleetStopRule {
  switch (k.stopRule) {
    case 'qemu':
      return {
        kind: 'qemu',
        downtimeLimitSeconds: k.downtimeLimitSeconds,
        ...(k.downtimeSteps ? { steps: k.downtimeSteps } : {}),
      };
    case 'vmotion':
      return { kind: 'qemu', downtimeLimitSeconds: VMOTION_SWITCHOVER_SECONDS };
    case 'alpha':
      return { kind: 'alpha', alpha };
    case 'xen':
      return { kind: 'xen', targetPages: XEN_TARGET_PAGES, maxIterations: XEN_MAX_ITERATIONS };
  }
}

/** The engine's view of one VM's migration (exported so the multi-VM simulator can run the same schedule). */
export function toMigration(
  inv: Inventory,
  net: FleetNetwork,
  vm: Vm,
  target: string,
  knobs: MigrationKnobs,
  startSeconds = 0,
  after: readonly number[] = [],
): FleetMigration {
  return {
    vm: vm.name,
    source: vm.host,
    target,
    sourceIndex: net.hostIndex.get(vm.host)!,
    targetIndex: net.hostIndex.get(target)!,
    pages: vm.pages,
    pageSizeBytes: vm.pageSizeBytes,
    firstRoundPages: vm.pages - Math.floor(vm.zeroFraction * vm.pages),
    dirtyPagesPerSecond: vm.dirtyPagesPerSecond,
    workingSetPages: vm.workingSetPages,
    pattern: vm.pattern,
    links: pathLinks(net, vm.host, target),
    capBytesPerSecond: knobs.maxBandwidthBytesPerSecond,
    stopRule: stopRuleOf(knobs, inv.policy.alpha),
    maxRounds: inv.policy.maxRounds,
    startSeconds,
    after,
  };
}

/**
 * Migrations already built, by knobs object and VM index (the migration is rebuilt when its target differs):
 * a planner evaluating many orders of the same VMs and knobs builds each once. One inventory and network only.
 */
export type MigrationCache = Map<MigrationKnobs, (FleetMigration | undefined)[]>;

/** A dispatch plan: VM order, per-VM knobs and the concurrency caps. */
export interface DispatchPlan {
  /** VM indices (inventory order numbers) in dispatch order. */
  readonly order: readonly number[];
  readonly knobs: readonly MigrationKnobs[];
  /** Target per VM (inventory order), when the plan chose its own; else the caller's. */
  readonly targets?: readonly string[];
  readonly perSource?: number | ((host: string) => number);
  readonly perTarget?: number;
  readonly total?: number;
}

/** Turns a dispatch plan into the engine's input. */
export function scheduleOf(
  inv: Inventory,
  net: FleetNetwork,
  targets: readonly string[],
  plan: DispatchPlan,
  cache?: MigrationCache,
): FleetScheduleInput {
  const perSource =
    plan.perSource === undefined
      ? undefined
      : net.hosts.map((h) => (typeof plan.perSource === 'function' ? plan.perSource(h) : (plan.perSource as number)));
  return {
    hosts: net.hosts,
    links: net.links,
    migrations: plan.order.map((v) => {
      const target = (plan.targets ?? targets)[v]!;
      const knobs = plan.knobs[v]!;
      if (!cache) return toMigration(inv, net, inv.vms[v]!, target, knobs);
      let byVm = cache.get(knobs);
      if (!byVm) {
        byVm = [];
        cache.set(knobs, byVm);
      }
      let m = byVm[v];
      if (m === undefined || m.target !== target) {
        m = toMigration(inv, net, inv.vms[v]!, target, knobs);
        byVm[v] = m;
      }
      return m;
    }),
    caps: {
      ...(perSource ? { perSource } : {}),
      ...(plan.perTarget !== undefined ? { perTarget: net.hosts.map(() => plan.perTarget!) } : {}),
      ...(plan.total !== undefined ? { total: plan.total } : {}),
    },
    energy: inv.energy,
  };
}
