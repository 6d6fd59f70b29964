import { describe, expect, it } from 'vitest';
import { validationChartSpec } from '../../src/report/validation-chart.js';
import { runReplica } from '../../src/simulate/montecarlo.js';
import {
  DEFAULT_GRID,
  assembleValidation,
  planValidation,
  summarizeValidation,
  validationTasks,
} from '../../src/simulate/validate.js';

const grid = { ...DEFAULT_GRID, pages: 2048, rhos: [0.2, 0.6], alphas: [0.05], betas: [0.1], replicas: 2 };

describe('validation grid', () => {
  it('planValidation: cells per workload = rho x alpha (uniform) + 2 cases x beta x rho x alpha (hot)', () => {
    const plan = planValidation(grid);
    const count = (w: string) => plan.filter((c) => c.workload === w).length;
    expect(count('fluid')).toBe(2 + 2 * 2); // uniform 2, Hot I 2, Hot II 2
    expect(count('random')).toBe(2);
    expect(count('hot-cold')).toBe(4);
    expect(count('working-set')).toBe(2);
    // Hot I cells are set so that rho_eff = D_eff*tau equals the grid's rho (Eq. 17)
    const hot1 = plan.find((c) => c.workload === 'fluid' && c.case === 'hotPrecopy' && c.rho === 0.6)!;
    const w = hot1.params.workload as {
      hotFraction: number;
      hotDirtyPagesPerSecond: number;
      coldDirtyPagesPerSecond: number;
    };
    const tau = grid.pageSizeBytes / grid.bandwidthBytesPerSecond;
    const deff = w.coldDirtyPagesPerSecond * (1 - w.hotFraction) + w.hotDirtyPagesPerSecond * w.hotFraction;
    expect(Math.abs(deff * tau - 0.6)).toBeLessThan(1e-12);
  });

  it('assemble + summarize: fluid cells are exact, quantiles are ordered, the chart has one value per cell', () => {
    const plan = planValidation(grid);
    const tasks = validationTasks(plan, 3);
    const cells = assembleValidation(
      plan,
      tasks.map((t) => runReplica(t.params, t.seed, t.index)),
    );
    expect(cells).toHaveLength(plan.length);
    for (const s of summarizeValidation(cells)) {
      expect(s.downtime.median).toBeLessThanOrEqual(s.downtime.p90);
      expect(s.downtime.p90).toBeLessThanOrEqual(s.downtime.max);
      if (s.workload === 'fluid') {
        expect(s.within1pct).toBe(s.cells);
        expect(s.downtime.max).toBeLessThan(1e-9);
      }
    }
    const spec = validationChartSpec(cells) as { data: { values: unknown[] }; spec: { mark: { type: string } } };
    expect(spec.data.values).toHaveLength(cells.length);
    expect(spec.spec.mark.type).toBe('rect');
  });

  it('bad grid values name the parameter', () => {
    expect(() => planValidation({ ...grid, rhos: [1.5] })).toThrow(/rho = 1.5 is out of range/);
    expect(() => planValidation({ ...grid, alphas: [] })).toThrow(/alpha/);
  });
});
