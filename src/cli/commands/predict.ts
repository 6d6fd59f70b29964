import type { Command } from 'commander';
import { csvRow } from '../../format/csv.js';
import { type CaseName, type CaseOutcome, type CaseResult, type Prediction, predict } from '../../model/index.js';
import { caseJson, predictInput } from '../../ops/predict.js';
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
      const results = requireConverged(prediction);
      let out: string;
      if (opts.format === 'json') {
        const obj: Record<string, unknown> = {};
        for (const [k, r] of Object.entries(results)) obj[k] = caseJson(r);
        if (prediction.hotGain !== undefined) obj.hotGain = prediction.hotGain;
        out = `${toJson(obj)}\n`;
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
      } else {
        out = predictTable(results, prediction.hotGain, resolved);
      }
      process.stdout.write(out);
    });
}
