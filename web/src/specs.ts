/**
 * The explorer's charts: the report's own Vega-Lite specs (src/report/charts.ts, the ones `precopy reproduce`
 * renders), made live. Each chart reads named data sources that the page replaces on every input change
 * (`curves`: the report's rows; `marks`: the chosen alpha and each case's optimum; `limit`: Umax; `rounds`), so
 * a chart is embedded once and then only its data changes.
 */
import type { TopLevelSpec } from 'vega-lite';
import {
  CHART_DATA_NAME,
  CHART_FONT,
  downtimeVsAlphaSpec,
  gainVsAlphaSpec,
  hotGainVsBetaSpec,
  pagesVsAlphaSpec,
  utilizationVsAlphaSpec,
} from '../../src/report/charts.js';
import { type AlphaChart, type ExplorerData, HOT_GAIN_SERIES } from './compute.js';

export type ChartId = AlphaChart | 'roundPages' | 'roundSeconds' | 'hotGain';

export interface ChartDef {
  readonly id: ChartId;
  readonly title: string;
  /** Text alternative for screen readers. */
  readonly description: string;
  readonly spec: TopLevelSpec;
  /** Names of the data sources the spec reads. */
  readonly sources: readonly string[];
  /** The rows of each source for a computed view (the same arrays while they do not change). */
  readonly data: (d: ExplorerData) => Readonly<Record<string, readonly object[]>>;
}

/** The case names as series, in the paper's order (fixes the colours). */
const CASES = ['Uniform', 'Hot I', 'Hot II'];
const HEIGHT = 220;

type Json = Record<string, unknown>;

/** Legends below the plot: the plot keeps its width on a phone. */
function legendsBelow(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) legendsBelow(n);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Json;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'legend' && typeof v === 'object' && v !== null) (v as Json).orient = 'bottom';
    else legendsBelow(v);
  }
}

/**
 * An invisible rule from the plot's top edge to 10 px above it: the room above the plot is then always the same
 * (a tick label or a diamond on the top edge reaches less far), so a chart's height does not follow the data
 * and an edit never makes vega lay the chart out a second time and re-allocate its canvas.
 */
const SPACER = {
  data: { values: [{}] },
  mark: { type: 'rule', opacity: 0 },
  encoding: { x: { value: 0 }, y: { value: -10 }, y2: { value: 0 } },
};

/**
 * A report spec made live: its data set becomes a named source filled by the page, it fills the width of its
 * container, and extra layers (marks) are drawn over it.
 */
function live(spec: TopLevelSpec, extraLayers: readonly object[] = [], tooltip: readonly object[] = []): TopLevelSpec {
  const s = structuredClone(spec) as unknown as Json & { layer?: Json[] };
  s.data = { name: CHART_DATA_NAME };
  s.width = 'container';
  s.height = HEIGHT;
  s.autosize = { type: 'fit-x', contains: 'padding', resize: true };
  s.padding = 4;
  // No per-mark ARIA descriptions: the canvas renderer never shows them (the figure carries the text
  // alternative), and vega-lite would otherwise format two numbers into a string for every point of every curve
  // on every input change.
  s.config = { ...(s.config as Json | undefined), aria: false };
  legendsBelow(s.layer);
  // Axis labels never overlap; long titles are clipped with an ellipsis, never mid-word.
  for (const l of s.layer ?? []) {
    const enc = l.encoding as Record<string, Json> | undefined;
    for (const ch of ['x', 'y']) {
      const axis = enc?.[ch]?.axis as Json | undefined;
      if (axis) Object.assign(axis, { labelOverlap: 'greedy', titleLimit: 0, ...(ch === 'x' ? { tickCount: 5 } : {}) });
    }
  }
  // Hover values: an invisible point per row of the curves carries the tooltip.
  const hover = tooltip.length
    ? [
        {
          // Clipped to the plot: an invisible point on the plot's edge would otherwise widen the chart's bounds,
          // change its height with the data and make vega lay it out twice and re-allocate the canvas.
          mark: { type: 'point', opacity: 0, size: 90, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            tooltip,
          },
        },
      ]
    : [];
  s.layer = [...(s.layer ?? []), ...hover, ...(extraLayers as Json[]), SPACER];
  return s as unknown as TopLevelSpec;
}

/** Tooltip of an alpha chart: case, alpha and the quantity. */
function alphaTooltip(yTitle: string, yFormat: string): object[] {
  return [
    { field: 'series', type: 'nominal', title: 'case' },
    { field: 'x', type: 'quantitative', title: 'α', format: '.4~g' },
    { field: 'y', type: 'quantitative', title: yTitle, format: yFormat },
  ];
}

/** The chosen alpha (dashed rule) and each case's optimum under Umax (diamonds) over an alpha chart. */
const MARK_LAYERS = [
  {
    data: { name: 'marks' },
    transform: [{ filter: "datum.kind === 'chosen'" }],
    mark: { type: 'rule', strokeDash: [4, 3], color: '#555555' },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      tooltip: [{ field: 'x', type: 'quantitative', title: 'chosen α', format: '.4~g' }],
    },
  },
  {
    data: { name: 'marks' },
    transform: [{ filter: "datum.kind === 'optimum'" }],
    mark: { type: 'point', shape: 'diamond', size: 120, filled: true, stroke: '#000000', strokeWidth: 1 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      color: { field: 'series', type: 'nominal' },
      tooltip: [
        { field: 'series', type: 'nominal', title: 'best α under Umax for' },
        { field: 'x', type: 'quantitative', title: 'α', format: '.4~g' },
        { field: 'y', type: 'quantitative', title: 'value', format: '.4~g' },
      ],
    },
  },
];

const ALPHA_OPTIONS = {
  seriesTitle: 'case',
  seriesOrder: CASES,
  xDomain: [0, 1] as const,
  xFormat: '.1f',
  xTitle: 'α (stop fraction)',
};

function alphaChart(
  id: AlphaChart,
  title: string,
  description: string,
  spec: TopLevelSpec,
  extra: readonly object[] = [],
  tooltip: readonly object[] = [],
): ChartDef {
  return {
    id,
    title,
    description,
    spec: live(spec, [...MARK_LAYERS, ...extra], tooltip),
    sources: extra.length ? [CHART_DATA_NAME, 'marks', 'limit'] : [CHART_DATA_NAME, 'marks'],
    data: (d) => ({
      [CHART_DATA_NAME]: d.curves[id],
      marks: d.markPoints[id],
      limit: d.limitRows,
    }),
  };
}

/** Per-round bars (not a figure of the paper): pages P(i) or seconds T(i) of each round, grouped by case. */
function roundChart(id: ChartId, title: string, field: 'pages' | 'seconds', yTitle: string, description: string) {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    width: 'container',
    height: HEIGHT,
    autosize: { type: 'fit-x', contains: 'padding', resize: true },
    padding: 4,
    background: 'white',
    config: {
      aria: false, // as in live(): no per-bar ARIA description strings on the canvas
      font: CHART_FONT,
      title: { fontSize: 15 },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e4e4e4' },
      legend: { labelFontSize: 12, titleFontSize: 12 },
    },
    data: { name: 'rounds' },
    layer: [{ mark: { type: 'bar' }, encoding: roundEncoding(field, yTitle) }, SPACER],
  };
  const def: ChartDef = {
    id,
    title,
    description,
    spec: spec as unknown as TopLevelSpec,
    sources: ['rounds'],
    data: (d) => ({ rounds: d.roundRows }),
  };
  return def;
}

/** The bars of a per-round chart: grouped by case, one bar per round. */
function roundEncoding(field: 'pages' | 'seconds', yTitle: string) {
  return {
    x: {
      field: 'round',
      type: 'ordinal',
      title: 'round i',
      scale: { paddingInner: 0.15 },
      axis: { labelOverlap: 'parity', labelAngle: 0 },
    },
    xOffset: { field: 'case', scale: { domain: CASES } },
    y: {
      field,
      type: 'quantitative',
      title: yTitle,
      stack: null,
      axis: { format: '.3~s', labelOverlap: true, titleLimit: 0 },
    },
    tooltip: [
      { field: 'case', type: 'nominal' },
      { field: 'round', type: 'ordinal', title: 'round' },
      { field, type: 'quantitative', title: yTitle, format: '.4~g' },
    ],
    color: {
      field: 'case',
      type: 'nominal',
      title: 'case',
      scale: { domain: CASES, range: ['#0072B2', '#D55E00', '#009E73'] },
      legend: { orient: 'bottom' },
    },
  };
}

/** Unet is a fraction of the link's capacity: the axis runs from 0 to 100% whatever the data. */
function fractionAxis(def: ChartDef): ChartDef {
  const s = def.spec as unknown as { layer: { mark?: unknown; encoding?: { y?: Json } }[] };
  const y = s.layer[0]?.encoding?.y;
  if (y) y.scale = { domain: [0, 1], nice: false, zero: true };
  return def;
}

/** The page's charts, in page order. */
export const CHARTS: readonly ChartDef[] = [
  alphaChart(
    'downtime',
    'Downtime vs α',
    'Downtime in seconds against the stop fraction alpha for each case: a staircase that steps where the number of rounds changes. The dashed line is the chosen alpha; diamonds mark each case’s best alpha under the utilisation limit.',
    downtimeVsAlphaSpec([], {
      ...ALPHA_OPTIONS,
      title: 'Downtime vs α',
      yTitle: 'Tdown (s, log)',
      yScale: 'log',
      yFormat: '.2~s',
    }),
    [],
    alphaTooltip('Tdown (s)', '.4~g'),
  ),
  alphaChart(
    'gain',
    'Gain vs α',
    'Gain G (stop-and-copy downtime over live-migration downtime) against alpha for each case.',
    gainVsAlphaSpec([], {
      ...ALPHA_OPTIONS,
      title: 'Gain vs α',
      yTitle: 'G (ratio, log)',
      yScale: 'log',
      yFormat: '.2~s',
    }),
    [],
    alphaTooltip('G', '.4~g'),
  ),
  alphaChart(
    'pages',
    'Pages migrated vs α',
    'Total pages migrated against alpha for each case.',
    pagesVsAlphaSpec([], {
      ...ALPHA_OPTIONS,
      title: 'Pages migrated vs α',
      yTitle: 'PTotalMig (pages)',
      yFormat: '.3~s',
    }),
    [],
    alphaTooltip('pages', ',.0f'),
  ),
  fractionAxis(
    alphaChart(
      'utilization',
      'Network utilisation vs α',
      'Average network utilisation against alpha for each case; the red line is the utilisation limit Umax.',
      utilizationVsAlphaSpec([], {
        ...ALPHA_OPTIONS,
        title: 'Unet (paper Eq. 15) vs α',
        yTitle: 'Unet',
        yFormat: '.0%',
      }),
      [
        {
          data: { name: 'limit' },
          mark: { type: 'rule', color: '#b00020', strokeWidth: 1.5 },
          encoding: {
            y: { field: 'maxUtilization', type: 'quantitative' },
            tooltip: [{ field: 'maxUtilization', type: 'quantitative', title: 'Umax', format: '.0%' }],
          },
        },
      ],
      alphaTooltip('Unet', '.2%'),
    ),
  ),
  roundChart('roundPages', 'Pages per round', 'pages', 'P(i) (pages)', 'Pages sent in each pre-copy round.'),
  roundChart('roundSeconds', 'Seconds per round', 'seconds', 'T(i) (s)', 'Seconds taken by each pre-copy round.'),
  {
    id: 'hotGain',
    title: 'Hot-page gain HG vs β',
    description:
      'HG = downtime of Hot I over downtime of Hot II against the hot fraction beta, for the chosen alpha and the paper’s 0.1, 0.4 and 0.7 (Figure 1); below 1 Hot I has the shorter downtime.',
    spec: live(
      hotGainVsBetaSpec([], {
        title: 'Hot-page gain HG vs β',
        yTitle: 'HG',
        xTitle: 'β (hot fraction)',
        seriesOrder: HOT_GAIN_SERIES,
      }),
    ),
    sources: [CHART_DATA_NAME],
    data: (d) => ({ [CHART_DATA_NAME]: d.hotGainCurves }),
  },
];
