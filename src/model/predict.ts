import { ModelInputError } from './errors.js';
import { hotGain, predictHotDowntime, predictHotPrecopy, predictUniform } from './cases.js';
import type { Accounting, CaseName, CaseOutcome, PredictOptions } from './types.js';

/** Every model parameter at once, in base units; the hot-page ones are needed only for the hot cases. */
export interface ModelInput {
  readonly pages: number;
  readonly pageSizeBytes: number;
  readonly bandwidthBytesPerSecond: number;
  readonly alpha: number;
  readonly accounting?: Accounting;
  /** D, for the uniform case. */
  readonly dirtyPagesPerSecond?: number;
  /** beta, Dh, Dnh, for the hot cases. */
  readonly hotFraction?: number;
  readonly hotDirtyPagesPerSecond?: number;
  readonly coldDirtyPagesPerSecond?: number;
}

/** The cases computed for one input, keyed as in the JSON contract, with HG when both hot cases ran. */
export interface Prediction {
  uniform?: CaseOutcome;
  hotPrecopy?: CaseOutcome;
  hotDowntime?: CaseOutcome;
  /** HG = Tdown(Hot I)/Tdown(Hot II), present when both hot cases were computed and converge. */
  hotGain?: number;
}

/** True when the input carries all three hot-page parameters. */
export function hasHotParams(input: ModelInput): boolean {
  return (
    input.hotFraction !== undefined &&
    input.hotDirtyPagesPerSecond !== undefined &&
    input.coldDirtyPagesPerSecond !== undefined
  );
}

/**
 * The cases `all` stands for, given what the input carries: uniform when D is given, both hot cases when
 * beta, Dh and Dnh are given. Throws when neither is.
 */
export function availableCases(input: ModelInput): CaseName[] {
  const cases: CaseName[] = [];
  if (input.dirtyPagesPerSecond !== undefined) cases.push('uniform');
  if (hasHotParams(input)) cases.push('hotPrecopy', 'hotDowntime');
  if (cases.length === 0) {
    throw new ModelInputError(
      'dirtyPagesPerSecond',
      undefined,
      'a dirty rate (uniform case) or hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond (hot cases)',
      'no dirty rate given: expected a dirty rate (uniform case) or hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond (hot cases)',
    );
  }
  return cases;
}

function requireHot(input: ModelInput, name: CaseName) {
  for (const key of ['hotFraction', 'hotDirtyPagesPerSecond', 'coldDirtyPagesPerSecond'] as const) {
    if (input[key] === undefined) {
      throw new ModelInputError(
        key,
        undefined,
        `a value: case ${name} needs hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond`,
        `${key} is missing: case ${name} needs hotFraction, hotDirtyPagesPerSecond and coldDirtyPagesPerSecond`,
      );
    }
  }
  return {
    ...input,
    hotFraction: input.hotFraction!,
    hotDirtyPagesPerSecond: input.hotDirtyPagesPerSecond!,
    coldDirtyPagesPerSecond: input.coldDirtyPagesPerSecond!,
  };
}

/** One case from a {@link ModelInput}; throws {@link ModelInputError} when its parameters are missing. */
export function predictOne(input: ModelInput, name: CaseName, options: PredictOptions = {}): CaseOutcome {
  if (name === 'uniform') {
    if (input.dirtyPagesPerSecond === undefined) {
      throw new ModelInputError(
        'dirtyPagesPerSecond',
        undefined,
        'a dirty rate >= 0',
        'dirtyPagesPerSecond is missing: the uniform case needs a dirty rate',
      );
    }
    return predictUniform({ ...input, dirtyPagesPerSecond: input.dirtyPagesPerSecond }, options);
  }
  const hot = requireHot(input, name);
  return name === 'hotPrecopy' ? predictHotPrecopy(hot, options) : predictHotDowntime(hot, options);
}

/**
 * Predicts the requested cases (default: every case the input has parameters for) and HG when both hot cases
 * are computed (Table 1; HG as in Figure 1).
 * @throws {ModelInputError} a parameter out of range or missing for a requested case
 */
export function predict(input: ModelInput, cases?: readonly CaseName[], options: PredictOptions = {}): Prediction {
  const wanted = cases ?? availableCases(input);
  const out: Prediction = {};
  for (const name of wanted) out[name] = predictOne(input, name, options);
  if (out.hotPrecopy && out.hotDowntime) {
    const hg = hotGain(out.hotPrecopy, out.hotDowntime);
    if (hg !== undefined) out.hotGain = hg;
  }
  return out;
}
