/**
 * Vega-Lite spec of `precopy validate`: one heat map per workload, case and beta, cells at (rho, alpha), colour
 * the relative downtime error of the simulation against the paper's closed form (diverging, clamped at ±50 %).
 */
import type { ValidationCell } from '../simulate/validate.js';

/**
 * The chart spec for a set of validation cells (data inlined, so the file stands alone).
 * @example validationChartSpec(cells).mark // { type: 'rect' }
 */
export function validationChartSpec(cells: readonly ValidationCell[]): Record<string, unknown> {
  const values = cells.map((c) => ({
    panel: `${c.workload} · ${c.case}${c.beta !== undefined ? ` · beta ${c.beta}` : ''}`,
    rho: c.rho,
    alpha: c.alpha,
    downtimeError: c.paperError.downtime ?? null,
    totalError: c.paperError.total ?? null,
    distinctDowntimeError: c.distinctError.downtime ?? null,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'precopy validate: relative downtime error, simulation vs the paper closed form',
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: 140,
      height: 110,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'rho', type: 'ordinal', title: 'rho' },
        y: { field: 'alpha', type: 'ordinal', title: 'alpha', sort: 'descending' },
        color: {
          field: 'downtimeError',
          type: 'quantitative',
          title: 'downtime error',
          scale: { scheme: 'redblue', domain: [-0.5, 0.5], clamp: true, reverse: true },
          legend: { format: '.0%' },
        },
        tooltip: [
          { field: 'panel', type: 'nominal' },
          { field: 'rho', type: 'quantitative' },
          { field: 'alpha', type: 'quantitative' },
          { field: 'downtimeError', type: 'quantitative', format: '.2%' },
          { field: 'totalError', type: 'quantitative', format: '.2%' },
          { field: 'distinctDowntimeError', type: 'quantitative', format: '.2%' },
        ],
      },
    },
  };
}
