/**
 * The optimum the page marks: the alpha with the least downtime whose network utilisation stays within Umax
 * (the paper's Section 6 problem), from the library's exact optimiser.
 */
import type { ModelInput } from '../../src/model/predict.js';
import type { CaseName } from '../../src/model/types.js';
import { type OptimizeResult, optimize } from '../../src/optimize/index.js';

export type OptimizeOutcome =
  | { readonly feasible: true; readonly alpha: number; readonly downtimeSeconds: number; readonly iterations: number }
  | {
      readonly feasible: false;
      readonly reason: string;
      /** The least network utilisation any alpha reaches (when the case converges), and where. */
      readonly leastUtilization?: number;
      readonly atAlpha?: number;
    };

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(4))}%`;
}

/**
 * The alpha with the least downtime whose network utilisation stays within `maxUtilization` (the paper's
 * Section 6 problem), from the library's exact optimiser; or why there is none, in words.
 * @example optimumUnderUtilization('uniform', paperInput, 0.4).feasible // false: Unet >= rho = 8/15 (Eq. 16)
 */
export function optimumUnderUtilization(name: CaseName, input: ModelInput, maxUtilization: number): OptimizeOutcome {
  const { alpha: _alpha, ...rest } = input;
  const r = optimize({
    ...rest,
    case: name,
    constraints: { maxNetworkUtilization: maxUtilization },
    objective: 'downtime',
  });
  return outcomeOf(r, maxUtilization);
}

/** The page's reading of one case's optimiser result (`optimizeAll` in src/ops/optimize.ts, or optimize). */
export function outcomeOf(r: OptimizeResult, maxUtilization: number): OptimizeOutcome {
  if (r.feasible) {
    return {
      feasible: true,
      alpha: r.alpha.recommended,
      downtimeSeconds: r.downtimeSeconds,
      iterations: r.iterations,
    };
  }
  if (!r.converged) return { feasible: false, reason: r.reason };
  return {
    feasible: false,
    leastUtilization: r.minNetworkUtilization,
    atAlpha: r.atAlpha,
    reason: `no α keeps network utilisation within ${pct(maxUtilization)}: the least is ${pct(r.minNetworkUtilization)} at α = ${Number(r.atAlpha.toPrecision(4))}`,
  };
}
