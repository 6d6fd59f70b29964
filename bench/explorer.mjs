#!/usr/bin/env node
/**
 * Input-to-chart latency of the explorer in real Chromium.
 *
 * Serves the built page (dist/web) from the built server (dist/server) on 127.0.0.1, opens it in Debian's
 * Chromium (playwright-core, never a downloaded browser), then moves sliders N times, round-robin over alpha,
 * dirty rate, bandwidth, pages and hot fraction. The page marks `input-K` in the input handler and `charts-K`
 * once every chart has re-rendered (vega View.runAsync resolved); the measure between them is the figure.
 * Prints the median and p90 overall and per slider.
 *
 * Usage: npm run bench:explorer            (builds first)
 *        node bench/explorer.mjs [N]       (after npm run build && npm run build:web; N defaults to 200)
 *        PRECOPY_WEB_DIR=/tmp/old-web node bench/explorer.mjs 60   (another build of the page, same server)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const N = Number(process.argv[2] ?? 200);
const WARMUP = 20;
const CHROMIUM = process.env.PRECOPY_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SLIDERS = ['alpha', 'dirtyRate', 'bandwidth', 'pages', 'hotFraction'];

function fail(message) {
  process.stderr.write(`bench/explorer: ${message}\n`);
  process.exit(1);
}

if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
// PRECOPY_WEB_DIR: another build of the page (e.g. an older commit's, to compare on the same machine state).
const webDir = resolve(process.env.PRECOPY_WEB_DIR ?? 'dist/web');
const serverModule = resolve('dist/server/index.js');
if (!existsSync(join(webDir, 'index.html')) || !existsSync(serverModule)) {
  fail('the page or server is not built: run npm run build && npm run build:web (or npm run bench:explorer)');
}

const { startServer } = await import(pathToFileURL(serverModule).href);
const server = await startServer({ port: 0, host: '127.0.0.1', staticDir: webDir });
const profile = mkdtempSync(join(tmpdir(), 'precopy-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ARGS,
  viewport: { width: 1366, height: 768 },
});
const errors = [];
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
};
const fmt = (x) => x.toFixed(2).padStart(7);

/** N slider moves in a page of the given size; per move: [on-screen ms, input->numbers ms, every-chart ms]. */
async function measure(viewport) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => {
    const d = document.documentElement.dataset;
    return d.updatedAll === '0' && Number(d.charts) === document.querySelectorAll('figure.chart').length;
  });
  // The charts in view, as a user watching them while moving the sliders (the inputs column stays usable, and
  // events are dispatched to it directly): the answer cards above them are taller on some presets.
  await page.evaluate(() => document.getElementById('h-charts')?.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const onScreen = await page.evaluate(() => {
    const h = window.innerHeight;
    return [...document.querySelectorAll('figure.chart')].filter((f) => {
      const r = f.getBoundingClientRect();
      return r.bottom > 0 && r.top < h;
    }).length;
  });

  /** Moves one slider by five steps (alternating direction) and resolves with its measures. */
  const step = (field, i) =>
    page.evaluate(
      ([f, k]) =>
        new Promise((done) => {
          const slider = document.getElementById(`f-${f}-slider`);
          const stepSize = Number(slider.step) || 0.01;
          const next = Number(slider.value) + (k % 2 === 0 ? 1 : -1) * 5 * stepSize;
          slider.value = String(Math.min(Number(slider.max), Math.max(Number(slider.min), next)));
          slider.dispatchEvent(new Event('input', { bubbles: true }));
          const seq = document.documentElement.dataset.inputSeq;
          const check = () => {
            if (document.documentElement.dataset.updatedAll === seq) {
              const m = (name) => performance.getEntriesByName(`${name}-${seq}`, 'measure')[0]?.duration ?? -1;
              const t = (name) => performance.getEntriesByName(`${name}-${seq}`, 'mark')[0]?.startTime ?? Number.NaN;
              const result = [m('input-to-chart'), t('rendered') - t('input'), m('input-to-all-charts')];
              requestAnimationFrame(() => done(result));
            } else {
              setTimeout(check, 0);
            }
          };
          check();
        }),
      [field, i],
    );

  for (let i = 0; i < WARMUP; i++) await step(SLIDERS[i % SLIDERS.length], i);
  const visible = [];
  const model = [];
  const every = [];
  const bySlider = Object.fromEntries(SLIDERS.map((s) => [s, []]));
  for (let i = 0; i < N; i++) {
    const field = SLIDERS[i % SLIDERS.length];
    const [ms, split, allMs] = await step(field, Math.floor(i / SLIDERS.length));
    if (ms < 0 || allMs < 0) fail(`no input-to-chart measure for ${field}`);
    visible.push(ms);
    model.push(split);
    every.push(allMs);
    bySlider[field].push(ms);
  }
  await page.close();
  return { onScreen, visible, model, every, bySlider };
}

/** Typed edits, as an operator makes them: text fields set with the operator preset loaded. */
const TYPED = {
  dirtyRate: ['200MB/s', '180MB/s'],
  bandwidth: ['10Gbit/s', '9Gbit/s'],
  pages: ['64GiB', '48GiB'],
  alpha: ['300ms', '250ms'],
};
async function measureTyped(viewport) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.click('button[data-preset="operator"]');
  await page.waitForFunction(() => {
    const d = document.documentElement.dataset;
    return d.updatedAll === d.inputSeq;
  });
  const type = (field, text) =>
    page.evaluate(
      ([f, t]) =>
        new Promise((done) => {
          const input = document.getElementById(`f-${f}`);
          input.value = t;
          input.dispatchEvent(new Event('input', { bubbles: true }));
          const seq = document.documentElement.dataset.inputSeq;
          const check = () => {
            if (document.documentElement.dataset.updatedAll === seq) {
              const m = (name) => performance.getEntriesByName(`${name}-${seq}`, 'measure')[0]?.duration ?? -1;
              requestAnimationFrame(() => done([m('input-to-chart'), m('input-to-all-charts')]));
            } else setTimeout(check, 0);
          };
          check();
        }),
      [field, text],
    );
  const fields = Object.keys(TYPED);
  const visible = [];
  const every = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const f = fields[i % fields.length];
    const [ms, all] = await type(f, TYPED[f][Math.floor(i / fields.length) % 2 === 0 ? 1 : 0]);
    if (i >= WARMUP) {
      visible.push(ms);
      every.push(all);
    }
  }
  await page.close();
  return { visible, every };
}

try {
  const laptop = await measure({ width: 1366, height: 768 });
  const operator = await measureTyped({ width: 1366, height: 4000 });
  const tall = await measure({ width: 1366, height: 4000 });
  if (errors.length > 0) fail(`console errors during the run: ${errors.slice(0, 3).join(' | ')}`);
  const os = await import('node:os');
  const version = context.browser()?.version() ?? 'unknown';
  const out = (line) => process.stdout.write(`${line}\n`);
  out(`explorer input-to-chart latency, Chromium ${version}, ${N} slider moves per run (+${WARMUP} warm-up)`);
  out(`  (machine load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs)`);
  out(`1366x768 window, ${laptop.onScreen} of 7 charts on screen:`);
  out(
    `  input -> charts on screen updated:  median ${fmt(q(laptop.visible, 0.5))} ms   p90 ${fmt(q(laptop.visible, 0.9))} ms`,
  );
  out(
    `  input -> every chart updated:       median ${fmt(q(laptop.every, 0.5))} ms   p90 ${fmt(q(laptop.every, 0.9))} ms   (off-screen ones drawn when idle)`,
  );
  out(
    `  of which input -> numbers rendered (parse, model, table): median ${fmt(q(laptop.model, 0.5))} ms; the rest is vega`,
  );
  for (const s of SLIDERS) {
    const xs = laptop.bySlider[s];
    out(`  on screen, ${s.padEnd(12)} median ${fmt(q(xs, 0.5))} ms   p90 ${fmt(q(xs, 0.9))} ms   (n = ${xs.length})`);
  }
  out(`1366x4000 window, ${tall.onScreen} of 7 charts on screen (every chart redrawn at once):`);
  out(
    `  input -> every chart updated:       median ${fmt(q(tall.visible, 0.5))} ms   p90 ${fmt(q(tall.visible, 0.9))} ms`,
  );
  out('operator preset (64 GiB, 4 KiB, 10 Gbit/s, 200 MB/s, 300 ms), typed edits, 1366x4000 (every chart on screen):');
  out(
    `  input -> charts updated:            median ${fmt(q(operator.visible, 0.5))} ms   p90 ${fmt(q(operator.visible, 0.9))} ms`,
  );
  out(`target: median input -> charts on screen <= 16 ms: ${q(laptop.visible, 0.5) <= 16 ? 'met' : 'NOT met'}`);
  out(`target: operator preset, typed edits, median <= 16 ms: ${q(operator.visible, 0.5) <= 16 ? 'met' : 'NOT met'}`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
