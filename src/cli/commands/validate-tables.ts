/** The text tables `precopy validate` prints (src/cli/commands/validate.ts). */
import type { CaseName } from '../../model/index.js';
import type { ValidationCell, ValidationGrid } from '../../simulate/validate.js';
import { columns, fmt } from '../common.js';

export const CASE_SHORT: Record<CaseName, string> = { uniform: 'uniform', hotPrecopy: 'Hot I', hotDowntime: 'Hot II' };

export function q(x: { median: number; p90: number; max: number } | undefined): string[] {
  const p = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${fmt(100 * v, 2)}%`);
  return x ? [p(x.median), p(x.p90), p(x.max)] : ['-', '-', '-'];
}

/** A text heat map of the downtime error over (alpha, rho) for one workload, case and beta. */
export function errorMatrix(cells: readonly ValidationCell[], grid: ValidationGrid): string {
  const rows: string[][] = [['alpha \\ rho', ...grid.rhos.map((r) => fmt(r))]];
  for (const a of grid.alphas) {
    rows.push([
      fmt(a),
      ...grid.rhos.map((r) => {
        const c = cells.find((x) => x.rho === r && x.alpha === a);
        const e = c?.paperError.downtime;
        if (e === undefined) return '-';
        const mark = Math.abs(e) <= 0.01 ? ' ' : Math.abs(e) <= 0.05 ? '~' : '!';
        return `${e >= 0 ? '+' : ''}${fmt(100 * e, 2)}%${mark}`;
      }),
    ]);
  }
  return columns(rows.map((r) => r.map((c, i) => (i === 0 ? `  ${c}` : c))));
}
