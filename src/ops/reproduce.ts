/**
 * The `reproduce` operation: regenerate every numerical result of the paper's Section 7 into a folder
 * (src/report/reproduce.ts does the work; it writes files, so this operation is offered by the CLI only).
 * Input: {@link reproduceInput}; function: {@link reproduceOp}; JSON: {@link reproduceJson}.
 */
import { z } from 'zod';
import { ReproduceError, reproduce } from '../report/reproduce.js';
import { OpError, parseInput } from './errors.js';

export const reproduceInput = z.strictObject({
  /** The folder to write (created, or replaced if it holds a previous reproduction). */
  out: z.string(),
  /** Write PNG files beside the SVGs. */
  png: z.boolean(),
});
export type ReproduceInput = z.output<typeof reproduceInput>;

export interface ReproduceResult {
  readonly outDir: string;
  readonly files: readonly string[];
}

/** Writes the reproduction; bad input or a folder it must not replace is an {@link OpError}. */
export async function reproduceOp(raw: unknown): Promise<ReproduceResult> {
  const input = parseInput(reproduceInput, raw);
  if (input.out.trim() === '')
    throw new OpError(`--out '${input.out}' is empty: expected a folder path`, { field: 'out', value: input.out });
  try {
    const r = await reproduce({ outDir: input.out, png: input.png });
    return { outDir: r.outDir, files: r.files };
  } catch (e) {
    if (e instanceof ReproduceError) throw new OpError(e.message, { field: 'out', value: input.out });
    throw e;
  }
}

export function reproduceJson(r: ReproduceResult) {
  return { outDir: r.outDir, files: [...r.files] };
}
