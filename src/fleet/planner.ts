/**
 * `fleet plan`: chooses the order, the concurrency (per source host, within the policy's caps), and each
 * migration's max-bandwidth and downtime-limit to minimise an objective, subject to every VM's max downtime,
 * deadline, the maintenance window, the link shares (built into the network) and the concurrency caps
 * (enforced by the dispatcher). Every candidate is evaluated by the same engine as the baselines
 * ({@link predictFleet}); the baselines themselves are candidates, so the plan is never worse than the best
 * baseline that meets the constraints (and says so when a baseline is the best found).
 *
 * Search (deterministic, bounded by an evaluation budget that shrinks with the inventory's size):
 * 1. orders: inventory, priority, largest memory first, smallest first, shortest/longest predicted time alone
 *    first, hardest (largest rho alone) first;
 * 2. per-source concurrency k in {1, 2, 3, 4, 6, 8, 16, unlimited} (capped by the policy);
 *    (twice when it differs: with the default targets and with targets chosen hardest VM first);
 * 3. knobs: downtime-limit = the VM's max downtime (or the policy's fixed limit, or 300 ms), max-bandwidth =
 *    unlimited (the final copy is uncapped anyway; a cap only leaves links idle under max-min sharing) or the
 *    policy's fixed value; a VM whose downtime exceeds its maximum gets a proportionally smaller limit and the
 *    candidate is evaluated again (at most 3 repairs);
 * 4. pairwise swaps of neighbours in the best order while the budget lasts (first improvement).
 */
import {
  type DispatchPlan,
  type FleetNetwork,
  type MigrationKnobs,
  buildNetwork,
  pathCapacity,
  pathLinks,
  scheduleOf,
  assignTargets,
  toMigration,
} from './build.js';
import type { MigrationCache } from './build.js';
import { type FleetPrediction, type MigrationOutcome, predictFleet } from './engine.js';
import { type Inventory, QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS, type Vm } from './inventory.js';
import { BASELINE_DESCRIPTIONS, BASELINE_NAMES, type BaselineName, baselinePlan } from './policies.js';

export const OBJECTIVES = ['makespan', 'meanCompletion', 'totalDowntime', 'bytes', 'energy'] as const;
export type FleetObjective = (typeof OBJECTIVES)[number];

/** The objective's value of a prediction (seconds, seconds, seconds, bytes, joules). */
export function objectiveValue(p: FleetPrediction, o: FleetObjective): number {
  switch (o) {
    case 'makespan':
      return p.makespanSeconds;
    case 'meanCompletion':
      return p.meanCompletionSeconds;
    case 'totalDowntime':
      return p.sumDowntimeSeconds;
    case 'bytes':
      return p.totalBytes;
    case 'energy':
      return p.energyJoules;
  }
}

export type ConstraintName = 'convergence' | 'maxDowntime' | 'deadline' | 'window';

export interface Violation {
  readonly vm: string;
  readonly constraint: ConstraintName;
  /** What happened and the limit, in words. */
  readonly detail: string;
  readonly value: number;
  readonly limit: number;
}

/** VMs by name, per inventory (built once, not once per evaluation: 10,000 entries at scale). */
const VMS_BY_NAME = new WeakMap<Inventory, Map<string, Inventory['vms'][number]>>();

/** Every constraint a prediction breaks, per VM. */
export function violationsOf(inv: Inventory, pred: FleetPrediction): Violation[] {
  let byName = VMS_BY_NAME.get(inv);
  if (!byName) {
    byName = new Map(inv.vms.map((v) => [v.name, v]));
    VMS_BY_NAME.set(inv, byName);
  }
  const out: Violation[] = [];
  const window = inv.policy.windowSeconds;
  for (const m of pred.migrations) {
    const v = byName.get(m.vm)!;
    if (!m.converged) {
      out.push({
        vm: m.vm,
        constraint: 'convergence',
        detail: m.reason ?? 'does not converge',
        value: m.rounds,
        limit: inv.policy.maxRounds,
      });
      continue;
    }
    if (v.maxDowntimeSeconds !== undefined && m.downtimeSeconds > v.maxDowntimeSeconds * (1 + 1e-9)) {
      out.push({
        vm: m.vm,
        constraint: 'maxDowntime',
        detail: `downtime ${fmt(m.downtimeSeconds)} s exceeds maxDowntime ${fmt(v.maxDowntimeSeconds)} s`,
        value: m.downtimeSeconds,
        limit: v.maxDowntimeSeconds,
      });
    }
    if (v.deadlineSeconds !== undefined && m.endSeconds > v.deadlineSeconds * (1 + 1e-9)) {
      out.push({
        vm: m.vm,
        constraint: 'deadline',
        detail: `ends at ${fmt(m.endSeconds)} s, after its deadline ${fmt(v.deadlineSeconds)} s`,
        value: m.endSeconds,
        limit: v.deadlineSeconds,
      });
    }
    if (window !== undefined && m.endSeconds > window * (1 + 1e-9)) {
      out.push({
        vm: m.vm,
        constraint: 'window',
        detail: `ends at ${fmt(m.endSeconds)} s, after the maintenance window ${fmt(window)} s`,
        value: m.endSeconds,
        limit: window,
      });
    }
  }
  return out;
}

/** One evaluated schedule (a baseline or a candidate plan). */
export interface Evaluated {
  readonly name: string;
  readonly description: string;
  readonly plan: DispatchPlan;
  readonly prediction: FleetPrediction;
  readonly violations: readonly Violation[];
  readonly feasible: boolean;
  readonly objective: number;
  /**
   * Set when the search stopped this schedule's prediction at the incumbent's makespan (it cannot win): the
   * objective is then a lower bound, `feasible` false and `violations` empty (unknown).
   */
  readonly truncatedAtSeconds?: number;
}

/** What would make an infeasible VM feasible, computed for the VM alone on its path. */
export interface Remedy {
  readonly vm: string;
  readonly constraint: ConstraintName;
  readonly detail: string;
  /** Path bandwidth at which it converges within its max downtime alone, bytes/s (null: none below 2^50). */
  readonly bandwidthNeededBytesPerSecond: number | null;
  /** vCPU throttle fraction (dirty rate x (1 - f)) that makes it converge alone; null if even 0.99 fails. */
  readonly throttleFractionNeeded: number | null;
  /** The first QEMU auto-converge step (20, 30, ..., 99 %) at or above it. */
  readonly autoConvergePercent: number | null;
  /** True when only post-copy can move it within its max downtime. */
  readonly postCopy: boolean;
  /** One line for the operator. */
  readonly advice: string;
}

export interface FleetPlanResult {
  readonly objective: FleetObjective;
  readonly targets: readonly string[];
  readonly best: Evaluated;
  readonly baselines: readonly Evaluated[];
  /** The best baseline that meets the constraints (else the best by objective), and by how much the plan beats it. */
  readonly bestBaseline: Evaluated;
  readonly improvementFraction: number;
  /** True when no search candidate beat the best baseline, so the plan IS that baseline. */
  readonly planIsBaseline: boolean;
  readonly feasible: boolean;
  readonly remedies: readonly Remedy[];
  readonly evaluations: number;
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly objective?: FleetObjective;
  /** Engine evaluations the search may spend (default: 150 for small inventories, fewer as they grow). */
  readonly budget?: number;
}

/** Above this many VMs the baselines are evaluated cheapest first and pruned by the best feasible one so far. */
export const PRUNE_BASELINES_ABOVE = 1000;
/** Baselines by typical cost (events): one or a few per host first; sequential and vCenter's 4-8 per host last. */
const BASELINES_CHEAP_FIRST: readonly BaselineName[] = ['nova', 'xapi', 'kubevirt', 'watcher', 'vcenter', 'sequential'];

const AUTO_CONVERGE_STEPS = [20, 30, 40, 50, 60, 70, 80, 90, 99];

function better(a: Evaluated, b: Evaluated | undefined): boolean {
  if (b === undefined) return true;
  if (a.feasible !== b.feasible) return a.feasible;
  if (!a.feasible && a.violations.length !== b.violations.length) return a.violations.length < b.violations.length;
  return a.objective < b.objective * (1 - 1e-12);
}

/** rho of a VM alone on its path: D S / B (tau = S/B first). */
function rhoAlone(vm: Vm, capacity: number): number {
  return vm.dirtyPagesPerSecond * (vm.pageSizeBytes / capacity);
}

/**
 * Plans a drain/evacuation of the inventory's VMs.
 * @example planFleet(parseInventory(text)).best.prediction.makespanSeconds
 */
export function planFleet(inv: Inventory, options: PlanOptions = {}): FleetPlanResult {
  const objective = options.objective ?? 'makespan';
  const n = inv.vms.length;
  // Default budget: 150 candidate runs up to 133 VMs, then 20,000 / VMs (150 at 133, 20 at 1,000), at least 2
  // (10,000 VMs: 2; each run there costs ~0.15-0.3 s of CPU). An explicit budget is honoured down to 1.
  const budget = Math.max(1, Math.floor(options.budget ?? Math.min(150, Math.max(2, 20_000 / n))));
  const net = buildNetwork(inv);
  const targets = assignTargets(inv);
  let evaluations = 0;
  // Pruning by the incumbent (makespan objective only, and only once a feasible schedule is known): a schedule
  // with an event after the incumbent's makespan ends after it, so its prediction stops there.
  let incumbent: Evaluated | undefined;
  const built: MigrationCache = new Map();
  const horizon = (): number | undefined =>
    objective === 'makespan' && incumbent?.feasible ? incumbent.objective : undefined;
  const evaluate = (name: string, description: string, plan: DispatchPlan): Evaluated => {
    evaluations++;
    const h = horizon();
    const prediction = predictFleet({
      ...scheduleOf(inv, net, targets, plan, built),
      ...(h !== undefined ? { horizonSeconds: h } : {}),
    });
    if (prediction.truncatedAtSeconds !== undefined) {
      return {
        name,
        description,
        plan,
        prediction,
        violations: [],
        feasible: false,
        objective: prediction.makespanSeconds,
        truncatedAtSeconds: prediction.truncatedAtSeconds,
      };
    }
    const violations = violationsOf(inv, prediction);
    return {
      name,
      description,
      plan,
      prediction,
      violations,
      feasible: violations.length === 0,
      objective: objectiveValue(prediction, objective),
    };
  };

  // Baselines: in full for inventories up to PRUNE_BASELINES_ABOVE VMs; above, cheapest first and pruned by
  // the best feasible one so far (their rows then say where they were stopped).
  const prune = n > PRUNE_BASELINES_ABOVE;
  const evalOrder: readonly BaselineName[] = prune ? BASELINES_CHEAP_FIRST : BASELINE_NAMES;
  const byName = new Map<BaselineName, Evaluated>();
  for (const b of evalOrder) {
    const e = evaluate(b, BASELINE_DESCRIPTIONS[b], baselinePlan(inv, b));
    byName.set(b, e);
    if (prune && better(e, incumbent)) incumbent = e;
  }
  const baselines = BASELINE_NAMES.map((b) => byName.get(b)!);
  let best: Evaluated | undefined;
  for (const b of baselines) if (better(b, best)) best = b;
  const bestBaseline = best!;
  incumbent = best;

  // Candidate orders.
  const caps = inv.vms.map((v, i) => pathCapacity(net, pathLinks(net, v.host, targets[i]!)));
  const alone = inv.vms.map((v, i) => {
    const rho = rhoAlone(v, caps[i]!);
    const t0 = (v.pages * v.pageSizeBytes) / caps[i]!;
    return rho < 1 ? t0 / (1 - rho) : Number.POSITIVE_INFINITY; // Eq. 7 with n -> infinity, an ordering key only
  });
  const idx = inv.vms.map((_, i) => i);
  const by = (key: (i: number) => number) => [...idx].sort((a, b) => key(a) - key(b) || a - b);
  const orders: [string, number[]][] = [
    ['hardest first', by((i) => -rhoAlone(inv.vms[i]!, caps[i]!))],
    ['longest alone first', by((i) => -alone[i]!)],
    ['shortest alone first', by((i) => alone[i]!)],
    ['inventory order', idx],
    ['priority', by((i) => -inv.vms[i]!.priority)],
    ['largest memory first', by((i) => -inv.vms[i]!.memoryBytes)],
    ['smallest memory first', by((i) => inv.vms[i]!.memoryBytes)],
  ];
  const p = inv.policy;
  const ks = [1, 2, 3, 4, 6, 8, 16, Number.POSITIVE_INFINITY].filter((k) => k <= p.maxPerSource);
  if (!ks.includes(p.maxPerSource) && Number.isFinite(p.maxPerSource)) ks.push(p.maxPerSource);
  const baseKnobs = inv.vms.map(
    (v): MigrationKnobs => ({
      stopRule: p.stopRule,
      downtimeLimitSeconds: p.downtimeLimitSeconds ?? v.maxDowntimeSeconds ?? QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
      maxBandwidthBytesPerSecond: p.maxBandwidthBytesPerSecond ?? Number.POSITIVE_INFINITY,
    }),
  );

  // A second target assignment: the hardest VMs (largest rho alone) choose first, so they get the least
  // loaded targets instead of sharing one with another heavy VM.
  const hardTargets = assignTargets(inv, orders[0]![1]);
  const targetSets: [string, readonly string[]][] = [['', targets]];
  if (hardTargets.some((t, i) => t !== targets[i])) targetSets.push([', targets chosen hardest first', hardTargets]);
  const tryPlan = (
    label: string,
    order: number[],
    k: number,
    knobs: MigrationKnobs[],
    tset: readonly string[] = targets,
  ): Evaluated | undefined => {
    if (evaluations >= budget + baselines.length) return undefined;
    let plan: DispatchPlan = {
      order,
      knobs,
      perSource: k,
      perTarget: p.maxPerTarget,
      total: p.maxTotal,
      targets: tset,
    };
    let e = evaluate('plan', label, plan);
    // Repair: downtime over the VM's maximum -> a proportionally smaller downtime-limit (when it is ours to choose).
    for (let r = 0; r < 3 && p.downtimeLimitSeconds === undefined; r++) {
      const over = e.violations.filter((x) => x.constraint === 'maxDowntime');
      if (over.length === 0 || evaluations >= budget + baselines.length) break;
      const k2 = [...plan.knobs];
      const pos = new Map(inv.vms.map((v, i) => [v.name, i]));
      for (const x of over) {
        const i = pos.get(x.vm)!;
        k2[i] = { ...k2[i]!, downtimeLimitSeconds: (k2[i]!.downtimeLimitSeconds * x.limit * 0.95) / x.value };
      }
      plan = { ...plan, knobs: k2 };
      const e2 = evaluate('plan', `${label}, downtime limits repaired`, plan);
      if (!better(e2, e)) break;
      e = e2;
    }
    if (better(e, best)) best = e;
    incumbent = best;
    return e;
  };

  // Breadth first over (order, k) pairs so a small budget still sees every order and several k.
  const kOrder = [...ks].sort(
    (a, b) => Math.abs(Math.log2(Math.min(a, 64)) - 1) - Math.abs(Math.log2(Math.min(b, 64)) - 1),
  );
  outer: for (const k of kOrder) {
    for (const [tlabel, tset] of targetSets) {
      for (const [label, order] of orders) {
        if (evaluations >= budget + baselines.length) break outer;
        tryPlan(
          `${label}, ${Number.isFinite(k) ? k : 'unlimited'} per source host${tlabel}`,
          order,
          k,
          baseKnobs,
          tset,
        );
      }
    }
  }
  // Local search: swap neighbours in the best candidate's order (first improvement).
  if (best && best.name === 'plan') {
    let improved = true;
    while (improved && evaluations < budget + baselines.length) {
      improved = false;
      const cur: Evaluated = best;
      const order = [...cur.plan.order];
      for (let j = 0; j + 1 < order.length && evaluations < budget + baselines.length; j++) {
        const o2 = [...order];
        [o2[j], o2[j + 1]] = [o2[j + 1]!, o2[j]!];
        const e = evaluate('plan', `${cur.description.replace(/, swaps$/, '')}, swaps`, { ...cur.plan, order: o2 });
        if (better(e, best)) {
          best = e;
          incumbent = best;
          improved = true;
          break;
        }
      }
    }
  }
  const chosen = best!;
  const planIsBaseline = chosen.name !== 'plan';
  const notes: string[] = [];
  if (planIsBaseline)
    notes.push(`no candidate beat the ${chosen.name} baseline within ${budget} evaluations: the plan is that baseline`);
  const improvementFraction =
    bestBaseline.objective > 0 ? (bestBaseline.objective - chosen.objective) / bestBaseline.objective : 0;
  if (!bestBaseline.feasible) notes.push('no baseline meets every constraint');
  for (const b of baselines) {
    if (b.truncatedAtSeconds !== undefined) {
      notes.push(
        `baseline ${b.name} predicted up to ${fmt(b.truncatedAtSeconds)} s only: it was still running after the best feasible baseline had ended (${inv.vms.length} VMs > ${PRUNE_BASELINES_ABOVE}: baselines pruned)`,
      );
    }
  }
  const remedies = chosen.feasible
    ? []
    : chosen.violations.map((v) => remedyFor(inv, net, chosen.plan.targets ?? targets, v));
  return {
    objective,
    targets: chosen.plan.targets ?? targets,
    best: chosen,
    baselines,
    bestBaseline,
    improvementFraction,
    planIsBaseline,
    feasible: chosen.feasible,
    remedies,
    evaluations,
    notes,
  };
}

/** Predicts one VM alone on its path with its own downtime-limit; scale multiplies the path, throttle the dirty rate. */
function alonePrediction(
  inv: Inventory,
  net: FleetNetwork,
  vm: Vm,
  target: string,
  scale: number,
  throttle: number,
): MigrationOutcome {
  const links = pathLinks(net, vm.host, target);
  const cap = pathCapacity(net, links) * scale;
  const dl = inv.policy.downtimeLimitSeconds ?? vm.maxDowntimeSeconds ?? QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS;
  const m = toMigration(inv, net, { ...vm, dirtyPagesPerSecond: vm.dirtyPagesPerSecond * (1 - throttle) }, target, {
    stopRule: inv.policy.stopRule,
    downtimeLimitSeconds: dl,
    maxBandwidthBytesPerSecond: Number.POSITIVE_INFINITY,
  });
  return predictFleet({
    hosts: net.hosts,
    links: [{ name: 'path', capacityBytesPerSecond: cap }],
    migrations: [{ ...m, links: [0], maxRounds: Math.min(m.maxRounds, 1000) }],
  }).migrations[0]!;
}

/** Bandwidth, throttle or post-copy that would let one VM meet its constraint (alone on its path). */
export function remedyFor(inv: Inventory, net: FleetNetwork, targets: readonly string[], v: Violation): Remedy {
  const i = inv.vms.findIndex((x) => x.name === v.vm);
  const vm = inv.vms[i]!;
  const target = targets[i]!;
  const pathCap = pathCapacity(net, pathLinks(net, vm.host, target));
  const ok = (o: MigrationOutcome) =>
    o.converged && (vm.maxDowntimeSeconds === undefined || o.downtimeSeconds <= vm.maxDowntimeSeconds * (1 + 1e-9));
  if (v.constraint === 'deadline' || v.constraint === 'window') {
    const o = alonePrediction(inv, net, vm, target, 1, 0);
    return {
      vm: v.vm,
      constraint: v.constraint,
      detail: v.detail,
      bandwidthNeededBytesPerSecond: null,
      throttleFractionNeeded: null,
      autoConvergePercent: null,
      postCopy: false,
      advice: `alone on its links it takes ${fmt(o.endSeconds)} s: start it earlier (higher priority), add bandwidth or lengthen the ${v.constraint}`,
    };
  }
  let bandwidth: number | null = null;
  if (ok(alonePrediction(inv, net, vm, target, 1, 0))) bandwidth = pathCap;
  else {
    let lo = 1;
    let hi = 1;
    for (let j = 0; j < 50; j++) {
      hi *= 2;
      if (pathCap * hi > 2 ** 50) break;
      if (ok(alonePrediction(inv, net, vm, target, hi, 0))) {
        for (let b = 0; b < 40 && hi - lo > 1e-4 * hi; b++) {
          const mid = (lo + hi) / 2;
          if (ok(alonePrediction(inv, net, vm, target, mid, 0))) hi = mid;
          else lo = mid;
        }
        bandwidth = Math.ceil(pathCap * hi);
        break;
      }
      lo = hi;
    }
  }
  let throttle: number | null = null;
  if (ok(alonePrediction(inv, net, vm, target, 1, 0))) throttle = 0;
  else if (ok(alonePrediction(inv, net, vm, target, 1, 0.99))) {
    let a = 0;
    let b = 0.99;
    for (let j = 0; j < 40 && b - a > 1e-4; j++) {
      const mid = (a + b) / 2;
      if (ok(alonePrediction(inv, net, vm, target, 1, mid))) b = mid;
      else a = mid;
    }
    throttle = b;
  }
  const step = throttle === null ? null : (AUTO_CONVERGE_STEPS.find((s) => s / 100 >= throttle! - 1e-12) ?? null);
  const postCopy = throttle === null || step === null;
  const parts: string[] = [];
  if (throttle === 0)
    parts.push(`alone on its links it meets the constraint: run it with nothing else on ${vm.host} -> ${target}`);
  else {
    if (bandwidth !== null) parts.push(`needs ${fmt(bandwidth)} B/s on its path (has ${fmt(pathCap)} B/s)`);
    if (step !== null) parts.push(`or auto-converge throttle ${step} % (vCPU throttle >= ${fmt(throttle! * 100)} %)`);
    if (postCopy) parts.push('or post-copy for this VM (pre-copy cannot meet the constraint)');
  }
  return {
    vm: v.vm,
    constraint: v.constraint,
    detail: v.detail,
    bandwidthNeededBytesPerSecond: bandwidth,
    throttleFractionNeeded: throttle,
    autoConvergePercent: step,
    postCopy,
    advice: parts.join(' '),
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
