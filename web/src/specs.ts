/**
 * Vega-Lite specs of the explorer's charts. Each chart reads named data sources that the page replaces on every
 * input change (`rows`: the curve; `marks`: the chosen and optimum alpha; `limit`: the utilisation limit), so a
 * chart is embedded once and then only its data changes.
 */
import type { TopLevelSpec } from 'vega-lite';

export type ChartId = 'downtime' | 'gain' | 'pages' | 'utilization' | 'roundPages' | 'roundSeconds' | 'hotGain';

export interface ChartDef {
  readonly id: ChartId;
  readonly title: string;
  /** Text alternative for screen readers. */
  readonly description: string;
  readonly spec: TopLevelSpec;
}

const CASES = ['Uniform', 'Hot I', 'Hot II'];
const caseColor = {
  field: 'case',
  type: 'nominal',
  title: 'Case',
  scale: { domain: CASES, range: ['#1f77b4', '#d62728', '#2ca02c'] },
} as const;

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 'container',
  height: 220,
  autosize: { type: 'fit-x', contains: 'padding' },
  config: { legend: { orient: 'bottom' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
} as const;

/** A quantity against alpha for each case, with the chosen alpha (rule) and the optimum under Umax (diamonds). */
function alphaChart(
  id: ChartId,
  title: string,
  field: string,
  yTitle: string,
  description: string,
  extra: readonly object[] = [],
): ChartDef {
  const spec = {
    ...base,
    title,
    layer: [
      {
        data: { name: 'rows' },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'alpha', type: 'quantitative', title: 'α (stop fraction)', scale: { domain: [0, 1] } },
          y: { field, type: 'quantitative', title: yTitle },
          color: caseColor,
        },
      },
      {
        data: { name: 'marks' },
        transform: [{ filter: "datum.kind === 'chosen'" }],
        mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
        encoding: { x: { field: 'alpha', type: 'quantitative' } },
      },
      {
        data: { name: 'marks' },
        transform: [{ filter: `datum.kind === 'optimum' && isValid(datum['${field}'])` }],
        mark: { type: 'point', shape: 'diamond', size: 110, filled: true, stroke: 'black', strokeWidth: 1 },
        encoding: {
          x: { field: 'alpha', type: 'quantitative' },
          y: { field, type: 'quantitative' },
          color: caseColor,
          tooltip: [
            { field: 'case', title: 'optimum of' },
            { field: 'alpha', title: 'α', format: '.4g' },
            { field, title: yTitle, format: '.4g' },
          ],
        },
      },
      ...extra,
    ],
  };
  return { id, title, description, spec: spec as unknown as TopLevelSpec };
}

function roundChart(id: ChartId, title: string, field: string, yTitle: string, description: string): ChartDef {
  const spec = {
    ...base,
    title,
    data: { name: 'rounds' },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'round', type: 'ordinal', title: 'round i' },
      xOffset: { field: 'case', scale: { domain: CASES } },
      y: { field, type: 'quantitative', title: yTitle, stack: null },
      color: caseColor,
      tooltip: [{ field: 'case' }, { field: 'round', title: 'round' }, { field, title: yTitle, format: '.4g' }],
    },
  };
  return { id, title, description, spec: spec as unknown as TopLevelSpec };
}

export const CHARTS: readonly ChartDef[] = [
  alphaChart(
    'downtime',
    'Downtime vs α',
    'downtimeSeconds',
    'Tdown (s)',
    'Downtime in seconds against the stop fraction alpha for each case; a staircase that steps where the number of rounds changes.',
  ),
  alphaChart(
    'gain',
    'Gain vs α',
    'gain',
    'G',
    'Gain G (stop-and-copy downtime over live-migration downtime) against alpha for each case.',
  ),
  alphaChart(
    'pages',
    'Pages migrated vs α',
    'pagesTransferred',
    'PTotalMig (pages)',
    'Total pages migrated against alpha for each case.',
  ),
  alphaChart(
    'utilization',
    'Network utilisation vs α',
    'networkUtilization',
    'Unet',
    'Average network utilisation against alpha for each case, with the utilisation limit as a horizontal line.',
    [
      {
        data: { name: 'limit' },
        mark: { type: 'rule', color: '#b00', strokeWidth: 1.5 },
        encoding: { y: { field: 'maxUtilization', type: 'quantitative' } },
      },
    ],
  ),
  roundChart('roundPages', 'Pages per round', 'pages', 'P(i) (pages)', 'Pages sent in each pre-copy round.'),
  roundChart('roundSeconds', 'Seconds per round', 'seconds', 'T(i) (s)', 'Seconds taken by each pre-copy round.'),
  {
    id: 'hotGain',
    title: 'Hot-page gain HG vs β',
    description:
      'HG = downtime of Hot I over downtime of Hot II against the hot fraction beta, for the chosen alpha and the paper’s 0.1, 0.4 and 0.7.',
    spec: {
      ...base,
      title: 'Hot-page gain HG vs β',
      data: { name: 'hotGain' },
      mark: { type: 'line' },
      encoding: {
        x: { field: 'beta', type: 'quantitative', title: 'β (hot fraction)' },
        y: { field: 'hotGain', type: 'quantitative', title: 'HG = Tdown(Hot I)/Tdown(Hot II)' },
        color: { field: 'series', type: 'nominal', title: 'α' },
      },
    } as unknown as TopLevelSpec,
  },
];
