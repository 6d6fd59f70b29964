/// <reference lib="dom" />
/**
 * The explorer's fleet view (`#fleet`) in real Chromium (see browser.ts): the example inventory is planned in
 * the browser with the library, and the page's numbers are those of `fleetPlan` run in Node on the same text.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fleetPlan } from '../../src/ops/fleet.js';
import { type Harness, startHarness } from './browser.js';

const SCREENSHOTS = 'test-output/screenshots';
const DRAIN = readFileSync(new URL('../../examples/drain.yaml', import.meta.url), 'utf8');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Relative difference within tol: two V8 versions may round Math.exp/log differently in the last bits. */
function rel(actual: number, expected: number, tol = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol * Math.abs(expected));
}

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await h.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${h.url}#fleet`);
  await page.waitForSelector('#fleet-makespan', { timeout: 60_000 });
  await page.waitForFunction(() => document.documentElement.dataset.fleetGantt !== undefined);
  return { page, problems };
}

describe('explorer fleet view', () => {
  test('the example is planned in the browser: makespan, baselines and commands equal fleetPlan in Node; one Gantt bar per VM', async () => {
    const { page, problems } = await open();
    expect(await page.inputValue('#fleet-inventory')).toBe(DRAIN);
    const node = fleetPlan({ inventory: DRAIN });
    rel(Number(await page.getAttribute('#fleet-makespan', 'data-value')), node.plan.summary.makespanSeconds);
    // Plan and the six baselines side by side, each makespan as Node computes it.
    const rows = await page.$$eval('#fleet-baselines tbody tr', (trs) =>
      trs.map((tr) => ({
        name: (tr as HTMLElement).dataset.name,
        makespan: Number(tr.querySelector('td')!.dataset.value),
        feasible: tr.lastElementChild!.textContent,
      })),
    );
    expect(rows.map((r) => r.name)).toEqual(['plan', ...node.baselines.map((b) => b.name)]);
    node.baselines.forEach((b, i) => {
      rel(rows[i + 1]!.makespan, b.summary.makespanSeconds);
      expect(rows[i + 1]!.feasible).toBe(b.feasible ? 'yes' : 'no');
    });
    // The commands, in start order, one block per migration.
    const vms = await page.$$eval('#fleet-commands li', (lis) => lis.map((li) => (li as HTMLElement).dataset.vm));
    expect(vms).toEqual(node.plan.migrations.map((m) => m.vm));
    const firstQmp = await page.textContent('#fleet-commands li pre.qmp');
    expect(firstQmp).toBe(node.plan.migrations[0]!.commands!.qmp.join('\n'));
    // Gantt: the SVG's pre-copy bars, one per VM of the inventory (vega labels each mark with its tooltip fields).
    const bars = await page.$$eval('#fleet-gantt svg .mark-rect path', (ps) =>
      ps.map((p) => p.getAttribute('aria-label') ?? ''),
    );
    const precopy = bars.filter((l) => /phase: pre-copy/.test(l));
    const vmOf = (l: string) => /vm: ([^;]+)/.exec(l)?.[1];
    expect(precopy).toHaveLength(10);
    expect(new Set(precopy.map(vmOf))).toEqual(new Set(node.plan.migrations.map((m) => m.vm)));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/fleet-1366x768-full.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('downloads: the JSON is the plan, the CSV has one row per migration', async () => {
    const { page, problems } = await open();
    const node = fleetPlan({ inventory: DRAIN });
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#fleet-json')]);
    const plan = JSON.parse(readFileSync((await json.path())!, 'utf8'));
    expect(plan.plan.migrations.map((m: { vm: string }) => m.vm)).toEqual(node.plan.migrations.map((m) => m.vm));
    rel(plan.plan.summary.makespanSeconds, node.plan.summary.makespanSeconds);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#fleet-csv')]);
    const records = parseCsv(readFileSync((await csv.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(10);
    expect(records.map((r) => r.vm)).toEqual(node.plan.migrations.map((m) => m.vm));
    for (const [i, r] of records.entries()) rel(Number(r.endSeconds), node.plan.migrations[i]!.endSeconds);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('an invalid inventory shows every problem naming the VM, the field and the line, and no plan', async () => {
    const { page, problems } = await open();
    const bad = DRAIN.replace('memory: 64GiB, dirtyRate: 60000', 'memory: 64gb, dirtyRate: 60000');
    await page.fill('#fleet-inventory', bad);
    await page.waitForSelector('#fleet-problems', { timeout: 60_000 });
    const lines = await page.$$eval('#fleet-problems li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^vm 'db-primary', field memory \(line 18\): /);
    expect(await page.getAttribute('#fleet-inventory', 'aria-invalid')).toBe('true');
    expect(await page.$('#fleet-makespan')).toBeNull();
    expect(await page.evaluate(() => document.body.textContent?.includes('NaN'))).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });
});
