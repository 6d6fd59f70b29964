import { afterEach, describe, expect, it } from 'vitest';
import { type FakeQmp, startFakeQmp } from '../hypervisor/support/fake-qmp.js';
import { cli } from '../support/cli.js';

const rel = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));
let server: FakeQmp | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GiB = 2 ** 30;

/** A VM of 1 GiB that QEMU measures as writing nothing (page sampling: 0 MiB/s). */
function idleVm() {
  return startFakeQmp({
    handle: (c) => {
      switch (c) {
        case 'query-memory-size-summary':
          return { return: { 'base-memory': GiB, 'plugged-memory': 0 } };
        case 'query-migrate-parameters':
          return { return: { 'downtime-limit': 300, 'max-bandwidth': 134217728 } };
        case 'query-dirty-rate':
          return {
            return: { status: 'measured', 'dirty-rate': 0, 'calc-time': 1, 'sample-pages': 512, mode: 'page-sampling' },
          };
        default:
          return { return: {} };
      }
    },
  });
}

describe('precopy qemu advise', () => {
  it('advise(idle 1 GiB VM) plans from what QEMU measured and stays read-only', async () => {
    // Same hand case as plan: 262144 pages, 128 MiB/s, nothing dirtied: one copy at full speed, 8.015625 s,
    // with a 1 ms limit so the last pages go before the stop (downtime 0).
    server = await idleVm();
    const r = await cli('qemu', 'advise', '--qmp', server.path, '--link-bandwidth', '128MiB/s', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.measured.memoryBytes).toBe(GiB);
    expect(doc.measured.dirtyPagesPerSecond).toBe(0);
    expect(doc.parameters).toEqual({ downtimeLimitMs: 1, maxBandwidthBytesPerSecond: 134217728 });
    rel(doc.prediction.totalSeconds, 8.015625);
    expect(doc.applied).toBe(false);
    const commands = server.received.map((m) => m.execute);
    expect(commands).toContain('calc-dirty-rate');
    expect(commands).not.toContain('migrate-set-parameters');
    expect(server.received.find((m) => m.execute === 'calc-dirty-rate')!.arguments).toEqual({
      'calc-time': 1,
      'sample-pages': 4096,
      mode: 'page-sampling',
    });
  });

  it('advise(--apply) sets the chosen knobs with migrate-set-parameters', async () => {
    server = await idleVm();
    const r = await cli('qemu', 'advise', '--qmp', server.path, '--link-bandwidth', '128MiB/s', '--apply');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied: migrate-set-parameters sent');
    expect(server.received.find((m) => m.execute === 'migrate-set-parameters')!.arguments).toEqual({
      'downtime-limit': 1,
      'max-bandwidth': 134217728,
    });
  });

  it('advise(no socket) is a one-line error naming the socket, exit 1; a missing --qmp is exit 2', async () => {
    const r = await cli('qemu', 'advise', '--qmp', '/nonexistent/qmp.sock', '--link-bandwidth', '1GB/s');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^precopy: cannot connect to QMP socket \/nonexistent\/qmp.sock/);
    const r2 = await cli('qemu', 'advise', '--link-bandwidth', '1GB/s');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("precopy: --qmp '' is missing");
  });
});

describe('precopy qemu watch', () => {
  /** A scripted migration of the idle 1 GiB VM: 4 samples active, then completed. */
  function migratingVm() {
    let n = 0;
    return startFakeQmp({
      handle: (c) => {
        if (c === 'query-migrate-parameters') return { return: { 'downtime-limit': 300, 'max-bandwidth': 134217728 } };
        if (c !== 'query-migrate') return { return: {} };
        n += 1;
        const ram = (remaining: number, transferred: number, sync: number) => ({
          total: GiB,
          remaining,
          transferred,
          duplicate: 0,
          normal: Math.round(transferred / 4104),
          'normal-bytes': Math.round(transferred / 4104) * 4096,
          'dirty-pages-rate': 0,
          mbps: 1073.7,
          'dirty-sync-count': sync,
          'page-size': 4096,
        });
        if (n <= 4)
          return {
            return: {
              status: 'active',
              'total-time': n * 2000,
              'expected-downtime': 300,
              ram: ram(GiB - n * 2.6e8, n * 2.6e8, 1),
            },
          };
        return { return: { status: 'completed', 'total-time': 8016, downtime: 210, ram: ram(0, 1075838976, 3) } };
      },
    });
  }

  it('watch(json) compares the prediction with what QEMU reports at the end', async () => {
    // The prediction is the idle hand case (262144 pages, 128 MiB/s, 300 ms): 3 syncs, 8.015625 s, all
    // 262144 pages of 4104 B once.
    server = await migratingVm();
    const r = await cli(
      'qemu',
      'watch',
      '--qmp',
      server.path,
      '--interval',
      '50ms',
      '--dirty-rate',
      '0',
      '--zero-fraction',
      '0',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.actual).toEqual({
      status: 'completed',
      totalSeconds: 8.016,
      downtimeSeconds: 0.21,
      iterations: 3,
      bytesTransferred: 1075838976,
    });
    expect(doc.predicted.iterations).toBe(3);
    rel(doc.predicted.totalSeconds, 8.015625);
    rel(doc.predicted.bytesTransferred, 262144 * 4104);
    // During the first pass the prediction was taken again from its progress: the last sample in it (8 s,
    // round(1.04e9 / 4104) = 253411 pages, no zero pages) extrapolates to 8 x 262144 / 253411 s; slower than the
    // 128 MiB/s cap's 8.0156 s, so the whole migration is predicted longer than the first-sample prediction.
    expect(doc.duringFirstPass.madeAtSeconds).toBe(8);
    rel(doc.duringFirstPass.firstPassEndSeconds, (8 * 262144) / 253411);
    expect(doc.duringFirstPass.totalSeconds).toBeGreaterThan(doc.predicted.totalSeconds);
  });

  it('watch refuses a --zero-page-time out of range, naming it (exit 2)', async () => {
    const r = await cli('qemu', 'watch', '--qmp', '/nonexistent.sock', '--zero-page-time', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "precopy: --zero-page-time '1s' is out of range: expected a duration from 0 to 10ms per zero page, e.g. 6us\n",
    );
  });

  it('watch(table) prints progress on stderr that never runs backwards', async () => {
    server = await migratingVm();
    const r = await cli('qemu', 'watch', '--qmp', server.path, '--interval', '50ms');
    expect(r.code).toBe(0);
    const progress = [...r.stderr.matchAll(/progress (\d+) %/g)].map((m) => Number(m[1]));
    expect(progress.length).toBe(5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.at(-1)).toBe(100);
    expect(r.stdout).toMatch(/^rounds \(dirty-sync-count\)\s+-\s+3$/m);
  });
});
