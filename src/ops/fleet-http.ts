/**
 * The fleet operations over HTTP: the JSON shapes of `fleet predict|plan --format json` (src/ops/fleet.ts,
 * documented in docs/fleet.md) as zod schemas for the OpenAPI document, the per-request bounds, and the
 * inventory's problems as API issues. The request body is `fleetPredictInputSchema` / `fleetPlanInputSchema`
 * as they are: `inventory` is either the inventory as a JSON object or the YAML (or JSON) text in a string.
 */
import { z } from 'zod';
import { type FleetInventoryError, describeProblem, readInventoryText } from '../fleet/index.js';
import { csvRow } from '../format/csv.js';
import { OpError, type OpIssue } from './errors.js';
import { type FleetMigrationJson, fleetPlanInputSchema, fleetPredictInputSchema } from './fleet.js';
import { jsonNumber } from './json.js';

/** At most this many VMs per request (the CLI has no such limit). */
export const MAX_API_FLEET_VMS = 1000;
/** At most this many candidate evaluations of `fleet plan` per request (`budget`). */
export const MAX_API_FLEET_BUDGET = 500;

export const fleetPredictRawInput = fleetPredictInputSchema;
export const fleetPlanRawInput = fleetPlanInputSchema;

const summary = z.strictObject({
  allConverged: z.boolean(),
  makespanSeconds: z.number(),
  meanCompletionSeconds: z.number(),
  totalBytes: z.number(),
  sumDowntimeSeconds: z.number(),
  maxDowntimeSeconds: z.number(),
  energyJoules: z.number(),
  events: z.number().int(),
});

const commands = z.strictObject({
  vm: z.string(),
  when: z.string(),
  qmp: z.array(z.string()),
  virsh: z.array(z.string()),
});

const migration = z.strictObject({
  vm: z.string(),
  source: z.string(),
  target: z.string(),
  converged: z.boolean(),
  reason: z.string().optional(),
  startSeconds: z.number(),
  endSeconds: z.number(),
  precopySeconds: z.number(),
  downtimeSeconds: z.number(),
  rounds: z.number().int(),
  bytesSent: z.number(),
  energyJoules: z.number(),
  stopRule: z.string(),
  downtimeLimitMs: z.number(),
  /** null: unlimited. */
  maxBandwidthBytesPerSecond: jsonNumber,
  roundLog: z
    .array(
      z.strictObject({
        startSeconds: z.number(),
        durationSeconds: z.number(),
        bytes: z.number(),
        pendingPagesAfter: z.number(),
      }),
    )
    .optional(),
  commands: commands.optional(),
});

const violation = z.strictObject({
  vm: z.string(),
  constraint: z.string(),
  detail: z.string(),
  value: jsonNumber,
  limit: jsonNumber,
});

const remedy = z.strictObject({
  vm: z.string(),
  constraint: z.string(),
  detail: z.string(),
  bandwidthNeededBytesPerSecond: jsonNumber,
  throttleFractionNeeded: jsonNumber,
  autoConvergePercent: jsonNumber,
  postCopy: z.boolean(),
  advice: z.string(),
});

/** `fleet predict --format json`. */
export const fleetPredictOutput = z.strictObject({
  schedule: z.string(),
  summary,
  migrations: z.array(migration),
  violations: z.array(violation),
});

const caps = z.strictObject({ perSource: jsonNumber, perTarget: jsonNumber, total: jsonNumber });

/** `fleet plan --format json`. */
export const fleetPlanOutput = z.strictObject({
  objective: z.string(),
  feasible: z.boolean(),
  bestBaseline: z.string(),
  /** null when the best baseline's objective is unbounded or zero. */
  improvementFraction: jsonNumber,
  planIsBaseline: z.boolean(),
  evaluations: z.number().int(),
  notes: z.array(z.string()),
  plan: z.strictObject({
    name: z.string(),
    description: z.string(),
    objectiveValue: jsonNumber,
    caps,
    summary,
    migrations: z.array(migration),
  }),
  baselines: z.array(
    z.strictObject({
      name: z.string(),
      description: z.string(),
      feasible: z.boolean(),
      objectiveValue: jsonNumber,
      summary,
      violations: z.array(violation),
    }),
  ),
  violations: z.array(violation),
  remedies: z.array(remedy),
});

/**
 * Refuses an inventory with more than {@link MAX_API_FLEET_VMS} VMs before anything is resolved or computed.
 * YAML text is read (not resolved) to count them.
 * @throws OpError `too_large`
 */
export function checkFleetSize(inventory: unknown): void {
  let raw = inventory;
  if (typeof inventory === 'string') raw = readInventoryText(inventory).raw;
  const vms = (raw as { vms?: unknown } | null)?.vms;
  if (Array.isArray(vms) && vms.length > MAX_API_FLEET_VMS) {
    throw new OpError(
      `the inventory has ${vms.length} VMs: at most ${MAX_API_FLEET_VMS} per request (use the CLI for more)`,
      { code: 'too_large', field: 'inventory', value: vms.length },
    );
  }
}

/**
 * Every problem of an inventory as an API issue: the path inside the body (`["inventory", "vms", 3,
 * "memory"]`), the field, and the line naming the VM or host, the field and the YAML line
 * (`vm 'web-1', field memory (line 5): ...`); problems of a schedule are under `schedule`.
 */
export function inventoryIssues(e: FleetInventoryError): OpIssue[] {
  return e.problems.map((p) => ({
    code: 'invalid_inventory',
    path: [p.subject.startsWith('migration') ? 'schedule' : 'inventory', ...p.path],
    field: p.field || (p.subject.startsWith('migration') ? 'schedule' : 'inventory'),
    message: describeProblem(p),
  }));
}

/** Columns of the plan's CSV (one row per migration), those of the JSON migration rows. */
export const FLEET_MIGRATION_COLUMNS = [
  'vm',
  'source',
  'target',
  'converged',
  'startSeconds',
  'endSeconds',
  'precopySeconds',
  'downtimeSeconds',
  'rounds',
  'bytesSent',
  'energyJoules',
  'stopRule',
  'downtimeLimitMs',
  'maxBandwidthBytesPerSecond',
  'reason',
] as const;

/**
 * One row per migration (RFC 4180, full-precision numbers, `unlimited` for a null max-bandwidth), with optional
 * constant columns first (`extra`, e.g. the schedule's name) and per-row columns last (`after`, e.g. the
 * simulator's figures beside the prediction). Shared by the CLI, the API's callers and the explorer's download.
 */
export function fleetMigrationsCsv(
  ms: readonly FleetMigrationJson[],
  extra: Record<string, string> = {},
  after?: readonly Record<string, number>[],
): string {
  const keys = Object.keys(extra);
  const tail = after && after.length > 0 ? Object.keys(after[0]!) : [];
  let out = csvRow([...keys, ...FLEET_MIGRATION_COLUMNS, ...tail]);
  for (const [i, m] of ms.entries()) {
    out += csvRow([
      ...keys.map((k) => extra[k]),
      ...FLEET_MIGRATION_COLUMNS.map((c) => {
        const v = (m as unknown as Record<string, unknown>)[c];
        return c === 'maxBandwidthBytesPerSecond' && v === null
          ? 'unlimited'
          : (v as string | number | boolean | undefined);
      }),
      ...tail.map((k) => after![i]![k]),
    ]);
  }
  return out;
}
