/**
 * A small RFC 4180 CSV writer: CRLF line ends, fields quoted only when they contain a comma, a double quote,
 * CR or LF (quotes doubled inside). Numbers are written with full precision (the shortest decimal that reads
 * back to the same double, `String(x)`), never as NaN or Infinity: a non-finite number is an error.
 * Pure; no Node imports.
 */

/** A CSV cell: text, a finite number, or a boolean (written `true`/`false`). */
export type CsvCell = string | number | boolean;

/** Thrown when a cell cannot be written faithfully (NaN, Infinity). */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/**
 * One CSV field, quoted when needed.
 * @example csvField('a,b') // '"a,b"'
 * @example csvField(0.1 + 0.2) // '0.30000000000000004'
 * @throws {CsvError} a non-finite number
 */
export function csvField(value: CsvCell): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CsvError(`csv: cannot write non-finite number ${value}`);
    return Object.is(value, -0) ? '0' : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * A whole CSV document: header line then one line per record, each ended by CRLF.
 * @example toCsv(['x', 'y'], [[1, 'a b']]) // 'x,y\r\n1,a b\r\n'
 * @throws {CsvError} a record whose length differs from the header's, or a non-finite number
 */
export function toCsv(header: readonly string[], records: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvField).join(',')];
  records.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new CsvError(`csv: record ${i + 1} has ${r.length} fields, expected ${header.length}`);
    }
    lines.push(r.map(csvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
