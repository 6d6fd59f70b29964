/**
 * Chart specifications of the paper's figures (Aldhalaan & Menascé 2013, Section 7), as Vega-Lite specs.
 *
 * THE chart-spec module of precopy: the `reproduce` command renders these specs to SVG/PNG in Node, and the
 * explorer page embeds the very same specs in the browser (vega-embed). It is pure and imports nothing at run
 * time (types from vega-lite only), so it loads unchanged in Node and in a browser bundle.
 *
 * Data are long-format rows {@link CurveRow} (`x`, `y`, `series`, optional `style`): one row per point of
 * one curve. Colour encodes `series` (e.g. Ps), the optional stroke dash encodes `style` (e.g. Hot I / Hot II).
 * The data set is named {@link CHART_DATA_NAME} so a live view can swap it with `view.data(name, rows)`.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Name of the inline data set in every spec (for `view.data(CHART_DATA_NAME, rows)` in the explorer). */
export const CHART_DATA_NAME = 'curves';

/** Font stack of every chart. The first family is what the Node renderer (resvg) is given. */
export const CHART_FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/** One point of one curve. */
export interface CurveRow {
  /** x value (alpha or beta, a fraction). */
  readonly x: number;
  /** y value (seconds, gain, pages, ratio). Must be finite. */
  readonly y: number;
  /** Curve label, encoded as colour: e.g. `Ps = 4096`, `α = 10 %`. */
  readonly series: string;
  /** Optional second grouping, encoded as stroke dash: e.g. `Hot I`, `Hot II`. */
  readonly style?: string;
}

/** A horizontal reference line with a label (e.g. HG = 1, Tdown = 500 s). */
export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
}

/** Everything that distinguishes one curve chart from another. */
export interface CurveChartOptions {
  /** Chart title (one string, or lines). */
  readonly title: string | readonly string[];
  /** Smaller line under the title (parameters, grid). */
  readonly subtitle?: string | readonly string[];
  /** x-axis title with unit, e.g. `α (fraction of pages left at stop)`. */
  readonly xTitle: string;
  /** y-axis title with unit, e.g. `Tdown (s)`. */
  readonly yTitle: string;
  /** Legend title of the colour channel, e.g. `Ps (pages)`. */
  readonly seriesTitle: string;
  /** Order of the series in the legend and colour scale (default: order of first appearance). */
  readonly seriesOrder?: readonly string[];
  /** Legend title of the stroke-dash channel; the dash channel is used only when rows carry `style`. */
  readonly styleTitle?: string;
  /** Order of the styles (default: order of first appearance). */
  readonly styleOrder?: readonly string[];
  /** Draw a point at every data row (true for the paper's coarse grid, false for a fine grid). */
  readonly points?: boolean;
  /** y scale type (default linear). */
  readonly yScale?: 'linear' | 'log';
  /** x-axis number format (d3-format, default `.2f`). */
  readonly xFormat?: string;
  /** y-axis number format (d3-format, default `,~r` for linear, `~g` for log). */
  readonly yFormat?: string;
  /** Fixed x domain (default: the data extent). */
  readonly xDomain?: readonly [number, number];
  /** Dashed horizontal reference lines. */
  readonly references?: readonly ReferenceLine[];
  /** Plot area size in px (default 520 x 320). */
  readonly width?: number;
  readonly height?: number;
}

/** Options a named figure spec accepts: its defaults can be overridden one by one. */
export type FigureOptions = Partial<CurveChartOptions>;

function uniqueInOrder(values: readonly (string | undefined)[]): string[] {
  const seen: string[] = [];
  for (const v of values) if (v !== undefined && !seen.includes(v)) seen.push(v);
  return seen;
}

/** Colours that stay distinct for colour-blind readers and in grey print (Okabe-Ito, reordered). */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const DASHES: number[][] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
];

/**
 * A line chart of curves y(x), one per series, as a Vega-Lite spec: the building block of every figure.
 * Pure; the rows are embedded (copied) into the spec as the data set {@link CHART_DATA_NAME}.
 * @example curveChartSpec([{x: 0.05, y: 47.1, series: 'Ps = 4096'}], {title: 'T', xTitle: 'α', yTitle: 's',
 *   seriesTitle: 'Ps'}).mark // undefined: the spec is layered; `.layer[0].mark.type` is 'line'
 */
export function curveChartSpec(rows: readonly CurveRow[], options: CurveChartOptions): TopLevelSpec {
  const series = options.seriesOrder ? [...options.seriesOrder] : uniqueInOrder(rows.map((r) => r.series));
  const styles = options.styleOrder ? [...options.styleOrder] : uniqueInOrder(rows.map((r) => r.style));
  const useStyle = styles.length > 0;
  const yScaleType = options.yScale ?? 'linear';
  const values = rows.map((r) => (r.style === undefined ? { x: r.x, y: r.y, series: r.series } : { ...r }));
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: options.seriesTitle,
    scale: { domain: series, range: PALETTE.slice(0, Math.max(1, series.length)) },
    legend: { orient: 'right' as const, symbolType: 'stroke', symbolStrokeWidth: 2.5 },
  };
  const strokeDash = useStyle
    ? {
        strokeDash: {
          field: 'style',
          type: 'nominal' as const,
          title: options.styleTitle ?? 'case',
          scale: { domain: styles, range: DASHES.slice(0, styles.length) },
          legend: {
            orient: 'right' as const,
            symbolType: 'stroke',
            symbolStrokeWidth: 2.5,
            symbolStrokeColor: '#333333',
            encode: { symbols: { update: { stroke: { value: '#333333' } } } },
            symbolSize: 400,
          },
        },
      }
    : {};
  const detail = useStyle ? { detail: { field: 'style', type: 'nominal' as const } } : {};
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: options.xTitle,
    scale: options.xDomain ? { domain: [...options.xDomain], nice: false, zero: false } : { zero: false },
    axis: { format: options.xFormat ?? '.2f', grid: true },
  };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: options.yTitle,
    scale: yScaleType === 'log' ? { type: 'log' as const } : { zero: true },
    axis: { format: options.yFormat ?? (yScaleType === 'log' ? '~g' : ',~r'), grid: true },
  };
  const lineLayer = {
    mark: { type: 'line' as const, strokeWidth: 2, point: options.points ? { size: 30, filled: true } : false },
    encoding: { x, y, color, ...strokeDash, ...detail },
  };
  const refs = options.references ?? [];
  const refLayers = refs.length
    ? [
        {
          data: { values: refs.map((r) => ({ ref: r.y, label: r.label })) },
          mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#555555' },
          encoding: { y: { field: 'ref', type: 'quantitative' as const } },
        },
        {
          data: { values: refs.map((r) => ({ ref: r.y, label: r.label })) },
          mark: {
            type: 'text' as const,
            align: 'left' as const,
            baseline: 'bottom' as const,
            dx: 3,
            dy: -2,
            fontSize: 11,
            color: '#333333',
          },
          encoding: {
            y: { field: 'ref', type: 'quantitative' as const },
            x: { value: 0 },
            text: { field: 'label', type: 'nominal' as const },
          },
        },
      ]
    : [];
  const title =
    options.subtitle === undefined
      ? { text: toText(options.title), anchor: 'start' as const }
      : { text: toText(options.title), subtitle: toText(options.subtitle), anchor: 'start' as const };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: options.width ?? 520,
    height: options.height ?? 320,
    background: 'white',
    padding: 8,
    data: { name: CHART_DATA_NAME, values },
    layer: [lineLayer, ...refLayers],
    config: {
      font: CHART_FONT,
      title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#444444' },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e4e4e4' },
      legend: { labelFontSize: 12, titleFontSize: 12 },
      view: { stroke: '#888888' },
    },
  };
  return spec as TopLevelSpec;
}

function toText(t: string | readonly string[]): string | string[] {
  return typeof t === 'string' ? t : [...t];
}

const ALPHA_TITLE = 'α (stop when ≤ α·Ps pages are dirty; fraction)';

/**
 * Figure 1: HG = Tdown(Hot I)/Tdown(Hot II) against beta, one curve per alpha, with the reference HG = 1.
 * Rows: x = beta (fraction), y = HG (ratio), series = `α = 10 %` etc.
 */
export function hotGainVsBetaSpec(rows: readonly CurveRow[], options: FigureOptions = {}): TopLevelSpec {
  return curveChartSpec(rows, {
    title: 'Figure 1: HG = Tdown(Hot I) / Tdown(Hot II) vs. β',
    xTitle: 'β: fraction of hot pages',
    yTitle: 'HG (ratio; < 1: Hot I shorter)',
    seriesTitle: 'α',
    references: [{ y: 1, label: 'HG = 1' }],
    ...options,
  });
}

/** Figures 2(a) and 3(b): downtime Tdown (s) against alpha, one curve per Ps (and per case in 3b). */
export function downtimeVsAlphaSpec(rows: readonly CurveRow[], options: FigureOptions = {}): TopLevelSpec {
  return curveChartSpec(rows, {
    title: 'Tdown vs. α',
    xTitle: ALPHA_TITLE,
    yTitle: 'Tdown: VM downtime (s)',
    seriesTitle: 'Ps (pages)',
    styleTitle: 'case',
    ...options,
  });
}

/** Figures 2(b) and 4(a): gain G = Ps·tau/Tdown against alpha. */
export function gainVsAlphaSpec(rows: readonly CurveRow[], options: FigureOptions = {}): TopLevelSpec {
  return curveChartSpec(rows, {
    title: 'Gain G vs. α',
    xTitle: ALPHA_TITLE,
    yTitle: 'G = Ps·τ / Tdown (ratio)',
    seriesTitle: 'Ps (pages)',
    styleTitle: 'case',
    ...options,
  });
}

/** Figures 3(a) and 4(b): total pages migrated PTotalMig against alpha. */
export function pagesVsAlphaSpec(rows: readonly CurveRow[], options: FigureOptions = {}): TopLevelSpec {
  return curveChartSpec(rows, {
    title: 'PTotalMig vs. α',
    xTitle: ALPHA_TITLE,
    yTitle: 'PTotalMig (pages)',
    seriesTitle: 'Ps (pages)',
    styleTitle: 'case',
    ...options,
  });
}

/** Network utilisation Unet against alpha (not a figure of the paper; used by the Table 3 errata). */
export function utilizationVsAlphaSpec(rows: readonly CurveRow[], options: FigureOptions = {}): TopLevelSpec {
  return curveChartSpec(rows, {
    title: 'Unet vs. α',
    xTitle: ALPHA_TITLE,
    yTitle: 'Unet (fraction)',
    seriesTitle: 'case',
    yFormat: '.2f',
    ...options,
  });
}
