import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FleetInventoryError, parseInventory, resolveSchedule } from '../../src/fleet/index.js';
import { expectRel } from '../support/approx.js';

const problemsOf = (text: string) => {
  try {
    parseInventory(text);
  } catch (e) {
    if (e instanceof FleetInventoryError) return e.problems;
    throw e;
  }
  throw new Error('expected the inventory to be rejected');
};

const GOOD = `hosts:
  - { name: a, nic: 10Gbit/s }
  - { name: b, nic: 10Gbit/s }
vms:
  - { name: v1, host: a, memory: 4GiB, dirtyRate: 1000 }
`;

describe('parseInventory', () => {
  it('parseInventory(example) resolves units to base units', () => {
    const inv = parseInventory(readFileSync('examples/drain.yaml', 'utf8'));
    expect(inv.vms).toHaveLength(10);
    const db = inv.vms[0]!;
    expect(db.memoryBytes).toBe(64 * 2 ** 30);
    expect(db.pages).toBe(16 * 2 ** 20); // 64 GiB / 4 KiB
    expect(db.workingSetPages).toBe(2 * 2 ** 20); // 8 GiB / 4 KiB
    expect(db.maxDowntimeSeconds).toBe(0.3);
    expect(inv.hosts[0]!.nicOutBytesPerSecond).toBe(25e9 / 8);
    expect(inv.policy.linkShare).toBe(0.8);
    // ci-runner: hot fraction 0.1 at 30000, cold at 1000: D_eff = 0.1*30000 + 0.9*1000 = 3900 (Eq. 17)
    expectRel(inv.vms.find((v) => v.name === 'ci-runner')!.dirtyPagesPerSecond!, 3900, 1e-12);
  });

  it('parseInventory(JSON) reads the same schema', () => {
    const inv = parseInventory(
      JSON.stringify({
        hosts: [
          { name: 'a', nic: '1Gbit/s' },
          { name: 'b', nic: 125e6 },
        ],
        vms: [{ name: 'v', host: 'a', memory: '1GiB', dirtyRate: '8MB/s' }],
      }),
    );
    expect(inv.hosts[1]!.nicInBytesPerSecond).toBe(125e6);
    expect(inv.vms[0]!.dirtyPagesPerSecond).toBe(8e6 / 4096);
  });

  it('parseInventory(unknown host) names the VM, the field and the YAML line', () => {
    const p = problemsOf(GOOD.replace('host: a', 'host: zz'));
    expect(p).toHaveLength(1);
    expect(p[0]!.subject).toBe("vm 'v1'");
    expect(p[0]!.field).toBe('host');
    expect(p[0]!.line).toBe(5);
    expect(p[0]!.message).toMatch(/unknown host 'zz'/);
  });

  it('parseInventory(several problems) reports every one at once, never a partial inventory', () => {
    const text = `hosts:
  - { name: a, nic: 10Gbit/s }
  - { name: a, nic: fast }
vms:
  - { name: v1, host: a, memory: 4GiB, dirtyRate: 1000, maxDowntime: 300 }
  - { name: v1, host: a, memory: -1GiB, dirtyRate: 1000, colour: red }
`;
    const p = problemsOf(text);
    const lines = p.map((x) => `${x.subject}|${x.field}|${x.line}`);
    expect(lines).toContain("vm 'v1'|colour|6");
    try {
      parseInventory(text.replace('colour: red', 'priority: 1'));
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/host 'a', field name \(line 3\): duplicate host name 'a'/);
      expect(msg).toMatch(/host 'a', field nic \(line 3\): 'fast' is not a rate/);
      expect(msg).toMatch(
        /vm 'v1', field maxDowntime \(line 5\): '300' is not a duration|vm 'v1', field maxDowntime \(line 5\)/,
      );
      expect(msg).toMatch(/vm 'v1', field name \(line 6\): duplicate vm name 'v1'/);
      expect(msg).toMatch(/vm 'v1', field memory \(line 6\): -1073741824 is out of range/);
      expect((e as FleetInventoryError).problems.length).toBeGreaterThanOrEqual(5);
    }
  });

  it('parseInventory(bad YAML) gives the line', () => {
    const p = problemsOf('hosts:\n  - { name: a\nvms: [');
    expect(p[0]!.message).toMatch(/not valid YAML/);
    expect(p[0]!.line).toBeGreaterThan(0);
  });

  it('parseInventory(missing dirty rate, bad share, target = own host) names each', () => {
    const p = problemsOf(`${GOOD.replace('dirtyRate: 1000', 'target: a')}policy: { linkShare: 1.5 }\n`);
    const fields = p.map((x) => `${x.subject}:${x.field}`);
    expect(fields).toEqual(expect.arrayContaining(["vm 'v1':dirtyRate", "vm 'v1':target", 'policy:linkShare']));
  });

  it('resolveSchedule(unknown vm, unknown after) names the migration and field with lines', () => {
    const inv = parseInventory(GOOD);
    try {
      resolveSchedule(inv, 'migrations:\n  - { vm: v1, after: [nope] }\n  - { vm: ghost }\n');
      expect.fail('rejected');
    } catch (e) {
      const p = (e as FleetInventoryError).problems;
      expect(p.map((x) => `${x.subject}|${x.field}|${x.line}`)).toEqual(
        expect.arrayContaining(["migration 'v1'|after.0|2", "migration 'ghost'|vm|3"]),
      );
    }
  });
});
