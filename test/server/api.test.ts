import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { parsePort } from '../../src/cli/commands/serve.js';
import { CliError } from '../../src/cli/common.js';
import { run } from '../../src/cli/main.js';
import { predictUniform } from '../../src/model/index.js';
import { optimize } from '../../src/optimize/index.js';
import { MAX_API_SWEEP_POINTS, createApp, startServer } from '../../src/server/index.js';
import { MAX_API_SIMULATE } from '../../src/server/api.js';
import { runReplica } from '../../src/simulate/index.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field and checked by value
type Json = Record<string, any>;

function rel(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

const app = createApp();

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

describe('POST /api/predict', () => {
  test('paper preset, uniform, alpha 0.05: the paper G = 23.17 example', async () => {
    const { status, json } = await post('/api/predict', { preset: 'paper', case: 'uniform', alpha: 0.05 });
    expect(status).toBe(200);
    // Table 2: tau = 16KB / 60KB/s = 4/15 s, rho = 2 * 4/15 = 8/15; n = 4 (rho^5 = 0.0436 <= 0.05 < rho^4).
    // Tdown = Ps*tau*rho^5 = 4096 * (4/15) * (8/15)^5; G = (15/8)^5.
    const u = json.uniform;
    expect(u.iterations).toBe(4);
    rel(u.downtimeSeconds, 4096 * (4 / 15) * (8 / 15) ** 5);
    rel(u.gain, (15 / 8) ** 5);
    expect(u.rounds).toHaveLength(5);
  });

  test('units as text give the same numbers as base units', async () => {
    const a = await post('/api/predict', {
      pages: '4096',
      pageSize: '16KB',
      bandwidth: '480kbit/s',
      dirtyRate: '32kB/s',
      alpha: '0.05',
      case: 'uniform',
    });
    const b = await post('/api/predict', {
      pages: 4096,
      pageSize: 16000,
      bandwidth: 60000,
      dirtyRate: 2,
      alpha: 0.05,
      case: 'uniform',
    });
    expect(a.status).toBe(200);
    rel(a.json.uniform.downtimeSeconds, b.json.uniform.downtimeSeconds);
  });

  test('all cases carry HG = Tdown(Hot I)/Tdown(Hot II)', async () => {
    const { json } = await post('/api/predict', { preset: 'paper', alpha: 0.1 });
    expect(Object.keys(json).sort()).toEqual(['hotDowntime', 'hotGain', 'hotPrecopy', 'uniform']);
    rel(json.hotGain, json.hotPrecopy.downtimeSeconds / json.hotDowntime.downtimeSeconds);
  });

  test('a case that does not converge is a result with its reason', async () => {
    // rho = 4 * 4/15 > 1 for D = 4 pages/s.
    const { status, json } = await post('/api/predict', { preset: 'paper', case: 'uniform', dirtyRate: 4 });
    expect(status).toBe(200);
    expect(json.uniform.converged).toBe(false);
    expect(json.uniform.reason).toMatch(/never converges/);
  });

  test('alpha out of range is a 400 naming the field, the value and the range', async () => {
    const { status, json } = await post('/api/predict', { preset: 'paper', alpha: 1.5 });
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.issues).toHaveLength(1);
    expect(json.error.issues[0]).toMatchObject({ field: 'alpha', value: 1.5, path: ['alpha'] });
    expect(json.error.issues[0].message).toBe('alpha 1.5 is out of range: expected 0 < alpha < 1');
  });

  test('a bad unit is a 400 that says what was expected', async () => {
    const { status, json } = await post('/api/predict', { preset: 'paper', bandwidth: '60 parsecs', alpha: 0.1 });
    expect(status).toBe(400);
    expect(json.error.issues[0].field).toBe('bandwidth');
    expect(json.error.issues[0].message).toMatch(/^bandwidth '60 parsecs' .*expected/);
  });

  test('an unknown field is a 400 listing it', async () => {
    const { status, json } = await post('/api/predict', { preset: 'paper', alpha: 0.1, alfa: 0.1 });
    expect(status).toBe(400);
    expect(json.error.issues[0].code).toBe('unrecognized_keys');
    expect(json.error.message).toContain('alfa');
  });

  test('a body that is not JSON is a 400 invalid_json', async () => {
    const { status, json } = await post('/api/predict', '{"alpha": ');
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_json');
  });

  test('a JSON array body is a 400', async () => {
    const { status, json } = await post('/api/predict', [1, 2]);
    expect(status).toBe(400);
    expect(json.error.issues[0].code).toBe('invalid_type');
  });

  test('a body that is not declared as JSON is a 415', async () => {
    const { status, json } = await post('/api/predict', '{}', { 'content-type': 'text/plain' });
    expect(status).toBe(415);
    expect(json.error.code).toBe('unsupported_media_type');
  });

  test('a body over the size limit is a 413 with a structured error', async () => {
    const small = createApp({ maxBodyBytes: 100 });
    const res = await small.request('/api/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ preset: 'paper', alpha: 0.1, pad: 'x'.repeat(200) }),
    });
    expect(res.status).toBe(413);
    const json = (await res.json()) as Json;
    expect(json.error.code).toBe('body_too_large');
    expect(json.error.message).toContain('100 bytes');
  });
});

describe('POST /api/optimize', () => {
  test('answers what the library optimiser answers', async () => {
    const body = { preset: 'paper', case: 'uniform', accounting: 'consistent', maxUtilization: 0.9 } as const;
    const { status, json } = await post('/api/optimize', body);
    expect(status).toBe(200);
    const lib = optimize({
      case: 'uniform',
      pages: 4096,
      pageSizeBytes: 16000,
      bandwidthBytesPerSecond: 60000,
      dirtyPagesPerSecond: 2,
      accounting: 'consistent',
      constraints: { maxNetworkUtilization: 0.9 },
    });
    expect(lib.feasible).toBe(true);
    if (!lib.feasible) return;
    expect(json.uniform.feasible).toBe(true);
    expect(json.uniform.alpha).toEqual(lib.alpha);
    expect(json.uniform.downtimeSeconds).toBe(lib.downtimeSeconds);
  });

  test('an infeasible limit is a result, not an error', async () => {
    // Paper accounting: Unet >= rho = 8/15 for every alpha (Eq. 16), so Umax = 0.4 cannot be met.
    const { status, json } = await post('/api/optimize', { preset: 'paper', case: 'uniform', maxUtilization: 0.4 });
    expect(status).toBe(200);
    expect(json.uniform.feasible).toBe(false);
    expect(json.uniform.minNetworkUtilization).toBeGreaterThan(8 / 15);
  });

  test('a negative limit is a 400 naming maxUtilization', async () => {
    const { status, json } = await post('/api/optimize', { preset: 'paper', maxUtilization: -1 });
    expect(status).toBe(400);
    expect(json.error.issues[0].field).toBe('maxUtilization');
  });
});

describe('POST /api/sweep', () => {
  test('a range over alpha gives one row per point, each equal to a direct prediction', async () => {
    const { status, json } = await post('/api/sweep', { preset: 'paper', case: 'uniform', alpha: '0.1:0.3:0.1' });
    expect(status).toBe(200);
    expect(json.rows.map((r: { alpha: number }) => r.alpha)).toEqual([0.1, 0.2, 0.3]);
    for (const row of json.rows) {
      const direct = predictUniform({
        pages: 4096,
        pageSizeBytes: 16000,
        bandwidthBytesPerSecond: 60000,
        dirtyPagesPerSecond: 2,
        alpha: row.alpha,
      });
      expect(direct.converged).toBe(true);
      if (direct.converged) expect(row.downtimeSeconds).toBe(direct.downtimeSeconds);
    }
    expect(json.columns).toContain('downtimeSeconds');
  });

  test('a list crosses with a range', async () => {
    const { json } = await post('/api/sweep', {
      preset: 'paper',
      case: 'uniform',
      pages: '4096,8192',
      alpha: '0.1:0.2:0.1',
    });
    expect(json.rows.map((r: { pages: number; alpha: number }) => [r.pages, r.alpha])).toEqual([
      [4096, 0.1],
      [4096, 0.2],
      [8192, 0.1],
      [8192, 0.2],
    ]);
  });

  test('a bad point is a 400 before anything is computed', async () => {
    const { status, json } = await post('/api/sweep', { preset: 'paper', alpha: '0.5,1.5' });
    expect(status).toBe(400);
    expect(json.error.issues[0].field).toBe('alpha');
    expect(json.error.message).toContain("'1.5'");
  });

  test('a malformed range is a 400 in words', async () => {
    const { status, json } = await post('/api/sweep', { preset: 'paper', alpha: '0.5:0.1:0.1' });
    expect(status).toBe(400);
    expect(json.error.message).toMatch(/alpha '0.5:0.1:0.1' is not a range/);
  });

  test('more points than the limit is a 400 too_many_points', async () => {
    const { status, json } = await post('/api/sweep', { preset: 'paper', pages: `1:${MAX_API_SWEEP_POINTS + 1}:1` });
    expect(status).toBe(400);
    expect(json.error.issues[0].code).toBe('too_many_points');
  });
});

describe('POST /api/simulate', () => {
  test('fluid workload on Table 2 reproduces the closed forms (the independent check), as simulate --format json', async () => {
    const { status, json } = await post('/api/simulate', {
      preset: 'paper',
      case: 'uniform',
      alpha: 0.05,
      workload: 'fluid',
    });
    expect(status).toBe(200);
    const model = predictUniform({
      pages: 4096,
      pageSizeBytes: 16_000,
      bandwidthBytesPerSecond: 60_000,
      dirtyPagesPerSecond: 2,
      alpha: 0.05,
    });
    if (!model.converged) throw new Error('Table 2 converges');
    const sim = json.simulation;
    expect(sim.iterations).toBe(4);
    rel(sim.downtimeSeconds, model.downtimeSeconds, 1e-9);
    rel(sim.totalSeconds, model.totalSeconds, 1e-9);
    expect(json.model.iterations).toBe(4);
    const down = json.comparison.find((r: Json) => r.quantity === 'downtime (s)');
    expect(Math.abs(down.relativeError)).toBeLessThanOrEqual(1e-9);
  });

  test('seeded random writes: the same numbers as the library simulator, mean over replicas with an interval', async () => {
    const body = { pages: 65536, pageSize: '4KiB', bandwidth: '1Gbit/s', dirtyRate: 8000, alpha: 0.02, seed: 7 };
    const one = await post('/api/simulate', body);
    expect(one.status).toBe(200);
    const direct = runReplica(
      {
        pages: 65536,
        pageSizeBytes: 4096,
        bandwidthBytesPerSecond: 125_000_000,
        workload: { kind: 'random', dirtyPagesPerSecond: 8000 },
        stopRule: { kind: 'alpha', alpha: 0.02 },
      },
      7,
      0,
    );
    // replica 0 of seed 7 is the library's own run, number for number; the distinct-pages model follows it
    expect(direct.converged).toBe(true);
    expect(one.json.simulation.iterations).toBe(direct.iterations);
    expect(one.json.simulation.downtimePages).toBe(direct.downtimePages);
    expect(one.json.simulation.totalSeconds).toBe(direct.totalSeconds);
    const rows = one.json.comparison as Json[];
    const total = rows.find((r) => r.quantity === 'total time (s)')!;
    expect(Math.abs(total.distinctRelativeError)).toBeLessThanOrEqual(0.02);
    const again = await post('/api/simulate', body);
    expect(again.json).toEqual(one.json);
    const many = await post('/api/simulate', { ...body, replicas: 5 });
    expect(many.status).toBe(200);
    const est = many.json.simulation.estimates.totalSeconds;
    expect(est.count).toBe(5);
    expect(est.low).toBeLessThanOrEqual(est.mean);
    expect(est.high).toBeGreaterThanOrEqual(est.mean);
  });

  test('bad requests: trace (a server file), unknown field, bad choice, out-of-range alpha, too large', async () => {
    const trace = await post('/api/simulate', { preset: 'paper', alpha: 0.05, workload: 'trace' });
    expect(trace.status).toBe(400);
    expect(trace.json.error.issues[0].field).toBe('workload');
    expect(trace.json.error.message).toMatch(/workload 'trace' is not allowed/);
    const jobs = await post('/api/simulate', { preset: 'paper', alpha: 0.05, jobs: 2 });
    expect(jobs.status).toBe(400);
    expect(jobs.json.error.issues[0].code).toBe('unrecognized_keys');
    const rule = await post('/api/simulate', { preset: 'paper', alpha: 0.05, stopRule: 'kvm' });
    expect(rule.json.error.message).toMatch(/stopRule 'kvm' is not allowed: expected one of alpha/);
    const alpha = await post('/api/simulate', { preset: 'paper', alpha: 1.5 });
    expect(alpha.status).toBe(400);
    expect(alpha.json.error.message).toMatch(/alpha/);
    expect(alpha.json.error.message).toMatch(/1\.5/);
    const qemu = await post('/api/simulate', { preset: 'paper', stopRule: 'qemu' });
    expect(qemu.status).toBe(400);
    expect(qemu.json.error.message).toMatch(/downtimeLimit is missing/);
    const big = await post('/api/simulate', { preset: 'paper', pages: MAX_API_SIMULATE.pages + 1, alpha: 0.05 });
    expect(big.status).toBe(400);
    expect(big.json.error.issues[0].code).toBe('too_large');
    const reps = await post('/api/simulate', { preset: 'paper', alpha: 0.05, replicas: 101 });
    expect(reps.json.error.message).toMatch(/replicas 101 is too large/);
    for (const r of [trace, jobs, rule, alpha, qemu, big, reps])
      expect(JSON.stringify(r.json)).not.toMatch(/NaN|Infinity/);
  });
});

describe('routing and static files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'precopy-static-'));
  mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(dir, 'web', 'assets', 'a.js'), 'export {}');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  const withPage = createApp({ staticDir: join(dir, 'web') });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('GET on an API endpoint is a 405 with Allow: POST', async () => {
    const res = await app.request('/api/predict');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  test('an unknown API path is a JSON 404', async () => {
    const res = await app.request('/api/simulat', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error.code).toBe('not_found');
  });

  test('the page and its assets are served with their types', async () => {
    const page = await withPage.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const js = await withPage.request('/assets/a.js');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
  });

  test('paths that leave the page directory are 404', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/%00']) {
      const res = await withPage.request(p);
      expect(res.status, p).toBe(404);
    }
  });
});

describe('precopy serve', () => {
  test('parsePort accepts 0..65535 and rejects the rest in words', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    for (const bad of ['-1', '65536', '80.5', 'http', '']) {
      expect(() => parsePort(bad)).toThrow(CliError);
    }
    expect(() => parsePort('65536')).toThrow("--port '65536' is not a port: expected a whole number from 0 to 65535");
  });

  test('a bad port is one line on stderr and exit code 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run(['serve', '--port', '70000'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toBe(
        "precopy: --port '70000' is not a port: expected a whole number from 0 to 65535\n",
      );
    } finally {
      err.mockRestore();
    }
  });

  test('a loopback server refuses requests addressed to another host name (DNS rebinding)', async () => {
    const server = await startServer({ port: 0 });
    try {
      const ok = await fetch(`http://localhost:${server.port}/api/nothing`, { method: 'POST' });
      expect(ok.status).toBe(404);
      const { request } = await import('node:http');
      const status = await new Promise<number>((done, fail) => {
        const req = request(
          { host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}` } },
          (res) => {
            res.resume();
            done(res.statusCode ?? 0);
          },
        );
        req.on('error', fail);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await server.close();
    }
  });

  test('binds 127.0.0.1 by default and answers over HTTP', async () => {
    const server = await startServer({ port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${server.url}api/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ preset: 'paper', case: 'uniform', alpha: 0.05 }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).uniform.iterations).toBe(4);
    } finally {
      await server.close();
    }
  });
});
