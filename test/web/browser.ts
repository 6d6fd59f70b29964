/**
 * Real-browser harness for the explorer tests and the benchmark: builds the page with Vite into a temporary
 * directory, serves it from the in-process server on 127.0.0.1 (ephemeral port) and drives Debian's Chromium
 * with playwright-core. Never downloads a browser: without /usr/bin/chromium (or $PRECOPY_CHROMIUM) it throws.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { build } from 'vite';
import { type RunningServer, startServer } from '../../src/server/index.js';

export const CHROMIUM = process.env.PRECOPY_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Chromium binary, or an error that says how to install it (the browser tests fail, never skip). */
export function requireChromium(path: string = CHROMIUM): string {
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: the explorer tests need a real browser. Install Debian's package ` +
        '(as root: apt-get update && apt-get install -y chromium) or set PRECOPY_CHROMIUM to its path. ' +
        'These tests never download a browser.',
    );
  }
  return path;
}

/** Builds web/ into a fresh temporary directory (so a test never sees a stale dist/web). */
export async function buildPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'precopy-web-'));
  await build({
    configFile: resolve('web/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** The library alone (test/web/library-entry.ts) as one browser script defining `precopyLib`. */
export async function buildLibraryScript(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'precopy-weblib-'));
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir,
        emptyOutDir: true,
        minify: false,
        lib: {
          entry: resolve('test/web/library-entry.ts'),
          formats: ['iife'],
          name: 'precopyLib',
          fileName: () => 'lib.js',
        },
      },
    });
    return readFileSync(join(outDir, 'lib.js'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export interface Harness {
  readonly url: string;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Builds (or reuses `staticDir`), serves and launches Chromium with a fresh profile. */
export async function startHarness(staticDir?: string): Promise<Harness> {
  const executablePath = requireChromium();
  const dir = staticDir ?? (await buildPage());
  const server: RunningServer = await startServer({ port: 0, host: '127.0.0.1', staticDir: dir });
  const profile = mkdtempSync(join(tmpdir(), 'precopy-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
      viewport: { width: 1366, height: 768 },
    });
  } catch (e) {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    url: server.url,
    context,
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
      if (!staticDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
