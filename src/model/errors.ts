/**
 * Errors are data first (code, parameter, value, valid range), text second. Edges (CLI, API, explorer)
 * translate `parameter` into their own spelling (`--alpha`, `alpha`, the alpha slider).
 */
export class ModelInputError extends Error {
  readonly code = 'invalid_parameter';
  constructor(
    /** The library parameter name, e.g. `alpha`, `pages`, `hotFraction`. */
    readonly parameter: string,
    /** The offending value as given. */
    readonly value: unknown,
    /** The valid range in words, e.g. `0 < alpha < 1`. */
    readonly range: string,
    /** Optional override of the text after the parameter (used for non-convergence). */
    detail?: string,
  ) {
    super(detail ?? `${parameter} = ${formatValue(value)} is out of range: expected ${range}`);
    this.name = 'ModelInputError';
  }
}

/** Prints a value for an error message without ever printing NaN as a number that looks valid. */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    return String(value);
  }
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}
