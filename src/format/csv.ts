/**
 * A small RFC 4180 CSV writer: CRLF line ends, fields quoted when they hold a comma, a quote, CR or LF (quotes
 * doubled). Numbers are written with full precision (shortest round-trip form); NaN, Infinity, null and
 * undefined become empty fields, never the text "NaN".
 */
export type CsvValue = string | number | boolean | null | undefined;

/** One field. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, with its CRLF. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A whole table: header then rows, each row an object read in header order. */
export function toCsv(header: readonly string[], rows: Iterable<Readonly<Record<string, CsvValue>>>): string {
  let out = csvRow(header);
  for (const r of rows) out += csvRow(header.map((h) => r[h]));
  return out;
}
