/**
 * Downloads: the data as CSV (RFC 4180, full-precision numbers, never NaN) and each chart as SVG or PNG.
 */
import type { View } from 'vega';
import { type CaseName, SUMMARY_QUANTITIES } from '../../src/model/types.js';
import { CASE_LABEL, type ExplorerData } from './compute.js';
import { toCsv } from '../../src/format/csv.js';

/** The alpha sweep behind the charts, one row per (case, alpha). */
export function sweepCsv(data: ExplorerData): string {
  return toCsv(
    [
      'case',
      'alpha',
      'iterations',
      'downtimeSeconds',
      'totalSeconds',
      'pagesTransferred',
      'gain',
      'networkUtilization',
    ],
    data.alphaRows as unknown as Record<string, number | string | null>[],
  );
}

/** The numbers table: one row per case at the chosen alpha, with the optimum under Umax. */
export function numbersCsv(data: ExplorerData): string {
  const rows = data.cases.map((name: CaseName) => {
    const o = data.prediction[name]!;
    const opt = data.optimum[name];
    const base = { case: CASE_LABEL[name], alpha: data.input.alpha, rho: o.rho };
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

/** Saves a chart as SVG (vega's own SVG renderer, whatever the on-screen renderer). */
export async function downloadSvg(view: View, filename: string): Promise<void> {
  downloadText(await view.toSVG(), filename, 'image/svg+xml');
}

/** Saves a chart as PNG at twice the on-screen resolution. */
export async function downloadPng(view: View, filename: string): Promise<void> {
  save(await view.toImageURL('png', 2), filename);
}
