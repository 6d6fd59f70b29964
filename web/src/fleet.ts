/**
 * The fleet view's computation, run in a Web Worker (web/src/fleet-worker.ts): the library's own `fleetPlan`
 * (src/ops/fleet.ts, the function behind `precopy fleet plan --format json`), its Gantt spec (src/fleet/gantt.ts,
 * the chart the CLI renders with --gantt) and its CSV. An inventory with problems gives every problem as one
 * line naming the VM or host, the field and the line, never a partial plan.
 */
import { type FleetObjective, FleetInventoryError, describeProblem } from '../../src/fleet/index.js';
import { ganttSpec } from '../../src/fleet/gantt.js';
import { lineOf } from '../../src/ops/errors.js';
import { type FleetPlanJson, fleetPlan, ganttRows } from '../../src/ops/fleet.js';
import { fleetMigrationsCsv } from '../../src/ops/fleet-http.js';

export interface FleetRequest {
  readonly id: number;
  readonly text: string;
  readonly objective: FleetObjective;
}

export type FleetAnswer =
  | {
      readonly id: number;
      readonly ok: true;
      readonly plan: FleetPlanJson;
      readonly csv: string;
      /** The Vega-Lite spec of the Gantt chart (JSON). */
      readonly gantt: object;
    }
  | { readonly id: number; readonly ok: false; readonly problems: readonly string[] };

/** Plans an inventory (YAML or JSON text) for an objective; input errors become lines, never a throw. */
export function computeFleet(req: FleetRequest): FleetAnswer {
  try {
    const plan = fleetPlan({ inventory: req.text, objective: req.objective });
    const subtitle = `${plan.plan.description}; makespan ${plan.plan.summary.makespanSeconds.toPrecision(4)} s`;
    return {
      id: req.id,
      ok: true,
      plan,
      csv: fleetMigrationsCsv(plan.plan.migrations),
      gantt: ganttSpec(ganttRows(plan.plan.migrations), 'Drain plan', subtitle) as object,
    };
  } catch (e) {
    if (e instanceof FleetInventoryError) return { id: req.id, ok: false, problems: e.problems.map(describeProblem) };
    const line = lineOf(e);
    if (line !== undefined) return { id: req.id, ok: false, problems: [line] };
    return { id: req.id, ok: false, problems: [`internal error: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
