/** precopy's library: the model, the optimiser, units, the input schema and the fleet planner, as named exports. */
export * from './model/index.js';
export * from './optimize/index.js';
export * from './units/index.js';
export * from './schema/index.js';
export {
  type CsvCell,
  CsvError,
  type CsvValue,
  csvField,
  csvRecords,
  csvRow,
  strictCsvField,
  toCsv,
} from './format/csv.js';
export * from './simulate/index.js';
export * from './hypervisor/qemu/predict.js';
export * from './hypervisor/qemu/plan.js';
export * from './hypervisor/presets.js';
// Many migrations at once (src/fleet, docs/fleet.md). Three names exist in both barrels: the one-VM meanings
// keep the plain names (explicit re-exports win over `export *`), the fleet's are renamed.
export * from './fleet/index.js';
export { OBJECTIVES, type ConstraintName } from './optimize/index.js';
export { XEN_MAX_ITERATIONS } from './hypervisor/presets.js';
export { OBJECTIVES as FLEET_OBJECTIVES, type ConstraintName as FleetConstraintName } from './fleet/index.js';
