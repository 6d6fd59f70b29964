/**
 * The Table 3 investigation: readings of the paper under which its Unet column (0.394, 0.399, 0.400) might
 * follow. Each reading is a formula for Unet evaluated at the three printed optima (the band tops where the
 * printed downtimes hold); a reading reproduces the column when all three agree to 3 decimals.
 * Pure; no Node imports.
 *
 * Notation: L = live fraction, H = held fraction (Hot II: 1-beta and beta, else 1 and 0), q = r^(n+1),
 * everything per Ps*tau: Tpre = L(1-q)/(1-r), Tdown = Lq + H.
 */
import { caseRho, type CaseKey, justBelow } from './bands.js';
import { type ReproductionParams, TABLE2 } from './params.js';
import { TABLE3_EDGE_POWER } from './table3.js';

/** Inputs of a reading at one point. */
export interface ReadingPoint {
  /** rho used for the rounds (as the reading computes it). */
  readonly rho: number;
  readonly alpha: number;
  readonly iterations: number;
  readonly liveFraction: number;
  readonly heldFraction: number;
}

/** A reading: a name, what it assumes, and how it turns the parameters into a Unet per case. */
export interface Reading {
  readonly id: string;
  readonly description: string;
  /** Unet of a case, or undefined when the reading makes pre-copy diverge (rho >= 1). */
  readonly unet: (c: CaseKey, p: ReproductionParams) => number | undefined;
}

/** The printed Unet per case. */
export const PRINTED_UNET: Record<CaseKey, number> = { uniform: 0.394, hotPrecopy: 0.399, hotDowntime: 0.4 };

function fractions(c: CaseKey, p: ReproductionParams): { L: number; H: number } {
  return c === 'hotDowntime' ? { L: 1 - p.hotFraction, H: p.hotFraction } : { L: 1, H: 0 };
}

/** The point of the printed optimum: alpha just below rho^k, n = k (k = 3, 3, 1), rho of the case. */
export function optimumPoint(c: CaseKey, p: ReproductionParams = TABLE2, rhoOverride?: number): ReadingPoint {
  const rho = caseRho(c, p);
  const k = TABLE3_EDGE_POWER[c];
  const { L, H } = fractions(c, p);
  return { rho: rhoOverride ?? rho, alpha: justBelow(rho ** k), iterations: k, liveFraction: L, heldFraction: H };
}

/** Eq. 15/30 in general form: (rho*Tpre + d*1)/(Tpre + Tdown), with d the downtime pages per Ps. */
function eq15(pt: ReadingPoint, downtimePages: number, n = pt.iterations): number {
  const { rho: r, liveFraction: L, heldFraction: H } = pt;
  const q = r ** (n + 1);
  const tpre = (L * (1 - q)) / (1 - r);
  const tdown = L * q + H;
  return (r * tpre + downtimePages) / (tpre + tdown);
}

/** Eqs. 16, 23, 31 as printed: downtime pages alpha*Ps (+ beta*Ps). */
export function printedUnet(pt: ReadingPoint, n = pt.iterations): number {
  return eq15(pt, pt.alpha + pt.heldFraction, n);
}

function withTau(c: CaseKey, p: ReproductionParams, pageSizeBytes: number, bandwidth: number): number | undefined {
  const rho = caseRho(c, { ...p, pageSizeBytes, bandwidthBytesPerSecond: bandwidth });
  if (!(rho < 1)) return undefined;
  const pt = optimumPoint(c, p, rho);
  return printedUnet(pt);
}

/** Every reading tried, in the order the errata lists them. */
export const READINGS: readonly Reading[] = [
  {
    id: 'printed',
    description: 'Eqs. 16, 23, 31 as printed, at the band tops (n = 3, 3, 1) the printed Tdown needs',
    unet: (c, p) => printedUnet(optimumPoint(c, p)),
  },
  {
    id: 'literal-alpha',
    description: 'Eqs. 16, 23, 31 at the printed alphas taken literally (0.152, 0.156, 0.480; n from Eq. 11)',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      const alpha = { uniform: 0.152, hotPrecopy: 0.156, hotDowntime: 0.48 }[c];
      const n = Math.max(0, Math.ceil(Math.log(alpha) / Math.log(pt.rho) - 1 - 1e-12));
      return printedUnet({ ...pt, alpha, iterations: n });
    },
  },
  {
    id: 'consistent',
    description: 'downtime pages counted as those actually left, Ps*rho^(n+1) (+beta*Ps), not alpha*Ps',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      return eq15(pt, pt.liveFraction * pt.rho ** (pt.iterations + 1) + pt.heldFraction);
    },
  },
  {
    id: 'continuous-n',
    description: 'n real-valued (rho^(n+1) = alpha exactly), as a smooth NLP solver would see it',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      const n = Math.log(pt.alpha) / Math.log(pt.rho) - 1;
      return printedUnet(pt, n);
    },
  },
  {
    id: 'n-minus-1',
    description: 'Eqs. 16/23/31 with n one smaller (off-by-one in the round count)',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      return printedUnet(pt, pt.iterations - 1);
    },
  },
  {
    id: 'n-plus-1',
    description: 'Eqs. 16/23/31 with n one larger',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      return printedUnet(pt, pt.iterations + 1);
    },
  },
  {
    id: 'live-phase-only',
    description: 'only the pre-copy term of Eq. 15/30, rho*Tpre/Ttotal (downtime term dropped)',
    unet: (c, p) => eq15(optimumPoint(c, p), 0),
  },
  {
    id: 'idle-share',
    description: '1 - Unet (the share of the link left to other traffic)',
    unet: (c, p) => 1 - printedUnet(optimumPoint(c, p)),
  },
  {
    id: 'downtime-utilisation-alpha',
    description: 'downtime-phase utilisation taken as alpha (+beta) instead of alpha*Ps*tau/Tdown',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      const { rho: r, liveFraction: L, heldFraction: H } = pt;
      const q = r ** (pt.iterations + 1);
      const tpre = (L * (1 - q)) / (1 - r);
      const tdown = L * q + H;
      return (r * tpre + (pt.alpha + H) * tdown) / (tpre + tdown);
    },
  },
  {
    id: 'rho-alpha-swapped',
    description: 'rho and alpha swapped in Eqs. 16/23/31',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      return printedUnet({ ...pt, rho: pt.alpha, alpha: pt.rho });
    },
  },
  {
    id: 'kib-page',
    description: 'S = 16 KiB = 16384 B with B = 60 KB/s = 60000 B/s (mixed binary/decimal units)',
    unet: (c, p) => withTau(c, p, 16_384, 60_000),
  },
  {
    id: 'kib-bandwidth',
    description: 'S = 16 KB = 16000 B with B = 60 KiB/s = 61440 B/s',
    unet: (c, p) => withTau(c, p, 16_000, 61_440),
  },
  {
    id: 'bandwidth-kbit',
    description: 'B = 60 kbit/s (= 7.5 KB/s): rho = 4.27, pre-copy never converges',
    unet: (c, p) => withTau(c, p, 16_000, 7_500),
  },
  {
    id: 'page-kbit',
    description: 'S = 16 kbit (= 2 KB) with B = 60 KB/s: rho = 0.067',
    unet: (c, p) => {
      const rho = caseRho(c, { ...p, pageSizeBytes: 2_000 });
      const pt = optimumPoint(c, p);
      const n = Math.max(0, Math.ceil(Math.log(pt.alpha) / Math.log(rho) - 1 - 1e-12));
      return printedUnet({ ...pt, rho, iterations: n });
    },
  },
  {
    id: 'rho-squared',
    description: 'rho^2 in place of rho in Eqs. 16/23/31 (alpha and n kept; the inverse below finds rho near rho^2)',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      return printedUnet({ ...pt, rho: pt.rho ** 2 });
    },
  },
  {
    id: 'hot2-no-beta-in-denominator',
    description: 'Eq. 31 without the beta(1-rho_nh) term in the denominator',
    unet: (c, p) => {
      const pt = optimumPoint(c, p);
      const { rho: r, liveFraction: L, heldFraction: H } = pt;
      const n = pt.iterations;
      return (L * (r - r ** (n + 2)) + (pt.alpha + H) * (1 - r)) / (L * (1 - r ** (n + 2)));
    },
  },
];

/** The verdict on one reading. */
export interface ReadingResult {
  readonly id: string;
  readonly description: string;
  /** Unet per case (undefined: the reading makes pre-copy diverge). */
  readonly values: Record<CaseKey, number | undefined>;
  /** Largest |computed - printed| over the three cases (Infinity when a case diverges). */
  readonly maxAbsoluteError: number;
  /** All three agree with the printed values to 3 decimals. */
  readonly reproduces: boolean;
}

/** Evaluates every reading under the parameters. */
export function evaluateReadings(p: ReproductionParams = TABLE2): ReadingResult[] {
  return READINGS.map((r) => {
    const values = {} as Record<CaseKey, number | undefined>;
    let maxErr = 0;
    let all = true;
    for (const c of ['uniform', 'hotPrecopy', 'hotDowntime'] as const) {
      const v = r.unet(c, p);
      values[c] = v !== undefined && Number.isFinite(v) ? v : undefined;
      if (values[c] === undefined) {
        maxErr = Number.POSITIVE_INFINITY;
        all = false;
        continue;
      }
      maxErr = Math.max(maxErr, Math.abs(values[c]! - PRINTED_UNET[c]));
      if (Number(values[c]!.toFixed(3)) !== PRINTED_UNET[c]) all = false;
    }
    return { id: r.id, description: r.description, values, maxAbsoluteError: maxErr, reproduces: all };
  });
}

/** The rho values (if any) at which Eqs. 16/23/31, at the printed optimum's alpha and n, equal the printed Unet. */
export interface InverseRho {
  readonly case: CaseKey;
  readonly target: number;
  /** Roots in (0, 1), ascending. */
  readonly rhos: readonly number[];
  /** The dirty rate each root needs, rho/tau (pages/s). */
  readonly dirtyRates: readonly number[];
  /** The least value Eqs. 16/23/31 take over rho in (0, 1) at that alpha and n. */
  readonly minimumOverRho: number;
}

/**
 * Solves Eq. 16/23/31 (with alpha and n of the printed optimum held fixed) for rho: which dirtying rate would
 * have produced the printed Unet? Scans rho on a grid of 1e-4 and refines each sign change by bisection.
 * @example inverseRho('uniform').rhos // [0.2878...] (D = 1.08 pages/s: not a Table 2 value)
 */
export function inverseRho(c: CaseKey, p: ReproductionParams = TABLE2): InverseRho {
  const pt = optimumPoint(c, p);
  const target = PRINTED_UNET[c];
  const f = (r: number) => printedUnet({ ...pt, rho: r }) - target;
  const steps = 10_000;
  const rhos: number[] = [];
  let min = Number.POSITIVE_INFINITY;
  let prevR = 1 / steps;
  let prev = f(prevR);
  min = Math.min(min, prev + target);
  for (let i = 2; i < steps; i++) {
    const r = i / steps;
    const v = f(r);
    min = Math.min(min, v + target);
    if (prev === 0) rhos.push(prevR);
    else if (Math.sign(v) !== Math.sign(prev) && v !== 0) {
      let lo = prevR;
      let hi = r;
      for (let k = 0; k < 80; k++) {
        const mid = (lo + hi) / 2;
        if (Math.sign(f(mid)) === Math.sign(f(lo))) lo = mid;
        else hi = mid;
      }
      rhos.push((lo + hi) / 2);
    }
    prevR = r;
    prev = v;
  }
  const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
  return { case: c, target, rhos, dirtyRates: rhos.map((r) => r / tau), minimumOverRho: min };
}
