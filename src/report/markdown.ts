/**
 * Markdown writers of the reproduction: the report (figures, claims, Table 3, investigation), Table 3 on its
 * own, and the errata. Every number comes from the model through the builders; nothing here is typed in
 * except the paper's printed values (in table3.ts). Pure; no Node imports.
 */
import { optimize } from '../optimize/index.js';
import { bands, caseRho, type CaseKey } from './bands.js';
import { type Claim, checkClaims, num, type Verdict } from './claims.js';
import { CASE_LABELS, type FigureData } from './figures.js';
import { type ReproductionParams, TABLE2 } from './params.js';
import { evaluateReadings, inverseRho, PRINTED_UNET } from './readings.js';
import { TABLE3_EDGE_POWER, type Table3Row, table3 } from './table3.js';

const CASES: readonly CaseKey[] = ['uniform', 'hotPrecopy', 'hotDowntime'];

/** Escapes a Markdown table cell (pipes and line breaks). */
export function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const VERDICT_TEXT: Record<Verdict, string> = {
  holds: '✅ holds',
  'holds-if': '⚠️ holds only if',
  fails: '❌ does not hold',
};

/** Verdict cell text: the verdict, and the condition for holds-if. */
export function verdictText(c: Claim): string {
  return c.verdict === 'holds-if' ? `${VERDICT_TEXT[c.verdict]} ${c.condition ?? ''}`.trim() : VERDICT_TEXT[c.verdict];
}

/** Table 3, printed beside computed, as Markdown. */
export function table3Markdown(rows: readonly Table3Row[] = table3()): string {
  const header = [
    'case',
    'Ps',
    'α printed',
    'band edge ρ^k',
    'n (α literal)',
    'Tdown (α literal), s',
    'n (band top)',
    'Tdown printed, s',
    'Tdown (band top), s',
    'Unet printed',
    'Unet Eq. 16/23/31 (band top)',
    'Unet, pages left (band top)',
  ];
  const body = rows.map((r) => [
    r.caseLabel,
    String(r.pages),
    num(r.printed.alpha),
    `${num(r.edgeAlpha, 6)} (k = ${r.edgePower})`,
    String(r.literal.iterations),
    num(r.literal.downtimeSeconds, 6),
    String(r.bandTop.iterations),
    num(r.printed.downtimeSeconds),
    `${num(r.bandTop.downtimeSeconds, 6)} ${r.downtimeMatches ? '✅' : '❌'}`,
    num(r.printed.networkUtilization),
    `${num(r.bandTop.networkUtilization)} ${r.utilizationMatches ? '✅' : '❌'}`,
    num(r.bandTop.networkUtilizationConsistent),
  ]);
  return [
    '# Table 3 of the paper beside the model',
    '',
    '"α literal": the printed α with n from Eq. 11. "band top": α just below the band edge ρ^k (the largest α with n = k),',
    'the reading under which the printed downtimes hold. ✅/❌: agrees with the printed value to its printed precision.',
    '',
    mdTable(header, body),
    '',
  ].join('\n');
}

function figureSection(figures: readonly FigureData[], fine: readonly FigureData[]): string {
  const out: string[] = ['## Figures', ''];
  out.push(
    "Each figure is drawn twice: on the paper's grid (α, or β in Figure 1, in steps of 0.05) and on a fine grid that shows",
    'the staircase in n. Each has its data as CSV (one row per point, with ρ and n so any point can be checked by hand).',
    '',
  );
  for (const f of figures) {
    const g = fine.find((x) => x.id === f.id);
    out.push(`### ${f.label}: ${f.title}`, '');
    out.push(`![${f.label}](${f.id}.svg)`, '');
    out.push(
      `Files: [SVG](${f.id}.svg) · [PNG](${f.id}.png) · [CSV](${f.id}.csv)` +
        (g ? ` · fine grid: [SVG](${g.id}-fine.svg) · [PNG](${g.id}-fine.png) · [CSV](${g.id}-fine.csv)` : ''),
      '',
    );
  }
  return out.join('\n');
}

function bandsTable(c: CaseKey, p: ReproductionParams): string {
  const bs = bands(c, p).slice(0, 6);
  return mdTable(
    ['n', 'α from (incl.)', 'α to (excl.)', 'Tdown at Ps = 4096, s', 'least Unet in band', 'Unet as α → upper end'],
    bs.map((b) => [
      String(b.iterations),
      num(b.alphaFrom, 6),
      num(b.alphaTo, 6),
      num(b.downtimeSeconds, 6),
      num(b.networkUtilizationMin),
      num(b.networkUtilizationSup),
    ]),
  );
}

/** The Table 3 investigation as Markdown sections (used by the report and the errata). */
export function investigationMarkdown(p: ReproductionParams = TABLE2, headingLevel = 2): string {
  const h = '#'.repeat(headingLevel);
  const rows = table3(p);
  const readings = evaluateReadings(p);
  const any = readings.filter((r) => r.reproduces);
  const best = [...readings].sort((a, b) => a.maxAbsoluteError - b.maxAbsoluteError)[0]!;
  const first = (c: CaseKey) => rows.find((r) => r.case === c)!;
  const out: string[] = [];
  out.push(`${h} Table 3 investigation`, '');
  out.push(
    `${h}# 1. Where the printed α's sit`,
    '',
    "n, and with it Tdown and G, is constant on each band α ∈ [ρ^(n+1), ρ^n). The printed α's are the band edges ρ³, ρeff³ and ρnh rounded to three decimals:",
    '',
    mdTable(
      [
        'case',
        'ρ',
        'α printed',
        'edge',
        'offset',
        'n (literal)',
        'n (just below edge)',
        'printed Tdown (Ps = 4096) needs n =',
      ],
      CASES.map((c) => {
        const r = first(c);
        return [
          CASE_LABELS[c],
          num(r.rho, 6),
          num(r.printed.alpha),
          `ρ^${r.edgePower} = ${num(r.edgeAlpha, 6)}`,
          `${num(r.alphaOffsetFromEdge * 100, 2)} %`,
          String(r.literal.iterations),
          String(r.bandTop.iterations),
          r.downtimeMatches ? String(r.bandTop.iterations) : '?',
        ];
      }),
    ),
    '',
    'Taken literally, 0.152 > ρ³ gives n = 2 and Tdown = ' +
      `${num(first('uniform').literal.downtimeSeconds)} s (not 88), and 0.480 = ρnh gives n = 0 and Tdown = ${num(first('hotDowntime').literal.downtimeSeconds)} s (not 336); ` +
      'only 0.156 < ρeff³ works literally. All twelve printed downtimes agree (to their printed precision) with α just below the edge, i.e. at the **upper end** of the bands n = 3, 3, 1.',
    '',
  );
  out.push(
    `${h}# 2. What Eqs. 16, 23 and 31 give`,
    '',
    'Within a band the printed Unet is affine and increasing in α; its least value in each band falls as n grows, towards ρ (uniform, Hot I) or ' +
      '((1−β)ρnh + β(1−ρnh))/((1−β) + β(1−ρnh)) (Hot II). The first bands (α in [0.001, 0.999]):',
    '',
  );
  for (const c of CASES) {
    out.push(`**${CASE_LABELS[c]}** (ρ = ${num(caseRho(c, p), 6)})`, '', bandsTable(c, p), '');
  }
  out.push(
    `At the printed optima Eqs. 16/23/31 give Unet = ${CASES.map((c) => num(first(c).bandTop.networkUtilization)).join(', ')} (printed: ${CASES.map((c) => num(PRINTED_UNET[c])).join(', ')}). ` +
      `The least Unet any α in [0.001, 0.999] gives is ${CASES.map((c) => num(first(c).minimumUtilization)).join(', ')}: **with Umax = ${p.maxNetworkUtilization} no α is feasible in any of the three cases**. ` +
      'Moreover, because the least Unet of a band falls as n grows while Tdown falls too, minimising Tdown and minimising Unet pull the same way: ' +
      'whenever some α is feasible, the optimum is the smallest α allowed (the lower bound of the search range), never an interior band top such as 0.152.',
    '',
  );
  out.push(
    `The exact optimiser (\`src/optimize\`) agrees: minimise Tdown subject to Unet ≤ Umax, α in [0.001, 0.999], Eqs. 16/23/31:`,
    '',
    optimiserTable(p),
    '',
  );
  out.push(
    `${h}# 3. Readings tried`,
    '',
    'Each reading recomputes Unet at the three printed optima (n = 3, 3, 1, α just below the edge unless stated). "reproduces" needs all three to agree to 3 decimals.',
    '',
    mdTable(
      ['reading', 'uniform', 'Hot I', 'Hot II', 'max |error|', 'reproduces'],
      [
        ['printed in Table 3', ...CASES.map((c) => num(PRINTED_UNET[c])), '', ''],
        ...readings.map((r) => [
          `${r.id}: ${r.description}`,
          ...CASES.map((c) => (r.values[c] === undefined ? 'diverges' : num(r.values[c]!))),
          Number.isFinite(r.maxAbsoluteError) ? num(r.maxAbsoluteError, 3) : '∞',
          r.reproduces ? 'yes' : 'no',
        ]),
      ],
    ),
    '',
    any.length > 0
      ? `Readings that reproduce the column: ${any.map((r) => r.id).join(', ')}.`
      : `**No reading found reproduces the Unet column.** The closest, "${best.id}", is off by up to ${num(best.maxAbsoluteError, 3)}. ` +
          belowText(readings),
    '',
    inverseText(p),
    '',
    'What the printed column is consistent with: a Unet that *falls* as α grows (as the Conclusion believes), a constraint that binds inside band n = 3 (uniform, Hot I) or n = 1 (Hot II), ' +
      "and a solver that reports the top of the optimal band, where Tdown is the same as anywhere in the band. With the paper's own Unet the opposite holds (see the claim on Section 9).",
    '',
  );
  return out.join('\n');
}

function inverseText(p: ReproductionParams): string {
  const parts = CASES.map((c) => {
    const inv = inverseRho(c, p);
    const rho = caseRho(c, p);
    if (inv.rhos.length === 0) {
      return `${CASE_LABELS[c]}: no ρ in (0, 1) works (at α = ${num(optimumPointAlpha(c, p), 4)}, n = ${c === 'hotDowntime' ? 1 : 3} the equation never goes below ${num(inv.minimumOverRho)})`;
    }
    return `${CASE_LABELS[c]}: ρ = ${inv.rhos.map((r) => num(r)).join(' or ')} (a dirty rate of ${inv.dirtyRates.map((d) => num(d)).join(' or ')} pages/s; the case's ρ is ${num(rho)}, ρ² = ${num(rho ** 2)})`;
  });
  return (
    '**Inverse check.** Holding α and n of the printed optimum, which ρ would make Eqs. 16/23/31 give the printed value? ' +
    `${parts.join('; ')}. No single Table 2 rate (D = ${p.dirtyPagesPerSecond}, Dnh = ${p.coldDirtyPagesPerSecond}, Dh = ${p.hotDirtyPagesPerSecond}, D_eff = ${num(p.coldDirtyPagesPerSecond * (1 - p.hotFraction) + p.hotDirtyPagesPerSecond * p.hotFraction)} pages/s) fits, and in Hot II the downtime term (α + β)(1 − ρnh) alone keeps Eq. 31 above 0.4 at α = 0.48. ` +
    'For the uniform case Eq. 16 is at least ρ for every α (it is a time average of ρ and α/ρ^(n+1) ≥ 1), so no α (or α/ρ mix-up in α) can give 0.394 either.'
  );
}

function optimumPointAlpha(c: CaseKey, p: ReproductionParams): number {
  return caseRho(c, p) ** TABLE3_EDGE_POWER[c];
}

function belowText(readings: ReturnType<typeof evaluateReadings>): string {
  const near = readings
    .map((r) => ({
      id: r.id,
      cases: CASES.filter((c) => r.values[c] !== undefined && Math.abs(r.values[c]! - PRINTED_UNET[c]) <= 0.005),
      values: r.values,
    }))
    .filter((r) => r.cases.length > 0);
  const missing = CASES.filter((c) => !near.some((r) => r.cases.includes(c)));
  const partial =
    near.length === 0
      ? 'No reading comes within 0.005 of a printed value in any case.'
      : 'Partial matches (within 0.005 of the printed value): ' +
        near
          .map((r) => `${r.id} for ${r.cases.map((c) => `${CASE_LABELS[c]} (${num(r.values[c]!)})`).join(' and ')}`)
          .join('; ') +
        (missing.length > 0 ? `; none for ${missing.map((c) => CASE_LABELS[c]).join(', ')}.` : '.');
  return (
    `${partial} ` +
    'Any reading that keeps ρ (0.48 to 0.54) as the live-phase utilisation and counts at least the pages left as downtime traffic stays above ρ > 0.4.'
  );
}

/** What the exact optimiser returns for a few values of Umax (paper accounting, α in [0.001, 0.999]). */
function optimiserTable(p: ReproductionParams): string {
  const limits = [p.maxNetworkUtilization, 0.55, 0.6, 0.7];
  const rows: string[][] = [];
  for (const c of CASES) {
    for (const u of limits) {
      const r = optimize({
        case: c,
        pages: p.pagesList[0] ?? 4096,
        pageSizeBytes: p.pageSizeBytes,
        bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
        dirtyPagesPerSecond: p.dirtyPagesPerSecond,
        hotFraction: p.hotFraction,
        hotDirtyPagesPerSecond: p.hotDirtyPagesPerSecond,
        coldDirtyPagesPerSecond: p.coldDirtyPagesPerSecond,
        accounting: 'paper',
        constraints: { maxNetworkUtilization: u },
      });
      if (!r.converged) {
        rows.push([CASE_LABELS[c], num(u), 'does not converge', '', '', '']);
      } else if (!r.feasible) {
        rows.push([
          CASE_LABELS[c],
          num(u),
          `infeasible (least Unet ${num(r.minNetworkUtilization)} at α = ${num(r.atAlpha)})`,
          '',
          '',
          '',
        ]);
      } else {
        rows.push([
          CASE_LABELS[c],
          num(u),
          `[${num(r.alpha.min)}, ${num(r.alpha.max)}${r.alpha.maxInclusive ? ']' : ')'}`,
          String(r.iterations),
          num(r.downtimeSeconds),
          `${num(r.networkUtilization.min)} to ${num(r.networkUtilization.max)}`,
        ]);
      }
    }
  }
  return mdTable(['case', 'Umax', 'optimal α', 'n', `Tdown (Ps = ${p.pagesList[0] ?? 4096}), s`, 'Unet'], rows);
}

/** The closing note: what the Table 3 investigation found, in a few sentences. */
export function closingNote(p: ReproductionParams = TABLE2): string {
  const rows = table3(p);
  const readings = evaluateReadings(p);
  const reproduced = readings.filter((r) => r.reproduces).map((r) => r.id);
  const f = (c: CaseKey) => rows.find((r) => r.case === c)!;
  const allTdown = rows.every((r) => r.downtimeMatches);
  return [
    `Table 3's Tdown column ${allTdown ? 'is reproduced in all 12 rows' : 'is not fully reproduced'} when each printed α is read as the top of a band of constant n ` +
      `(just below ρ³ = ${num(f('uniform').edgeAlpha)}, ρeff³ = ${num(f('hotPrecopy').edgeAlpha)}, ρnh = ${num(f('hotDowntime').edgeAlpha)}; n = 3, 3, 1); taken literally, the uniform and Hot II α's give other n and other downtimes. ` +
      `Its Unet column is not reproduced: Eqs. 16, 23, 31 give ${['uniform', 'hotPrecopy', 'hotDowntime'].map((c) => num(f(c as CaseKey).bandTop.networkUtilization)).join(', ')} instead of 0.394, 0.399, 0.400, ` +
      `and no α in [0.001, 0.999] meets Umax = ${p.maxNetworkUtilization} (least Unet ${['uniform', 'hotPrecopy', 'hotDowntime'].map((c) => num(f(c as CaseKey).minimumUtilization)).join(', ')}). ` +
      (reproduced.length > 0
        ? `The readings ${reproduced.join(', ')} reproduce it.`
        : `None of the ${readings.length} readings tried (continuous n, off-by-one n, pages-left accounting, KB/KiB and bit/byte slips, α/ρ swapped, live phase only, idle share, ...) reproduces it.`) +
      " Under the paper's own definition, lower α gives lower Unet, so the optimisation of Section 6 either has no feasible α or is solved by the smallest α allowed.",
  ].join('');
}

/** Context of the report: the figures on both grids and where their files are. */
export interface ReportInput {
  readonly figures: readonly FigureData[];
  readonly fineFigures: readonly FigureData[];
  readonly params?: ReproductionParams;
  /** Versions of the renderer, for the record. */
  readonly versions?: Readonly<Record<string, string>>;
}

/** The full report. */
export function reportMarkdown(input: ReportInput): string {
  const p = input.params ?? TABLE2;
  const claims = checkClaims(p);
  const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
  const counts = { holds: 0, 'holds-if': 0, fails: 0 } as Record<Verdict, number>;
  for (const c of claims) counts[c.verdict]++;
  const out: string[] = [];
  out.push(
    '# Reproduction of Aldhalaan & Menascé (EPEW 2013), Section 7',
    '',
    'Generated by `precopy reproduce` from the model in `src/model` (Table 1 of the paper) and the parameters of Table 2. ',
    "Every number below is computed; only the paper's printed values are typed in. The errata of the paper are in `docs/errata.md` (and `errata.md` here).",
    '',
    '## Parameters (Table 2)',
    '',
    mdTable(
      ['parameter', 'value', 'derived'],
      [
        ['B', `${p.bandwidthBytesPerSecond / 1000} KB/s`, `τ = S/B = ${num(tau, 6)} s per page`],
        ['S', `${p.pageSizeBytes / 1000} KB`, ''],
        ['D', `${p.dirtyPagesPerSecond} pages/s`, `ρ = D·τ = ${num(caseRho('uniform', p), 6)}`],
        [
          'Dnh, Dh, β',
          `${p.coldDirtyPagesPerSecond}, ${p.hotDirtyPagesPerSecond} pages/s, ${p.hotFraction}`,
          `ρeff = ${num(caseRho('hotPrecopy', p), 6)}, ρnh = ${num(caseRho('hotDowntime', p), 6)}`,
        ],
        ['Ps', `${p.pagesList.join(', ')} pages`, ''],
        ['Umax', String(p.maxNetworkUtilization), ''],
      ],
    ),
    '',
    'Conventions: n is the smallest n ≥ 0 with ρ^(n+1) ≤ α (Eq. 9), so a band edge α = ρ^k belongs to the band with n = k − 1; ' +
      "page counts (Eqs. 13, 21, 28) use the paper's accounting (α·Ps pages at downtime) unless said otherwise.",
    '',
  );
  out.push(figureSection(input.figures, input.fineFigures));
  out.push(
    '## Claims of the paper, checked',
    '',
    `${claims.length} claims: ${counts.holds} hold, ${counts['holds-if']} hold only under a condition, ${counts.fails} do not hold.`,
    '',
    mdTable(
      ['#', 'where', 'claim', 'verdict', 'why (computed)'],
      claims.map((c, i) => [
        String(i + 1),
        c.figure ? `${c.where} ([figure](${c.figure}.svg))` : c.where,
        c.claim,
        verdictText(c),
        c.evidence,
      ]),
    ),
    '',
  );
  out.push('## Table 3', '', 'Also as [Markdown](table3.md), [CSV](table3.csv) and [JSON](table3.json).', '');
  out.push(table3Markdown(table3(p)).split('\n').slice(4).join('\n'));
  out.push(investigationMarkdown(p, 2));
  out.push('## Closing note', '', closingNote(p), '');
  if (input.versions) {
    out.push(
      '## Rendering',
      '',
      `Charts: Vega-Lite specs from \`src/report/charts.ts\`, rendered in Node (${Object.entries(input.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), PNG at 2× with DejaVu Sans.`,
      '',
    );
  }
  return out.join('\n');
}

/** The errata of the paper (docs/errata.md is this text, regenerated and checked by a test). */
export function errataMarkdown(p: ReproductionParams = TABLE2): string {
  const claims = checkClaims(p).filter((c) => c.verdict !== 'holds');
  const tau = p.pageSizeBytes / p.bandwidthBytesPerSecond;
  const out: string[] = [
    '# Errata: Aldhalaan & Menascé, "Analytic Performance Modeling and Optimization of Live VM Migration", EPEW 2013',
    '',
    '<!-- Generated by src/report/markdown.ts (errataMarkdown); `precopy reproduce` writes the same text to errata.md. Do not edit by hand: test/report/errata.test.ts checks this file is current. -->',
    '',
    `Parameters: Table 2 (B = ${p.bandwidthBytesPerSecond / 1000} KB/s, S = ${p.pageSizeBytes / 1000} KB, τ = ${num(tau, 6)} s, D = ${p.dirtyPagesPerSecond}, Dnh = ${p.coldDirtyPagesPerSecond}, Dh = ${p.hotDirtyPagesPerSecond} pages/s, β = ${p.hotFraction}, Umax = ${p.maxNetworkUtilization}), ` +
      `so ρ = ${num(caseRho('uniform', p), 6)}, ρeff = ${num(caseRho('hotPrecopy', p), 6)}, ρnh = ${num(caseRho('hotDowntime', p), 6)}.`,
    '',
    '## Summary',
    '',
    closingNote(p),
    '',
    '## Accounting of the pages copied at downtime (Eqs. 13, 15-16, 21, 23, 28, 30-31)',
    '',
    'Eq. 6 (and 18, 25) sends the Ps·ρ^(n+1) pages actually left at the stop, but Eqs. 13/21/28 (pages migrated) and 15-16/23/30-31 (network utilisation) count α·Ps pages at downtime. ' +
      'Since ρ^(n+1) ≤ α, this over-counts by (α − ρ^(n+1))·Ps pages, makes the downtime-phase "utilisation" α/ρ^(n+1) exceed 1, and is what makes PTotalMig non-monotone in α. ' +
      'precopy offers both: `--accounting paper` (the printed formulas, the default for reproduction) and `--accounting consistent` (Ps·ρ^(n+1) [+ β·Ps] pages at downtime).',
    '',
    '## Items',
    '',
  ];
  for (const c of claims) {
    out.push(`### ${c.where}`, '', `> ${c.claim}`, '', `**${verdictText(c)}.** ${c.evidence}`, '');
  }
  out.push(investigationMarkdown(p, 2));
  return out.join('\n');
}
