/// <reference lib="dom" />
/**
 * The explorer in real Chromium (Debian's /usr/bin/chromium via playwright-core; see browser.ts). Fails, never
 * skips, when Chromium is missing. Screenshots go to test-output/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALPHA_GRID } from '../../web/src/compute.js';
import { type Harness, buildLibraryScript, startHarness } from './browser.js';
import { tableValues } from './library-entry.js';

const SCREENSHOTS = 'test-output/screenshots';
let h: Harness;
let libraryScript: string;

beforeAll(async () => {
  libraryScript = await buildLibraryScript();
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

interface Opened {
  page: Page;
  /** Console errors and warnings and uncaught exceptions seen so far. */
  problems: string[];
}

async function open(query = ''): Promise<Opened> {
  const page = await h.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${h.url}${query}`);
  await settle(page);
  return { page, problems };
}

/** Waits until the charts have drawn the last input (performance marks `input-N` -> `charts-N`). */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const d = document.documentElement.dataset;
    const charts = document.querySelectorAll('figure.chart').length;
    const seq = d.inputSeq ?? '0';
    return d.updated === seq && d.updatedAll === seq && Number(d.charts) === charts;
  });
}

async function setText(page: Page, field: string, value: string): Promise<void> {
  await page.fill(`#f-${field}`, value);
  await settle(page);
}

/** Every numbers-table cell: case, quantity and the full-precision value it shows. */
async function cells(page: Page): Promise<Map<string, string>> {
  const list = await page.$$eval('td[data-quantity]', (tds) =>
    tds.map((td) => [
      `${(td as HTMLElement).dataset.case ?? ''}/${(td as HTMLElement).dataset.quantity}`,
      (td as HTMLElement).dataset.value ?? '',
    ]),
  );
  return new Map(list as [string, string][]);
}

/** The raw text of the form, as the schema reads it, and Umax. */
async function formInput(page: Page): Promise<{ raw: Record<string, string>; umax: number }> {
  const v = (id: string) => page.inputValue(`#f-${id}`);
  const choice = await v('case');
  const raw: Record<string, string> = {
    pages: await v('pages'),
    pageSize: await v('pageSize'),
    bandwidth: await v('bandwidth'),
    alpha: await v('alpha'),
    case: choice,
    accounting: await v('accounting'),
  };
  if (choice === 'all' || choice === 'uniform') raw.dirtyRate = await v('dirtyRate');
  if (choice !== 'uniform') {
    raw.hotFraction = await v('hotFraction');
    raw.hotRate = await v('hotRate');
    raw.coldRate = await v('coldRate');
  }
  return { raw, umax: Number(await v('maxUtilization')) };
}

/** What the library says for the form's text, computed in the page's own engine by the library bundled alone. */
async function libraryCells(page: Page): Promise<Map<string, string>> {
  const { raw, umax } = await formInput(page);
  if (!(await page.evaluate(() => 'precopyLib' in window))) await page.addScriptTag({ content: libraryScript });
  const values = await page.evaluate(
    ([r, u]) =>
      (
        window as unknown as {
          precopyLib: { tableValues: (raw: unknown, u: number) => Record<string, string> };
        }
      ).precopyLib.tableValues(r, u),
    [raw, umax] as const,
  );
  return new Map(Object.entries(values));
}

/** The same, computed in Node (a different V8: transcendental functions may differ in the last bits). */
async function nodeLibraryCells(page: Page): Promise<Map<string, string>> {
  const { raw, umax } = await formInput(page);
  return new Map(Object.entries(tableValues(raw, umax)));
}

/** Distance in units in the last place between two doubles (0 when identical). */
function ulps(a: number, b: number): number {
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const ia = buf.getBigInt64(0);
  const ib = buf.getBigInt64(8);
  return Number(ia > ib ? ia - ib : ib - ia);
}

/**
 * The page's numbers against the library's: exactly the same text as the library computes in the same browser,
 * and within 16 ulps of what it computes in Node (Chromium's V8 and Node 20's V8 may round Math.exp/log/pow
 * differently in the last bits; every other value is bit-identical there too).
 */
async function expectLibraryValues(page: Page): Promise<void> {
  const shown = await cells(page);
  expect(shown).toEqual(await libraryCells(page));
  const node = await nodeLibraryCells(page);
  expect([...shown.keys()].sort()).toEqual([...node.keys()].sort());
  for (const [k, v] of node) {
    const got = shown.get(k)!;
    if (got === v) continue;
    expect(got === '' || v === '', `${k}: page ${got}, Node ${v}`).toBe(false);
    expect(ulps(Number(got), Number(v)), `${k}: page ${got}, Node ${v}`).toBeLessThanOrEqual(16);
  }
}

async function expectNoNaN(page: Page): Promise<void> {
  const text = await page.evaluate(() => document.body.textContent ?? '');
  expect(text).not.toMatch(/NaN|Infinity|undefined|null/);
  const attrs = await page.$$eval('[data-value]', (els) => els.map((e) => (e as HTMLElement).dataset.value ?? ''));
  for (const a of attrs) expect(a).not.toMatch(/NaN|Infinity/);
}

describe('explorer in Chromium', () => {
  test('loads without console errors or warnings, with every chart drawn', async () => {
    const { page, problems } = await open();
    expect(await page.title()).toBe('precopy explorer');
    expect(await page.locator('figure.chart canvas').count()).toBe(7);
    expect(await page.locator('figure.chart').count()).toBe(7);
    await expectNoNaN(page);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('changing inputs updates the numbers to exactly the library values', async () => {
    const { page, problems } = await open();
    await expectLibraryValues(page);
    await setText(page, 'dirtyRate', '1.5');
    await setText(page, 'hotFraction', '0.25');
    await setText(page, 'pageSize', '4KiB');
    await setText(page, 'bandwidth', '20KB/s');
    await setText(page, 'maxUtilization', '0.9');
    // Keyboard on the alpha slider: five steps of 0.001 up from 0.05.
    await page.focus('#f-alpha-slider');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await settle(page);
    expect(await page.inputValue('#f-alpha')).toBe('0.055');
    await expectLibraryValues(page);
    const after = await cells(page);
    // At least one case has a feasible optimum with Umax = 90%, so the marker data is exercised.
    expect([...after.entries()].some(([k, v]) => k.endsWith('/optimumAlpha') && v !== '')).toBe(true);
    await page.selectOption('#f-accounting', 'consistent');
    await settle(page);
    await page.selectOption('#f-case', 'hot-downtime');
    await settle(page);
    const hot = await cells(page);
    expect([...hot.keys()].every((k) => k.startsWith('hotDowntime/'))).toBe(true);
    await expectLibraryValues(page);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('an invalid input shows an error in words and no NaN anywhere', async () => {
    const { page, problems } = await open();
    await setText(page, 'bandwidth', 'fast');
    const error = page.locator('#f-bandwidth-error');
    await expect.poll(() => error.textContent()).toMatch(/^bandwidth 'fast' is not a rate: expected /);
    expect(await page.getAttribute('#f-bandwidth', 'aria-invalid')).toBe('true');
    expect(await page.locator('.error-summary').textContent()).toMatch(/One input is invalid/);
    await expectNoNaN(page);
    await setText(page, 'bandwidth', '60KB/s');
    await setText(page, 'alpha', '1');
    expect(await page.locator('#f-alpha-error').textContent()).toBe(
      "alpha '1' is out of range: expected 0 < alpha < 1",
    );
    await expectNoNaN(page);
    await setText(page, 'alpha', '');
    expect(await page.locator('#f-alpha-error').textContent()).toMatch(/^alpha '' is not a number/);
    await setText(page, 'alpha', '0.05');
    expect(await page.locator('.field.invalid').count()).toBe(0);
    // Pre-copy that never converges: a warning in words, the charts keep working, still no NaN.
    await page.selectOption('#f-case', 'uniform');
    await settle(page);
    await setText(page, 'dirtyRate', '100');
    expect(await page.locator('.warnings').textContent()).toMatch(/Uniform: pre-copy never converges/);
    expect(await page.locator('td[data-case="uniform"][data-quantity="downtimeSeconds"]').textContent()).toBe(
      'does not converge',
    );
    await expectNoNaN(page);
    await setText(page, 'dirtyRate', '0');
    expect(await page.locator('td[data-case="uniform"][data-quantity="gain"]').textContent()).toBe('unbounded');
    await expectNoNaN(page);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('a shared URL restores the view', async () => {
    const { page } = await open();
    await page.selectOption('#f-case', 'hot-precopy');
    await setText(page, 'pages', '16384');
    await setText(page, 'bandwidth', '1Gbit/s');
    await setText(page, 'hotRate', '12 pages/s');
    await setText(page, 'alpha', '0.2');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('alpha') === '0.2');
    const shared = page.url();
    expect(new URL(shared).searchParams.get('bandwidth')).toBe('1Gbit/s');
    const numbers = await cells(page);
    const again = await open(new URL(shared).search);
    for (const id of ['pages', 'bandwidth', 'hotRate', 'alpha', 'case']) {
      expect(await again.page.inputValue(`#f-${id}`)).toBe(await page.inputValue(`#f-${id}`));
    }
    expect(await cells(again.page)).toEqual(numbers);
    expect(again.problems).toEqual([]);
    await page.close();
    await again.page.close();
  });

  test('exports download valid CSV, SVG and PNG files', async () => {
    const { page, problems } = await open();
    const download = async (click: () => Promise<void>) => {
      const [d] = await Promise.all([page.waitForEvent('download'), click()]);
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
    };
    const numbers = await download(() => page.click('text=Numbers (CSV)'));
    expect(numbers.name).toBe('precopy-numbers.csv');
    const lines = numbers.bytes.toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]!.split(',').slice(0, 4)).toEqual(['case', 'alpha', 'converged', 'rho']);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['Uniform', 'Hot I', 'Hot II']);
    const lib = await libraryCells(page);
    const header = lines[0]!.split(',');
    const uniform = lines[1]!.split(',');
    expect(uniform[header.indexOf('downtimeSeconds')]).toBe(lib.get('uniform/downtimeSeconds'));

    const sweep = await download(() => page.click('text=Sweep over α (CSV)'));
    const rows = sweep.bytes.toString('utf8').trimEnd().split('\r\n');
    expect(rows[0]).toBe('case,alpha,iterations,downtimeSeconds,totalSeconds,pagesTransferred,gain,networkUtilization');
    // Three cases, each at every grid alpha plus two points per band edge.
    expect(rows.length).toBeGreaterThan(1 + 3 * ALPHA_GRID.length);
    for (const r of rows.slice(1)) {
      const f = r.split(',');
      expect(f).toHaveLength(8);
      for (const x of f.slice(1)) expect(Number.isFinite(Number(x)), r).toBe(true);
    }

    const svg = await download(() => page.click('figure[data-chart="downtime"] button:has-text("SVG")'));
    expect(svg.name).toBe('precopy-downtime.svg');
    const svgText = svg.bytes.toString('utf8');
    expect(svgText.startsWith('<svg')).toBe(true);
    const svgOk = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return doc.querySelector('parsererror') === null && doc.documentElement.nodeName === 'svg';
    }, svgText);
    expect(svgOk).toBe(true);
    expect(svgText).toContain('Downtime vs α');

    const png = await download(() => page.click('figure[data-chart="utilization"] button:has-text("PNG")'));
    expect(png.name).toBe('precopy-utilization.png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(100);
    expect(png.bytes.readUInt32BE(20)).toBeGreaterThan(100);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('labelled controls, keyboard order, and screenshots at laptop and phone widths', async () => {
    const { page, problems } = await open();
    const unlabelled = await page.$$eval('input, select, button', (els) =>
      els
        .filter((e) => {
          const el = e as HTMLInputElement;
          const name =
            (el.labels?.length ? el.labels[0]!.textContent : '') || el.getAttribute('aria-label') || el.textContent;
          return !name?.trim();
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-case');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-accounting');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/explorer-1366x768.png` });
    await page.screenshot({ path: `${SCREENSHOTS}/explorer-1366x768-full.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300); // the charts re-fit their width on resize
    await settle(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENSHOTS}/explorer-390x844.png` });
    await page.screenshot({ path: `${SCREENSHOTS}/explorer-390x844-full.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
