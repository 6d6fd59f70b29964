/**
 * Field parsers for the operations' zod schemas that take text one field at a time (simulate, validate), built
 * on the shared units parsers (src/units). Each problem becomes a zod issue whose `params` hold the field, the
 * value as given and what is wrong (`is out of range: expected ...`), as src/schema does, so the command line
 * words it with the flag (`--max-rounds '0' is out of range: ...`) and the API with the field name.
 */
import { z } from 'zod';
import type { IssueParams } from '../schema/index.js';
import { parseNumber } from '../units/index.js';

/** `--max-rounds` -> `maxRounds`. */
export function fieldOfFlag(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** A field's raw value: text (units allowed) or a number in base units. */
export const text = z.union([z.number(), z.string()]);

/**
 * One of a fixed set of words. The document (OpenAPI) lists them as an enum; a value outside is an issue
 * `workload 'trace' is not allowed: expected one of fluid, random, ...` naming the field.
 */
export function choice<T extends string>(field: string, values: readonly T[]) {
  return z
    .string()
    .superRefine((v, ctx) => {
      if (!(values as readonly string[]).includes(v)) {
        addFieldIssue(ctx, field, v, `is not allowed: expected one of ${values.join(', ')}`);
      }
    })
    .meta({ enum: [...values] }) as unknown as z.ZodType<T, string>;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : String(v);
}

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
 * The issues of one schema run, one per field: each parser returns the value, or undefined after adding the
 * field's issue (so every given field is checked and every problem reported, not only the first).
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

  /** A value with a unit read by `parse` (a src/units parser) with `ok(v)`, else the issue. */
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
