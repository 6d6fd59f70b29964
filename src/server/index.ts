/**
 * Starting and stopping the explorer server (used by `precopy serve` and the browser tests).
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { type AppOptions, LOOPBACK_HOSTS, createApp } from './app.js';

export { type AppOptions, createApp, DEFAULT_MAX_BODY_BYTES } from './app.js';
export { apiOptimize, apiPredict, apiSweep, MAX_API_SWEEP_POINTS } from './api.js';

export interface ServerOptions extends AppOptions {
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind; default 127.0.0.1 (this machine only). */
  readonly host?: string;
}

export interface RunningServer {
  /** `http://host:port/` with the port actually bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The built explorer: `dist/web` of the package this module belongs to (from dist/server/ or src/server/).
 * Undefined when the page has not been built (`npm run build:web`).
 */
export function defaultStaticDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const web = join(dir, 'dist', 'web');
      return existsSync(join(web, 'index.html')) ? web : undefined;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** Starts listening; resolves once bound. */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  const app = createApp(
    loopback && options.allowedHosts === undefined ? { ...options, allowedHosts: [...LOOPBACK_HOSTS, host] } : options,
  );
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      resolvePromise({
        url: `http://${shown}:${info.port}/`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
