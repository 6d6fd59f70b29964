/**
 * The issue-13 flags of `precopy qemu plan`: the first-pass throughput, max-bandwidth above the link (clamped
 * with a note), and convergence as a probability (--convergence-time-limit, --convergence-runs, --seed).
 */
import { describe, expect, it } from 'vitest';
import { convergenceDistribution } from '../../src/hypervisor/qemu/convergence.js';
import { cli } from '../support/cli.js';

const rel = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.abs(b));
const MiB = 2 ** 20;
const idle = ['--memory', '1GiB', '--link-bandwidth', '128MiB/s', '--dirty-rate', '0'];

describe('precopy qemu plan, issue 13 flags', () => {
  it('plan(--max-bandwidth 1GB/s above a 128 MiB/s link) is accepted and predicted at the link, with a note', async () => {
    // QEMU accepts the cap and runs at the link: the prediction is the 128 MiB/s hand case of qemu-plan.test.ts
    // (threshold 9830.4 pages; 78 windows of 3270.4125 pages leave 7051.8; total 7.8 s + the rest at the link).
    const r = await cli(
      'qemu',
      'plan',
      ...idle,
      '--max-bandwidth',
      '1GB/s',
      '--downtime-limit',
      '300ms',
      '--format',
      'json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.parameters.maxBandwidthBytesPerSecond).toBe(1e9);
    const left = 262144 - 78 * ((134217728 * 0.1) / 4104);
    rel(doc.prediction.totalSeconds, 7.8 + (left * 4104) / 134217728);
    expect(doc.prediction.iterations).toBe(3);
    expect(doc.prediction.notes.join(' ')).toMatch(/max-bandwidth 1e\+?9 B\/s is above the link|above the link/);
    expect(doc.warnings.join(' ')).toContain('above the link');
    expect(doc.prediction.firstPassBandwidthBytesPerSecond).toBe(134217728);
    expect(doc.convergence).toBeNull();
  });

  it('plan(--max-bandwidth above --max-link-share x link) is predicted as given, with a warning naming the share', async () => {
    // 100 MiB/s against half of 128 MiB/s (67108864 B/s): QEMU would take it, so precopy predicts it and warns.
    const r = await cli(
      'qemu',
      'plan',
      ...idle,
      '--max-link-share',
      '0.5',
      '--max-bandwidth',
      '100MiB/s',
      '--downtime-limit',
      '300ms',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.parameters.maxBandwidthBytesPerSecond).toBe(100 * MiB);
    expect(doc.warnings).toContain(
      'max-bandwidth 104857600 B/s is above the allowed share of the link (67108864 B/s, --max-link-share 0.5)',
    );
  });

  it('plan(--first-pass-bandwidth 64MiB/s) runs round 1 at 64 MiB/s and the final copy at the link', async () => {
    // Round 1 windows carry 6710886.4 B = 1635.206 pages of 4104 B; QEMU's measured bandwidth is 64 MiB/s, so
    // the threshold is 67108864 * 0.3 / 4096 = 4915.2 pages. The first window start with at most that many
    // left is k = ceil((262144 - 4915.2) / 1635.206) = 158 (3781.45 pages left): idle guest, the sync adds
    // nothing, QEMU stops; the rest goes at the link (128 MiB/s). Total 15.8 s + 3781.45 * 4104 / 2^27 s.
    const r = await cli(
      'qemu',
      'plan',
      ...idle,
      '--max-bandwidth',
      '128MiB/s',
      '--downtime-limit',
      '300ms',
      '--first-pass-bandwidth',
      '64MiB/s',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const perWindow = (64 * MiB * 0.1) / 4104;
    const k = Math.ceil((262144 - (64 * MiB * 0.3) / 4096) / perWindow);
    expect(k).toBe(158);
    const left = 262144 - k * perWindow;
    rel(doc.prediction.totalSeconds, k * 0.1 + (left * 4104) / (128 * MiB));
    rel(doc.prediction.downtimeSeconds, (left * 4104) / (128 * MiB));
    expect(doc.prediction.firstPassBandwidthBytesPerSecond).toBe(64 * MiB);
    expect(doc.input.firstPassBandwidthBytesPerSecond).toBe(64 * MiB);
    expect(doc.prediction.notes.join(' ')).toContain('first pass runs at');
  });

  it('plan(random writer above the send rate) gives the seeded probability the engine gives, in JSON and table', async () => {
    // docs/qemu.md's case: 256 MiB, half zero pages, 6000 random pages/s into 16 MiB against 16 MiB/s (rho 1.46),
    // 300 ms. The CLI must hand the time limit, runs and seed to the engine unchanged: same distribution.
    const args = [
      '--memory',
      '256MiB',
      '--zero-fraction',
      '0.5',
      '--link-bandwidth',
      '16MiB/s',
      '--max-bandwidth',
      '16MiB/s',
      '--downtime-limit',
      '300ms',
      '--dirty-rate',
      '6000',
      '--working-set',
      '16MiB',
      '--pattern',
      'random',
      '--convergence-time-limit',
      '20s',
      '--convergence-runs',
      '40',
      '--seed',
      '7',
    ];
    // The fluid model says never (exit code 1, its one-line summary on stderr); the probability says how likely.
    const r = await cli('qemu', 'plan', ...args, '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('precopy: no knobs meet the constraints, or the migration never converges (see above)\n');
    const doc = JSON.parse(r.stdout);
    expect(doc.prediction.converges).toBe(false);
    const direct = convergenceDistribution(
      {
        memoryBytes: 256 * MiB,
        pageSizeBytes: 4096,
        maxBandwidthBytesPerSecond: 16 * MiB,
        linkBandwidthBytesPerSecond: 16 * MiB,
        downtimeLimitSeconds: 0.3,
        dirtyPagesPerSecond: 6000,
        zeroPageFraction: 0.5,
        workingSetPages: 4096,
        dirtyPattern: 'random',
      },
      { timeLimitSeconds: 20, runs: 40, seed: 7 },
    );
    expect(doc.convergence).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(doc.convergence.runs).toBe(40);
    expect(doc.convergence.seed).toBe(7);
    expect(doc.convergence.timeLimitSeconds).toBe(20);
    // A probability of 40 runs is a multiple of 1/40.
    rel(doc.convergence.probability * 40, Math.round(doc.convergence.probability * 40));
    const t = await cli('qemu', 'plan', ...args);
    expect(t.stdout).toMatch(/^converges within\s+20(\.0)? s: probability \d\.\d\d \(95 % /m);
  });

  it.each([
    [['--max-bandwidth', '20TB/s'], "--max-bandwidth '20TB/s' is out of range: expected a rate from 1 B/s to 10 TB/s"],
    [['--first-pass-bandwidth', '0'], "--first-pass-bandwidth '0' is out of range"],
    [['--first-pass-bandwidth', 'quick'], "--first-pass-bandwidth 'quick' is not a rate"],
    [['--convergence-runs', '0'], "--convergence-runs '0' is out of range: expected a whole number from 1 to 10000"],
    [['--convergence-runs', '2.5'], "--convergence-runs '2.5' is out of range"],
    [['--seed', '-1'], "--seed '-1' is out of range: expected a whole number from 0 to 4294967295"],
    [['--convergence-time-limit', '0s'], "--convergence-time-limit '0s' is out of range"],
  ])('plan(%j) is a one-line error with exit code 2', async (args, message) => {
    const r = await cli('qemu', 'plan', ...idle, ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`precopy: ${message}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
