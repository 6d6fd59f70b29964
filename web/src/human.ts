/**
 * Numbers in human terms for the page: durations scaled from ns to h, significant digits instead of long
 * decimals, whole pages, sizes and rates in their largest sensible unit. Display only (the CSV keeps full
 * precision).
 */
const FORMATS = new Map<number, Intl.NumberFormat>();

/** `digits` significant digits with thousands separators: 81838.5 -> '81,800' (3), 0.000123456 -> '0.000123'. */
export function human(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return 'unbounded';
  let f = FORMATS.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits });
    FORMATS.set(digits, f);
  }
  const a = Math.abs(x);
  // Very small or very large values in scientific notation rather than a 300-digit cell.
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return x.toExponential(digits - 1).replace('e+', 'e');
  return f.format(x);
}

const WHOLE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A whole count with separators: 204.8 pages -> '205' (pages are whole), 16777216 -> '16,777,216'. */
export function count(x: number): string {
  return WHOLE.format(Math.ceil(x - 1e-9));
}

/** Seconds scaled to ns, µs, ms, s, min or h with 3 significant digits: 81838.5 -> '22.7 h'. */
export function humanSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'unbounded';
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-6) return `${human(s * 1e9)} ns`;
  if (a < 1e-3) return `${human(s * 1e6)} µs`;
  if (a < 1) return `${human(s * 1e3)} ms`;
  if (a < 120) return `${human(s)} s`;
  if (a < 7200) return `${human(s / 60)} min`;
  if (a < 48 * 3600) return `${human(s / 3600)} h`;
  return `${human(s / 86400)} days`;
}

const IEC: readonly [string, number][] = [
  ['PiB', 2 ** 50],
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
];

/** Bytes in IEC units, 3 significant digits: 68719476736 -> '64 GiB'. */
export function humanBytes(b: number): string {
  const a = Math.abs(b);
  for (const [u, m] of IEC) if (a >= m) return `${human(b / m)} ${u}`;
  return `${human(b)} B`;
}

const SI: readonly [string, number][] = [
  ['TB/s', 1e12],
  ['GB/s', 1e9],
  ['MB/s', 1e6],
  ['kB/s', 1e3],
];

/** Bytes/s in SI units (as links are sold), 3 significant digits: 1.25e9 -> '1.25 GB/s'. */
export function humanRate(bps: number): string {
  const a = Math.abs(bps);
  for (const [u, m] of SI) if (a >= m) return `${human(bps / m)} ${u}`;
  return `${human(bps)} B/s`;
}
