/** Issue 15, point 7: flags a command does not use, bogus presets, worded 400s, bounded tables. */
import { describe, expect, test } from 'vitest';
import { apiOptimize, apiPredict, apiSimulate } from '../../src/server/api.js';
import { expectRel } from '../support/approx.js';
import { cli } from '../support/cli.js';

const oneLine = (stderr: string) => stderr.trimEnd().split('\n');
type Err = { error: { message: string; issues: { field?: string; value?: unknown }[] } };

describe('junk in a flag the workload ignores is refused', () => {
  test('simulate --working-set with a random workload: exit 2 naming the flag (it was accepted silently)', async () => {
    const r = await cli(
      'simulate',
      '--preset',
      'paper',
      '--workload',
      'random',
      '--working-set',
      '1GiB',
      '--replicas',
      '1',
    );
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      "precopy: --working-set '1GiB' applies only to --workload working-set (the workload is random): drop it",
    ]);
  });
  test('over HTTP too, worded with the JSON field', () => {
    const res = apiSimulate({ preset: 'paper', workload: 'random', workingSet: '1GiB' });
    expect(res.status).toBe(400);
    expect((res.body as Err).error.message).toMatch(/^workingSet '1GiB' applies only to /);
  });
  test('the working-set workload still takes its flag', async () => {
    const r = await cli(
      'simulate',
      '--preset',
      'paper',
      '--workload',
      'working-set',
      '--working-set',
      '100',
      '--replicas',
      '1',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('error lines name the value given', () => {
  test("--preset bogus names the value and the valid presets (it said '(missing)')", async () => {
    const r = await cli('predict', '--preset', 'bogus');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(["precopy: --preset 'bogus' is not one of: paper"]);
  });
  test('400s say what was wrong, not only "Invalid input"', () => {
    const cases: [unknown, string][] = [
      [{ preset: 'bogus' }, "preset 'bogus' is not one of: paper"],
      [{ preset: 'paper', alpha: [1] }, 'alpha [1] is not allowed: expected a number or text'],
      [{ preset: 'paper', pages: null }, 'pages null is not allowed: expected a number or text'],
      [{ preset: 'paper', strict: 'yes' }, "strict 'yes' is not allowed: expected true or false"],
      [{ preset: 'paper', case: 7 }, 'case 7 is not one of: uniform, hot-precopy, hot-downtime, all'],
    ];
    for (const [body, message] of cases) {
      const res = apiPredict(body);
      expect(res.status).toBe(400);
      expect((res.body as Err).error.message).toBe(message);
    }
    const opt = apiOptimize({ preset: 'paper', maxUtilization: {} });
    expect((opt.body as Err).error.message).toBe('maxUtilization {} is not allowed: expected a number or text');
  });
});

describe('sweep --format table is bounded', () => {
  test('above 5000 points: refused with a pointer to csv (it held every row, about 5 KB each)', async () => {
    const r = await cli('sweep', '--preset', 'paper', '--alpha', '0.0001:0.6:0.0001', '--format', 'table');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      'precopy: --format table shows at most 5000 points and this sweep has 6000: use --format csv or jsonl (streamed)',
    ]);
    expect(r.stdout).toBe('');
  });
  test('a small table still prints (header + 3 points x 3 cases: the paper preset has the hot-page flags)', async () => {
    const r = await cli('sweep', '--preset', 'paper', '--alpha', '0.1,0.2,0.3', '--format', 'table');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(10);
  });
});

describe('predict --case all reports a case that never converges beside the others', () => {
  // paper preset, D = 10 pages/s: uniform rho = D*tau = 10 / (60000/16000) = 2.667 >= 1, never converges;
  // the hot cases use Dh = 4, Dnh = 1.8 and still converge (rho_eff 0.539, rho_nh 0.48).
  const ARGS = ['predict', '--preset', 'paper', '--case', 'all', '--dirty-rate', '10'];
  test('json: {converged: false, rho, reason} for uniform, the full results for the hot cases, exit 0', async () => {
    const r = await cli(...ARGS, '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, { converged?: boolean; rho: number; reason?: string }>;
    expect(j.uniform!.converged).toBe(false);
    // rho = D*tau with tau = S/B = 16000/60000 s (Table 2): uniform 10*4/15; Hot I D_eff = 1.8*0.9 + 4*0.1 = 2.02
    // (Section 4.1), rho = 2.02*4/15; Hot II rho_nh = 1.8*4/15 = 0.48 (Section 4.2).
    expectRel(j.uniform!.rho, (10 * 4) / 15, 1e-12);
    expect(j.uniform!.reason).toMatch(/never converges.*rho = 2\.66667/);
    expectRel(j.hotPrecopy!.rho, (2.02 * 4) / 15, 1e-12);
    expectRel(j.hotDowntime!.rho, 0.48, 1e-12);
  });
  test('table and csv carry the reason; a single case that never converges is still exit 2', async () => {
    const t = await cli(...ARGS);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/uniform dirtying\n {2}pre-copy never converges/);
    const c = await cli(...ARGS, '--format', 'csv');
    expect(c.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(c.stdout).toMatch(/^uniform,2\.66666\d*,,,,,,,,pre-copy never converges/m);
    const one = await cli('predict', '--preset', 'paper', '--case', 'uniform', '--dirty-rate', '10');
    expect(one.code).toBe(2);
    expect(oneLine(one.stderr)).toHaveLength(1);
  });
});

describe('fractions accept percentages', () => {
  test('--max-utilization 40% is 0.4, --alpha 5% is 0.05, --hot-fraction 10% is 0.1 (same output as the decimals)', async () => {
    const pct = await cli('optimize', '--preset', 'paper', '--max-utilization', '40%', '--format', 'json');
    const dec = await cli('optimize', '--preset', 'paper', '--max-utilization', '0.4', '--format', 'json');
    expect(pct.code).toBe(0);
    expect(pct.stdout).toBe(dec.stdout);
    const a = await cli('predict', '--preset', 'paper', '--alpha', '5%', '--hot-fraction', '10%', '--format', 'json');
    const b = await cli('predict', '--preset', 'paper', '--alpha', '0.05', '--hot-fraction', '0.1', '--format', 'json');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
  test('a bad percentage is one line naming the flag and the value', async () => {
    const r = await cli('predict', '--preset', 'paper', '--alpha', 'x%');
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      "precopy: --alpha 'x%' is not a fraction: expected a number such as 0.4 or a percentage such as 40%",
    ]);
    const over = await cli('predict', '--preset', 'paper', '--alpha', '150%');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/--alpha '150%'.*0 < alpha < 1/);
  });
});
