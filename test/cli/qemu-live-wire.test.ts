/**
 * The issue-13 wiring of `precopy qemu advise` and `watch` against a scripted fake QMP peer: the dirty-rate
 * corrections for random writers (working set given, or the two-period fit), the first-pass throughput, and
 * what watch measured (the dirty rate's source, the first-pass and later-round throughputs).
 */
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
const MiB = 2 ** 20;

/** A 1 GiB VM whose n-th `calc-dirty-rate` reads `rates[n]` MiB/s. */
function vmReading(rates: number[]) {
  let calcs = 0;
  return startFakeQmp({
    handle: (c) => {
      switch (c) {
        case 'query-memory-size-summary':
          return { return: { 'base-memory': GiB, 'plugged-memory': 0 } };
        case 'query-migrate-parameters':
          return { return: { 'downtime-limit': 300, 'max-bandwidth': 134217728 } };
        case 'calc-dirty-rate':
          calcs += 1;
          return { return: {} };
        case 'query-dirty-rate':
          return {
            return: {
              status: 'measured',
              'dirty-rate': rates[Math.min(calcs, rates.length) - 1],
              'calc-time': calcs,
              'sample-pages': 4096,
              mode: 'page-sampling',
            },
          };
        default:
          return { return: {} };
      }
    },
  });
}

describe('precopy qemu advise, dirty-rate corrections', () => {
  it('advise(--pattern random --working-set 64MiB) inverts the saturation of the sampled rate', async () => {
    // QEMU reads 32 MiB/s = 8192 distinct pages/s over 1 s in a 16384-page working set: half the set. A random
    // writer dirties W (1 - e^(-D T / W)) distinct pages, so D = -W ln(1 - 8192 / 16384) = 16384 ln 2 pages/s.
    server = await vmReading([32]);
    const r = await cli(
      'qemu',
      'advise',
      '--qmp',
      server.path,
      '--link-bandwidth',
      '1GB/s',
      '--pattern',
      'random',
      '--working-set',
      '64MiB',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.measured.dirtyRateMethod).toBe('saturation-corrected');
    expect(doc.measured.rawDirtyBytesPerSecond).toBe(32 * MiB);
    rel(doc.measured.dirtyPagesPerSecond, 16384 * Math.LN2, 1e-12);
    rel(doc.input.dirtyPagesPerSecond, 16384 * Math.LN2, 1e-12);
    expect(doc.input.dirtyPattern).toBe('random');
    expect(doc.input.workingSetPages).toBe(16384);
    expect(server.received.filter((m) => m.execute === 'calc-dirty-rate')).toHaveLength(1);
  });

  it('advise(--two-period-sample) fits rate and working set from samples over 1 s and 2 s', async () => {
    // A random writer of D = 5000 pages/s into W = 10000 pages: over T = 1 s it dirties
    // f1 = W (1 - e^-0.5) distinct pages, over 2 s f2 = W (1 - e^-1); QEMU reports f / T in MiB/s.
    // The fit (f2/f1 = 1 + e^-a) must give back D and W, and the plan then predicts that random writer.
    const f1 = 10000 * -Math.expm1(-0.5);
    const f2 = 10000 * -Math.expm1(-1);
    server = await vmReading([(f1 * 4096) / MiB, (f2 / 2) * (4096 / MiB)]);
    const r = await cli(
      'qemu',
      'advise',
      '--qmp',
      server.path,
      '--link-bandwidth',
      '1GB/s',
      '--two-period-sample',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.measured.dirtyRateMethod).toBe('two-period-fit');
    rel(doc.measured.dirtyPagesPerSecond, 5000, 1e-9);
    rel(doc.measured.fittedWorkingSetBytes, 10000 * 4096, 1e-9);
    rel(doc.measured.rawDirtyBytesPerSecond, f1 * 4096, 1e-12);
    expect(doc.input.dirtyPattern).toBe('random');
    expect(doc.input.workingSetPages).toBe(10000);
    const calcs = server.received.filter((m) => m.execute === 'calc-dirty-rate').map((m) => m.arguments);
    expect(calcs).toEqual([
      { 'calc-time': 1, 'sample-pages': 4096, mode: 'page-sampling' },
      { 'calc-time': 2, 'sample-pages': 4096, mode: 'page-sampling' },
    ]);
  });

  it('advise(table) prints the method and the raw figure QEMU read', async () => {
    server = await vmReading([8]);
    const r = await cli('qemu', 'advise', '--qmp', server.path, '--link-bandwidth', '1GB/s');
    expect(r.stdout).toMatch(/^dirty rate method\s+as-measured \(QEMU read 8(\.00)? MiB\/s\)$/m);
  });

  it('advise(--first-pass-bandwidth 0) is a one-line usage error before touching the VM', async () => {
    server = await vmReading([0]);
    const r = await cli(
      'qemu',
      'advise',
      '--qmp',
      server.path,
      '--link-bandwidth',
      '1GB/s',
      '--first-pass-bandwidth',
      '0',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("precopy: --first-pass-bandwidth '0' is out of range");
    expect(server.received).toHaveLength(0);
  });
});

describe('precopy qemu watch, throughputs', () => {
  /**
   * The idle 1 GiB VM migrating at max-bandwidth 128 MiB/s: four first-pass samples 2 s apart of 2.6e8 B
   * each (130 MB/s), one sample in round 2 where QEMU's window bandwidth reads 1073.7 Mbit/s, then completed.
   */
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
            return: { status: 'active', 'total-time': n * 2000, ram: ram(GiB - n * 2.6e8, n * 2.6e8, 1) },
          };
        if (n === 5) return { return: { status: 'active', 'total-time': 9000, ram: ram(1e6, 1.07e9, 2) } };
        return { return: { status: 'completed', 'total-time': 9100, downtime: 10, ram: ram(0, 1075838976, 3) } };
      },
    });
  }

  it('watch(--first-pass-bandwidth, json) predicts with it and reports what it measured', async () => {
    // The prediction is qemu-wire.test.ts's first-pass hand case: round 1 at 64 MiB/s (1635.206 pages per
    // window, threshold 4915.2 pages at the measured 64 MiB/s), 158 windows, the rest at 128 MiB/s.
    // Measured: first pass (4 - 1) * 2.6e8 B over 6 s = 1.3e8 B/s; round 2: 1073.7e6 / 8 B/s.
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
      '--first-pass-bandwidth',
      '64MiB/s',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const perWindow = (64 * MiB * 0.1) / 4104;
    const left = 262144 - 158 * perWindow;
    rel(doc.predicted.totalSeconds, 15.8 + (left * 4104) / (128 * MiB));
    expect(doc.measured.dirtyRateSource).toBe('given');
    rel(doc.measured.firstPassBytesPerSecond, 1.3e8);
    rel(doc.measured.laterRoundBytesPerSecond, 1073.7e6 / 8);
  });

  it('watch(table) prints the dirty rate source and both throughputs', async () => {
    server = await migratingVm();
    const r = await cli('qemu', 'watch', '--qmp', server.path, '--interval', '50ms');
    expect(r.code).toBe(0);
    // Without a given rate the prediction uses QEMU's dirty-pages-rate (sequential: no correction).
    expect(r.stdout).toMatch(/^dirty rate source\s+qemu-dirty-pages-rate$/m);
    expect(r.stdout).toMatch(/^first pass throughput\s+124 MiB\/s \(130000000 B\/s\)$/m);
    expect(r.stdout).toMatch(/^later-round throughput\s+128 MiB\/s \(134212500 B\/s\)$/m);
  });
});
