import type { Command } from 'commander';
import { csvRow } from '../../format/csv.js';
import { type CaseName, type CaseOutcome, type CaseResult, type Prediction, predict } from '../../model/index.js';
import { caseJson, predictInput, predictJson } from '../../ops/predict.js';
import type { ResolvedPredict } from '../../schema/index.js';
import { humanDuration } from '../../units/index.js';
import {
  CliError,
  MODEL_FIELDS,
  addModelOptions,
  columns,
  fmt,
  formatOption,
  parseOrFail,
  pick,
  toJson,
} from '../common.js';

export const CASE_LABEL: Record<CaseName, string> = {
  uniform: 'uniform dirtying',
  hotPrecopy: 'hot pages copied during pre-copy (Hot I)',
  hotDowntime: 'hot pages copied at downtime (Hot II)',
};

/** Throws the one-line non-convergence error for the first case that diverges. */
export function requireConverged(p: Prediction): Record<string, CaseResult> {
  const out: Record<string, CaseResult> = {};
  for (const [name, r] of Object.entries(p) as [CaseName | 'hotGain', CaseOutcome | number][]) {
    if (name === 'hotGain' || typeof r === 'number') continue;
    if (!r.converged) throw new CliError(`${r.reason} [case ${name}]`);
    out[name] = r;
  }
  return out;
}

/** The cases that converged (the others are reported with their reasons). */
function convergedOnly(p: Prediction): Record<string, CaseResult> {
  const out: Record<string, CaseResult> = {};
  for (const [name, r] of Object.entries(p) as [CaseName | 'hotGain', CaseOutcome | number][]) {
    if (name !== 'hotGain' && typeof r !== 'number' && r.converged) out[name] = r;
  }
  return out;
}

function jsonOf(results: Record<string, CaseResult>, hotGain: number | undefined): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(results)) obj[k] = caseJson(r);
  if (hotGain !== undefined) obj.hotGain = hotGain;
  return obj;
}

/** Text table of a prediction. */
export function predictTable(
  results: Record<string, CaseResult>,
  hotGain: number | undefined,
  resolved: ResolvedPredict,
): string {
  const parts: string[] = [];
  const { input } = resolved;
  parts.push(
    `Ps = ${input.pages} pages of ${fmt(input.pageSizeBytes)} B, B = ${fmt(input.bandwidthBytesPerSecond)} B/s, tau = S/B = ${fmt(input.pageSizeBytes / input.bandwidthBytesPerSecond)} s/page, alpha = ${fmt(input.alpha)}${resolved.alphaSource === 'downtimeLimit' ? ' (from --downtime-limit)' : ''}, ${resolved.accounting} accounting`,
  );
  for (const [name, r] of Object.entries(results)) {
    const rows: string[][] = [
      ['rho', fmt(r.rho)],
      ['rounds n (last live round)', String(r.iterations)],
      ['pre-copy time', `${fmt(r.precopySeconds)} s (${humanDuration(r.precopySeconds)})`],
      ['downtime', `${fmt(r.downtimeSeconds)} s (${humanDuration(r.downtimeSeconds)})`],
      ['total time', `${fmt(r.totalSeconds)} s (${humanDuration(r.totalSeconds)})`],
      ['pages migrated', fmt(r.pagesTransferred)],
      ['gain G', fmt(r.gain)],
      ['network utilisation Unet', fmt(r.networkUtilization)],
    ];
    parts.push(`\n${CASE_LABEL[name as CaseName]}\n${columns(rows.map((x) => [`  ${x[0]}`, x[1]!]))}`);
    const shown =
      r.rounds.length <= 12
        ? r.rounds.map((x, i) => [i, x] as const)
        : [
            ...r.rounds.slice(0, 6).map((x, i) => [i, x] as const),
            ...r.rounds.slice(-3).map((x, i) => [r.rounds.length - 3 + i, x] as const),
          ];
    const roundRows = [['  round i', 'pages P(i)', 'seconds T(i)']];
    shown.forEach(([i, x], j) => {
      if (j > 0 && i !== shown[j - 1]![0] + 1) roundRows.push(['  ...', '', '']);
      roundRows.push([`  ${i}`, fmt(x.pages), fmt(x.seconds)]);
    });
    parts.push(columns(roundRows));
    for (const w of r.warnings) parts.push(`  warning: ${w}`);
  }
  if (hotGain !== undefined) parts.push(`\nHG = Tdown(Hot I) / Tdown(Hot II) = ${fmt(hotGain)}`);
  return `${parts.join('\n')}\n`;
}

export const SUMMARY_COLUMNS = [
  'case',
  'rho',
  'iterations',
  'precopySeconds',
  'downtimeSeconds',
  'totalSeconds',
  'pagesTransferred',
  'gain',
  'networkUtilization',
  'warnings',
] as const;

export function registerPredict(program: Command): void {
  addModelOptions(
    program
      .command('predict')
      .description('predict rounds, times, downtime, pages and network utilisation (Table 1) for each case'),
  )
    .option('--alpha <fraction>', 'stop pre-copy when at most alpha*Ps pages are left, 0 < alpha < 1')
    .option('--downtime-limit <duration>', 'QEMU-style stop rule: alpha = limit*B/(Ps*S) (e.g. 300ms)')
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action((opts: Record<string, unknown>) => {
      const resolved = parseOrFail(predictInput, pick(opts, [...MODEL_FIELDS, 'alpha', 'downtimeLimit']));
      const prediction = predict(resolved.input, resolved.cases, { strict: resolved.strict });
      // Several cases asked for (--case all) and some converge: a case that never converges is reported beside
      // the others with its reason (issue 15), as the API does; one case, or none converging, stays an error.
      const diverged = resolved.cases.filter((c) => !prediction[c]!.converged);
      const partial = resolved.cases.length > 1 && diverged.length > 0 && diverged.length < resolved.cases.length;
      const results = partial ? convergedOnly(prediction) : requireConverged(prediction);
      const reasons = Object.fromEntries(
        diverged.map((c) => {
          const o = prediction[c]!;
          return [c, o.converged ? '' : o.reason] as const;
        }),
      );
      let out: string;
      if (opts.format === 'json') {
        out = `${toJson(partial ? predictJson(resolved, prediction) : jsonOf(results, prediction.hotGain))}\n`;
      } else if (opts.format === 'csv') {
        out = csvRow([...SUMMARY_COLUMNS, 'hotGain']);
        for (const [k, r] of Object.entries(results)) {
          out += csvRow([
            k,
            r.rho,
            r.iterations,
            r.precopySeconds,
            r.downtimeSeconds,
            r.totalSeconds,
            r.pagesTransferred,
            r.gain,
            r.networkUtilization,
            r.warnings.join('; '),
            prediction.hotGain,
          ]);
        }
        for (const [k, reason] of Object.entries(reasons)) {
          const o = prediction[k as CaseName]!;
          out += csvRow([k, o.rho, '', '', '', '', '', '', '', reason, prediction.hotGain]);
        }
      } else {
        out = predictTable(results, prediction.hotGain, resolved);
        for (const [k, reason] of Object.entries(reasons)) {
          out += `\n${CASE_LABEL[k as CaseName]}\n  ${reason}\n`;
        }
      }
      process.stdout.write(out);
    });
}
