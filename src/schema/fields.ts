/**
 * The one set of field parsers behind every operation's zod schema (predict, optimize and sweep through
 * src/schema/index.ts; simulate, validate and qemu in src/ops), built on the shared units parsers (src/units).
 * A problem becomes a zod issue whose `params` hold the field, the value as given and what is wrong
 * (`is out of range: expected ...`), so the command line words it with the flag (`--max-rounds '0' is out of
 * range: ...`, src/ops/errors.ts) and the API with the field name. Flags and fields are spelled here too:
 * {@link flagOf} and {@link fieldOfFlag}.
 */
import { z } from 'zod';
import { parseFraction, parseNumber } from '../units/index.js';

/** Fields with a value, for error wording: the value as the user gave it and the valid range. */
export interface IssueParams {
  readonly field: string;
  readonly value: unknown;
  /** What is wrong, worded to follow the field and value: `is out of range: expected 0 < alpha < 1`. */
  readonly problem: string;
}

/** Field name (schema key) to CLI flag: `pageSize` -> `--page-size`. */
export function flagOf(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** CLI flag to field name: `--max-rounds` -> `maxRounds`. */
export function fieldOfFlag(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Every flag named in a line spelled as its field: `--stop-rule qemu needs ...` -> `stopRule qemu needs ...`. */
export function fieldNames(line: string): string {
  return line.replace(/--([a-z-]+)/g, (flag) => fieldOfFlag(flag));
}

/** A value in an error line: text quoted, anything else as String() gives it. */
export function show(v: unknown): string {
  if (v === undefined) return '(missing)';
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}

/** A field's raw value: text (units allowed) or a number in base units. */
export const text = z.union([z.number(), z.string()]);

/** Adds the issue of one field: `problem` follows the field and the value (`is out of range: expected 0 < x`). */
export function addFieldIssue(ctx: z.RefinementCtx, field: string, value: unknown, problem: string): void {
  ctx.addIssue({
    code: 'custom',
    path: [field],
    message: value === undefined ? `${field} ${problem}` : `${field} ${show(value)} ${problem}`,
    params: { field, value, problem } satisfies IssueParams,
  });
}

/**
 * One of a fixed set of words. The document (OpenAPI) lists them as an enum; a value outside is an issue
 * `workload 'trace' is not allowed: expected one of fluid, random, ...` naming the field (or `problem`).
 */
export function choice<T extends string>(
  field: string,
  values: readonly T[],
  problem = `is not allowed: expected one of ${values.join(', ')}`,
) {
  return z
    .string()
    .superRefine((v, ctx) => {
      if (!(values as readonly string[]).includes(v)) addFieldIssue(ctx, field, v, problem);
    })
    .meta({ enum: [...values] }) as unknown as z.ZodType<T, string>;
}

/** What a units parser's error says after the value (`is not a size: expected ...`). */
function unitProblem(e: unknown): string {
  return e instanceof Error ? e.message.replace(/^'[^']*' /, '') : String(e);
}

/**
 * The issues of one schema run: each parser returns the value, or undefined after adding the field's issue.
 * A schema that reads every field checks them all and reports every problem (simulate, validate, qemu); one
 * whose later fields depend on earlier ones stops at the first undefined (src/schema/index.ts `must`).
 */
export class FieldParser {
  count = 0;
  constructor(private readonly ctx: z.RefinementCtx) {}

  /** Records a problem with `field`; `value` is the value as given (undefined: the field is missing). */
  fail(field: string, value: unknown, problem: string): undefined {
    addFieldIssue(this.ctx, field, value, problem);
    this.count += 1;
    return undefined;
  }

  /** A required text field: missing or blank is `is missing: expected ...` (the value shown as given, or ''). */
  need(field: string, raw: string | number | undefined, expected: string): string | number | undefined {
    if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      return this.fail(field, raw ?? '', `is missing: expected ${expected}`);
    }
    return raw;
  }

  /** `v` when `ok`, else `is out of range: expected ...`. */
  within(field: string, raw: unknown, v: number, ok: boolean, expected: string): number | undefined {
    return ok && Number.isFinite(v) ? v : this.fail(field, raw, `is out of range: expected ${expected}`);
  }

  /** A plain finite number (`4096`, `0.05`, `1e-3`; src/units parseNumber) with `ok(v)`, else the issue. */
  number(field: string, raw: string | number, ok: (v: number) => boolean, expected: string): number | undefined {
    let v: number;
    if (typeof raw === 'number') v = raw;
    else {
      try {
        v = parseNumber(raw);
      } catch {
        return this.fail(field, raw, `is not a number: expected ${expected}`);
      }
    }
    if (!Number.isFinite(v)) return this.fail(field, raw, `is not a number: expected ${expected}`);
    if (!ok(v)) return this.fail(field, raw, `is out of range: expected ${expected}`);
    return v;
  }

  /** A whole number from lo to hi. */
  integer(field: string, raw: string | number, lo: number, hi: number): number | undefined {
    return this.number(
      field,
      raw,
      (v) => Number.isInteger(v) && v >= lo && v <= hi,
      `a whole number from ${lo} to ${hi}`,
    );
  }

  /**
   * A fraction: a number, or a percentage written with % (`'40%'` = 0.4, src/units parseFraction); the range
   * is the caller's ({@link within}).
   */
  fraction(field: string, raw: string | number): number | undefined {
    if (typeof raw === 'string' && /%\s*$/.test(raw)) {
      let v = Number.NaN;
      try {
        v = parseFraction(raw);
      } catch {
        // worded below
      }
      if (!Number.isFinite(v)) {
        return this.fail(field, raw, 'is not a fraction: expected a number such as 0.4 or a percentage such as 40%');
      }
      return v;
    }
    return this.number(field, raw, () => true, 'a finite decimal number');
  }

  /**
   * A quantity read by a units parser (`parseSize`, `parseRate`, `parseDuration`, ...): text through `parse`,
   * worded by the parser's own error (`is not a size: expected a number with an optional unit ...`); a number
   * is taken in base units. The range is the caller's ({@link within}).
   */
  read<T = number>(field: string, raw: string | number, parse: (s: string) => T): T | number | undefined {
    if (typeof raw === 'number') return Number.isFinite(raw) ? raw : this.fail(field, raw, 'is not a number');
    try {
      return parse(raw);
    } catch (e) {
      return this.fail(field, raw, unitProblem(e));
    }
  }

  /** {@link read} then {@link within}: a quantity in a range, a bad unit worded by the units parser. */
  quantity(
    field: string,
    raw: string | number,
    parse: (s: string) => number,
    ok: (v: number) => boolean,
    expected: string,
  ): number | undefined {
    const v = this.read(field, raw, parse);
    return v === undefined ? undefined : this.within(field, raw, v, ok(v), expected);
  }

  /**
   * A value with a unit read by `parse` (a src/units parser) with `ok(v)`, else the issue, both worded with
   * `expected` (`is not valid: expected ...`, `is out of range: expected ...`).
   */
  unit(
    field: string,
    raw: string | number,
    parse: (s: string) => number,
    ok: (v: number) => boolean,
    expected: string,
  ): number | undefined {
    let v: number;
    try {
      v = parse(String(raw));
    } catch {
      return this.fail(field, raw, `is not valid: expected ${expected}`);
    }
    if (!ok(v)) return this.fail(field, raw, `is out of range: expected ${expected}`);
    return v;
  }

  /** A comma-separated list of numbers, each with `ok(v)`; the issue names the first bad element. */
  list(field: string, raw: string | number, ok: (v: number) => boolean, expected: string): number[] | undefined {
    const out: number[] = [];
    for (const t of String(raw).split(',')) {
      const v = this.number(field, t.trim(), ok, expected);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
}
