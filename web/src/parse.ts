/**
 * View state (text with units) -> the model's base-unit input, through the same zod schema the command line
 * and the HTTP API use (src/schema), so the page accepts exactly what they accept and words errors alike.
 */
import type { ModelInput } from '../../src/model/predict.js';
import type { CaseName } from '../../src/model/types.js';
import { type IssueParams, describeIssue, optimizeSchema, predictSchema } from '../../src/schema/index.js';
import type { TextField, ViewState } from './fields.js';

export interface ParsedView {
  /** Present when every field the chosen cases need is valid. */
  readonly input?: ModelInput;
  readonly cases: readonly CaseName[];
  readonly maxUtilization?: number;
  /** Field -> one line in words (the schema stops at the first bad field). */
  readonly errors: Partial<Record<TextField, string>>;
}

/** The model cases a case choice stands for. */
export function casesOf(choice: ViewState['case']): CaseName[] {
  if (choice === 'all') return ['uniform', 'hotPrecopy', 'hotDowntime'];
  return [choice === 'uniform' ? 'uniform' : choice === 'hot-precopy' ? 'hotPrecopy' : 'hotDowntime'];
}

/** Text with letters in it is a quantity with a unit: `64GiB` for memory, `300ms` for a downtime limit. */
const HAS_UNIT = /[a-zA-Zµ]/;

/**
 * The raw schema input for a view: only the fields the chosen case uses. The memory field takes a page count
 * (`pages`) or a size (`memory`, e.g. 64GiB); the stop field takes alpha or a QEMU-style downtime limit
 * (`downtimeLimit`, e.g. 300ms), as the command line does.
 */
export function rawInput(state: ViewState): Record<string, string> {
  const cases = casesOf(state.case);
  const raw: Record<string, string> = {
    ...(HAS_UNIT.test(state.pages) ? { memory: state.pages } : { pages: state.pages }),
    pageSize: state.pageSize,
    bandwidth: state.bandwidth,
    case: state.case,
    accounting: state.accounting,
  };
  if (HAS_UNIT.test(state.alpha)) raw.downtimeLimit = state.alpha;
  else raw.alpha = state.alpha;
  if (cases.includes('uniform')) raw.dirtyRate = state.dirtyRate;
  if (cases.some((c) => c !== 'uniform')) {
    raw.hotFraction = state.hotFraction;
    raw.hotRate = state.hotRate;
    raw.coldRate = state.coldRate;
  }
  return raw;
}

const KNOWN: readonly string[] = [
  'pages',
  'pageSize',
  'bandwidth',
  'dirtyRate',
  'alpha',
  'hotFraction',
  'hotRate',
  'coldRate',
  'maxUtilization',
];

/** Schema fields the page shows in another field's box. */
const SHOWN_IN: Record<string, TextField> = { memory: 'pages', downtimeLimit: 'alpha' };

function fieldOf(issue: { path: readonly PropertyKey[]; params?: unknown }): TextField | undefined {
  const field = (issue.params as IssueParams | undefined)?.field ?? String(issue.path[0] ?? '');
  if (SHOWN_IN[field]) return SHOWN_IN[field];
  return KNOWN.includes(field) ? (field as TextField) : undefined;
}

/**
 * The model input of a view, through the shared schema: `input` when every field the chosen cases need is valid,
 * else one error in words per bad field (the schema stops at the first).
 */
export function parseView(state: ViewState): ParsedView {
  const errors: ParsedView['errors'] = {};
  const raw = rawInput(state);
  const cases = casesOf(state.case);
  const p = predictSchema.safeParse(raw);
  if (!p.success) {
    for (const issue of p.error.issues) {
      const f = fieldOf(issue as never);
      if (f && !errors[f]) errors[f] = describeIssue(issue);
    }
  }
  // Umax is checked by the optimiser's schema; the page also caps it at 1 (a utilisation above 100% means nothing).
  const { alpha: _alpha, downtimeLimit: _limit, ...model } = raw;
  const o = optimizeSchema.safeParse({ ...model, maxUtilization: state.maxUtilization });
  let maxUtilization: number | undefined;
  if (o.success) {
    const u = o.data.constraints.maxNetworkUtilization!;
    if (u > 1)
      errors.maxUtilization = `maxUtilization '${state.maxUtilization}' is out of range: expected 0 < Umax <= 1`;
    else maxUtilization = u;
  } else {
    for (const issue of o.error.issues) {
      const f = fieldOf(issue as never);
      if (f === 'maxUtilization' && !errors[f]) errors[f] = describeIssue(issue);
    }
  }
  if (!p.success || maxUtilization === undefined) {
    if (Object.keys(errors).length === 0 && !p.success) {
      errors.pages = describeIssue(p.error.issues[0]!);
    }
    return { cases, errors };
  }
  return { input: p.data.input, cases: p.data.cases, maxUtilization, errors };
}
