/** Issue 15, point 7, the qemu leftovers: quoted --domain, --page-size before sampling, no Infinity in plan. */
import { describe, expect, test } from 'vitest';
import { shellQuote, virshCommands } from '../../src/hypervisor/qemu/plan.js';
import { cli } from '../support/cli.js';

describe('qemu edges', () => {
  test('--domain is shell-quoted in the virsh lines (it was printed as given)', () => {
    expect(shellQuote('vm1')).toBe('vm1');
    expect(shellQuote("my vm; rm -rf ~ 'x'")).toBe(`'my vm; rm -rf ~ '\\''x'\\'''`);
    expect(shellQuote('')).toBe("''");
    const lines = virshCommands({ downtimeLimitMs: 300, maxBandwidthBytesPerSecond: 128 * 2 ** 20 } as never, 'a b');
    expect(lines[0]).toBe("virsh migrate-setmaxdowntime 'a b' 300");
  });

  test('qemu advise checks --page-size before connecting to (and sampling) the guest', async () => {
    const r = await cli(
      'qemu',
      'advise',
      '--qmp',
      '/nonexistent/precopy-test.sock',
      '--link-bandwidth',
      '1Gbit/s',
      '--page-size',
      '0.5B',
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      "precopy: --page-size '0.5B' is out of range: expected a whole number of bytes from 512 B to 1 GiB, e.g. 4KiB",
    ]);
  });

  test('qemu plan --link-bandwidth 1B/s --dirty-rate 0.0001 never prints Infinity and says what link it needs', async () => {
    // 1 GiB + page headers at 1 B/s: the first pass alone is ~1.08e9 s, beyond the 30-day horizon (2592000 s),
    // so no sync is ever seen; the reason gives the bytes over the horizon instead of a floor of Infinity.
    const r = await cli('qemu', 'plan', '--memory', '1GiB', '--link-bandwidth', '1B/s', '--dirty-rate', '0.0001');
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
    expect(r.stdout).toMatch(/the first pass alone, \d+ B at 1 B\/s, outlasts the horizon of 2592000 s/);
    const j = await cli(
      'qemu',
      'plan',
      '--memory',
      '1GiB',
      '--link-bandwidth',
      '1B/s',
      '--dirty-rate',
      '0.0001',
      '--format',
      'json',
    );
    expect(j.stdout).not.toMatch(/Infinity|NaN/);
  });
});

describe('--qmp addresses', () => {
  test('a non-loopback tcp address is refused with exit 2 unless --allow-remote-qmp', async () => {
    for (const sub of ['advise', 'watch']) {
      const r = await cli('qemu', sub, '--qmp', 'tcp:10.1.2.3:4444', '--link-bandwidth', '1Gbit/s');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^precopy: --qmp: QMP address "tcp:10\.1\.2\.3:4444" is not on this machine.*\n$/);
    }
  });
});
