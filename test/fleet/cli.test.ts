import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'precopy-fleet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('precopy fleet', () => {
  it('fleet plan --inventory examples/drain.yaml prints the plan, the baselines and the commands', async () => {
    const r = await cli('fleet', 'plan', '--inventory', 'examples/drain.yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/beats the best baseline \((\w+), [\d.]+\) by [\d.]+ % on makespan/);
    expect(r.stdout).toMatch(/every constraint is met/);
    for (const b of ['sequential', 'watcher', 'nova', 'kubevirt', 'xapi', 'vcenter'])
      expect(r.stdout).toContain(`\n${b} `);
    expect(r.stdout).toMatch(
      /qmp> \{"execute":"migrate-set-parameters","arguments":\{"downtime-limit":\d+,"max-bandwidth":\d+\}\}/,
    );
    expect(r.stdout).toMatch(/\$ virsh migrate --live/);
  });

  it('fleet plan --format json is the documented shape; the plan is never worse than a feasible baseline', async () => {
    const r = await cli('fleet', 'plan', '--inventory', 'examples/drain.yaml', '--format', 'json');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining([
        'objective',
        'feasible',
        'bestBaseline',
        'improvementFraction',
        'plan',
        'baselines',
        'remedies',
      ]),
    );
    for (const b of j.baselines) if (b.feasible) expect(j.plan.objectiveValue).toBeLessThanOrEqual(b.objectiveValue);
    expect(j.plan.migrations[0].commands.qmp).toHaveLength(3);
  });

  it('fleet predict --policy nova --format csv parses as RFC 4180 with one row per VM', async () => {
    const r = await cli(
      'fleet',
      'predict',
      '--inventory',
      'examples/drain.yaml',
      '--policy',
      'nova',
      '--format',
      'csv',
    );
    expect(r.code).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(Number(row.endSeconds)).toBeGreaterThan(Number(row.startSeconds));
  });

  it('fleet predict --schedule FILE predicts the given order and writes a Gantt SVG and PNG', async () => {
    const sched = join(dir, 's.yaml');
    writeFileSync(
      sched,
      'migrations:\n  - { vm: web-1, target: t3, maxBandwidth: unlimited, downtimeLimit: 300ms }\n  - { vm: web-2, target: t3, after: [web-1], maxBandwidth: 1GiB/s }\n',
    );
    const svg = join(dir, 'g.svg');
    const r = await cli(
      'fleet',
      'predict',
      '--inventory',
      'examples/drain.yaml',
      '--schedule',
      sched,
      '--gantt',
      svg,
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.migrations).toHaveLength(2);
    expect(j.migrations[1].startSeconds).toBe(j.migrations[0].endSeconds);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    const png = join(dir, 'g.png');
    const r2 = await cli('fleet', 'predict', '--inventory', 'examples/drain.yaml', '--schedule', sched, '--gantt', png);
    expect(r2.code).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });

  it('fleet plan with a bad inventory exits 2 with one line per problem', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'hosts:\n  - { name: a, nic: 1Gbit/s }\n  - { name: b, nic: 1Gbit/s }\nvms:\n  - { name: v, host: c, memory: 1GiB, dirtyRate: lots }\n',
    );
    const r = await cli('fleet', 'plan', '--inventory', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/vm 'v', field host \(line 5\): unknown host 'c'/);
    expect(r.stderr).toMatch(/vm 'v', field dirtyRate \(line 5\): 'lots' is not a dirty rate/);
  });

  it('fleet predict without --schedule or --policy exits 2', async () => {
    const r = await cli('fleet', 'predict', '--inventory', 'examples/drain.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of --schedule FILE or --policy NAME/);
  });
});
