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

/** Largest number of page ids a trace may hold (keeps memory bounded: 4 bytes per id), checked exactly. */
export const MAX_TRACE_IDS = 100_000_000;
/** Largest page-write count of one interval in a `kind counts` trace. */
export const MAX_TRACE_COUNT = 1e12;
/** Largest number of intervals (data lines) a trace may hold. */
export const MAX_TRACE_INTERVALS = 10_000_000;
/**
 * Shortest and longest interval accepted, seconds. The replay turns seconds into events through
 * t / interval, so a 1e-300 s interval made every round replay about 1e300 cycles of the trace.
 */
export const MIN_TRACE_INTERVAL_SECONDS = 1e-6;
export const MAX_TRACE_INTERVAL_SECONDS = 1e6;

/**
 * Makes text from a file safe to print in a one-line error: control characters (terminal escapes, carriage
 * returns, NUL) become \xNN, and the text is cut to `max` characters.
 */
export function printable(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  let out = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    out += control ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

function bad(line: number, text: string, expected: string): ModelInputError {
  return new ModelInputError('trace', `line ${line}: ${printable(text)}`, expected);
}

/**
 * An incremental parser of the v1 text format: feed it one line at a time (so a file can be streamed), then
 * call `finish`. Memory is bounded by MAX_TRACE_IDS ids and MAX_TRACE_INTERVALS counts, both checked before
 * anything grows.
 */
export class TraceParser {
  private header = false;
  private interval: number | undefined;
  private kind: 'counts' | 'ids' | undefined;
  private pages: number | undefined;
  private readonly counts: number[] = [];
  private ids = new Uint32Array(1024);
  private nIds = 0;
  private lineNo = 0;

  /** @param maxIds the id limit (default MAX_TRACE_IDS; smaller values serve tests of the exact check). */
  constructor(private readonly maxIds: number = MAX_TRACE_IDS) {}

  /** Parses one line (without its line break). */
  line(raw: string): void {
    this.lineNo++;
    const no = this.lineNo;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    if (!this.header) {
      if (!/^precopy-trace\s+v1$/.test(line)) throw bad(no, raw, "a first line 'precopy-trace v1'");
      this.header = true;
      return;
    }
    const kv = /^(interval|kind|pages)\s+(\S+)$/.exec(line);
    if (kv && this.counts.length === 0) {
      const [, key, val] = kv as unknown as [string, string, string];
      if (key === 'interval') {
        let interval: number;
        try {
          interval = parseDuration(val);
        } catch {
          throw bad(no, raw, 'interval <duration with unit>, e.g. interval 100ms');
        }
        if (!(interval >= MIN_TRACE_INTERVAL_SECONDS && interval <= MAX_TRACE_INTERVAL_SECONDS)) {
          throw bad(no, raw, `an interval from ${MIN_TRACE_INTERVAL_SECONDS} s to ${MAX_TRACE_INTERVAL_SECONDS} s`);
        }
        this.interval = interval;
      } else if (key === 'kind') {
        if (val !== 'counts' && val !== 'ids') throw bad(no, raw, 'kind counts or kind ids');
        this.kind = val;
      } else {
        const pages = /^\d{1,16}$/.test(val) ? Number(val) : Number.NaN;
        if (!(Number.isSafeInteger(pages) && pages >= 1)) throw bad(no, raw, 'pages <whole number from 1 to 2^53 - 1>');
        this.pages = pages;
      }
      return;
    }
    if (this.interval === undefined || this.kind === undefined)
      throw bad(no, raw, "'interval <duration>' and 'kind counts|ids' before the data");
    if (this.counts.length >= MAX_TRACE_INTERVALS) {
      throw new ModelInputError(
        'trace',
        `more than ${MAX_TRACE_INTERVALS} intervals`,
        `at most ${MAX_TRACE_INTERVALS} intervals`,
      );
    }
    if (this.kind === 'counts') {
      // At most 13 digits before converting, so 99999999999999999999 is refused rather than rounded.
      const n = /^\d{1,13}$/.test(line) ? Number(line) : Number.NaN;
      if (!(n <= MAX_TRACE_COUNT))
        throw bad(no, raw, `one whole number of page writes per line, 0 to ${MAX_TRACE_COUNT}`);
      this.counts.push(n);
      return;
    }
    if (line === '-') {
      this.counts.push(0);
      return;
    }
    const before = this.nIds;
    for (const tok of line.split(/[\s,]+/)) {
      const m = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(tok);
      if (!m) throw bad(no, raw, "page ids (whole numbers < 2^32, a-b ranges) separated by spaces or commas, or '-'");
      const a = Number(m[1]);
      const b = m[2] === undefined ? a : Number(m[2]);
      if (!(b >= a && b < 2 ** 32)) throw bad(no, raw, 'ranges a-b with a <= b < 2^32');
      this.reserve(b - a + 1, no);
      for (let id = a; id <= b; id++) this.ids[this.nIds++] = id;
    }
    this.counts.push(this.nIds - before);
  }

  /** Makes room for `more` ids, refusing exactly when the total would pass MAX_TRACE_IDS. */
  private reserve(more: number, no: number): void {
    const need = this.nIds + more;
    if (need > this.maxIds) {
      throw new ModelInputError('trace', `line ${no}: ${need} page ids so far`, `at most ${this.maxIds} page ids`);
    }
    if (need <= this.ids.length) return;
    const grown = new Uint32Array(Math.min(this.maxIds, Math.max(need, this.ids.length * 2)));
    grown.set(this.ids.subarray(0, this.nIds));
    this.ids = grown;
  }

  /** Ends the input; returns the trace. */
  finish(): ParsedTrace {
    const last = this.lineNo;
    if (!this.header) throw bad(1, '', "a first line 'precopy-trace v1'");
    if (this.interval === undefined || this.kind === undefined)
      throw bad(last, '', "'interval <duration>' and 'kind counts|ids'");
    if (this.counts.length === 0) throw bad(last, '', 'at least one interval of data');
    return {
      intervalSeconds: this.interval,
      kind: this.kind,
      counts: this.counts,
      ids: this.kind === 'ids' ? this.ids.slice(0, this.nIds) : new Uint32Array(0),
      ...(this.pages !== undefined ? { pages: this.pages } : {}),
    };
  }
}

/**
 * Parses a trace in the v1 text format.
 * @throws {ModelInputError} parameter `trace`, naming the line and what was expected
 * @example parseTrace('precopy-trace v1\ninterval 1s\nkind counts\n5\n7\n').counts // [5, 7]
 */
export function parseTrace(text: string): ParsedTrace {
  const parser = new TraceParser();
  const lines = text.split(/\r?\n/);
  for (const line of lines) parser.line(line);
  return parser.finish();
}
