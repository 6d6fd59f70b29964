/**
 * Parsers for inputs given as text one field at a time (the hand-parsed operations: simulate, validate). Each
 * error is an {@link OpError} naming the flag, the value and the valid range; the API rewords the flag as its
 * field name.
 */
import { OpError } from './errors.js';

/** `--max-rounds` -> `maxRounds`. */
export function fieldOfFlag(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function numberFlag(flag: string, text: string, ok: (v: number) => boolean, expected: string): number {
  const v = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  const o = { field: fieldOfFlag(flag), value: text };
  if (!Number.isFinite(v)) throw new OpError(`${flag} '${text}' is not a number: expected ${expected}`, o);
  if (!ok(v)) throw new OpError(`${flag} '${text}' is out of range: expected ${expected}`, o);
  return v;
}

export function unitFlag(
  flag: string,
  text: string,
  parse: (s: string) => number,
  ok: (v: number) => boolean,
  expected: string,
): number {
  const o = { field: fieldOfFlag(flag), value: text };
  let v: number;
  try {
    v = parse(text);
  } catch {
    throw new OpError(`${flag} '${text}' is not valid: expected ${expected}`, o);
  }
  if (!ok(v)) throw new OpError(`${flag} '${text}' is out of range: expected ${expected}`, o);
  return v;
}

export function listFlag(flag: string, text: string, ok: (v: number) => boolean, expected: string): number[] {
  return text.split(',').map((t) => numberFlag(flag, t.trim(), ok, expected));
}
