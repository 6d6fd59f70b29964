import type { Command } from 'commander';
import { defaultStaticDir, startServer } from '../../server/index.js';
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
    .option('--host <host>', 'interface to bind; 0.0.0.0 exposes the server to your network', '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const port = parsePort(opts.port);
      const staticDir = defaultStaticDir();
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({ port, host: opts.host, ...(staticDir ? { staticDir } : {}) });
      } catch (e) {
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
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
