import { type Command, Option } from 'commander';
import { csvRow } from '../../format/csv.js';
import type { CaseName } from '../../model/index.js';
import type { OptimizeResult } from '../../optimize/index.js';
import { optimizeAll, optimizeInput, optimizeJson } from '../../ops/optimize.js';
import { OBJECTIVE_CHOICES, type ResolvedOptimize } from '../../schema/index.js';
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
import { CASE_LABEL } from './predict.js';

function interval(r: Extract<OptimizeResult, { feasible: true }>): string {
  return `[${fmt(r.alpha.min)}, ${fmt(r.alpha.max)}${r.alpha.maxInclusive ? ']' : ')'}`;
}

export function optimizeTable(results: Record<string, OptimizeResult>, r: ResolvedOptimize): string {
  const c = r.constraints;
  const cons = [
    c.maxNetworkUtilization !== undefined ? `Unet <= ${fmt(c.maxNetworkUtilization)}` : '',
    c.maxDowntimeSeconds !== undefined ? `Tdown <= ${fmt(c.maxDowntimeSeconds)} s` : '',
    c.maxTotalSeconds !== undefined ? `Ttotal <= ${fmt(c.maxTotalSeconds)} s` : '',
    c.maxPagesTransferred !== undefined ? `PTotalMig <= ${fmt(c.maxPagesTransferred)}` : '',
    c.maxEnergyJoules !== undefined ? `E <= ${fmt(c.maxEnergyJoules)} J` : '',
  ].filter(Boolean);
  const parts = [
    `minimise ${r.objective} over alpha in [${fmt(r.alphaRange.min)}, ${fmt(r.alphaRange.max)}]${cons.length ? ` subject to ${cons.join(', ')}` : ''} (${r.accounting} accounting)`,
  ];
  for (const [name, o] of Object.entries(results)) {
    const label = CASE_LABEL[name as CaseName];
    if (!o.converged) {
      parts.push(`\n${label}\n  ${o.reason}`);
    } else if (!o.feasible) {
      parts.push(
        `\n${label}\n${columns([
          ['  result', `infeasible: no alpha meets ${o.violated.join(' and ')}`],
          ['  smallest Unet', `${fmt(o.minNetworkUtilization)} at alpha = ${fmt(o.atAlpha)}`],
          [
            '  smallest downtime',
            `${fmt(o.best.downtimeSeconds.value)} s at alpha = ${fmt(o.best.downtimeSeconds.atAlpha)}`,
          ],
          [
            '  smallest total time',
            `${fmt(o.best.totalSeconds.value)} s at alpha = ${fmt(o.best.totalSeconds.atAlpha)}`,
          ],
          [
            '  fewest pages',
            `${fmt(o.best.pagesTransferred.value)} at alpha = ${fmt(o.best.pagesTransferred.atAlpha)}`,
          ],
          ...(o.best.energyJoules
            ? ([
                [
                  '  least energy',
                  `${fmt(o.best.energyJoules.value)} J at alpha = ${fmt(o.best.energyJoules.atAlpha)}`,
                ],
              ] as [string, string][])
            : []),
        ])}`,
      );
    } else {
      parts.push(
        `\n${label}\n${columns([
          ['  optimal alpha', `${interval(o)} (recommended ${fmt(o.alpha.recommended)})`],
          ['  rounds n', String(o.iterations)],
          ['  downtime', `${fmt(o.downtimeSeconds)} s`],
          ['  total time', `${fmt(o.totalSeconds)} s`],
          [
            '  pages migrated',
            o.pagesTransferred.min === o.pagesTransferred.max
              ? fmt(o.pagesTransferred.min)
              : `${fmt(o.pagesTransferred.min)} .. ${fmt(o.pagesTransferred.max)}`,
          ],
          [
            '  energy',
            o.energyJoules.min === o.energyJoules.max
              ? `${fmt(o.energyJoules.min)} J`
              : `${fmt(o.energyJoules.min)} .. ${fmt(o.energyJoules.max)} J`,
          ],
          [
            '  Unet',
            o.networkUtilization.min === o.networkUtilization.max
              ? fmt(o.networkUtilization.min)
              : `${fmt(o.networkUtilization.min)} .. ${fmt(o.networkUtilization.max)}`,
          ],
        ])}`,
      );
    }
  }
  return `${parts.join('\n')}\n`;
}

export function registerOptimize(program: Command): void {
  addModelOptions(
    program
      .command('optimize')
      .description('choose alpha: minimise downtime (or total time, pages, energy) subject to constraints, exactly'),
  )
    .option('--max-utilization <u>', 'Umax: network utilisation limit, e.g. 0.4')
    .option('--alpha-range <lo:hi>', 'alpha searched in [lo, hi] (default 0.001:0.999)')
    .option('--max-downtime <duration>', 'downtime limit (e.g. 500ms)')
    .option('--max-total-time <duration>', 'total migration time limit (e.g. 10min)')
    .option('--max-pages <n>', 'limit on pages migrated')
    .option('--max-energy <J>', 'limit on the migration energy, joules (model: docs/fleet.md, Energy)')
    .option('--joules-per-megabyte <J>', 'energy per MB (10^6 B) sent (default 0.512, Liu et al. HPDC 2011)')
    .option('--joules-per-migration <J>', 'energy per migration (default 20.165, Liu et al.)')
    .option('--host-power-watts <W>', 'extra host power while migrating (default 0)')
    .addOption(new Option('--objective <what>', 'what to minimise').choices([...OBJECTIVE_CHOICES]))
    .addOption(formatOption(['table', 'json', 'csv'], 'table'))
    .action((opts: Record<string, unknown>) => {
      const resolved = parseOrFail(
        optimizeInput,
        pick(opts, [
          ...MODEL_FIELDS,
          'maxUtilization',
          'alphaRange',
          'maxDowntime',
          'maxTotalTime',
          'maxPages',
          'maxEnergy',
          'joulesPerMegabyte',
          'joulesPerMigration',
          'hostPowerWatts',
          'objective',
        ]),
      );
      const results = optimizeAll(resolved);
      const diverged = Object.entries(results).find(([, o]) => !o.converged);
      if (diverged && !diverged[1].converged) throw new CliError(`${diverged[1].reason} [case ${diverged[0]}]`);
      let out: string;
      if (opts.format === 'json') {
        const obj: Record<string, unknown> = {};
        for (const [k, o] of Object.entries(results)) obj[k] = optimizeJson(o);
        out = `${toJson(obj)}\n`;
      } else if (opts.format === 'csv') {
        out = csvRow([
          'case',
          'feasible',
          'alphaMin',
          'alphaMax',
          'alphaMaxInclusive',
          'alphaRecommended',
          'iterations',
          'downtimeSeconds',
          'totalSeconds',
          'networkUtilizationMin',
          'networkUtilizationMax',
          'minNetworkUtilization',
          'atAlpha',
          'energyJoulesMin',
          'energyJoulesMax',
        ]);
        for (const [k, o] of Object.entries(results)) {
          if (!o.converged) continue;
          out += o.feasible
            ? csvRow([
                k,
                true,
                o.alpha.min,
                o.alpha.max,
                o.alpha.maxInclusive,
                o.alpha.recommended,
                o.iterations,
                o.downtimeSeconds,
                o.totalSeconds,
                o.networkUtilization.min,
                o.networkUtilization.max,
                null,
                null,
                o.energyJoules.min,
                o.energyJoules.max,
              ])
            : csvRow([
                k,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                o.minNetworkUtilization,
                o.atAlpha,
                null,
                null,
              ]);
        }
      } else {
        out = optimizeTable(results, resolved);
      }
      process.stdout.write(out);
    });
}
