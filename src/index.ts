/** precopy's library: the model, the optimiser, units and the input schema, as named exports. */
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
