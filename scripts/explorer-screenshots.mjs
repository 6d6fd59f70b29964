#!/usr/bin/env node
/**
 * Refreshes the explorer screenshots in docs/explorer/ at 1366x768, 1920x1080 and 390x844, with the operator
 * preset (64 GiB, 4 KiB pages, 10 Gbit/s, 200 MB/s, 300 ms), once the charts and the QEMU panel are drawn.
 * Uses the built page and server (npm run build first) and Debian's Chromium via playwright-core; never
 * downloads a browser.
 *
 * Usage: npm run build && node scripts/explorer-screenshots.mjs [outDir]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.PRECOPY_CHROMIUM ?? '/usr/bin/chromium';
const OUT = resolve(process.argv[2] ?? 'docs/explorer');
const SIZES = [
  [1366, 768],
  [1920, 1080],
  [390, 844],
];
const webDir = resolve('dist/web');
const serverModule = resolve('dist/server/index.js');
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
if (!existsSync(join(webDir, 'index.html')) || !existsSync(serverModule)) {
  throw new Error('the page or server is not built: run npm run build first');
}
mkdirSync(OUT, { recursive: true });
const { startServer } = await import(pathToFileURL(serverModule).href);
const server = await startServer({ port: 0, host: '127.0.0.1', staticDir: webDir });
const profile = mkdtempSync(join(tmpdir(), 'precopy-shots-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const [width, height] of SIZES) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(server.url);
    await page.click('button[data-preset="operator"]');
    await page.waitForFunction(
      () => {
        const d = document.documentElement.dataset;
        return d.updatedAll === d.inputSeq && document.querySelector('[data-qemu-state="ready"]') !== null;
      },
      undefined,
      { timeout: 60_000 },
    );
    const file = join(OUT, `explorer-${width}x${height}.png`);
    await page.screenshot({ path: file });
    process.stdout.write(`${file}\n`);
    await page.close();
  }
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
