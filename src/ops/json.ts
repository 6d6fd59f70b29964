/**
 * Building blocks of the operations' JSON shapes as zod schemas (the OpenAPI document is generated from them).
 * Numbers are `number | null`: JSON has no Infinity or NaN, so an unbounded value is written as null.
 */
import { z } from 'zod';

/** A JSON number, or null where the value is unbounded (Infinity) or undefined (NaN). */
export const jsonNumber = z.number().nullable();

/** One problem with an input, as the API reports it (src/ops/errors.ts OpIssue). */
export const issueJson = z.strictObject({
  code: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  field: z.string().optional(),
  value: z.unknown().optional(),
  message: z.string(),
});

/** The body of every 4xx answer of the API. */
export const errorJson = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), issues: z.array(issueJson) }),
});
