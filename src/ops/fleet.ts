/**
 * Operations `fleet predict` and `fleet plan`: one zod input schema each (shared by the CLI, and later the
 * HTTP API and the explorer), one pure function each, and the JSON shape they return (documented in
 * docs/fleet.md). Inventories and schedules arrive as text (YAML or JSON) or as already-parsed objects.
 */
import { z } from 'zod';
import {
  BASELINE_DESCRIPTIONS,
  BASELINE_NAMES,
  type BaselineName,
  type DispatchPlan,
  type Evaluated,
  type FleetPrediction,
  type FleetScheduleInput,
  type GanttRow,
  type Inventory,
  type MigrationCommands,
  type MigrationKnobs,
  OBJECTIVES,
  type Remedy,
  type Violation,
  baselinePlan,
  buildNetwork,
  assignTargets,
  downtimeLimitMs,
  migrationCommands,
  parseInventory,
  pathCapacity,
  pathLinks,
  planFleet,
  predictFleet,
  resolveInventory,
  resolveSchedule,
  scheduleOf,
  simulateFleet,
  violationsOf,
} from '../fleet/index.js';

const document = z.union([z.string(), z.record(z.string(), z.unknown())]);

export const fleetPredictInputSchema = z
  .object({
    /** Inventory: YAML/JSON text, or the parsed object. */
    inventory: document,
    /** A given schedule (text or object), or ... */
    schedule: document.optional(),
    /** ... a baseline policy by name. */
    policy: z.enum(BASELINE_NAMES).optional(),
    /** Include every round of every migration. */
    rounds: z.boolean().optional(),
  })
  .strict()
  .refine((x) => (x.schedule === undefined) !== (x.policy === undefined), {
    message: 'give exactly one of schedule or policy',
    path: ['schedule'],
  });
export type FleetPredictInput = z.input<typeof fleetPredictInputSchema>;

export const fleetPlanInputSchema = z
  .object({
    inventory: document,
    objective: z.enum(OBJECTIVES).optional(),
    /** Engine evaluations the search may spend. */
    budget: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
export type FleetPlanInput = z.input<typeof fleetPlanInputSchema>;

export const fleetSimulateInputSchema = z
  .object({
    inventory: document,
    /** A given schedule (text or object), or ... */
    schedule: document.optional(),
    /** ... a baseline policy by name, or ... */
    policy: z.enum(BASELINE_NAMES).optional(),
    /** ... the plan `fleet plan` chooses (makespan objective unless `objective` says otherwise). */
    plan: z.boolean().optional(),
    objective: z.enum(OBJECTIVES).optional(),
    budget: z.number().int().min(1).max(100_000).optional(),
    /** Seed of the simulator's random streams (random writes); default 1. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    rounds: z.boolean().optional(),
  })
  .strict()
  .refine(
    (x) => [x.schedule, x.policy, x.plan === true ? true : undefined].filter((v) => v !== undefined).length === 1,
    {
      message: 'give exactly one of schedule, policy or plan',
      path: ['schedule'],
    },
  );
export type FleetSimulateInput = z.input<typeof fleetSimulateInputSchema>;

/** Fleet totals of a prediction (JSON). */
export interface FleetSummaryJson {
  readonly allConverged: boolean;
  readonly makespanSeconds: number;
  readonly meanCompletionSeconds: number;
  readonly totalBytes: number;
  readonly sumDowntimeSeconds: number;
  readonly maxDowntimeSeconds: number;
  readonly energyJoules: number;
  readonly events: number;
}

/** One migration (JSON). `maxBandwidthBytesPerSecond` null = unlimited. */
export interface FleetMigrationJson {
  readonly vm: string;
  readonly source: string;
  readonly target: string;
  readonly converged: boolean;
  readonly reason?: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly precopySeconds: number;
  readonly downtimeSeconds: number;
  readonly rounds: number;
  readonly bytesSent: number;
  readonly energyJoules: number;
  readonly stopRule: string;
  readonly downtimeLimitMs: number;
  readonly maxBandwidthBytesPerSecond: number | null;
  readonly roundLog?: readonly {
    startSeconds: number;
    durationSeconds: number;
    bytes: number;
    pendingPagesAfter: number;
  }[];
  readonly commands?: MigrationCommands;
}

export interface FleetPredictJson {
  readonly schedule: string;
  readonly summary: FleetSummaryJson;
  readonly migrations: readonly FleetMigrationJson[];
  readonly violations: readonly Violation[];
}

export interface FleetBaselineJson {
  readonly name: string;
  readonly description: string;
  readonly feasible: boolean;
  readonly objectiveValue: number;
  readonly summary: FleetSummaryJson;
  readonly violations: readonly Violation[];
  /**
   * Only for inventories above 1000 VMs: the planner stopped predicting this baseline here because it was still
   * running after the best feasible baseline had ended; `objectiveValue` and `summary` then cover the run up to
   * this time only, and `feasible` is false (unknown).
   */
  readonly truncatedAtSeconds?: number;
}

export interface FleetPlanJson {
  readonly objective: string;
  readonly feasible: boolean;
  /** The best baseline (feasible first) and the plan's relative gain over it on the objective (>= 0 when both are feasible). */
  readonly bestBaseline: string;
  readonly improvementFraction: number;
  readonly planIsBaseline: boolean;
  readonly evaluations: number;
  readonly notes: readonly string[];
  readonly plan: {
    readonly name: string;
    readonly description: string;
    readonly objectiveValue: number;
    readonly caps: {
      readonly perSource: number | null;
      readonly perTarget: number | null;
      readonly total: number | null;
    };
    readonly summary: FleetSummaryJson;
    /** In start order, each with its commands. */
    readonly migrations: readonly FleetMigrationJson[];
  };
  readonly baselines: readonly FleetBaselineJson[];
  readonly violations: readonly Violation[];
  readonly remedies: readonly Remedy[];
}

function inventoryOf(doc: string | Record<string, unknown>): Inventory {
  if (typeof doc === 'string') return parseInventory(doc);
  return resolveInventory(doc);
}

export function summaryJson(p: FleetPrediction): FleetSummaryJson {
  return {
    allConverged: p.allConverged,
    makespanSeconds: p.makespanSeconds,
    meanCompletionSeconds: p.meanCompletionSeconds,
    totalBytes: p.totalBytes,
    sumDowntimeSeconds: p.sumDowntimeSeconds,
    maxDowntimeSeconds: p.maxDowntimeSeconds,
    energyJoules: p.energyJoules,
    events: p.events,
  };
}

function migrationsJson(p: FleetPrediction, knobs: readonly MigrationKnobs[]): FleetMigrationJson[] {
  return p.migrations.map((m, i) => {
    const k = knobs[i]!;
    return {
      vm: m.vm,
      source: m.source,
      target: m.target,
      converged: m.converged,
      ...(m.reason !== undefined ? { reason: m.reason } : {}),
      startSeconds: m.startSeconds,
      endSeconds: m.endSeconds,
      precopySeconds: m.precopySeconds,
      downtimeSeconds: m.downtimeSeconds,
      rounds: m.rounds,
      bytesSent: m.bytesSent,
      energyJoules: m.energyJoules,
      stopRule: k.stopRule,
      downtimeLimitMs: k.stopRule === 'vmotion' ? 500 : downtimeLimitMs(k.downtimeLimitSeconds),
      maxBandwidthBytesPerSecond: Number.isFinite(k.maxBandwidthBytesPerSecond)
        ? Math.ceil(k.maxBandwidthBytesPerSecond)
        : null,
      ...(m.roundLog ? { roundLog: m.roundLog } : {}),
    };
  });
}

/**
 * Predicts a given schedule (or a baseline policy) on an inventory.
 * @throws FleetInventoryError (every problem of the inventory or schedule), ModelInputError
 */
export function fleetPredict(raw: FleetPredictInput): FleetPredictJson {
  const input = fleetPredictInputSchema.parse(raw);
  const inv = inventoryOf(input.inventory);
  let schedule: FleetScheduleInput;
  let knobs: readonly MigrationKnobs[];
  let name: string;
  if (input.policy !== undefined) {
    const net = buildNetwork(inv);
    const plan = baselinePlan(inv, input.policy as BaselineName);
    schedule = scheduleOf(inv, net, assignTargets(inv), plan);
    knobs = plan.order.map((v) => plan.knobs[v]!);
    name = input.policy;
  } else {
    const r = resolveSchedule(inv, input.schedule);
    schedule = r.input;
    knobs = r.knobs;
    name = 'schedule';
  }
  const prediction = predictFleet({ ...schedule, recordRounds: input.rounds === true });
  return {
    schedule: name,
    summary: summaryJson(prediction),
    migrations: migrationsJson(prediction, knobs),
    violations: violationsOf(inv, prediction),
  };
}

/** One simulated migration beside its prediction (JSON). */
export interface FleetSimulatedMigrationJson extends FleetMigrationJson {
  /** Migrations it waited for in the simulator: its schedule's `after` and the concurrency-slot hand-overs. */
  readonly startAfter: readonly string[];
  readonly predicted: {
    readonly converged: boolean;
    readonly startSeconds: number;
    readonly endSeconds: number;
    readonly downtimeSeconds: number;
    readonly bytesSent: number;
  };
}

export interface FleetSimulateJson {
  /** `schedule`, a baseline name, or `plan`. */
  readonly schedule: string;
  readonly seed: number;
  /** The simulator's totals. */
  readonly summary: FleetSummaryJson;
  /** The fleet predictor's totals for the same schedule. */
  readonly predicted: FleetSummaryJson;
  /** Relative differences simulator vs predictor, (simulated - predicted) / predicted (0 when both are 0). */
  readonly relativeError: {
    readonly makespan: number;
    readonly totalBytes: number;
    readonly sumDowntime: number;
    /** Largest |relative difference| of a migration's total time, downtime and bytes. */
    readonly maxPerMigration: number;
  };
  /** Schedule order. */
  readonly migrations: readonly FleetSimulatedMigrationJson[];
  /** Constraints the simulated run breaks. */
  readonly violations: readonly Violation[];
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return b === 0 ? Number.MAX_VALUE : (a - b) / Math.abs(b);
}

/**
 * Runs a given schedule, a baseline policy or the plan through the page-level multi-VM simulator
 * (src/fleet/simulate.ts over simulateMany), with the fleet predictor's figures beside it.
 * @throws FleetInventoryError, ModelInputError (e.g. beyond the simulator's bounds)
 */
export function fleetSimulate(raw: FleetSimulateInput): FleetSimulateJson {
  const input = fleetSimulateInputSchema.parse(raw);
  const inv = inventoryOf(input.inventory);
  let schedule: FleetScheduleInput;
  let knobs: readonly MigrationKnobs[];
  let name: string;
  if (input.schedule !== undefined) {
    const r = resolveSchedule(inv, input.schedule);
    schedule = r.input;
    knobs = r.knobs;
    name = 'schedule';
  } else {
    const net = buildNetwork(inv);
    const plan =
      input.policy !== undefined
        ? baselinePlan(inv, input.policy as BaselineName)
        : planFleet(inv, {
            objective: input.objective ?? 'makespan',
            ...(input.budget ? { budget: input.budget } : {}),
          }).best.plan;
    schedule = scheduleOf(inv, net, assignTargets(inv), plan);
    knobs = plan.order.map((v) => plan.knobs[v]!);
    name = input.policy ?? 'plan';
  }
  const seed = input.seed ?? 1;
  const { simulated, predicted, startAfter } = simulateFleet(schedule, { seed, recordRounds: input.rounds === true });
  const rows = migrationsJson(simulated, knobs);
  let maxPer = 0;
  const migrations = rows.map((m, i): FleetSimulatedMigrationJson => {
    const p = predicted.migrations[i]!;
    const q = simulated.migrations[i]!;
    if (p.converged && q.converged) {
      maxPer = Math.max(
        maxPer,
        Math.abs(relDiff(q.endSeconds - q.startSeconds, p.endSeconds - p.startSeconds)),
        Math.abs(relDiff(q.downtimeSeconds, p.downtimeSeconds)),
        Math.abs(relDiff(q.bytesSent, p.bytesSent)),
      );
    }
    return {
      ...m,
      startAfter: startAfter[i]!.map((j) => schedule.migrations[j]!.vm),
      predicted: {
        converged: p.converged,
        startSeconds: p.startSeconds,
        endSeconds: p.endSeconds,
        downtimeSeconds: p.downtimeSeconds,
        bytesSent: p.bytesSent,
      },
    };
  });
  return {
    schedule: name,
    seed,
    summary: summaryJson(simulated),
    predicted: summaryJson(predicted),
    relativeError: {
      makespan: relDiff(simulated.makespanSeconds, predicted.makespanSeconds),
      totalBytes: relDiff(simulated.totalBytes, predicted.totalBytes),
      sumDowntime: relDiff(simulated.sumDowntimeSeconds, predicted.sumDowntimeSeconds),
      maxPerMigration: maxPer,
    },
    migrations,
    violations: violationsOf(inv, simulated),
  };
}

function capsJson(plan: DispatchPlan) {
  const fin = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
  return {
    perSource: typeof plan.perSource === 'function' ? null : fin(plan.perSource),
    perTarget: fin(plan.perTarget),
    total: fin(plan.total),
  };
}

function baselineJson(e: Evaluated): FleetBaselineJson {
  return {
    name: e.name,
    description: e.description,
    feasible: e.feasible,
    objectiveValue: e.objective,
    summary: summaryJson(e.prediction),
    violations: e.violations,
    ...(e.truncatedAtSeconds !== undefined ? { truncatedAtSeconds: e.truncatedAtSeconds } : {}),
  };
}

/**
 * Plans the inventory's migrations for an objective, with the baselines side by side and the commands.
 * @throws FleetInventoryError, ModelInputError
 */
export function fleetPlan(raw: FleetPlanInput): FleetPlanJson {
  const input = fleetPlanInputSchema.parse(raw);
  const inv = inventoryOf(input.inventory);
  const r = planFleet(inv, {
    objective: input.objective ?? 'makespan',
    ...(input.budget ? { budget: input.budget } : {}),
  });
  const best = r.best;
  const net = buildNetwork(inv);
  const knobs = best.plan.order.map((v) => best.plan.knobs[v]!);
  const rows = migrationsJson(best.prediction, knobs);
  const withCommands = rows.map((m, i) => {
    const freedBy = best.prediction.migrations
      .filter((o) => o.endSeconds === m.startSeconds && m.startSeconds > 0)
      .sort((a, b) => Number(b.source === m.source) - Number(a.source === m.source))[0];
    return {
      ...m,
      commands: migrationCommands({
        vm: m.vm,
        source: m.source,
        target: m.target,
        startSeconds: m.startSeconds,
        ...(freedBy ? { afterVm: freedBy.vm } : {}),
        knobs: knobs[i]!,
        pathCapacityBytesPerSecond: pathCapacity(net, pathLinks(net, m.source, m.target)),
      }),
    };
  });
  withCommands.sort((a, b) => a.startSeconds - b.startSeconds);
  return {
    objective: r.objective,
    feasible: r.feasible,
    bestBaseline: r.bestBaseline.name,
    improvementFraction: r.improvementFraction,
    planIsBaseline: r.planIsBaseline,
    evaluations: r.evaluations,
    notes: r.notes,
    plan: {
      name: best.name,
      description: best.name === 'plan' ? best.description : BASELINE_DESCRIPTIONS[best.name as BaselineName],
      objectiveValue: best.objective,
      caps: capsJson(best.plan),
      summary: summaryJson(best.prediction),
      migrations: withCommands,
    },
    baselines: r.baselines.map(baselineJson),
    violations: best.violations,
    remedies: r.remedies,
  };
}

/** Gantt rows of a predicted schedule (for the chart). */
export function ganttRows(migrations: readonly FleetMigrationJson[]): GanttRow[] {
  const rows: GanttRow[] = [];
  for (const m of migrations) {
    const route = `${m.source} -> ${m.target}`;
    if (!m.converged) {
      rows.push({ vm: m.vm, phase: 'not converged', start: m.startSeconds, end: m.endSeconds, route });
      continue;
    }
    rows.push({ vm: m.vm, phase: 'pre-copy', start: m.startSeconds, end: m.startSeconds + m.precopySeconds, route });
    rows.push({ vm: m.vm, phase: 'stop-and-copy', start: m.startSeconds + m.precopySeconds, end: m.endSeconds, route });
  }
  return rows;
}
