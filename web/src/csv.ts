// Placeholder until src/format/csv.ts lands on main; replaced by a re-export then.
export type CsvValue = string | number | boolean | null | undefined;
function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export function toCsv(header: readonly string[], rows: Iterable<Readonly<Record<string, CsvValue>>>): string {
  let out = `${header.map(csvField).join(',')}\r\n`;
  for (const r of rows) out += `${header.map((h) => csvField(r[h])).join(',')}\r\n`;
  return out;
}
