/**
 * The dirty-page trace text format (v1), documented in docs/simulator.md:
 *
 *   # comment lines and blank lines are ignored
 *   precopy-trace v1
 *   interval 100ms        a duration with its unit: the length of every interval
 *   kind counts           or: kind ids
 *   pages 65536           optional: the VM size the trace was taken on (checked against --pages)
 *   <one line per interval>
 *
 * kind counts: each line is a whole number, the page writes in that interval (each to a uniformly random page).
 * kind ids: each line lists the page ids written in that interval, in order, separated by spaces or commas;
 * `a-b` stands for a..b inclusive; a single `-` is an interval without writes.
 * Pure: parses text; reading the file is done at the edge (./trace-file.ts).
 */
import { ModelInputError } from '../model/errors.js';
import { parseDuration } from '../units/index.js';
import type { DirtyTrace } from './workloads.js';

/** A parsed trace and the VM size it declares, if any. */
export interface ParsedTrace extends DirtyTrace {
  readonly pages?: number;
}

/** Largest number of page ids a trace may hold (keeps memory bounded: 4 bytes per id). */
export const MAX_TRACE_IDS = 100_000_000;

function bad(line: number, text: string, expected: string): ModelInputError {
  return new ModelInputError('trace', `line ${line}: ${text.slice(0, 40)}`, expected);
}

/**
 * Parses a trace in the v1 text format.
 * @throws {ModelInputError} parameter `trace`, naming the line and what was expected
 * @example parseTrace('precopy-trace v1\ninterval 1s\nkind counts\n5\n7\n').counts // [5, 7]
 */
export function parseTrace(text: string): ParsedTrace {
  const lines = text.split(/\r?\n/);
  let header = false;
  let interval: number | undefined;
  let kind: 'counts' | 'ids' | undefined;
  let pages: number | undefined;
  const counts: number[] = [];
  let ids = new Uint32Array(1024);
  let nIds = 0;
  const push = (id: number) => {
    if (nIds === ids.length) {
      if (nIds >= MAX_TRACE_IDS) throw new ModelInputError('trace', nIds, `at most ${MAX_TRACE_IDS} page ids`);
      const grown = new Uint32Array(ids.length * 2);
      grown.set(ids);
      ids = grown;
    }
    ids[nIds++] = id;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.replace(/#.*$/, '').trim();
    const no = i + 1;
    if (line === '') continue;
    if (!header) {
      if (!/^precopy-trace\s+v1$/.test(line)) throw bad(no, raw, "a first line 'precopy-trace v1'");
      header = true;
      continue;
    }
    const kv = /^(interval|kind|pages)\s+(\S+)$/.exec(line);
    if (kv && counts.length === 0) {
      const [, key, val] = kv as unknown as [string, string, string];
      if (key === 'interval') {
        try {
          interval = parseDuration(val);
        } catch {
          throw bad(no, raw, 'interval <duration with unit>, e.g. interval 100ms');
        }
        if (!(interval > 0)) throw bad(no, raw, 'an interval > 0');
      } else if (key === 'kind') {
        if (val !== 'counts' && val !== 'ids') throw bad(no, raw, 'kind counts or kind ids');
        kind = val;
      } else {
        pages = Number(val);
        if (!(Number.isInteger(pages) && pages >= 1)) throw bad(no, raw, 'pages <whole number >= 1>');
      }
      continue;
    }
    if (interval === undefined || kind === undefined)
      throw bad(no, raw, "'interval <duration>' and 'kind counts|ids' before the data");
    if (kind === 'counts') {
      if (!/^\d+$/.test(line)) throw bad(no, raw, 'one whole number of page writes per line');
      counts.push(Number(line));
      continue;
    }
    if (line === '-') {
      counts.push(0);
      continue;
    }
    const before = nIds;
    for (const tok of line.split(/[\s,]+/)) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(tok);
      if (!m) throw bad(no, raw, "page ids (whole numbers, a-b ranges) separated by spaces or commas, or '-'");
      const a = Number(m[1]);
      const b = m[2] === undefined ? a : Number(m[2]);
      if (!(b >= a && b < 2 ** 32)) throw bad(no, raw, 'ranges a-b with a <= b < 2^32');
      for (let id = a; id <= b; id++) push(id);
    }
    counts.push(nIds - before);
  }
  if (!header) throw bad(1, '', "a first line 'precopy-trace v1'");
  if (interval === undefined || kind === undefined)
    throw bad(lines.length, '', "'interval <duration>' and 'kind counts|ids'");
  if (counts.length === 0) throw bad(lines.length, '', 'at least one interval of data');
  return {
    intervalSeconds: interval,
    kind,
    counts,
    ids: kind === 'ids' ? ids.slice(0, nIds) : new Uint32Array(0),
    ...(pages !== undefined ? { pages } : {}),
  };
}
