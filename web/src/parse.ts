/**
 * View state (text with units) -> the model's base-unit input, with one error in words per bad field.
 * Units are read only by src/units; ranges are checked by the model's own validators, so the page accepts
 * exactly what the library accepts.
 */
import { ModelInputError } from '../../src/model/errors.js';
import type { ModelInput } from '../../src/model/predict.js';
import type { CaseName } from '../../src/model/types.js';
import { checkAlpha, checkHotFraction, checkNonNegative, checkPages, checkPositive } from '../../src/model/validate.js';
import { dirtyPagesPerSecond, parseDirtyRate, parseRate, parseSize } from '../../src/units/index.js';
import type { TextField, ViewState } from './fields.js';

export interface ParsedView {
  /** Present when every field the chosen cases need is valid. */
  readonly input?: ModelInput;
  readonly cases: readonly CaseName[];
  readonly maxUtilization?: number;
  /** Field -> one line in words. */
  readonly errors: Partial<Record<TextField, string>>;
}

export function casesOf(choice: ViewState['case']): CaseName[] {
  if (choice === 'all') return ['uniform', 'hotPrecopy', 'hotDowntime'];
  return [choice === 'uniform' ? 'uniform' : choice === 'hot-precopy' ? 'hotPrecopy' : 'hotDowntime'];
}

function attempt<T>(errors: ParsedView['errors'], key: TextField, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof ModelInputError) errors[key] = `${e.message}`;
    else if (e instanceof Error) errors[key] = e.message;
    else errors[key] = String(e);
    return undefined;
  }
}

/** A plain number (no unit) for a dimensionless field; rejects empty text and trailing junk. */
function plainNumber(text: string, name: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    throw new Error(`${name} '${text}' is not a number`);
  }
  return Number(t);
}

/** A fraction given as 0.4 or 40%. */
function fraction(text: string, name: string): number {
  const t = text.trim();
  if (t.endsWith('%')) return plainNumber(t.slice(0, -1), name) / 100;
  return plainNumber(t, name);
}

export function parseView(state: ViewState): ParsedView {
  const errors: ParsedView['errors'] = {};
  const cases = casesOf(state.case);
  const needUniform = cases.includes('uniform');
  const needHot = cases.includes('hotPrecopy') || cases.includes('hotDowntime');
  const pages = attempt(errors, 'pages', () => {
    const v = plainNumber(state.pages, 'pages');
    checkPages('pages', v);
    return v;
  });
  const pageSizeBytes = attempt(errors, 'pageSize', () => {
    const v = parseSize(state.pageSize);
    checkPositive('page size', v, 'bytes');
    return v;
  });
  const bandwidthBytesPerSecond = attempt(errors, 'bandwidth', () => {
    const v = parseRate(state.bandwidth);
    checkPositive('bandwidth', v, 'bytes/s');
    return v;
  });
  const alpha = attempt(errors, 'alpha', () => {
    const v = plainNumber(state.alpha, 'alpha');
    checkAlpha(v);
    return v;
  });
  const rate = (key: TextField, name: string) =>
    attempt(errors, key, () => {
      const r = parseDirtyRate(state[key]);
      if (pageSizeBytes === undefined && 'bytesPerSecond' in r) {
        throw new Error(`${name} needs a valid page size to convert a byte rate to pages/s`);
      }
      const v = dirtyPagesPerSecond(r, pageSizeBytes ?? 1);
      checkNonNegative(name, v, 'pages/s');
      return v;
    });
  const dirty = needUniform ? rate('dirtyRate', 'dirty rate') : undefined;
  const hotFraction = needHot
    ? attempt(errors, 'hotFraction', () => {
        const v = fraction(state.hotFraction, 'hot fraction');
        checkHotFraction(v);
        return v;
      })
    : undefined;
  const hot = needHot ? rate('hotRate', 'hot dirty rate') : undefined;
  const cold = needHot ? rate('coldRate', 'cold dirty rate') : undefined;
  const maxUtilization = attempt(errors, 'maxUtilization', () => {
    const v = fraction(state.maxUtilization, 'utilisation limit');
    if (!(v > 0 && v <= 1)) throw new Error(`utilisation limit = ${v} is out of range: expected 0 < Umax <= 1`);
    return v;
  });
  if (Object.keys(errors).length > 0) return { cases, errors };
  const input: ModelInput = {
    pages: pages!,
    pageSizeBytes: pageSizeBytes!,
    bandwidthBytesPerSecond: bandwidthBytesPerSecond!,
    alpha: alpha!,
    accounting: state.accounting,
    ...(dirty !== undefined ? { dirtyPagesPerSecond: dirty } : {}),
    ...(needHot ? { hotFraction: hotFraction!, hotDirtyPagesPerSecond: hot!, coldDirtyPagesPerSecond: cold! } : {}),
  };
  return { input, cases, maxUtilization: maxUtilization!, errors };
}
