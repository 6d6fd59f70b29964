/**
 * The `sweep` operation: predict over lists (`A,B,C`) and ranges (`LO:HI:STEP`) of any numeric field, as a
 * cross product, one row per point and case. Input: the predict input where a field may be a list or range
 * (each point is a {@link sweepInput}); function: {@link planSweepOp} then the streaming engine of
 * src/ops/sweep-stream.ts ({@link checkSweep} up front, then {@link writeSweep} or {@link sweepRecords}; nothing
 * is held); JSON: {@link SWEEP_COLUMNS} and the rows.
 */
import { z } from 'zod';
import { predictInputSchema, predictSchema } from '../schema/index.js';
import { OpError } from './errors.js';
import { SWEEP_COLUMNS, SweepInputError, type SweepPlan, planSweep } from './sweep-stream.js';

export {
  MAX_SWEEP_POINTS,
  SWEEP_COLUMNS,
  SWEEP_FIELDS,
  type SweepFormat,
  type SweepPlan,
  checkSweep,
  gridValue,
  referenceRows as sweepRows,
  sweepRecords,
  writeSweep,
} from './sweep-stream.js';

/** Each sweep point is a predict input. */
export const sweepInput = predictSchema;

/** Plans a sweep (lazy axes, counts checked first); a malformed axis is an {@link OpError} naming the field. */
export function planSweepOp(fixed: Record<string, unknown>, axes: readonly (readonly [string, string])[]): SweepPlan {
  try {
    return planSweep(fixed, axes);
  } catch (e) {
    if (e instanceof SweepInputError)
      throw new OpError(e.message, {
        code: e.code,
        field: e.field,
        ...(e.value !== undefined ? { value: e.value } : {}),
      });
    throw e;
  }
}

/** Raw input of a sweep request: the predict input where a numeric field may be a list `A,B,C` or a range `LO:HI:STEP`. */
export const sweepRawInput = predictInputSchema;

/** The shape of a sweep answer: the column names and one row per point and case. */
export const sweepOutput = z.strictObject({
  columns: z.array(z.enum(SWEEP_COLUMNS)),
  rows: z.array(z.partialRecord(z.enum(SWEEP_COLUMNS), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});
