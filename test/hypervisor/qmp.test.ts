import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { basename, dirname } from 'node:path';
import {
  fromQemuKeys,
  jsonDepth,
  parseQmpAddress,
  QmpClient,
  QmpError,
  qmp,
  toQemuKeys,
} from '../../src/hypervisor/qemu/qmp.js';
import { type FakeOptions, type FakeQmp, startFakeQmp } from './support/fake-qmp.js';

let server: FakeQmp | undefined;
let client: QmpClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function connect(options: FakeOptions = {}, timeouts = { connectTimeoutMs: 1000, commandTimeoutMs: 500 }) {
  server = await startFakeQmp(options);
  client = await QmpClient.connect(server.path, timeouts);
  return { server, client };
}

async function failure(p: Promise<unknown>): Promise<QmpError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QmpError) return e;
    throw e;
  }
  throw new Error('expected a QmpError');
}

// A query-migrate reply as QEMU 7.2 sends it (hyphenated keys), mid-migration.
const QUERY_MIGRATE = {
  status: 'active',
  'setup-time': 1,
  'total-time': 7900,
  'expected-downtime': 300,
  ram: {
    total: 268967936,
    remaining: 64753664,
    transferred: 132619527,
    duplicate: 33000,
    normal: 32000,
    'normal-bytes': 131072000,
    'dirty-pages-rate': 0,
    mbps: 134.2,
    'dirty-sync-count': 2,
    'page-size': 4096,
  },
};

describe('QmpClient', () => {
  it('connect() reads the greeting and negotiates capabilities first', async () => {
    const { server, client } = await connect();
    expect(client.greeting.version.qemu).toEqual({ major: 7, minor: 2, micro: 0 });
    expect(server.received[0]!.execute).toBe('qmp_capabilities');
  });

  it('execute() sends numbered commands with hyphenated arguments and camelCases the reply', async () => {
    const { server, client } = await connect({
      handle: (c) => (c === 'query-migrate' ? { return: QUERY_MIGRATE } : { return: {} }),
    });
    await qmp.migrateSetParameters(client, { downtimeLimit: 300, maxBandwidth: 16777216 });
    const q = await qmp.queryMigrate(client);
    expect(server.received[1]).toEqual({
      execute: 'migrate-set-parameters',
      id: 2,
      arguments: { 'downtime-limit': 300, 'max-bandwidth': 16777216 },
    });
    expect(q.ram?.dirtySyncCount).toBe(2);
    expect(q.ram?.normalBytes).toBe(131072000);
    expect(q.expectedDowntime).toBe(300);
  });

  it('execute() reports a QEMU error with its class and description', async () => {
    const { client } = await connect({
      handle: () => ({
        error: {
          class: 'GenericError',
          desc: "Parameter 'downtime-limit' expects an integer in the range of 0 to 2000 seconds",
        },
      }),
    });
    const e = await failure(qmp.migrateSetParameters(client, { downtimeLimit: 1e9 }));
    expect(e.kind).toBe('qemu');
    expect(e.qemuClass).toBe('GenericError');
    expect(e.message).toContain('QEMU refused migrate-set-parameters: Parameter');
  });

  it('execute() rejects a reply that does not match its schema (protocol error, not a crash)', async () => {
    const { client } = await connect({ handle: () => ({ return: { status: 42 } }) });
    const e = await failure(qmp.queryStatus(client));
    expect(e.kind).toBe('protocol');
  });

  it('execute() times out when QEMU never replies, and a late reply is ignored', async () => {
    let late: (() => void) | undefined;
    const { client } = await connect({
      handle: (c, _a, conn) => {
        if (c === 'query-status' && late === undefined) {
          late = () => conn.raw(`${JSON.stringify({ return: { status: 'running', running: true }, id: 2 })}\n`);
          return 'silent';
        }
        return { return: { status: 'running', running: true } };
      },
    });
    const t0 = Date.now();
    const e = await failure(client.execute('query-status', undefined, z.unknown(), 100));
    expect(e.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(1000);
    late?.();
    // the connection still works after a timeout
    await expect(qmp.queryStatus(client)).resolves.toEqual({ status: 'running', running: true });
  });

  it('execute() fails with kind disconnected when the socket vanishes mid-command, and afterwards at once', async () => {
    const { client } = await connect({ handle: () => 'hangup' });
    const e = await failure(qmp.queryMigrate(client));
    expect(e.kind).toBe('disconnected');
    const again = await failure(qmp.queryMigrate(client));
    expect(again.kind).toBe('disconnected');
    expect(client.closed).toBe(true);
  });

  it('events reach listeners camelCased, and waitForEvent resolves on the matching one', async () => {
    const { client } = await connect({
      handle: (c, _a, conn) => {
        if (c === 'migrate') {
          setTimeout(() => {
            conn.event('MIGRATION_PASS', { pass: 2 });
            conn.event('MIGRATION', { status: 'completed' });
          }, 10);
        }
        return { return: {} };
      },
    });
    const seen: string[] = [];
    client.onEvent((e) => seen.push(e.event));
    const done = client.waitForEvent('MIGRATION', 1000, (e) => (e.data as { status: string }).status === 'completed');
    await qmp.migrate(client, 'tcp:127.0.0.1:4444');
    const ev = await done;
    expect(ev.data).toEqual({ status: 'completed' });
    expect(ev.timestampSeconds).toBe(1700000000.5);
    expect(seen).toEqual(['MIGRATION_PASS', 'MIGRATION']);
  });

  it('waitForEvent() times out, and fails when the socket closes', async () => {
    const { client } = await connect();
    expect((await failure(client.waitForEvent('STOP', 50))).kind).toBe('timeout');
    const w = client.waitForEvent('STOP', 5000);
    await server!.close();
    server = undefined;
    expect((await failure(w)).kind).toBe('disconnected');
  });

  it('connect() fails clearly without a socket, without a greeting, and on a non-QMP greeting', async () => {
    const missing = await failure(QmpClient.connect('/nonexistent/precopy/qmp.sock', { connectTimeoutMs: 500 }));
    expect(missing.kind).toBe('connect');
    expect(missing.message).toContain('/nonexistent/precopy/qmp.sock');
    server = await startFakeQmp({ greeting: 'none' });
    const silent = await failure(QmpClient.connect(server.path, { connectTimeoutMs: 100 }));
    expect(silent.kind).toBe('connect');
    await server.close();
    server = await startFakeQmp({ greeting: '{"hello": "not qmp"}' });
    expect((await failure(QmpClient.connect(server.path, { connectTimeoutMs: 500 }))).kind).toBe('protocol');
  });

  it('a line that is not JSON closes the session with a protocol error', async () => {
    const { client } = await connect({
      handle: (_c, _a, conn) => {
        conn.raw('this is not json\n');
        return 'silent';
      },
    });
    const e = await failure(qmp.queryMigrate(client));
    expect(e.kind).toBe('disconnected');
    expect(e.message).toContain('not JSON');
  });
});

describe('fromQemuKeys / toQemuKeys', () => {
  it('fromQemuKeys maps hyphens and underscores to camelCase, deeply', () => {
    expect(fromQemuKeys({ 'dirty-sync-count': 1, ram: [{ 'normal-bytes': 2 }], calc_time: 3 })).toEqual({
      dirtySyncCount: 1,
      ram: [{ normalBytes: 2 }],
      calcTime: 3,
    });
  });
  it('toQemuKeys maps camelCase to hyphens', () => {
    expect(toQemuKeys({ availSwitchoverBandwidth: 1, calcTime: 2, mode: 'page-sampling' })).toEqual({
      'avail-switchover-bandwidth': 1,
      'calc-time': 2,
      mode: 'page-sampling',
    });
  });
});

describe('hostile QMP peers (issue 15)', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  it('a reply nested 4000 deep ends in a one-line protocol error, not a stack trace', async () => {
    const { client } = await connect({
      handle: (_c, _a, conn) => {
        conn.raw(`{"return": ${deep(4000)}, "id": 2}\n`);
        return 'silent';
      },
    });
    const e = await failure(qmp.queryMigrate(client));
    expect(e.kind).toBe('disconnected');
    expect(e.message).toMatch(/nests deeper than 64 levels before query-migrate replied/);
    expect(e.message.split('\n')).toHaveLength(1);
  });
  it('a greeting nested 4000 deep fails the connect at once with kind protocol', async () => {
    server = await startFakeQmp({ greeting: `{"QMP": ${deep(4000)}}` });
    const t0 = Date.now();
    const e = await failure(QmpClient.connect(server.path, { connectTimeoutMs: 5000 }));
    expect(e.kind).toBe('protocol');
    expect(e.message).toMatch(/nests deeper than 64 levels/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('an endless line ends in a one-line error once it passes the line limit', async () => {
    const { client } = await connect(
      {
        handle: (_c, _a, conn) => {
          const chunk = 'x'.repeat(2 ** 20);
          for (let i = 0; i < 2; i++) conn.raw(chunk);
          conn.raw('x');
          return 'silent';
        },
      },
      { connectTimeoutMs: 1000, commandTimeoutMs: 5000 },
    );
    const e = await failure(qmp.queryStatus(client));
    expect(e.message).toMatch(/QMP line from .* longer than 1048576 characters/);
  });
  it('JSON strings holding brackets do not count as depth', () => {
    expect(jsonDepth('{"a": "[[[[[[[[", "b": [1, {"c": "]]]\\"[["}]}')).toBe(3);
    expect(jsonDepth(deep(65))).toBe(65);
    expect(jsonDepth(deep(4000))).toBe(65);
  });
});

describe('parseQmpAddress', () => {
  it('a bare number is a socket path, never a TCP port', () => {
    expect(parseQmpAddress('4444')).toEqual({ kind: 'unix', path: '4444' });
    expect(parseQmpAddress('/run/qemu/qmp.sock')).toEqual({ kind: 'unix', path: '/run/qemu/qmp.sock' });
  });
  it('tcp:HOST:PORT on loopback is TCP', () => {
    expect(parseQmpAddress('tcp:127.0.0.1:4444')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4444 });
    expect(parseQmpAddress('tcp:localhost:1')).toEqual({ kind: 'tcp', host: 'localhost', port: 1 });
    expect(parseQmpAddress('tcp:[::1]:65535')).toEqual({ kind: 'tcp', host: '::1', port: 65535 });
  });
  it('a remote host is refused unless allowed', () => {
    expect(() => parseQmpAddress('tcp:10.0.0.5:4444')).toThrow(/not on this machine/);
    expect(() => parseQmpAddress('tcp:example.com:4444')).toThrow(/loopback/);
    expect(parseQmpAddress('tcp:10.0.0.5:4444', { allowRemote: true })).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 4444,
    });
  });
  it('bad forms are one-line connect errors', () => {
    for (const a of [
      '',
      'tcp:',
      'tcp:127.0.0.1',
      'tcp:127.0.0.1:0',
      'tcp:127.0.0.1:65536',
      'tcp:[nothost]:1',
      'tcp:::1:4',
    ]) {
      const e = (() => {
        try {
          parseQmpAddress(a);
        } catch (x) {
          return x as QmpError;
        }
        throw new Error(`accepted ${a}`);
      })();
      expect(e.kind).toBe('connect');
      expect(e.message.split('\n')).toHaveLength(1);
    }
  });
  it('connect("4444") goes to the socket file ./4444 (it connected to TCP port 4444 before)', async () => {
    server = await startFakeQmp();
    const cwd = process.cwd();
    process.chdir(dirname(server.path));
    try {
      client = await QmpClient.connect(basename(server.path), { connectTimeoutMs: 1000 });
      expect(client.greeting.version.qemu.major).toBe(7);
    } finally {
      process.chdir(cwd);
    }
  });
});
