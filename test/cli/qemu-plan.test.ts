import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const rel = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));

/** Runs `precopy qemu plan ...` through the real program (src/cli/main.ts). */
async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const r = await cli('qemu', 'plan', ...args);
  return { out: r.stdout, err: r.stderr, code: r.code };
}

// 1 GiB of 4 KiB pages = 262144 pages; a normal page costs 4104 B on the wire (4096 + 8-byte header).
// At 128 MiB/s a 100 ms window carries 13421772.8 B = 3270.4125 pages.
const idle = ['--memory', '1GiB', '--link-bandwidth', '128MiB/s', '--dirty-rate', '0'];

describe('precopy qemu plan', () => {
  it('plan(fixed knobs, idle 1 GiB) prints the hand-derived prediction as JSON', async () => {
    // Threshold 134217728 * 0.3 = 9830.4 pages of 4096 B; the first check under it comes after 78 windows
    // (262144 - 78 * 3270.4125 = 7051.8 pages left), so syncs = setup + check + switch-over = 3, total time
    // 7.8 s + 7051.8 * 4104 / 134217728 s, every page sent once: 262144 * 4104 B.
    const r = await run([...idle, '--max-bandwidth', '128MiB/s', '--downtime-limit', '300ms', '--format', 'json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.parameters).toEqual({ downtimeLimitMs: 300, maxBandwidthBytesPerSecond: 134217728 });
    const left = 262144 - 78 * ((134217728 * 0.1) / 4104);
    expect(doc.prediction.converges).toBe(true);
    expect(doc.prediction.iterations).toBe(3);
    rel(doc.prediction.downtimeSeconds, (left * 4104) / 134217728);
    rel(doc.prediction.totalSeconds, 7.8 + (left * 4104) / 134217728);
    rel(doc.prediction.bytesTransferred, 262144 * 4104);
    expect(doc.qmp).toEqual({
      execute: 'migrate-set-parameters',
      arguments: { 'downtime-limit': 300, 'max-bandwidth': 134217728 },
    });
    expect(doc.virsh).toEqual(['virsh migrate-setmaxdowntime DOMAIN 300', 'virsh migrate-setspeed DOMAIN 128']);
  });

  it('plan(idle 1 GiB, free choice) sends everything before the stop: downtime 0, 1 ms limit, full link', async () => {
    // With a 1 ms limit the threshold is 134217.728 B = 32.8 pages: the window at t = 8.0 s starts with
    // 262144 - 80 * 3270.4125 = 511 pages, sends them all, and the check that follows finds nothing: the
    // downtime is 0 and the total is one copy at full speed, 262144 * 4104 / 134217728 = 8.015625 s. Any
    // lower bandwidth takes longer, any larger limit stops with pages left (downtime > 0).
    const r = await run([...idle, '--format', 'json']);
    const doc = JSON.parse(r.out);
    expect(doc.parameters.maxBandwidthBytesPerSecond).toBe(134217728);
    expect(doc.parameters.downtimeLimitMs).toBe(1);
    expect(doc.prediction.downtimeSeconds).toBe(0);
    rel(doc.prediction.totalSeconds, 8.015625);
  });

  it('plan(--max-link-share 0.5) never uses more than half the link', async () => {
    // At 64 MiB/s the same reasoning gives one copy at half speed: 262144 * 4104 / 67108864 = 16.03125 s.
    const r = await run([...idle, '--max-link-share', '0.5', '--format', 'json']);
    const doc = JSON.parse(r.out);
    expect(doc.parameters.maxBandwidthBytesPerSecond).toBe(67108864);
    rel(doc.prediction.totalSeconds, 16.03125);
  });

  it('plan(rho > 1 within the constraints) prints the remedy and exits 1', async () => {
    // 40000 pages/s * 4104 B = 164 MB/s > 134 MB/s and a 300 ms ceiling on downtime: no plan converges.
    const r = await run([
      '--memory',
      '1GiB',
      '--link-bandwidth',
      '128MiB/s',
      '--dirty-rate',
      '40000',
      '--max-downtime',
      '300ms',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/would converge with\s+bandwidth >= /);
    expect(r.out).toMatch(/auto-converge\s+vCPU throttle >= /);
  });

  it('plan(table) shows the knobs, the QMP command and the virsh commands', async () => {
    const r = await run([...idle, '--max-bandwidth', '128MiB/s', '--downtime-limit', '300ms', '--domain', 'vm1']);
    expect(r.out).toMatch(/^downtime-limit\s+300 ms$/m);
    expect(r.out).toMatch(/^rounds \(dirty-sync-count\)\s+3 /m);
    expect(r.out).toContain(
      'QMP:   {"execute":"migrate-set-parameters","arguments":{"downtime-limit":300,"max-bandwidth":134217728}}',
    );
    expect(r.out).toContain('virsh: virsh migrate-setspeed vm1 128');
  });

  it.each([
    [['--memory', '8XB'], "--memory '8XB' is not a size"],
    [['--memory', '1GiB', '--link-bandwidth', 'fast'], "--link-bandwidth 'fast' is not a rate"],
    [['--memory', '1GiB', '--link-bandwidth', '1GB/s'], "--dirty-rate '' is missing"],
    [[...idle, '--zero-fraction', '1.5'], "--zero-fraction '1.5' is out of range: expected a number with 0 <= x < 1"],
    [[...idle, '--max-link-share', '0'], "--max-link-share '0' is out of range"],
    [[...idle, '--downtime-limit', '300'], "--downtime-limit '300' is not a duration"],
    [[...idle, '--max-bandwidth', '0'], "--max-bandwidth '0' is out of range"],
    [[...idle, '--working-set', '2GiB'], "--working-set '2GiB' is out of range"],
    [[...idle, '--format', 'xml'], "--format 'xml' is invalid: expected table or json"],
  ])('plan(%j) is a one-line error with exit code 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`precopy: ${message}`);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
