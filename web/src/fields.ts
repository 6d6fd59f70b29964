/**
 * The explorer's inputs: every model parameter as text with units (the same spelling as the command line and
 * the API), a slider mapping for each, the URL query format, and defaults (the paper's Table 2, Ps = 4096).
 */
import { formatRate, formatSize } from '../../src/units/index.js';

export type CaseChoice = 'all' | 'uniform' | 'hot-precopy' | 'hot-downtime';
export type AccountingChoice = 'paper' | 'consistent';

/** The whole view state; every value is the text the user typed, so the URL round-trips exactly. */
export interface ViewState {
  pages: string;
  pageSize: string;
  bandwidth: string;
  dirtyRate: string;
  alpha: string;
  hotFraction: string;
  hotRate: string;
  coldRate: string;
  maxUtilization: string;
  case: CaseChoice;
  accounting: AccountingChoice;
  /** `derived`: the hot cases' rates follow the dirty rate (Dh = 2 D, Dnh = 0.9 D); `own`: typed. */
  hotRates: HotRatesChoice;
}

export type HotRatesChoice = 'derived' | 'own';

export type TextField = Exclude<keyof ViewState, 'case' | 'accounting' | 'hotRates'>;

/**
 * How the hot cases follow the one dirty rate D when `hotRates` is `derived`: Dh = 2 D, Dnh = 0.9 D, the
 * proportions of the paper's Table 2 (Dh = 4 and Dnh = 1.8 pages/s at D = 2), with beta held as set.
 */
export const HOT_RATIO = { hot: 2, cold: 0.9 } as const;

/** Table 2 of the paper with Ps = 4096 and Umax = 40%. */
export const DEFAULT_STATE: Readonly<ViewState> = {
  pages: '4096',
  pageSize: '16KB',
  bandwidth: '60KB/s',
  dirtyRate: '2',
  alpha: '0.05',
  hotFraction: '0.1',
  hotRate: '4',
  coldRate: '1.8',
  maxUtilization: '0.4',
  case: 'all',
  accounting: 'paper',
  hotRates: 'derived',
};

/**
 * An operator's VM: 64 GiB of 4 KiB pages on a 10 Gbit/s link dirtying 200 MB/s, stopped by QEMU's default
 * downtime limit of 300 ms; hot rates follow the dirty rate; utilisation limit 90%.
 */
export const OPERATOR_STATE: Readonly<ViewState> = {
  pages: '64GiB',
  pageSize: '4KiB',
  bandwidth: '10Gbit/s',
  dirtyRate: '200MB/s',
  alpha: '300ms',
  hotFraction: '0.1',
  hotRate: '4',
  coldRate: '1.8',
  maxUtilization: '90%',
  case: 'all',
  accounting: 'paper',
  hotRates: 'derived',
};

/** The case selector: the schema's `case` values with their labels. */
export const CASE_CHOICES: readonly { value: CaseChoice; label: string }[] = [
  { value: 'all', label: 'All cases' },
  { value: 'uniform', label: 'Uniform' },
  { value: 'hot-precopy', label: 'Hot I (hot pages pre-copied)' },
  { value: 'hot-downtime', label: 'Hot II (hot pages at downtime)' },
];

/** The accounting selector: the schema's `accounting` values with their labels. */
export const ACCOUNTING_CHOICES: readonly { value: AccountingChoice; label: string }[] = [
  { value: 'paper', label: 'Paper (Table 1 as printed)' },
  { value: 'consistent', label: 'Consistent (pages actually left)' },
];

/** How a slider position maps to the text of its field. */
export interface Slider {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** Slider position -> field text. */
  readonly toText: (position: number) => string;
  /** Field value in base units (as parsed) -> slider position. */
  readonly toPosition: (value: number) => number;
}

/** Three significant digits, printed without exponent noise: 1234.5 -> 1230. */
function sig3(x: number): number {
  return Number(x.toPrecision(3));
}

const linear = (min: number, max: number, step: number): Slider => ({
  min,
  max,
  step,
  toText: (p) => String(Number(p.toFixed(6))),
  toPosition: (v) => v,
});

const log10 = (min: number, max: number, format: (v: number) => string): Slider => ({
  min: Math.log10(min),
  max: Math.log10(max),
  step: 0.01,
  toText: (p) => format(sig3(10 ** p)),
  toPosition: (v) => (v > 0 ? Math.log10(v) : Math.log10(min)),
});

export interface FieldSpec {
  readonly key: TextField;
  readonly label: string;
  /** Paper symbol, shown next to the label. */
  readonly symbol: string;
  readonly unitHint: string;
  readonly help: string;
  readonly slider: Slider;
  /** Needed by which cases. */
  readonly usedBy: 'all' | 'uniform' | 'hot';
}

/** Every text input of the page, in order, with its slider. */
export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'pages',
    label: 'Memory',
    symbol: 'Ps',
    unitHint: 'pages or a size',
    help: 'a whole number of pages (4096, 4.096e3) or a size (64GiB; rounded up to whole pages)',
    slider: {
      min: 0,
      max: 30,
      step: 0.01,
      toText: (p) => String(Math.max(1, Math.round(2 ** p))),
      toPosition: (v) => Math.log2(Math.max(1, v)),
    },
    usedBy: 'all',
  },
  {
    key: 'pageSize',
    label: 'Page size',
    symbol: 'S',
    unitHint: 'e.g. 4KiB, 16KB',
    help: 'a size: 4096, 4KiB, 16KB (KB = 1000 B, KiB = 1024 B)',
    slider: {
      min: 9,
      max: 21,
      step: 1,
      toText: (p) => formatSize(2 ** Math.round(p)),
      toPosition: (v) => Math.log2(v),
    },
    usedBy: 'all',
  },
  {
    key: 'bandwidth',
    label: 'Bandwidth',
    symbol: 'B',
    unitHint: 'e.g. 60KB/s, 10Gbit/s',
    help: 'a rate: 60KB/s, 125MB/s, 10Gbit/s (a bare number is bytes/s)',
    slider: log10(1e3, 1e11, (v) => formatRate(v)),
    usedBy: 'all',
  },
  {
    key: 'dirtyRate',
    label: 'Dirty rate',
    symbol: 'D',
    unitHint: 'pages/s or e.g. 8MB/s',
    help: 'pages per second (a bare number) or a byte rate such as 8MB/s',
    slider: log10(0.01, 1e7, (v) => String(v)),
    usedBy: 'uniform',
  },
  {
    key: 'alpha',
    label: 'Stop fraction',
    symbol: 'α',
    unitHint: 'α, % or a time',
    help: 'pre-copy stops once at most α·Ps pages are left (0 < α < 1, e.g. 0.05, 5% or 1e-3); or a QEMU-style downtime limit such as 300ms, α = limit·B/(Ps·S)',
    slider: linear(0.001, 0.999, 0.001),
    usedBy: 'all',
  },
  {
    key: 'hotFraction',
    label: 'Hot page fraction',
    symbol: 'β',
    unitHint: '0 ≤ β < 1 or %',
    help: 'fraction of pages that are hot (0 ≤ β < 1, or a percentage such as 10%)',
    slider: linear(0, 0.99, 0.01),
    usedBy: 'hot',
  },
  {
    key: 'hotRate',
    label: 'Hot dirty rate',
    symbol: 'Dh',
    unitHint: 'pages/s',
    help: 'dirtying rate of the hot pages, pages per second or a byte rate',
    slider: log10(0.01, 1e7, (v) => String(v)),
    usedBy: 'hot',
  },
  {
    key: 'coldRate',
    label: 'Cold dirty rate',
    symbol: 'Dnh',
    unitHint: 'pages/s',
    help: 'dirtying rate of the other pages, pages per second or a byte rate',
    slider: log10(0.01, 1e7, (v) => String(v)),
    usedBy: 'hot',
  },
  {
    key: 'maxUtilization',
    label: 'Utilisation limit',
    symbol: 'Umax',
    unitHint: '0 < Umax ≤ 1 or %',
    help: 'the optimiser picks the α with the least downtime whose Unet ≤ Umax (a fraction or a percentage such as 40%)',
    slider: linear(0.01, 1, 0.01),
    usedBy: 'all',
  },
];

const KEYS = Object.keys(DEFAULT_STATE) as (keyof ViewState)[];

/**
 * URL state: a plain query string with one parameter per field, in the CLI's spelling, e.g.
 * `?pages=4096&pageSize=16KB&bandwidth=60KB%2Fs&dirtyRate=2&alpha=0.05&case=all&accounting=paper`.
 * Missing parameters take the defaults; unknown ones are ignored; values are kept as typed (an invalid value
 * is restored as typed and shown with its error).
 */
export function stateFromQuery(search: string): ViewState {
  const q = new URLSearchParams(search);
  const state: ViewState = { ...DEFAULT_STATE };
  for (const key of KEYS) {
    const v = q.get(key);
    if (v === null) continue;
    if (key === 'case') {
      if (CASE_CHOICES.some((c) => c.value === v)) state.case = v as CaseChoice;
    } else if (key === 'accounting') {
      if (v === 'paper' || v === 'consistent') state.accounting = v;
    } else if (key === 'hotRates') {
      if (v === 'derived' || v === 'own') state.hotRates = v;
    } else {
      state[key] = v;
    }
  }
  return state;
}

/** The query string for a state (every field written, so a shared link does not depend on defaults). */
export function queryFromState(state: ViewState): string {
  const q = new URLSearchParams();
  for (const key of KEYS) q.set(key, state[key]);
  return `?${q.toString()}`;
}
