/** Serve under hostile input (issue 15): host checks, deep JSON bodies, stopping on SIGTERM/SIGINT. */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { describe, expect, test } from 'vitest';
import {
  checkServerHost,
  createApp,
  LOOPBACK_HOSTS,
  MAX_BODY_DEPTH,
  ServerHostError,
  startServer,
} from '../../src/server/index.js';

type Json = Record<string, unknown> & { error: { code: string; message: string; issues: { code: string }[] } };

describe('host checks', () => {
  test('an empty host is an error (it listened on all interfaces and printed http://:8126/)', async () => {
    await expect(startServer({ port: 0, host: '' })).rejects.toThrow(ServerHostError);
    await expect(startServer({ port: 0, host: ' ' })).rejects.toThrow(/is empty/);
  });
  test('a non-loopback host is refused unless allowRemote', async () => {
    await expect(startServer({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/not a loopback name or address/);
    expect(() => checkServerHost('192.168.1.5')).toThrow(ServerHostError);
    expect(() => checkServerHost('example.com')).toThrow(ServerHostError);
  });
  test('loopback names and addresses are accepted with the loopback Host names', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) {
      expect(checkServerHost(h)).toEqual([...LOOPBACK_HOSTS, h]);
    }
  });
  test('with allowRemote the Host check uses the given names, else the bound host', () => {
    expect(checkServerHost('192.168.1.5', { allowRemote: true })).toEqual(['192.168.1.5']);
    expect(checkServerHost('0.0.0.0', { allowRemote: true, allowedHosts: ['box.lan'] })).toEqual(['box.lan']);
    expect(checkServerHost('0.0.0.0', { allowRemote: true })).toBeUndefined();
  });
  test('allowRemote on a wildcard with names: requests to other names get 403', async () => {
    const server = await startServer({ port: 0, host: '0.0.0.0', allowRemote: true, allowedHosts: ['box.lan'] });
    try {
      const status = (host: string) =>
        new Promise<number>((done, fail) => {
          const req = request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host } }, (res) => {
            res.resume();
            done(res.statusCode ?? 0);
          });
          req.on('error', fail);
          req.end();
        });
      expect(await status(`box.lan:${server.port}`)).toBe(200);
      expect(await status(`evil.example:${server.port}`)).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('deep JSON bodies', () => {
  const post = (body: string) =>
    createApp().request('/api/simulate', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  test('a body nested 4000 deep is a structured 400 (it was a plain-text 500)', async () => {
    const res = await post(`{"preset": ${'['.repeat(4000)}${']'.repeat(4000)}}`);
    expect(res.status).toBe(400);
    const j = (await res.json()) as Json;
    expect(j.error.code).toBe('invalid_json');
    expect(j.error.issues[0]!.code).toBe('too_deep');
    expect(j.error.message).toMatch(/deeper than 64 levels/);
  });
  test('at the depth limit the body reaches the schema (a 400 about the input, not about depth)', async () => {
    // MAX_BODY_DEPTH levels: the object itself plus MAX_BODY_DEPTH - 1 arrays
    const n = MAX_BODY_DEPTH - 1;
    const res = await post(`{"preset": ${'['.repeat(n)}${']'.repeat(n)}}`);
    expect(res.status).toBe(400);
    const j = (await res.json()) as Json;
    expect(j.error.issues[0]!.code).not.toBe('too_deep');
  });
});

describe('signals', () => {
  // The server in a child process, with an idle keep-alive connection and a request still in flight (its body
  // half sent): SIGTERM and SIGINT must end the process within a second.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} stops the server within a second with connections open`, async () => {
      const script = `
        import { startServer, stopOnSignals } from './src/server/index.ts';
        const s = await startServer({ port: 0 });
        stopOnSignals(s).stopped.then(() => process.stdout.write('stopped\\n'));
        process.stdout.write(s.port + '\\n');
      `;
      const child = spawn(
        process.execPath,
        ['--import', new URL('../support/ts-register.mjs', import.meta.url).href, '--input-type=module', '-e', script],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      const port = await new Promise<number>((done, fail) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(\d+)\n/.exec(out);
          if (m) done(Number(m[1]));
        });
        child.once('exit', (code) => fail(new Error(`server exited early (${code})`)));
      });
      // a keep-alive connection left idle, and a POST whose body never completes
      const idle = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'keep-alive' } });
      idle.on('error', () => {});
      idle.end();
      const active = request({
        host: '127.0.0.1',
        port,
        path: '/api/predict',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '1000' },
      });
      active.on('error', () => {});
      active.write('{"preset": "pa');
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      child.kill(signal);
      const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
      const ms = Date.now() - t0;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(1000);
      expect(out).toMatch(/stopped/);
    }, 90_000);
  }
});
