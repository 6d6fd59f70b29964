import type { Command } from 'commander';
import { ServerHostError, defaultStaticDir, startServer, stopOnSignals } from '../../server/index.js';
import { CliError } from '../common.js';

/** A TCP port: a whole number from 0 (any free port) to 65535. */
export function parsePort(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) {
    throw new CliError(`--port '${text}' is not a port: expected a whole number from 0 to 65535`);
  }
  return Number(text);
}

/** `precopy serve [--port P] [--host H]`: the explorer and the JSON API until Ctrl-C. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the interactive explorer and the JSON API (POST /api/predict, /api/optimize, /api/sweep)')
    .option('--port <port>', 'TCP port (0 = any free port)', '8080')
    .option('--host <host>', 'interface to bind: a loopback address unless --allow-remote', '127.0.0.1')
    .option(
      '--allow-remote',
      'allow a --host other machines can reach (0.0.0.0 exposes the API, which has no authentication)',
    )
    .option('--max-heavy <n>', 'heavy requests (sweep, simulate, ...) run at once in worker threads; more get 503', '2')
    .option('--heavy-timeout <seconds>', 'time budget of one heavy request; over it: 408 and the work is stopped', '30')
    .action(
      async (opts: { port: string; host: string; allowRemote?: boolean; maxHeavy: string; heavyTimeout: string }) => {
        const port = parsePort(opts.port);
        const maxConcurrent = Number(opts.maxHeavy);
        if (!/^\d+$/.test(opts.maxHeavy.trim()) || maxConcurrent < 1 || maxConcurrent > 64) {
          throw new CliError(`--max-heavy '${opts.maxHeavy}' is not allowed: expected a whole number from 1 to 64`);
        }
        const seconds = Number(opts.heavyTimeout);
        if (opts.heavyTimeout.trim() === '' || !Number.isFinite(seconds) || seconds < 0.001 || seconds > 3600) {
          throw new CliError(
            `--heavy-timeout '${opts.heavyTimeout}' is not allowed: expected seconds from 0.001 to 3600`,
          );
        }
        const staticDir = defaultStaticDir();
        let server: Awaited<ReturnType<typeof startServer>>;
        try {
          server = await startServer({
            port,
            host: opts.host,
            allowRemote: opts.allowRemote === true,
            heavy: { maxConcurrent, timeoutMs: Math.round(seconds * 1000) },
            ...(staticDir ? { staticDir } : {}),
          });
        } catch (e) {
          if (e instanceof ServerHostError) throw new CliError(`--${e.message}`);
          const code = (e as { code?: string }).code;
          if (code === 'EADDRINUSE')
            throw new CliError(`--port ${port} is already in use: choose another port (or 0 for any)`);
          if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
            throw new CliError(`--host '${opts.host}' is not an address of this machine`);
          }
          if (code === 'EACCES') throw new CliError(`--port ${port} needs privileges: choose a port above 1023`);
          throw e;
        }
        process.stdout.write(`precopy explorer at ${server.url}\n`);
        if (!staticDir) {
          process.stderr.write('precopy: the explorer page is not built (npm run build:web); serving the API only\n');
        }
        // SIGTERM/SIGINT: close the listener, every connection and every heavy worker; exit within half a second.
        await stopOnSignals(server, { graceMs: 500 }).stopped;
      },
    );
}
