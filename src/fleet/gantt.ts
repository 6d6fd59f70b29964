/**
 * The Gantt chart of a fleet schedule as a Vega-Lite spec: one row per VM, a bar for pre-copy and one for the
 * stop-and-copy (downtime, usually too short to see: its end is marked with a tick), coloured by phase. Pure
 * (types from vega-lite only), so the CLI renders it with src/report/render.ts and the explorer can embed it.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface GanttRow {
  readonly vm: string;
  readonly phase: 'pre-copy' | 'stop-and-copy' | 'not converged';
  readonly start: number;
  readonly end: number;
  readonly route: string;
}

/** Font stack of the charts (same as src/report/charts.ts). */
const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/**
 * Gantt spec of a schedule's rows.
 * @example ganttSpec([{vm: 'a', phase: 'pre-copy', start: 0, end: 10, route: 'h1 -> h2'}], 'plan').layer.length // 2
 */
export function ganttSpec(rows: readonly GanttRow[], title: string, subtitle?: string): TopLevelSpec {
  const vms: string[] = [];
  for (const r of rows) if (!vms.includes(r.vm)) vms.push(r.vm);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, ...(subtitle ? { subtitle } : {}), font: FONT, subtitleFont: FONT },
    width: 640,
    height: Math.max(60, 18 * vms.length),
    data: { name: 'gantt', values: rows.map((r) => ({ ...r })) },
    encoding: {
      y: { field: 'vm', type: 'nominal', sort: vms, title: 'VM', axis: { labelFont: FONT, titleFont: FONT } },
    },
    layer: [
      {
        mark: { type: 'bar', height: 12 },
        encoding: {
          x: {
            field: 'start',
            type: 'quantitative',
            title: 'time since the drain started (s)',
            axis: { labelFont: FONT, titleFont: FONT },
          },
          x2: { field: 'end' },
          color: {
            field: 'phase',
            type: 'nominal',
            scale: { domain: ['pre-copy', 'stop-and-copy', 'not converged'], range: ['#0072B2', '#D55E00', '#999999'] },
            legend: { title: 'phase', labelFont: FONT, titleFont: FONT, orient: 'bottom' },
          },
          tooltip: [
            { field: 'vm', type: 'nominal' },
            { field: 'route', type: 'nominal' },
            { field: 'phase', type: 'nominal' },
            { field: 'start', type: 'quantitative', format: '.3f' },
            { field: 'end', type: 'quantitative', format: '.3f' },
          ],
        },
      },
      {
        transform: [{ filter: "datum.phase === 'stop-and-copy'" }],
        mark: { type: 'tick', color: '#D55E00', thickness: 2, size: 14 },
        encoding: { x: { field: 'end', type: 'quantitative' } },
      },
    ],
    config: { font: FONT },
  } as TopLevelSpec;
}
