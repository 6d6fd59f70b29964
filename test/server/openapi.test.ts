import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { OPERATIONS } from '../../src/ops/index.js';
import { API_VERSION, createApp } from '../../src/server/app.js';

// biome-ignore lint/suspicious/noExplicitAny: the document and the answers are JSON read by key
type Json = Record<string, any>;

const app = createApp();

async function get(path: string) {
  const res = await app.request(path);
  return { status: res.status, json: (await res.json()) as Json };
}

async function post(path: string, body: unknown) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const doc = (await get('/api/openapi.json')).json;
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
/** The validator of a `$ref: '#/components/schemas/X'` (the components are self-contained schemas). */
function validator(ref: { $ref: string }) {
  const name = ref.$ref.replace('#/components/schemas/', '');
  const schema = doc.components.schemas[name];
  expect(schema, ref.$ref).toBeDefined();
  if (!ajv.getSchema(name)) ajv.addSchema(schema, name);
  return ajv.getSchema(name)!;
}

const DRAIN = readFileSync(new URL('../../examples/drain.yaml', import.meta.url), 'utf8');
/** A small inventory as a JSON object: two VMs leaving one host. */
const SMALL = {
  hosts: [
    { name: 'a', nic: '10Gbit/s' },
    { name: 'b', nic: '10Gbit/s' },
  ],
  vms: [
    { name: 'v1', host: 'a', target: 'b', memory: '4GiB', dirtyRate: 1000, maxDowntime: '300ms' },
    { name: 'v2', host: 'a', target: 'b', memory: '2GiB', dirtyRate: 500 },
  ],
};

/** Real requests of every route: ones the API accepts and ones it refuses (400). */
const REQUESTS: Record<string, unknown[]> = {
  predict: [
    { preset: 'paper' },
    { preset: 'paper', case: 'uniform', alpha: 0.05 },
    { memory: '64GiB', bandwidth: '10Gbit/s', dirtyRate: '8MB/s', downtimeLimit: '300ms' },
    // rho = D*S/B = 100*4096/4096 = 100 > 1: a result that does not converge, not an error
    { pages: 1000, pageSize: 4096, bandwidth: 4096, dirtyRate: 100, alpha: 0.05 },
    { preset: 'paper', alpha: 1.5 },
    { preset: 'paper', bogus: 1 },
    { preset: 'paper', case: 'sideways' },
  ],
  optimize: [
    { preset: 'paper' },
    { preset: 'paper', maxUtilization: 0.9, objective: 'total-time' },
    { preset: 'paper', alphaRange: { min: 0.01, max: 0.5 }, maxDowntime: '60s' },
    { preset: 'paper', alphaRange: '0.9:0.1' },
  ],
  sweep: [
    { preset: 'paper', alpha: '0.05:0.25:0.1' },
    { preset: 'paper', alpha: '0.1', bandwidth: '50KB/s,60KB/s', case: 'hot-downtime' },
    { preset: 'paper', alpha: '0.5:0.1:0.1' },
    { preset: 'paper', alpha: '0.05,2' },
  ],
  simulate: [
    { preset: 'paper', alpha: 0.05, workload: 'random', seed: 1 },
    { preset: 'paper', replicas: 3, seed: 2, workload: 'fluid' },
    { pages: 2048, bandwidth: '1MB/s', dirtyRate: 20, stopRule: 'qemu', downtimeLimit: '300ms' },
    { preset: 'paper', workload: 'trace' },
    { preset: 'paper', seed: 'x' },
    { preset: 'paper', replicas: 1000 },
  ],
  'fleet/predict': [
    { inventory: DRAIN, policy: 'nova' },
    { inventory: parseYaml(DRAIN), policy: 'kubevirt', rounds: true },
    { inventory: SMALL, schedule: { migrations: [{ vm: 'v2' }, { vm: 'v1', after: ['v2'], maxBandwidth: '1GiB/s' }] } },
    // both a schedule and a policy; an unknown policy; a VM naming an unknown host
    { inventory: SMALL, policy: 'nova', schedule: { migrations: [] } },
    { inventory: SMALL, policy: 'round-robin' },
    { inventory: { ...SMALL, vms: [{ ...SMALL.vms[0], host: 'nowhere' }] }, policy: 'nova' },
  ],
  'fleet/plan': [
    { inventory: DRAIN },
    { inventory: SMALL, objective: 'energy', budget: 20 },
    { inventory: DRAIN.replace('memory: 64GiB', 'memory: 64gb') },
    { inventory: SMALL, objective: 'speed' },
    { inventory: SMALL, budget: 100_000 },
  ],
  'qemu/plan': [
    { memory: '16GiB', linkBandwidth: '10Gbit/s', dirtyRate: '200MB/s', maxDowntime: '300ms' },
    { memory: '1GiB', linkBandwidth: '1Gbit/s', dirtyRate: '500MB/s', presets: true },
    {
      memory: '1GiB',
      linkBandwidth: '1Gbit/s',
      dirtyRate: '200MB/s',
      workingSet: '256MiB',
      pattern: 'random',
      maxBandwidth: '1Gbit/s',
      downtimeLimit: '100ms',
      convergenceRuns: 100,
    },
    { memory: '1GiB', linkBandwidth: '1Gbit/s', dirtyRate: 0, format: 'json' },
    { memory: '1GiB', linkBandwidth: 'fast', dirtyRate: 0 },
  ],
};

describe('GET /api/openapi.json', () => {
  test('is an OpenAPI 3.1 document with the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Json;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(API_VERSION);
    expect(API_VERSION).toBe(pkg.version);
  });

  test('describes every route the app answers, and the app answers every route it describes', async () => {
    const described = Object.keys(doc.paths).sort();
    const http = OPERATIONS.filter((o) => o.http).map((o) => `/api/${o.name}`);
    expect(http).toContain('/api/fleet/plan');
    expect(described).toEqual([...http, '/api/openapi.json'].sort());
    for (const path of described) {
      const method = Object.keys(doc.paths[path])[0]!;
      const res = await app.request(path, {
        method: method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: method === 'post' ? '{}' : undefined,
      });
      expect([200, 400], `${method} ${path}`).toContain(res.status);
    }
    // A route the document does not describe is not there.
    expect((await post('/api/nothing', {})).status).toBe(404);
  });

  test('every component schema compiles with ajv (JSON Schema 2020-12, strict)', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(() => validator({ $ref: name })).not.toThrow();
  });

  for (const [name, bodies] of Object.entries(REQUESTS)) {
    test(`POST /api/${name}: real requests and answers validate against the document`, async () => {
      const op = doc.paths[`/api/${name}`].post;
      const request = validator(op.requestBody.content['application/json'].schema);
      let accepted = 0;
      let refused = 0;
      for (const body of bodies) {
        const { status, json } = await post(`/api/${name}`, body);
        expect([200, 400], JSON.stringify(body)).toContain(status);
        const answer = validator(op.responses[String(status)].content['application/json'].schema);
        expect(answer(json), `${JSON.stringify(body)} -> ${JSON.stringify(answer.errors)}`).toBe(true);
        if (status === 200) {
          // Whatever the API accepts, the document accepts: it is never stricter than the server.
          expect(request(body), `${JSON.stringify(body)} -> ${JSON.stringify(request.errors)}`).toBe(true);
          accepted += 1;
        } else refused += 1;
      }
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
    });
  }

  test('the answer schemas are not vacuous: a changed answer fails them', async () => {
    const { json } = await post('/api/predict', { preset: 'paper', case: 'uniform' });
    const answer = validator(doc.paths['/api/predict'].post.responses['200'].content['application/json'].schema);
    expect(answer(json)).toBe(true);
    const { downtimeSeconds: _d, ...withoutDowntime } = json.uniform;
    expect(answer({ uniform: withoutDowntime })).toBe(false);
    expect(answer({ uniform: { ...json.uniform, iterations: 'four' } })).toBe(false);
    expect(answer({ ...json, surprise: 1 })).toBe(false);
    const error = validator({ $ref: '#/components/schemas/Error' });
    expect(error({ error: { code: 'x', message: 'y', issues: [{ code: 'z' }] } })).toBe(false);
  });

  test('a body the document refuses (unknown field, wrong choice) is refused by the server too', async () => {
    for (const [name, bodies] of Object.entries(REQUESTS)) {
      const request = validator(doc.paths[`/api/${name}`].post.requestBody.content['application/json'].schema);
      for (const body of [...bodies, { preset: 'paper', notAField: 1 }, { preset: 'paper', accounting: 'x' }]) {
        if (!request(body)) expect((await post(`/api/${name}`, body)).status, JSON.stringify(body)).toBe(400);
      }
    }
  });
});
