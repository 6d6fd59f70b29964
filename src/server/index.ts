/**
 * Starting and stopping the explorer server (used by `precopy serve` and the browser tests).
 */
import { existsSync } from 'node:fs';
import { type AddressInfo, isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { isLoopbackHost } from '../format/host.js';
import { type AppOptions, LOOPBACK_HOSTS, createApp } from './app.js';
import { type HeavyOptions, HeavyRunner } from './heavy.js';

export { isLoopbackHost } from '../format/host.js';
export { type AppOptions, createApp, DEFAULT_MAX_BODY_BYTES, LOOPBACK_HOSTS, MAX_BODY_DEPTH } from './app.js';
export { apiOptimize, apiPredict, apiSweep, MAX_API_SWEEP_POINTS } from './api.js';
export { DEFAULT_HEAVY_TIMEOUT_MS, DEFAULT_MAX_HEAVY, type HeavyOptions, HeavyRunner } from './heavy.js';

export interface ServerOptions extends Omit<AppOptions, 'heavy'> {
  /**
   * Heavy requests (sweep, simulate, validate, fleet: the registry's `heavy` flag) run in worker threads with a
   * cap and a time budget (./heavy.ts). When the worker module is missing (running from src/ without a loader
   * in `execArgv`) they run inline.
   */
  readonly heavy?: HeavyOptions;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /**
   * Interface to bind; default 127.0.0.1 (this machine only). Must be a loopback name or address (localhost,
   * 127.0.0.0/8, ::1) unless `allowRemote`; never empty (Node would bind every interface).
   */
  readonly host?: string;
  /**
   * Allow a host that other machines can reach (the API has no authentication). The Host check then accepts
   * `allowedHosts` when given, else the bound host itself; a wildcard bind (0.0.0.0, ::) without
   * `allowedHosts` checks no Host header.
   */
  readonly allowRemote?: boolean;
}

/** A host the server refuses to bind, with the reason; edges print `message` as one line. */
export class ServerHostError extends Error {
  readonly code = 'invalid_host';
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`host ${JSON.stringify(host)} ${reason}`);
    this.name = 'ServerHostError';
  }
}

/**
 * Checks the host to bind and returns the names the Host header may carry (undefined: any).
 * @throws {ServerHostError} empty host, or a non-loopback host without `allowRemote`
 */
export function checkServerHost(
  host: string,
  options: { allowRemote?: boolean; allowedHosts?: readonly string[] } = {},
): readonly string[] | undefined {
  if (typeof host !== 'string' || host.trim() === '') {
    throw new ServerHostError(String(host), 'is empty: give a loopback address such as 127.0.0.1');
  }
  if (isLoopbackHost(host)) return options.allowedHosts ?? [...LOOPBACK_HOSTS, host.toLowerCase()];
  if (!options.allowRemote) {
    throw new ServerHostError(
      host,
      'is not a loopback name or address (localhost, 127.0.0.1, ::1): the API has no authentication, so binding other interfaces must be allowed explicitly',
    );
  }
  if (options.allowedHosts) return options.allowedHosts;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
  if (wildcard) return undefined;
  const name = host.toLowerCase();
  return isIPv6(name) ? [`[${name}]`, name] : [name];
}

export interface RunningServer {
  /** `http://host:port/` with the port actually bound. */
  readonly url: string;
  readonly port: number;
  /** The runner of heavy requests (worker threads), when workers can start; else they run inline. */
  readonly heavy?: HeavyRunner;
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
  let allowedHosts: readonly string[] | undefined;
  try {
    allowedHosts = checkServerHost(host, options);
  } catch (e) {
    return Promise.reject(e);
  }
  let runner: HeavyRunner;
  try {
    runner = new HeavyRunner(options.heavy);
  } catch (e) {
    return Promise.reject(e);
  }
  const { heavy: _heavy, ...appOptions } = options;
  const app = createApp({
    ...appOptions,
    allowedHosts,
    ...(runner.available() ? { heavy: runner } : {}),
  });
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      resolvePromise({
        url: `http://${shown}:${info.port}/`,
        port: info.port,
        ...(runner.available() ? { heavy: runner } : {}),
        close: () =>
          new Promise<void>((done) => {
            // Running heavy requests are stopped (their workers terminated), so closing waits for no computation.
            let pending = 2;
            const one = () => {
              if (--pending === 0) done();
            };
            void runner.close().then(one, one);
            server.close(() => one());
            // Idle keep-alive sockets and requests still in flight: a stop never waits for a client.
            const s = server as unknown as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
            s.closeIdleConnections?.();
            s.closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}

/**
 * Stops `server` on the first SIGTERM or SIGINT: closes the listener and every connection (idle and active),
 * and exits the process with status 0 at the latest `graceMs` later (default 1 s) should anything still hold
 * the event loop. Resolves once the server is closed. The returned `dispose` removes the handlers.
 * Heavy requests run in worker threads (./heavy.ts), so the event loop is free to see the signal; the others
 * (predict, optimize) are bounded by their inputs and answer in milliseconds.
 */
export function stopOnSignals(
  server: RunningServer,
  options: { graceMs?: number; exit?: (code: number) => void } = {},
): { stopped: Promise<void>; dispose: () => void } {
  const graceMs = options.graceMs ?? 1000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let dispose = () => {};
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      dispose();
      setTimeout(() => exit(0), graceMs).unref();
      server.close().then(done);
    };
    dispose = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { stopped, dispose };
}
