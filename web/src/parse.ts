/**
 * View state (text with units) -> the model's base-unit input, field by field, with the shared unit parser
 * (src/units, the one the command line and the API use) and the model's own ranges. Every field yields either
 * a value and a line saying what it understood ("= 16,777,216 pages of 4,096 B"), or one error in words that
 * names the field as the page labels it ("Memory '64gb' is not a size: ...").
 */
import { MAX_PAGES } from '../../src/model/validate.js';
import type { ModelInput } from '../../src/model/predict.js';
import type { CaseName } from '../../src/model/types.js';
import {
  dirtyPagesPerSecond,
  parseDirtyRate,
  parseDuration,
  parseFraction,
  parseNumber,
  parseRate,
  parseSize,
} from '../../src/units/index.js';
import { optimizeInput } from '../../src/ops/optimize.js';
import { predictInput } from '../../src/ops/predict.js';
import { describeIssue } from '../../src/schema/index.js';
import type { ExplorerInput } from './compute.js';
import { type TextField, type ViewState, FIELDS, HOT_RATIO } from './fields.js';
import { count, human, humanBytes, humanRate, humanSeconds } from './human.js';

export interface ParsedView {
  /** Present when every field the chosen cases need is valid: the operations layer's resolved input. */
  readonly resolved?: ExplorerInput;
  /** `resolved.predict.input`: the model input. */
  readonly input?: ModelInput;
  readonly cases: readonly CaseName[];
  readonly maxUtilization?: number;
  /** Field -> one line in words naming the field as the page labels it. */
  readonly errors: Partial<Record<TextField, string>>;
  /** Field -> what the page understood, in base units and words. */
  readonly understood: Partial<Record<TextField, string>>;
  /** The downtime limit typed in the stop field, seconds (alpha derived from it). */
  readonly downtimeLimitSeconds?: number;
  /** tau = S/B, seconds per page (Section 3 of the paper). */
  readonly tau?: number;
}

/** The model cases a case choice stands for. */
export function casesOf(choice: ViewState['case']): CaseName[] {
  if (choice === 'all') return ['uniform', 'hotPrecopy', 'hotDowntime'];
  return [choice === 'uniform' ? 'uniform' : choice === 'hot-precopy' ? 'hotPrecopy' : 'hotDowntime'];
}

const LABEL: Record<TextField, string> = Object.fromEntries(FIELDS.map((f) => [f.key, f.label])) as Record<
  TextField,
  string
>;

class FieldError extends Error {}

/** Reads with a unit parser; its error ("'x' is not a size: expected ...") gets the field's label in front. */
function read<T>(key: TextField, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    throw new FieldError(`${LABEL[key]} ${e instanceof Error ? e.message : String(e)}`);
  }
}

function check(key: TextField, text: string, ok: boolean, expected: string): void {
  if (!ok) throw new FieldError(`${LABEL[key]} '${text}' is out of range: expected ${expected}`);
}

/**
 * alpha from a QEMU-style downtime limit: the pages that fit the limit at bandwidth B as a fraction of memory,
 * alpha = limit * B / (Ps * S) (/work/shared/design/hypervisors.md: QEMU stops when pending <= B x limit).
 */
export function alphaFromLimit(limitSeconds: number, bandwidth: number, pages: number, pageSize: number): number {
  return (limitSeconds * bandwidth) / (pages * pageSize);
}

/** A dirty rate field in pages/s, with its reading. */
function dirty(key: TextField, text: string, pageSize: number): { v: number; says: string } {
  const r = read(key, text, parseDirtyRate);
  const v = dirtyPagesPerSecond(r, pageSize);
  check(key, text, Number.isFinite(v) && v >= 0, 'a rate >= 0 (pages/s, or a byte rate such as 200MB/s)');
  return { v, says: `= ${human(v)} pages/s (${humanRate(v * pageSize)})` };
}

/**
 * The model input of a view: `input` when every field the chosen cases need is valid, else one error per bad
 * field (every field is read, not only the first bad one).
 */
export function parseView(state: ViewState): ParsedView {
  const errors: ParsedView['errors'] = {};
  const understood: ParsedView['understood'] = {};
  const cases = casesOf(state.case);
  const needUniform = cases.includes('uniform');
  const needHot = cases.some((c) => c !== 'uniform');
  const field = <T>(key: TextField, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      errors[key] = e.message;
      return undefined;
    }
  };

  const S = field('pageSize', () => {
    const v = read('pageSize', state.pageSize, parseSize);
    check('pageSize', state.pageSize, v > 0 && Number.isFinite(v), 'a size > 0 such as 4KiB');
    understood.pageSize = `= ${count(v)} B${v === 4096 ? ' (x86)' : ' (x86 pages are 4 KiB = 4,096 B)'}`;
    return v;
  });
  const pages = field('pages', () => {
    const asNumber = (() => {
      try {
        return parseNumber(state.pages);
      } catch {
        return undefined;
      }
    })();
    if (asNumber !== undefined) {
      check(
        'pages',
        state.pages,
        Number.isInteger(asNumber) && asNumber >= 1 && asNumber <= MAX_PAGES,
        `a whole number of pages from 1 to ${count(MAX_PAGES)}, or a size such as 64GiB`,
      );
      if (S !== undefined)
        understood.pages = `= ${count(asNumber)} pages of ${count(S)} B (${humanBytes(asNumber * S)})`;
      return asNumber;
    }
    const bytes = read('pages', state.pages, parseSize);
    if (S === undefined) throw new FieldError(`${LABEL.pages}: fix the page size first`);
    // A partial last page is still a page to copy.
    const n = Math.ceil(bytes / S - 1e-9);
    check('pages', state.pages, bytes > 0 && n <= MAX_PAGES, `a size > 0 and at most ${count(MAX_PAGES)} pages`);
    understood.pages = `= ${count(n)} pages of ${count(S)} B (${humanBytes(bytes)})`;
    return n;
  });
  const B = field('bandwidth', () => {
    const v = read('bandwidth', state.bandwidth, parseRate);
    check('bandwidth', state.bandwidth, v > 0 && Number.isFinite(v), 'a rate > 0 such as 10Gbit/s');
    understood.bandwidth =
      S === undefined ? `= ${humanRate(v)}` : `= ${humanRate(v)} = ${human(v / S)} pages/s (${count(v * 8)} bit/s)`;
    return v;
  });
  let D: number | undefined;
  if (S !== undefined) {
    D = field('dirtyRate', () => {
      const r = dirty('dirtyRate', state.dirtyRate, S);
      understood.dirtyRate = r.says;
      return r.v;
    });
  }
  let beta: number | undefined;
  let Dh: number | undefined;
  let Dnh: number | undefined;
  if (needHot) {
    beta = field('hotFraction', () => {
      const v = read('hotFraction', state.hotFraction, parseFraction);
      check('hotFraction', state.hotFraction, v >= 0 && v < 1, '0 <= β < 1 (a fraction or a percentage)');
      understood.hotFraction = `= ${human(v)} (${human(v * 100)}% of the pages are hot)`;
      return v;
    });
    if (state.hotRates === 'derived') {
      // The hot cases follow the one dirty rate D: Dh = 2 D and Dnh = 0.9 D, the proportions of the paper's
      // Table 2 (4 and 1.8 pages/s at D = 2), with beta as set.
      if (D !== undefined) {
        Dh = HOT_RATIO.hot * D;
        Dnh = HOT_RATIO.cold * D;
        understood.hotRate = `= ${HOT_RATIO.hot} × D = ${human(Dh)} pages/s (follows the dirty rate)`;
        understood.coldRate = `= ${HOT_RATIO.cold} × D = ${human(Dnh)} pages/s (follows the dirty rate)`;
      }
    } else if (S !== undefined) {
      Dh = field('hotRate', () => {
        const r = dirty('hotRate', state.hotRate, S);
        understood.hotRate = r.says;
        return r.v;
      });
      Dnh = field('coldRate', () => {
        const r = dirty('coldRate', state.coldRate, S);
        understood.coldRate = r.says;
        return r.v;
      });
    }
  }
  let limit: number | undefined;
  const alpha = field('alpha', () => {
    let fraction: number | undefined;
    try {
      fraction = parseFraction(state.alpha);
    } catch {
      fraction = undefined;
    }
    if (fraction !== undefined) {
      check(
        'alpha',
        state.alpha,
        fraction > 0 && fraction < 1,
        '0 < α < 1 (a fraction, a percentage or a time such as 300ms)',
      );
      if (pages !== undefined)
        understood.alpha = `= ${human(fraction)}: stop with at most ${count(Math.floor(fraction * pages))} pages left`;
      return fraction;
    }
    let seconds: number;
    try {
      seconds = parseDuration(state.alpha);
    } catch {
      throw new FieldError(
        `${LABEL.alpha} '${state.alpha}' is neither a fraction (0.05, 5%, 1e-3) nor a downtime limit (300ms)`,
      );
    }
    if (pages === undefined || S === undefined || B === undefined) {
      throw new FieldError(`${LABEL.alpha}: fix memory, page size and bandwidth first (α = limit·B/(Ps·S))`);
    }
    const full = (pages * S) / B;
    check(
      'alpha',
      state.alpha,
      seconds > 0 && seconds < full,
      `0 < limit < Ps·S/B = ${humanSeconds(full)} (so that 0 < α < 1)`,
    );
    limit = seconds;
    const a = alphaFromLimit(seconds, B, pages, S);
    understood.alpha = `= downtime limit ${humanSeconds(seconds)} → α = limit·B/(Ps·S) = ${human(a)}`;
    return a;
  });
  const maxUtilization = field('maxUtilization', () => {
    const v = read('maxUtilization', state.maxUtilization, parseFraction);
    check('maxUtilization', state.maxUtilization, v > 0 && v <= 1, '0 < Umax ≤ 1 (a fraction or a percentage)');
    understood.maxUtilization = `= ${human(v * 100)}%`;
    return v;
  });
  // Only the fields the chosen cases use count as errors.
  if (!needUniform && errors.dirtyRate && !(needHot && state.hotRates === 'derived')) delete errors.dirtyRate;

  const tau = S !== undefined && B !== undefined ? S / B : undefined;
  const ok =
    Object.keys(errors).length === 0 &&
    pages !== undefined &&
    S !== undefined &&
    B !== undefined &&
    alpha !== undefined &&
    maxUtilization !== undefined &&
    (!needUniform || D !== undefined) &&
    (!needHot || (beta !== undefined && Dh !== undefined && Dnh !== undefined));
  const base = {
    cases,
    errors,
    understood,
    ...(tau === undefined ? {} : { tau }),
    ...(limit === undefined ? {} : { downtimeLimitSeconds: limit }),
  };
  if (!ok) return base;
  // The field readings above give each field its line and its error; the numbers the page computes with come
  // from the operations layer's schemas (src/ops: the parser of the command line and the API), once per edit.
  const derived = state.hotRates === 'derived';
  const raw: Record<string, unknown> = {
    [pagesIsCount(state.pages) ? 'pages' : 'memory']: state.pages,
    pageSize: state.pageSize,
    bandwidth: state.bandwidth,
    case: state.case,
    accounting: state.accounting,
    ...(needUniform ? { dirtyRate: state.dirtyRate } : {}),
    ...(needHot
      ? {
          hotFraction: state.hotFraction,
          // Derived hot rates are numbers in pages/s (Dh = 2 D, Dnh = 0.9 D), as the schema reads a number.
          hotRate: derived ? Dh! : state.hotRate,
          coldRate: derived ? Dnh! : state.coldRate,
        }
      : {}),
  };
  const p = predictInput.safeParse({ ...raw, [limit === undefined ? 'alpha' : 'downtimeLimit']: state.alpha });
  const o = optimizeInput.safeParse({ ...raw, maxUtilization: state.maxUtilization });
  if (!p.success || !o.success) {
    // Only when the schema is stricter than the readings above: its error goes under the field.
    const issue = (p.success ? o.error! : p.error).issues[0]!;
    const key = fieldOfSchema(String(issue.path[0] ?? 'pages'));
    errors[key] = describeIssue(issue, (f) => LABEL[fieldOfSchema(f)]);
    return base;
  }
  const resolved: ExplorerInput = { predict: p.data, optimize: o.data };
  return { ...base, resolved, input: p.data.input, maxUtilization: o.data.constraints.maxNetworkUtilization! };
}

/** Whether the memory field is a page count (else a size, the schema's `memory`). */
function pagesIsCount(text: string): boolean {
  try {
    parseNumber(text);
    return true;
  } catch {
    return false;
  }
}

/** The page's field of a schema field (`memory` is typed in the pages field, `downtimeLimit` in alpha's). */
function fieldOfSchema(f: string): TextField {
  if (f === 'memory') return 'pages';
  if (f === 'downtimeLimit') return 'alpha';
  return (FIELDS.some((x) => x.key === f) ? f : 'pages') as TextField;
}
