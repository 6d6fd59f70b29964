import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { fleetPlan, fleetPredict } from '../../src/ops/fleet.js';
import { MAX_API_FLEET_BUDGET, MAX_API_FLEET_VMS } from '../../src/ops/fleet-http.js';
import { createApp } from '../../src/server/index.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field and checked by value
type Json = Record<string, any>;

const app = createApp();
const DRAIN = readFileSync(new URL('../../examples/drain.yaml', import.meta.url), 'utf8');

async function post(path: string, body: unknown) {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

describe('POST /api/fleet/plan and /api/fleet/predict', () => {
  test('the plan of the example is the JSON of `fleet plan --format json` (fleetPlan), beating or equal to every feasible baseline', async () => {
    const { status, json } = await post('/api/fleet/plan', { inventory: DRAIN });
    expect(status).toBe(200);
    // JSON.parse(JSON.stringify(...)): the CLI prints the same object through JSON.
    expect(json).toEqual(JSON.parse(JSON.stringify(fleetPlan({ inventory: DRAIN }))));
    expect(json.plan.migrations).toHaveLength(10);
    for (const b of json.baselines)
      if (b.feasible) expect(json.plan.objectiveValue).toBeLessThanOrEqual(b.objectiveValue);
  });

  test('YAML text and the same inventory as a JSON object give the same prediction', async () => {
    const { parse } = await import('yaml');
    const a = await post('/api/fleet/predict', { inventory: DRAIN, policy: 'kubevirt' });
    const b = await post('/api/fleet/predict', { inventory: parse(DRAIN), policy: 'kubevirt' });
    expect(a.status).toBe(200);
    expect(b.json).toEqual(a.json);
    expect(a.json).toEqual(JSON.parse(JSON.stringify(fleetPredict({ inventory: DRAIN, policy: 'kubevirt' }))));
  });

  test('an invalid inventory is a 400 with one issue per problem naming the VM, the field and the line', async () => {
    // two problems: line 18 of the example (db-primary) gets a lower-case unit, web-1 an unknown host
    const bad = DRAIN.replace('memory: 64GiB, dirtyRate: 60000', 'memory: 64gb, dirtyRate: 60000').replace(
      'name: web-1, host: c1',
      'name: web-1, host: c9',
    );
    const { status, json } = await post('/api/fleet/plan', { inventory: bad });
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_request');
    const issues = json.error.issues as Json[];
    // every problem is reported (the bad memory also leaves workingSet unchecked against it), each naming its VM
    expect(issues.length).toBeGreaterThanOrEqual(2);
    for (const i of issues) expect(i.message).toMatch(/^vm '(db-primary|web-1)', field \w+ \(line \d+\): /);
    const mem = issues.find((i) => i.field === 'memory')!;
    expect(mem.path).toEqual(['inventory', 'vms', 0, 'memory']);
    expect(mem.message).toMatch(/^vm 'db-primary', field memory \(line 18\): /);
    const host = issues.find((i) => i.field === 'host')!;
    expect(host.path).toEqual(['inventory', 'vms', 3, 'host']);
    expect(host.message).toMatch(/^vm 'web-1', field host \(line 21\): .*c9/);
  });

  test('a schedule naming an unknown VM is a 400 under schedule', async () => {
    const { status, json } = await post('/api/fleet/predict', {
      inventory: DRAIN,
      schedule: { migrations: [{ vm: 'no-such-vm' }] },
    });
    expect(status).toBe(400);
    expect(json.error.issues[0].path[0]).toBe('schedule');
    expect(json.error.message).toContain('no-such-vm');
  });

  test(`bounded: more than ${MAX_API_FLEET_VMS} VMs or a budget above ${MAX_API_FLEET_BUDGET} is refused before any work`, async () => {
    const vms = Array.from({ length: MAX_API_FLEET_VMS + 1 }, (_, i) => ({ name: `v${i}`, host: 'a', memory: 1 }));
    const inventory = {
      hosts: [
        { name: 'a', nic: 1e9 },
        { name: 'b', nic: 1e9 },
      ],
      vms,
    };
    const big = await post('/api/fleet/plan', { inventory });
    expect(big.status).toBe(400);
    expect(big.json.error.issues[0]).toMatchObject({
      code: 'too_large',
      field: 'inventory',
      value: MAX_API_FLEET_VMS + 1,
    });
    const budget = await post('/api/fleet/plan', { inventory: DRAIN, budget: MAX_API_FLEET_BUDGET + 1 });
    expect(budget.status).toBe(400);
    expect(budget.json.error.issues[0]).toMatchObject({ code: 'too_large', field: 'budget' });
  });

  test('GET is 405 with Allow: POST; neither a schedule nor a policy is a 400', async () => {
    const res = await app.request('/api/fleet/plan');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const { status, json } = await post('/api/fleet/predict', { inventory: DRAIN });
    expect(status).toBe(400);
    expect(json.error.message).toContain('schedule or policy');
  });
});
