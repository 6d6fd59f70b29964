import { describe, expect, test } from 'vitest';
import { flagOf } from '../../src/schema/fields.js';
import { createApp } from '../../src/server/index.js';
import { cli } from '../support/cli.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field and checked by value
type Json = Record<string, any>;

const app = createApp();
const rel = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));

/** The same request through the other edge: `precopy qemu plan --<field> <value> ... --format json`. */
function cliJson(body: Record<string, string | number>) {
  return cli('qemu', 'plan', ...Object.entries(body).flatMap(([k, v]) => [flagOf(k), String(v)]), '--format', 'json');
}

async function post(body: unknown) {
  const res = await app.request('/api/qemu/plan', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

describe('POST /api/qemu/plan', () => {
  test('fixed knobs, idle 1 GiB: the hand-derived prediction, the same JSON as `qemu plan --format json`', async () => {
    // As test/cli/qemu-plan.test.ts: 262144 pages of 4096 B, 4104 B each on the wire; at 128 MiB/s a 100 ms window
    // carries 3270.4125 pages; the threshold 134217728 * 0.3 B is first met after 78 windows (7051.8 pages left):
    // 3 syncs, total 7.8 s + the rest at the link, every page sent once.
    const body = {
      memory: '1GiB',
      linkBandwidth: '128MiB/s',
      dirtyRate: 0,
      maxBandwidth: '128MiB/s',
      downtimeLimit: '300ms',
    };
    const { status, json } = await post(body);
    expect(status).toBe(200);
    const left = 262144 - 78 * ((134217728 * 0.1) / 4104);
    expect(json.prediction.iterations).toBe(3);
    rel(json.prediction.totalSeconds, 7.8 + (left * 4104) / 134217728);
    rel(json.prediction.bytesTransferred, 262144 * 4104);
    expect(json.qmp).toEqual({
      execute: 'migrate-set-parameters',
      arguments: { 'downtime-limit': 300, 'max-bandwidth': 134217728 },
    });
    // the other edge, through the real program: the same document
    const r = await cliJson(body);
    expect(r.code).toBe(0);
    expect(json).toEqual(JSON.parse(r.stdout));
  });

  test('random writes above the send rate: a probability with its interval, and the remedy; a result, not an error', async () => {
    const body = {
      memory: '1GiB',
      linkBandwidth: '1Gbit/s',
      dirtyRate: '200MB/s',
      workingSet: '256MiB',
      pattern: 'random',
      maxBandwidth: '1Gbit/s',
      downtimeLimit: '100ms',
      convergenceRuns: 200,
      seed: 7,
    };
    const { status, json } = await post(body);
    expect(status).toBe(200);
    const r = await cliJson(body);
    expect(json).toEqual(JSON.parse(r.stdout));
    // rho = 200e6 / 125e6 = 1.6 > 1: the fluid model says never; the Monte Carlo gives a probability in [0, 1]
    expect(json.convergence.runs).toBe(200);
    expect(json.convergence.probability).toBeGreaterThanOrEqual(json.convergence.confidence95[0]);
    expect(json.convergence.probability).toBeLessThanOrEqual(json.convergence.confidence95[1]);
  });

  test('bad input: 400 naming the field, the value and the range; format is not a field of the JSON API', async () => {
    const a = await post({ memory: '1GiB', linkBandwidth: '0B/s', dirtyRate: 0 });
    expect(a.status).toBe(400);
    expect(a.json.error.issues[0].field).toBe('linkBandwidth');
    expect(a.json.error.message).toContain('0B/s');
    expect(a.json.error.message).toContain('1 B/s to 10 TB/s');
    const b = await post({ memory: '1GiB', linkBandwidth: '1Gbit/s', dirtyRate: 0, format: 'json' });
    expect(b.status).toBe(400);
    const c = await post({ memory: '1GiB', linkBandwidth: '1Gbit/s', dirtyRate: 0, convergenceRuns: 1e6 });
    expect(c.status).toBe(400);
    expect(c.json.error.issues[0].field).toBe('convergenceRuns');
    const d = await post({ memory: '1GiB', linkBandwidth: '1Gbit/s', dirtyRate: 0, workingSet: '2GiB' });
    expect(d.status).toBe(400);
    expect(d.json.error.message).toMatch(/workingSet|working-set/);
  });
});
