/**
 * Downloads: the data as CSV (RFC 4180, full-precision numbers, never NaN) and each chart as SVG or PNG.
 */
import type { View } from 'vega';
import { type CaseName, SUMMARY_QUANTITIES } from '../../src/model/types.js';
import { CASE_LABEL, type ExplorerData } from './compute.js';
import { toCsv } from '../../src/format/csv.js';
import type { ViewState } from './fields.js';

/** The inputs as CSV columns: each field as typed and the base-unit values the model used. */
function inputColumns(data: ExplorerData, state: ViewState): Record<string, string | number | null> {
  const i = data.input;
  return {
    in_pages: state.pages,
    in_pageSize: state.pageSize,
    in_bandwidth: state.bandwidth,
    in_dirtyRate: state.dirtyRate,
    in_alpha: state.alpha,
    in_hotFraction: state.hotFraction,
    in_hotRates: state.hotRates,
    in_maxUtilization: state.maxUtilization,
    in_accounting: state.accounting,
    pages: i.pages,
    pageSizeBytes: i.pageSizeBytes,
    bandwidthBytesPerSecond: i.bandwidthBytesPerSecond,
    dirtyPagesPerSecond: i.dirtyPagesPerSecond ?? null,
    hotFraction: i.hotFraction ?? null,
    hotDirtyPagesPerSecond: i.hotDirtyPagesPerSecond ?? null,
    coldDirtyPagesPerSecond: i.coldDirtyPagesPerSecond ?? null,
  };
}
const INPUT_COLUMNS = [
  'in_pages',
  'in_pageSize',
  'in_bandwidth',
  'in_dirtyRate',
  'in_alpha',
  'in_hotFraction',
  'in_hotRates',
  'in_maxUtilization',
  'in_accounting',
  'pages',
  'pageSizeBytes',
  'bandwidthBytesPerSecond',
  'dirtyPagesPerSecond',
  'hotFraction',
  'hotDirtyPagesPerSecond',
  'coldDirtyPagesPerSecond',
];

/** The alpha sweep behind the charts, one row per (case, alpha). */
export function sweepCsv(data: ExplorerData, state: ViewState): string {
  const inputs = inputColumns(data, state);
  return toCsv(
    [
      ...INPUT_COLUMNS,
      'case',
      'alpha',
      'iterations',
      'downtimeSeconds',
      'totalSeconds',
      'pagesTransferred',
      'gain',
      'networkUtilization',
    ],
    data.alphaRows.map((r) => ({ ...inputs, ...r })) as unknown as Record<string, number | string | null>[],
  );
}

/** The numbers table: one row per case at the chosen alpha, with the optimum under Umax. */
export function numbersCsv(data: ExplorerData, state: ViewState): string {
  const inputs = inputColumns(data, state);
  const rows = data.cases.map((name: CaseName) => {
    const o = data.prediction[name]!;
    const opt = data.optimum[name];
    const base = { ...inputs, case: CASE_LABEL[name], alpha: data.input.alpha, rho: o.rho };
    if (!o.converged) return { ...base, converged: false };
    return {
      ...base,
      converged: true,
      iterations: o.iterations,
      precopySeconds: o.precopySeconds,
      downtimeSeconds: o.downtimeSeconds,
      totalSeconds: o.totalSeconds,
      pagesTransferred: o.pagesTransferred,
      downtimePages: o.downtimePages,
      gain: o.gain,
      networkUtilization: o.networkUtilization,
      maxUtilization: data.maxUtilization,
      optimumAlpha: opt?.feasible ? opt.alpha : null,
      optimumDowntimeSeconds: opt?.feasible ? opt.downtimeSeconds : null,
      hotGain: data.prediction.hotGain ?? null,
    };
  });
  return toCsv(
    [
      ...INPUT_COLUMNS,
      'case',
      'alpha',
      'converged',
      'rho',
      ...SUMMARY_QUANTITIES,
      'maxUtilization',
      'optimumAlpha',
      'optimumDowntimeSeconds',
      'hotGain',
    ],
    rows,
  );
}

function save(href: string, filename: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Saves text as a file download named `filename`. */
export function downloadText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  save(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const SUBTITLE_HEIGHT = 22;

/** An SVG with the parameters as a subtitle line under the chart (the image then stands on its own). */
export function svgWithSubtitle(svg: string, subtitle: string): string {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement;
  const w = Number(root.getAttribute('width'));
  const h = Number(root.getAttribute('height'));
  if (!Number.isFinite(w) || !Number.isFinite(h)) return svg;
  root.setAttribute('height', String(h + SUBTITLE_HEIGHT));
  const vb = root.getAttribute('viewBox');
  if (vb) {
    const [x, y, vw, vh] = vb.split(/[ ,]+/).map(Number);
    root.setAttribute('viewBox', `${x} ${y} ${vw} ${(vh ?? h) + SUBTITLE_HEIGHT}`);
  }
  const bg = doc.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('x', '0');
  bg.setAttribute('y', String(h));
  bg.setAttribute('width', String(w));
  bg.setAttribute('height', String(SUBTITLE_HEIGHT));
  bg.setAttribute('fill', 'white');
  const text = doc.createElementNS('http://www.w3.org/2000/svg', 'text');
  text.setAttribute('x', '4');
  text.setAttribute('y', String(h + 15));
  text.setAttribute('font-family', 'sans-serif');
  text.setAttribute('font-size', '10');
  text.setAttribute('fill', '#333');
  text.setAttribute('class', 'precopy-parameters');
  text.textContent = subtitle;
  root.append(bg, text);
  return new XMLSerializer().serializeToString(doc);
}

/** Saves a chart as SVG (vega's own SVG renderer, whatever the on-screen renderer), parameters underneath. */
export async function downloadSvg(view: View, filename: string, subtitle: string): Promise<void> {
  downloadText(svgWithSubtitle(await view.toSVG(), subtitle), filename, 'image/svg+xml');
}

/** Saves a chart as PNG at twice the on-screen resolution, parameters underneath. */
export async function downloadPng(view: View, filename: string, subtitle: string): Promise<void> {
  const chart = await view.toCanvas(2);
  const canvas = document.createElement('canvas');
  canvas.width = chart.width;
  canvas.height = chart.height + SUBTITLE_HEIGHT * 2;
  const g = canvas.getContext('2d');
  if (!g) {
    save(chart.toDataURL('image/png'), filename);
    return;
  }
  g.fillStyle = 'white';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(chart, 0, 0);
  g.fillStyle = '#333';
  g.font = '20px sans-serif';
  g.fillText(subtitle, 8, chart.height + 30, canvas.width - 16);
  save(canvas.toDataURL('image/png'), filename);
}
