/**
 * Table 3 of the paper ("Optimization Results", Umax = 40 %) beside what the model computes. Pure; no Node
 * imports.
 *
 * The printed alphas are read two ways: literally (n from Eq. 11 at the printed 3-decimal value) and as the
 * upper end of a band of constant n (alpha -> rho^k from below, k = 3, 3, 1), which is what the printed
 * downtimes need. Unet is computed at the band top with the printed formulas (Eqs. 16, 23, 31) and with the
 * `consistent` accounting; feasibility under Umax comes from the least Unet any alpha in [0.001, 0.999] gives.
 */
import type { CaseKey } from './bands.js';
import { ALPHA_RANGE, caseRho, justBelow, minimumUtilization } from './bands.js';
import { CASE_LABELS, caseSummary } from './figures.js';
import { type ReproductionParams, TABLE2 } from './params.js';

/** One row of Table 3 as printed in the paper. */
export interface PrintedTable3Row {
  readonly case: CaseKey;
  readonly pages: number;
  readonly alpha: number;
  readonly downtimeSeconds: number;
  readonly networkUtilization: number;
}

const printed = (
  c: CaseKey,
  alpha: number,
  unet: number,
  downtimes: readonly [number, number, number, number],
): PrintedTable3Row[] =>
  [4096, 8192, 16384, 32768].map((pages, i) => ({
    case: c,
    pages,
    alpha,
    downtimeSeconds: downtimes[i]!,
    networkUtilization: unet,
  }));

/** Table 3 exactly as printed (Aldhalaan & Menascé 2013, p. 41). */
export const TABLE3_PRINTED: readonly PrintedTable3Row[] = [
  ...printed('uniform', 0.152, 0.394, [88, 177, 353, 707]),
  ...printed('hotPrecopy', 0.156, 0.399, [92, 184, 368, 736]),
  ...printed('hotDowntime', 0.48, 0.4, [336, 671, 1340, 2690]),
];

/** The band edge each printed alpha sits at: rho^k with k = 3 (uniform, Hot I) or 1 (Hot II). */
export const TABLE3_EDGE_POWER: Record<CaseKey, number> = { uniform: 3, hotPrecopy: 3, hotDowntime: 1 };

/** One row of the reproduced Table 3. */
export interface Table3Row {
  readonly case: CaseKey;
  readonly caseLabel: string;
  readonly pages: number;
  readonly printed: PrintedTable3Row;
  /** rho of the case (D*tau, D_eff*tau, Dnh*tau). */
  readonly rho: number;
  /** k and rho^k: the band edge next to the printed alpha. */
  readonly edgePower: number;
  readonly edgeAlpha: number;
  /** Printed alpha relative to the edge: (alpha - rho^k)/rho^k. */
  readonly alphaOffsetFromEdge: number;
  /** Printed alpha taken literally. */
  readonly literal: {
    readonly iterations: number;
    readonly downtimeSeconds: number;
    readonly networkUtilization: number;
  };
  /** alpha just below the edge (the band n = k). */
  readonly bandTop: {
    readonly alpha: number;
    readonly iterations: number;
    readonly downtimeSeconds: number;
    /** Eqs. 16, 23, 31 as printed. */
    readonly networkUtilization: number;
    /** Downtime pages counted as the pages actually left (Ps*rho^(n+1) [+ beta*Ps]). */
    readonly networkUtilizationConsistent: number;
  };
  /** The printed Tdown agrees with the band-top Tdown to the printed precision. */
  readonly downtimeMatches: boolean;
  /** The printed Tdown agrees with the literal-alpha Tdown to the printed precision. */
  readonly literalDowntimeMatches: boolean;
  /** The printed Unet agrees with Eqs. 16/23/31 at the band top to 3 decimals. */
  readonly utilizationMatches: boolean;
  /** Least Unet (Eqs. 16/23/31) any alpha in [0.001, 0.999] gives, and whether it meets Umax. */
  readonly minimumUtilization: number;
  readonly minimumUtilizationAlpha: number;
  readonly feasible: boolean;
}

/**
 * True when `computed` shown at the printed number's precision equals `printedValue`: integers are compared
 * after rounding to the nearest unit, or to 3 significant digits for values printed with trailing zeros
 * (1340, 2690).
 * @example agreesToPrintedPrecision(353.4985, 353) // true
 * @example agreesToPrintedPrecision(1342.88, 1340) // true (3 significant digits)
 */
export function agreesToPrintedPrecision(computed: number, printedValue: number): boolean {
  if (Number.isInteger(printedValue)) {
    if (Math.round(computed) === printedValue) return true;
    return printedValue % 10 === 0 && Number(computed.toPrecision(3)) === printedValue;
  }
  const decimals = Math.max(0, (String(printedValue).split('.')[1] ?? '').length, 3);
  return Number(computed.toFixed(decimals)) === printedValue;
}

/** Table 3 reproduced under the parameters (Table 2 by default). */
export function table3(p: ReproductionParams = TABLE2): Table3Row[] {
  const minima = new Map<CaseKey, ReturnType<typeof minimumUtilization>>();
  for (const c of ['uniform', 'hotPrecopy', 'hotDowntime'] as const)
    minima.set(c, minimumUtilization(c, p, ALPHA_RANGE));
  return TABLE3_PRINTED.map((row) => {
    const rho = caseRho(row.case, p);
    const k = TABLE3_EDGE_POWER[row.case];
    const edge = rho ** k;
    const lit = caseSummary(row.case, p, row.pages, row.alpha, 'paper');
    const topAlpha = justBelow(edge);
    const top = caseSummary(row.case, p, row.pages, topAlpha, 'paper');
    const topC = caseSummary(row.case, p, row.pages, topAlpha, 'consistent');
    if (!lit || !top || !topC) throw new Error(`table3: case ${row.case} does not converge`);
    const min = minima.get(row.case)!;
    return {
      case: row.case,
      caseLabel: CASE_LABELS[row.case],
      pages: row.pages,
      printed: row,
      rho,
      edgePower: k,
      edgeAlpha: edge,
      alphaOffsetFromEdge: (row.alpha - edge) / edge,
      literal: {
        iterations: lit.iterations,
        downtimeSeconds: lit.downtimeSeconds,
        networkUtilization: lit.networkUtilization,
      },
      bandTop: {
        alpha: topAlpha,
        iterations: top.iterations,
        downtimeSeconds: top.downtimeSeconds,
        networkUtilization: top.networkUtilization,
        networkUtilizationConsistent: topC.networkUtilization,
      },
      downtimeMatches: agreesToPrintedPrecision(top.downtimeSeconds, row.downtimeSeconds),
      literalDowntimeMatches: agreesToPrintedPrecision(lit.downtimeSeconds, row.downtimeSeconds),
      utilizationMatches: agreesToPrintedPrecision(top.networkUtilization, row.networkUtilization),
      minimumUtilization: min.networkUtilization,
      minimumUtilizationAlpha: min.alpha,
      feasible: min.networkUtilization <= p.maxNetworkUtilization,
    };
  });
}

/** Column names of the Table 3 CSV and Markdown, in order. */
export const TABLE3_COLUMNS = [
  'case',
  'Ps',
  'paper_alpha',
  'paper_Tdown_s',
  'paper_Unet',
  'edge_k',
  'edge_rho_pow_k',
  'alpha_offset_from_edge',
  'literal_n',
  'literal_Tdown_s',
  'bandtop_n',
  'bandtop_Tdown_s',
  'bandtop_Unet_eq',
  'bandtop_Unet_consistent',
  'Tdown_matches',
  'Unet_matches',
  'min_Unet_eq',
  'feasible_at_Umax',
] as const;

/** The rows as flat records in {@link TABLE3_COLUMNS} order (for CSV). */
export function table3Records(rows: readonly Table3Row[]): (string | number | boolean)[][] {
  return rows.map((r) => [
    r.caseLabel,
    r.pages,
    r.printed.alpha,
    r.printed.downtimeSeconds,
    r.printed.networkUtilization,
    r.edgePower,
    r.edgeAlpha,
    r.alphaOffsetFromEdge,
    r.literal.iterations,
    r.literal.downtimeSeconds,
    r.bandTop.iterations,
    r.bandTop.downtimeSeconds,
    r.bandTop.networkUtilization,
    r.bandTop.networkUtilizationConsistent,
    r.downtimeMatches,
    r.utilizationMatches,
    r.minimumUtilization,
    r.feasible,
  ]);
}
