import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { fleetPredict, fleetSimulate } from '../../src/ops/fleet.js';
import { expectRel } from '../support/approx.js';
import { cli } from '../support/cli.js';

describe('precopy fleet simulate', () => {
  it('--policy nova --format json: the simulated rows beside the prediction of `fleet predict`', async () => {
    const r = await cli(
      'fleet',
      'simulate',
      '--inventory',
      'examples/drain.yaml',
      '--policy',
      'nova',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['schedule', 'seed', 'summary', 'predicted', 'relativeError', 'migrations', 'violations']),
    );
    expect(j.schedule).toBe('nova');
    // The predicted side is fleet predict's (same engine, same schedule).
    const { readFileSync } = await import('node:fs');
    const p = fleetPredict({ inventory: readFileSync('examples/drain.yaml', 'utf8'), policy: 'nova' });
    expect(j.predicted.makespanSeconds).toBe(p.summary.makespanSeconds);
    expect(j.migrations.map((m: { vm: string }) => m.vm)).toEqual(p.migrations.map((m) => m.vm));
    // Nova runs one migration per source host: in the simulator too, each waits for the previous one of its host.
    const bySource = new Map<string, { start: number; end: number }[]>();
    for (const m of j.migrations) {
      bySource.set(m.source, [...(bySource.get(m.source) ?? []), { start: m.startSeconds, end: m.endSeconds }]);
    }
    for (const list of bySource.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBeGreaterThanOrEqual(list[i - 1]!.end);
    }
  });

  it('--plan prints the table with both sides; --format csv has one row per VM with the predicted columns', async () => {
    const t = await cli('fleet', 'simulate', '--inventory', 'examples/drain.yaml', '--plan', '--budget', '8');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^schedule: plan through the page-level multi-VM simulator \(seed 1\)/);
    expect(t.stdout).toMatch(/simulator vs predictor: makespan /);
    const c = await cli(
      'fleet',
      'simulate',
      '--inventory',
      'examples/drain.yaml',
      '--policy',
      'kubevirt',
      '--format',
      'csv',
    );
    const rows = parse(c.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(10);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['vm', 'endSeconds', 'predictedEndSeconds']));
  });

  it('bad input: two schedule sources, a bad seed -> one line, exit code 2', async () => {
    const a = await cli('fleet', 'simulate', '--inventory', 'examples/drain.yaml', '--plan', '--policy', 'nova');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/exactly one of --schedule FILE, --policy NAME or --plan/);
    const b = await cli('fleet', 'simulate', '--inventory', 'examples/drain.yaml', '--plan', '--seed', '-3');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--seed '-3' is out of range/);
  });

  it('fleetSimulate with a fluid schedule: simulator and predictor agree within 1e-9 (ops level)', () => {
    // Two 1 GiB VMs (no dirtying) from one host sharing its 1 GB/s NIC (8 Gbit/s, share 1), uncapped: each gets
    // 0.5e9 B/s, both end at 2^31 / 1e9 s; downtime 0.
    const inventory = {
      hosts: [
        { name: 'a', nic: '8Gbit/s' },
        { name: 'b', nic: '80Gbit/s' },
      ],
      vms: [
        { name: 'v1', host: 'a', memory: '1GiB', dirtyRate: 0 },
        { name: 'v2', host: 'a', memory: '1GiB', dirtyRate: 0 },
      ],
      policy: { linkShare: 1, maxBandwidth: 'unlimited' },
    };
    const s = fleetSimulate({ inventory, schedule: { migrations: [{ vm: 'v1' }, { vm: 'v2' }] } });
    expectRel(s.summary.makespanSeconds, 2 ** 31 / 1e9, 1e-15);
    expect(Math.abs(s.relativeError.makespan)).toBeLessThanOrEqual(1e-9);
    expect(s.relativeError.maxPerMigration).toBeLessThanOrEqual(1e-9);
  });
});
