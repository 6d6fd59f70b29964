/**
 * Writes the whole reproduction of the paper's Section 7 into one folder: the seven figures on the paper's grid
 * and on a fine grid (SVG, PNG, CSV), Table 3 (Markdown, CSV, JSON), the report and the errata.
 *
 * Everything is written into a fresh temporary folder next to the target and renamed into place at the end,
 * so an interrupted run leaves nothing half-written. An existing target is replaced only when it is empty or a
 * previous reproduction (it holds the marker file {@link MARKER_FILE}); anything else is refused.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { toCsv } from './csv.js';
import { allFigures, type FigureData } from './figures.js';
import { errataMarkdown, reportMarkdown, table3Markdown } from './markdown.js';
import { type ReproductionParams, TABLE2 } from './params.js';
import { renderSvg, svgToPng } from './render.js';
import { TABLE3_COLUMNS, table3, table3Records } from './table3.js';

/** Marker that identifies a folder written by `precopy reproduce` (so it may be replaced). */
export const MARKER_FILE = '.precopy-reproduction';

/** Thrown when the target folder cannot be used; the CLI prints it as one line. */
export class ReproduceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReproduceError';
  }
}

export interface ReproduceOptions {
  /** Target folder. */
  readonly outDir: string;
  /** Also render PNGs (default true). */
  readonly png?: boolean;
  /** Parameters (default Table 2). */
  readonly params?: ReproductionParams;
}

export interface ReproduceResult {
  readonly outDir: string;
  /** Files written, relative to outDir, sorted. */
  readonly files: readonly string[];
}

/** Table 3 as JSON: the printed rows beside the computed ones. */
export function table3Json(p: ReproductionParams = TABLE2): string {
  return `${JSON.stringify({ source: 'Aldhalaan & Menascé 2013, Table 3', maxNetworkUtilization: p.maxNetworkUtilization, rows: table3(p) }, null, 2)}\n`;
}

function resvgVersion(): string {
  try {
    return (createRequire(import.meta.url)('@resvg/resvg-js/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function checkTarget(target: string): void {
  if (!existsSync(target)) return;
  const entries = readdirSync(target);
  if (entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new ReproduceError(
      `--out '${target}' is a non-empty folder not written by precopy reproduce: expected a new or empty folder, or a previous reproduction`,
    );
  }
}

/** The files of the reproduction as (name, bytes) pairs, in a fixed order. Renders the charts. */
export async function reproductionFiles(
  p: ReproductionParams = TABLE2,
  png = true,
): Promise<{ name: string; data: string | Uint8Array }[]> {
  const files: { name: string; data: string | Uint8Array }[] = [];
  const figures = allFigures({ grid: 'paper', params: p });
  const fine = allFigures({ grid: 'fine', params: p });
  const emit = async (f: FigureData, suffix: string) => {
    const svg = await renderSvg(f.spec);
    files.push({ name: `${f.id}${suffix}.svg`, data: svg });
    if (png) files.push({ name: `${f.id}${suffix}.png`, data: svgToPng(svg) });
    files.push({ name: `${f.id}${suffix}.csv`, data: toCsv(f.table.header, f.table.records) });
    files.push({ name: `${f.id}${suffix}.vl.json`, data: `${JSON.stringify(f.spec, null, 1)}\n` });
  };
  for (const f of figures) await emit(f, '');
  for (const f of fine) await emit(f, '-fine');
  const rows = table3(p);
  files.push({ name: 'table3.md', data: table3Markdown(rows) });
  files.push({ name: 'table3.csv', data: toCsv(TABLE3_COLUMNS, table3Records(rows)) });
  files.push({ name: 'table3.json', data: table3Json(p) });
  files.push({
    name: 'report.md',
    data: reportMarkdown({
      figures,
      fineFigures: fine,
      params: p,
      versions: { vega: vegaVersion, 'vega-lite': vegaLiteVersion, '@resvg/resvg-js': resvgVersion() },
    }),
  });
  files.push({ name: 'errata.md', data: errataMarkdown(p) });
  return files;
}

/**
 * Writes the reproduction into `outDir` (created if needed; replaced if it is a previous reproduction).
 * @throws {ReproduceError} the target exists, is not empty and is not a previous reproduction
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const target = resolve(options.outDir);
  checkTarget(target);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
  let old: string | undefined;
  try {
    const files = await reproductionFiles(options.params ?? TABLE2, options.png ?? true);
    for (const f of files) writeFileSync(join(tmp, f.name), f.data);
    writeFileSync(join(tmp, MARKER_FILE), 'written by precopy reproduce\n');
    if (existsSync(target)) {
      old = `${tmp}-old`;
      renameSync(target, old);
    }
    renameSync(tmp, target);
    return { outDir: target, files: files.map((f) => f.name).sort() };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (old && !existsSync(target)) renameSync(old, target);
    throw e;
  } finally {
    if (old && existsSync(old)) rmSync(old, { recursive: true, force: true });
  }
}
