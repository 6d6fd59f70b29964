/**
 * Writes the whole reproduction of the paper's Section 7 into one folder: the seven figures on the paper's grid
 * and on a fine grid (SVG, PNG, CSV), Table 3 (Markdown, CSV, JSON), the report and the errata.
 *
 * Everything is written into a fresh temporary folder next to the target and renamed into place at the end,
 * so an interrupted run leaves nothing half-written. An existing target is replaced only when it is empty or a
 * previous reproduction (it holds the marker file {@link MARKER_FILE}); anything else is refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { toCsv } from './csv.js';
import { allFigures, type FigureData, type UtilizationFigure, utilizationFigure } from './figures.js';
import { errataMarkdown, reportMarkdown, table3Markdown } from './markdown.js';
import { type ReproductionParams, TABLE2 } from './params.js';
import { renderSvg, svgToPng } from './render.js';
import { TABLE3_COLUMNS, table3, table3Records } from './table3.js';

/** Marker that identifies a folder written by `precopy reproduce` (so it may be replaced). */
export const MARKER_FILE = '.precopy-reproduction';

/**
 * Thrown when the target folder cannot be used or written: `path` is the file or folder at fault, `reason` the
 * cause in words (with the system's code, e.g. `EACCES`); the CLI prints `message` as one line (exit 2).
 */
export class ReproduceError extends Error {
  readonly code = 'output_folder';
  constructor(
    message: string,
    readonly path?: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ReproduceError';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is not a folder',
  ENOENT: 'no such file or folder',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'it already exists',
  EISDIR: 'it is a folder',
  EXDEV: 'it is on another file system',
  EBUSY: 'it is busy',
};

/** A file-system error as a one-line ReproduceError naming the path and the reason. */
function fsError(what: string, path: string, e: unknown): ReproduceError {
  const code = (e as { code?: string }).code;
  const reason = code ? `${REASONS[code] ?? 'failed'} (${code})` : e instanceof Error ? e.message : String(e);
  return new ReproduceError(`cannot ${what} '${path}': ${reason}`, path, reason);
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

/**
 * Checks the target before any work: not the current folder or one holding it (replacing it would leave the
 * shell in a deleted folder), not a symbolic link, a folder if it exists, and empty or a previous reproduction.
 */
function checkTarget(target: string): void {
  const cwd = process.cwd();
  if (cwd === target || cwd.startsWith(target.endsWith(sep) ? target : target + sep)) {
    throw new ReproduceError(
      `--out '${target}' is the current folder or holds it: replacing it would leave the shell in a deleted folder; give a new folder such as ./reproduction`,
      target,
      'holds the current folder',
    );
  }
  let st: Stats;
  try {
    st = lstatSync(target);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return;
    throw fsError('use', target, e);
  }
  if (st.isSymbolicLink()) {
    throw new ReproduceError(`--out '${target}' is a symbolic link: give a folder path`, target, 'a symbolic link');
  }
  if (!st.isDirectory()) {
    throw new ReproduceError(`--out '${target}' exists and is not a folder`, target, 'not a folder');
  }
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (e) {
    throw fsError('read the folder', target, e);
  }
  if (entries.length > 0 && !entries.includes(MARKER_FILE)) {
    throw new ReproduceError(
      `--out '${target}' is a non-empty folder not written by precopy reproduce: expected a new or empty folder, or a previous reproduction`,
      target,
      'a non-empty folder not written by precopy reproduce',
    );
  }
}

/**
 * Creates the temporary folder next to the target with mkdir, so it gets the mode the umask gives (mkdtemp
 * would give 0700 whatever the umask, and the rename kept it).
 */
function makeTempDir(parent: string, target: string): string {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(tmp);
      return tmp;
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST' && attempt < 10) continue;
      throw fsError('create a folder in', parent, e);
    }
  }
}

/**
 * Removes `tmp` if the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits before the work ends, then
 * lets the signal take its usual effect. Returns the function that removes the handlers.
 */
function cleanupOnInterrupt(tmp: string): () => void {
  const remove = () => rmSync(tmp, { recursive: true, force: true });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    dispose();
    // End as the signal would have: status 128 + its number (130 for SIGINT), as shells report it.
    if (process.listenerCount(signal) === 0) process.exit(128 + (constants.signals[signal] ?? 0));
  };
  const dispose = () => {
    for (const s of signals) process.off(s, onSignal);
    process.off('exit', remove);
  };
  for (const s of signals) process.on(s, onSignal);
  process.on('exit', remove);
  return dispose;
}

/** The files of the reproduction as (name, bytes) pairs, in a fixed order. Renders the charts. */
export async function reproductionFiles(
  p: ReproductionParams = TABLE2,
  png = true,
): Promise<{ name: string; data: string | Uint8Array }[]> {
  const files: { name: string; data: string | Uint8Array }[] = [];
  const figures = allFigures({ grid: 'paper', params: p });
  const fine = allFigures({ grid: 'fine', params: p });
  const emit = async (f: FigureData | UtilizationFigure, suffix: string) => {
    // Rendering resolves through microtasks only; a turn of the event loop per figure lets a Ctrl-C be handled
    // (and the temporary folder removed) during the work rather than after it.
    await new Promise((r) => setImmediate(r));
    const svg = await renderSvg(f.spec);
    files.push({ name: `${f.id}${suffix}.svg`, data: svg });
    if (png) files.push({ name: `${f.id}${suffix}.png`, data: svgToPng(svg) });
    files.push({ name: `${f.id}${suffix}.csv`, data: toCsv(f.table.header, f.table.records) });
    files.push({ name: `${f.id}${suffix}.vl.json`, data: `${JSON.stringify(f.spec, null, 1)}\n` });
  };
  for (const f of figures) await emit(f, '');
  for (const f of fine) await emit(f, '-fine');
  await emit(utilizationFigure({ grid: 'fine', params: p }), '');
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
 * @throws {ReproduceError} the target cannot be used (the current folder, a symbolic link, not a folder, a
 *   foreign non-empty folder) or the file system refuses (path and reason: read-only, no space, ...)
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const target = resolve(options.outDir);
  checkTarget(target);
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    throw fsError('create the folder', parent, e);
  }
  // Created before the charts are rendered: an unwritable place fails in milliseconds, not after the work.
  const tmp = makeTempDir(parent, target);
  const dispose = cleanupOnInterrupt(tmp);
  let old: string | undefined;
  try {
    const files = await reproductionFiles(options.params ?? TABLE2, options.png ?? true);
    for (const f of files) {
      const path = join(tmp, f.name);
      try {
        writeFileSync(path, f.data);
      } catch (e) {
        throw fsError('write', path, e);
      }
    }
    try {
      writeFileSync(join(tmp, MARKER_FILE), 'written by precopy reproduce\n');
      if (existsSync(target)) {
        old = `${tmp}-old`;
        renameSync(target, old);
      }
      renameSync(tmp, target);
    } catch (e) {
      throw fsError('move the reproduction into', target, e);
    }
    return { outDir: target, files: files.map((f) => f.name).sort() };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (old && !existsSync(target)) renameSync(old, target);
    throw e;
  } finally {
    dispose();
    if (old && existsSync(old)) rmSync(old, { recursive: true, force: true });
  }
}
