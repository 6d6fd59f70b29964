/**
 * The one error type of the operations layer, and the one place that turns any input error (an {@link OpError},
 * the model's {@link ModelInputError}, the units' {@link UnitError}, a zod issue) into what an edge shows:
 * the command line's one line worded with flags (`--page-size '0' is out of range: ...`, exit 2) and the HTTP
 * API's structured issues worded with JSON field names (`{code, path, field, value, message}`, status 400).
 */
import type { z } from 'zod';
import { ModelInputError } from '../model/index.js';
import { fieldNames } from '../schema/fields.js';
import { FIELD_OF_PARAMETER, type IssueParams, describeIssue, flagOf } from '../schema/index.js';
import { UnitError } from '../units/index.js';

/** One problem with an operation's input, data first: what, where, the value given, and a line in words. */
export interface OpIssue {
  /** `invalid_input`, `unrecognized_keys`, `invalid_type`, `invalid_value`, `too_many_points`, ... */
  readonly code: string;
  /** JSON path of the offending field (empty for the whole input). */
  readonly path: readonly (string | number)[];
  /** The field as the API spells it (`pageSize`), when one field is at fault. */
  readonly field?: string;
  /** The value as given. */
  readonly value?: unknown;
  /** One line in words, e.g. `alpha '1.5' is out of range: expected 0 < alpha < 1`. */
  readonly message: string;
}

/**
 * An input an operation refuses. The message is worded with the command line's flags (`--max-rounds`), as
 * the CLI prints it; {@link OpError.issue} rewords it with the API's field names (`maxRounds`).
 */
export class OpError extends Error {
  readonly code: string;
  readonly field?: string;
  readonly value?: unknown;
  constructor(message: string, options: { code?: string; field?: string; value?: unknown } = {}) {
    super(message);
    this.name = 'OpError';
    this.code = options.code ?? 'invalid_value';
    if (options.field !== undefined) this.field = options.field;
    if ('value' in options) this.value = options.value;
  }

  /** The issue as the API reports it: flags in the message become field names (`--max-rounds` -> `maxRounds`). */
  issue(): OpIssue {
    return {
      code: this.code,
      path: this.field ? [this.field] : [],
      ...(this.field ? { field: this.field } : {}),
      ...(this.value !== undefined ? { value: this.value } : {}),
      message: fieldNames(this.message),
    };
  }
}

/** A failed zod parse: its issues and the first one worded for the command line. */
export class OpSchemaError extends OpError {
  constructor(readonly zodError: z.ZodError) {
    super(describeIssue(zodError.issues[0]!, flagOf), { code: 'invalid_input' });
    this.name = 'OpSchemaError';
  }
}

/** Parses raw input with an operation's schema; a failure throws {@link OpSchemaError} (all issues kept). */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  // reportInput: issues carry the value given, so an error line names it
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) return r.data;
  throw new OpSchemaError(r.error);
}

/** The zod issues of a failed parse, worded with the API's field names. */
export function zodIssues(error: z.ZodError): OpIssue[] {
  return error.issues.map((issue) => {
    const params = (issue as { params?: IssueParams }).params;
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    return {
      code: issue.code === 'custom' ? 'invalid_value' : issue.code,
      path,
      ...(params?.field ? { field: params.field, value: params.value } : path.length ? { field: String(path[0]) } : {}),
      // a problem may name another field by its flag (`--stop-rule qemu needs ...`): the API spells it `stopRule`
      message: describeIssue(
        params ? ({ ...issue, params: { ...params, problem: fieldNames(params.problem) } } as typeof issue) : issue,
      ),
    };
  });
}

/** The issues of an input error as the API reports them; undefined for anything else (a bug, not bad input). */
export function issuesOf(e: unknown): OpIssue[] | undefined {
  if (e instanceof OpSchemaError) return zodIssues(e.zodError);
  if (e instanceof OpError) return [e.issue()];
  if (e instanceof ModelInputError) {
    const field = FIELD_OF_PARAMETER[e.parameter] ?? e.parameter;
    return [
      {
        code: 'invalid_value',
        path: [field],
        field,
        value: e.value,
        message: e.message.replace(new RegExp(`^${e.parameter}\\b`), field),
      },
    ];
  }
  if (e instanceof UnitError) return [{ code: 'invalid_unit', path: [], value: e.input, message: e.message }];
  return undefined;
}

/** The one line the command line prints for an input error (without `precopy: `); undefined for anything else. */
export function lineOf(e: unknown): string | undefined {
  if (e instanceof OpError) return e.message;
  if (e instanceof ModelInputError) {
    const field = FIELD_OF_PARAMETER[e.parameter];
    return field ? e.message.replace(new RegExp(`^${e.parameter}\\b( =)?`), flagOf(field)) : e.message;
  }
  if (e instanceof UnitError) return e.message;
  return undefined;
}
