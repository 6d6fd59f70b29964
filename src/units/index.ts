/**
 * Units: the only place where strings become numbers (and numbers become strings) for sizes, rates and
 * durations. Everything inside precopy is in base units: bytes, bytes per second, seconds, pages, pages/s.
 *
 * Conventions (see README "Units"):
 * - SI prefixes are decimal (kB = 1000 B, MB = 10^6 B, Mbit = 10^6 bit); IEC prefixes are binary
 *   (KiB = 1024 B, MiB = 2^20 B).
 * - A bare `KB` (as the paper writes it) is the SI kilobyte, 1000 bytes. The paper's results depend on
 *   S and B only through tau = S/B, so `16KB` with `60KB/s` gives tau = 16/60 s under either reading.
 * - `B` is a byte and `b` a bit in rates (`MB/s` bytes, `Mb/s` or `Mbit/s` or `Mbps` bits); prefixes are otherwise
 *   case-insensitive. In a size (memory, page size) a lone lower-case `b` (`64gb`, `4kb`) is an error that
 *   suggests `64GB`, `64GiB` or `64Gbit`: nobody sizes RAM in bits, and reading `64gb` as 8 GB is a trap.
 * - Plain numbers may use scientific notation (`4.096e3`, `1e-3`); {@link parseNumber} reads them.
 * - Where a fraction is asked for, a percentage is accepted (`40%` = 0.4); {@link parseFraction} reads it.
 * - Rates take `/s`, `/sec`, or the `ps` suffix (`Gbps`, `MBps`). A bare number is bytes (sizes) or bytes/s
 *   (rates). Durations need a unit (`300ms`, `2s`, `1.5min`, `1h`, `250us`): a bare number is rejected because
 *   QEMU counts milliseconds and precopy counts seconds, and guessing is how outages happen.
 */

/** A unit string that could not be read. `kind` says what was expected; `input` is the text given. */
export class UnitError extends Error {
  readonly code = 'invalid_unit';
  constructor(
    readonly kind: 'size' | 'rate' | 'duration' | 'dirty rate',
    readonly input: string,
    readonly expected: string,
  ) {
    super(`'${input}' is not a ${kind}: expected ${expected}`);
    this.name = 'UnitError';
  }
}

const NUMBER = String.raw`([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)`;

const PLAIN = new RegExp(`^\\s*${NUMBER}\\s*$`);

/** A plain number that could not be read. */
export class NumberError extends Error {
  readonly code = 'invalid_number';
  constructor(
    readonly input: string,
    readonly expected: string,
  ) {
    super(`'${input}' is not a number: expected ${expected}`);
    this.name = 'NumberError';
  }
}

/**
 * Parses a plain finite number, decimal or scientific: `'4096'`, `'4.096e3'` -> 4096, `'1e-3'` -> 0.001.
 * Anything else (units, `NaN`, `Infinity`, `1,5`, empty) throws {@link NumberError}.
 */
export function parseNumber(input: string): number {
  const m = PLAIN.exec(input);
  const v = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(v)) throw new NumberError(input, 'a decimal number such as 4096, 0.05 or 1e-3');
  return v;
}

/**
 * Parses a fraction: a plain number (`'0.4'`, `'4e-1'`) or a percentage (`'40%'` -> 0.4, `'0.5 %'` -> 0.005).
 * The range is the caller's to check.
 */
export function parseFraction(input: string): number {
  const m = /^\s*(.*?)\s*%\s*$/.exec(input);
  if (!m) {
    try {
      return parseNumber(input);
    } catch {
      throw new NumberError(input, 'a fraction such as 0.4 or a percentage such as 40%');
    }
  }
  const inner = PLAIN.exec(m[1]!);
  const v = inner ? Number(inner[1]) : Number.NaN;
  if (!Number.isFinite(v)) throw new NumberError(input, 'a fraction such as 0.4 or a percentage such as 40%');
  // Divide by 100 exactly as written ('40%' is 0.4, not 0.4000000000000001).
  return v / 100;
}

/** Multipliers for a prefix letter (lower-cased) and whether it is binary (`Ki`). */
const SI: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const IEC: Record<string, number> = { ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50 };

/**
 * Reads a size unit such as `B`, `kB`, `KB`, `KiB`, `MiB`, `GB`, `bit`, `Mbit`, `Mb`, `byte`, `bytes`.
 * Returns bytes per unit, or undefined.
 */
function sizeUnitBytes(unit: string): number | undefined {
  if (unit === '') return 1;
  const m = /^([kKmMgGtTpP][iI]?)?(B|b|bytes?|bits?|Bytes?|Bits?)$/.exec(unit);
  if (!m) return undefined;
  const prefix = (m[1] ?? '').toLowerCase();
  const base = m[2]!;
  const isBit = base === 'b' || base.toLowerCase().startsWith('bit');
  const mult = prefix.endsWith('i') ? IEC[prefix] : SI[prefix];
  if (mult === undefined) return undefined;
  return isBit ? mult / 8 : mult;
}

function split(input: string): { value: number; unit: string } | undefined {
  const m = new RegExp(`^\\s*${NUMBER}\\s*(.*?)\\s*$`).exec(input);
  if (!m) return undefined;
  const value = Number(m[1]);
  if (!Number.isFinite(value)) return undefined;
  return { value, unit: m[2] ?? '' };
}

const SIZE_EXPECTED = 'a number with an optional unit such as 4096, 16KB, 16KiB, 64GiB (KB = 1000 B, KiB = 1024 B)';
const RATE_EXPECTED =
  'a number with a rate unit such as 60KB/s, 125MB/s, 1.5 MiB/s, 10Gbit/s, 10Gbps (a bare number is bytes/s)';
const DURATION_EXPECTED = 'a number with a unit: us, ms, s, min or h (for example 300ms, 2s)';

/**
 * The suggestion for a size written with a lower-case `b` (`64gb`), or undefined when the unit is not one:
 * `'64GB', '64GiB' or '64Gbit'`.
 */
function lowerCaseBitSize(input: string, p: { value: number; unit: string }): string | undefined {
  const m = /^([kKmMgGtTpP])?([iI])?b$/.exec(p.unit);
  if (!m) return undefined;
  const n = input
    .trim()
    .slice(0, input.trim().length - p.unit.length)
    .trim();
  const letter = m[1] ?? '';
  const si = letter === 'k' || letter === 'K' ? 'k' : letter.toUpperCase();
  const iec = letter === '' ? '' : `${letter.toUpperCase()}i`;
  const options = letter === '' ? [`${n}B`, `${n}bit`] : [`${n}${si}B`, `${n}${iec}B`, `${n}${si}bit`];
  return `'${options.slice(0, -1).join("', '")}' or '${options[options.length - 1]}'`;
}

/**
 * Parses a size to bytes. `'16KB'` -> 16000, `'16KiB'` -> 16384, `'64GiB'` -> 68719476736, `'4096'` -> 4096.
 * A lower-case `b` (`'64gb'`) is an error naming the three readings (see the module comment).
 */
export function parseSize(input: string): number {
  const p = split(input);
  const suggestion = p && lowerCaseBitSize(input, p);
  if (suggestion) {
    throw new UnitError('size', input, `${suggestion} (a lower-case b means bits; write B for bytes)`);
  }
  const per = p && sizeUnitBytes(p.unit);
  if (!p || per === undefined) throw new UnitError('size', input, SIZE_EXPECTED);
  return p.value * per;
}

/**
 * Parses a rate to bytes per second. `'60KB/s'` -> 60000, `'10Gbit/s'` and `'10Gbps'` -> 1.25e9,
 * `'1.5 MiB/s'` -> 1572864, `'125MB/s'` -> 1.25e8, a bare `'1000'` -> 1000.
 */
export function parseRate(input: string): number {
  const p = split(input);
  if (!p) throw new UnitError('rate', input, RATE_EXPECTED);
  let unit = p.unit;
  if (unit !== '') {
    const m = /^(.*?)(?:\s*\/\s*(?:s|sec|second)|ps)$/.exec(unit);
    if (!m) throw new UnitError('rate', input, RATE_EXPECTED);
    unit = m[1]!;
    if (unit === '') throw new UnitError('rate', input, RATE_EXPECTED);
  }
  const per = sizeUnitBytes(unit);
  if (per === undefined) throw new UnitError('rate', input, RATE_EXPECTED);
  return p.value * per;
}

const DURATION_UNITS: Record<string, number> = {
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
};

/** Parses a duration to seconds. `'300ms'` -> 0.3, `'2s'` -> 2, `'1.5min'` -> 90. A unit is required. */
export function parseDuration(input: string): number {
  const p = split(input);
  const per = p && DURATION_UNITS[p.unit];
  if (!p || per === undefined) throw new UnitError('duration', input, DURATION_EXPECTED);
  // Divide for sub-second units so that '300ms' is exactly 0.3 (300 * 1e-3 is 0.30000000000000004).
  return per < 1 ? p.value / Math.round(1 / per) : p.value * per;
}

/** A dirty rate as given: pages per second, or a byte rate still to be divided by the page size. */
export type DirtyRate = { readonly pagesPerSecond: number } | { readonly bytesPerSecond: number };

/**
 * Parses a dirty rate: a bare number or `N pages/s` is pages per second; a byte or bit rate (`8MB/s`,
 * `1Gbit/s`) is bytes per second, converted to pages with {@link dirtyPagesPerSecond}.
 */
export function parseDirtyRate(input: string): DirtyRate {
  const p = split(input);
  if (!p) throw new UnitError('dirty rate', input, 'pages/s (a bare number, or 2 pages/s) or a byte rate (8MB/s)');
  if (p.unit === '' || /^pages?\s*(\/\s*(s|sec|second)|ps)?$/.test(p.unit)) return { pagesPerSecond: p.value };
  try {
    return { bytesPerSecond: parseRate(input) };
  } catch {
    throw new UnitError('dirty rate', input, 'pages/s (a bare number, or 2 pages/s) or a byte rate (8MB/s)');
  }
}

/** Converts a {@link DirtyRate} to pages per second for pages of `pageSizeBytes` bytes. */
export function dirtyPagesPerSecond(rate: DirtyRate, pageSizeBytes: number): number {
  return 'pagesPerSecond' in rate ? rate.pagesPerSecond : rate.bytesPerSecond / pageSizeBytes;
}

type Scale = readonly (readonly [string, number])[];
const SIZE_SCALE: Scale = [
  ['PiB', 2 ** 50],
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
  ['PB', 1e15],
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['kB', 1e3],
];

/**
 * Shortest faithful text for `x` in the largest unit of `scale` that reads back exactly (the unit whose
 * quotient has the fewest characters wins); falls back to the bare number with `bare` appended.
 */
function formatExact(x: number, scale: Scale, suffix: string, bare: string, parse: (s: string) => number): string {
  let best = `${x}${bare}`;
  for (const [unit, mult] of scale) {
    if (Math.abs(x) < mult) continue;
    const text = `${x / mult}${unit}${suffix}`;
    if (parse(text) === x && text.length < best.length) best = text;
  }
  return best;
}

/** Formats bytes so that {@link parseSize} reads back exactly the same number: 16384 -> '16KiB', 16000 -> '16kB'. */
export function formatSize(bytes: number): string {
  return formatExact(bytes, SIZE_SCALE, '', 'B', parseSize);
}

/** Formats bytes/s so that {@link parseRate} reads back exactly the same number: 60000 -> '60kB/s'. */
export function formatRate(bytesPerSecond: number): string {
  return formatExact(bytesPerSecond, SIZE_SCALE, '/s', 'B/s', parseRate);
}

/** Formats seconds so that {@link parseDuration} reads back exactly: 0.3 -> '300ms', 90 -> '1.5min'. */
export function formatDuration(seconds: number): string {
  // The unit a person would pick for the magnitude, if it reads back exactly; otherwise plain seconds.
  const a = Math.abs(seconds);
  const natural =
    a > 0 && a < 1 ? `${seconds * 1000}ms` : a >= 3600 ? `${seconds / 3600}h` : a >= 600 ? `${seconds / 60}min` : '';
  return natural !== '' && parseDuration(natural) === seconds ? natural : `${seconds}s`;
}

/** Human-readable (rounded, not exact) seconds for tables: 0.0123 -> '12.3 ms', 88.37 -> '88.4 s', 5400 -> '1.50 h'. */
export function humanDuration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${(seconds * 1e6).toPrecision(3)} µs`;
  if (a < 1) return `${(seconds * 1e3).toPrecision(3)} ms`;
  if (a < 600) return `${seconds.toPrecision(3)} s`;
  if (a < 7200) return `${(seconds / 60).toPrecision(3)} min`;
  return `${(seconds / 3600).toPrecision(3)} h`;
}

/** Human-readable (rounded) bytes in IEC units for tables: 1.5e9 -> '1.40 GiB'. */
export function humanSize(bytes: number): string {
  const a = Math.abs(bytes);
  for (const [unit, mult] of SIZE_SCALE.slice(0, 5)) {
    if (a >= mult) return `${(bytes / mult).toPrecision(3)} ${unit}`;
  }
  return `${bytes} B`;
}
