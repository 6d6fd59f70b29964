/**
 * The one RFC 4180 CSV writer of precopy: CRLF line ends, fields quoted only when they hold a comma, a double
 * quote, CR or LF (quotes doubled). Numbers are written at full precision (the shortest decimal that reads back
 * to the same double, `String(x)`; -0 as `0`). Two flavours of the same writer:
 * - lenient (`csvField`, `csvRow`, `toCsv`), for streamed command output: NaN, Infinity, null and undefined
 *   become empty fields, never the text "NaN";
 * - strict (`strictCsvField`, `csvRecords`), for the reproduction's files: a non-finite number or a ragged
 *   record is an error (CsvError), so a broken figure cannot be written silently.
 * Pure; no Node imports (the explorer uses it in the browser).
 */
export type CsvValue = string | number | boolean | null | undefined;

/** A strict CSV cell: text, a finite number, or a boolean (written `true`/`false`). */
export type CsvCell = string | number | boolean;

/** Thrown by the strict writer when a cell cannot be written faithfully (NaN, Infinity) or a record is ragged. */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

function text(value: string | number | boolean): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One field, lenient: missing and non-finite values are empty.
 * @example csvField('a,b') // '"a,b"'
 */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' && !Number.isFinite(v)) return '';
  return text(v);
}

/** One record, lenient, with its CRLF. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A whole table, lenient: header then rows, each row an object read in header order. */
export function toCsv(header: readonly string[], rows: Iterable<Readonly<Record<string, CsvValue>>>): string {
  let out = csvRow(header);
  for (const r of rows) out += csvRow(header.map((h) => r[h]));
  return out;
}

/**
 * One field, strict.
 * @example strictCsvField(0.1 + 0.2) // '0.30000000000000004'
 * @throws {CsvError} a non-finite number
 */
export function strictCsvField(value: CsvCell): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new CsvError(`csv: cannot write non-finite number ${value}`);
  }
  return text(value);
}

/**
 * A whole CSV document, strict: header line then one line per record (arrays in header order), each ended by CRLF.
 * @example csvRecords(['x', 'y'], [[1, 'a b']]) // 'x,y\r\n1,a b\r\n'
 * @throws {CsvError} a record whose length differs from the header's, or a non-finite number
 */
export function csvRecords(header: readonly string[], records: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(strictCsvField).join(',')];
  records.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new CsvError(`csv: record ${i + 1} has ${r.length} fields, expected ${header.length}`);
    }
    lines.push(r.map(strictCsvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
