/**
 * The reproduction writes its CSV files with the strict flavour of precopy's one CSV writer (src/format/csv.ts):
 * a non-finite number or a ragged record is an error rather than an empty field.
 */
export { type CsvCell, CsvError, csvRecords as toCsv, strictCsvField as csvField } from '../format/csv.js';
