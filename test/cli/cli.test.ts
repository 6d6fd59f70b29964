import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { expectRel } from '../support/approx.js';

const TABLE2 = ['--pages', '4096', '--page-size', '16KB', '--bandwidth', '60KB/s'];
const HOT = ['--hot-fraction', '0.1', '--hot-rate', '4', '--cold-rate', '1.8'];

describe('precopy predict --format json (the JSON contract)', () => {
  it('has an entry per case, hotGain, and the contract keys in each case', async () => {
    const { code, stdout, stderr } = await cli(
      'predict',
      ...TABLE2,
      '--dirty-rate',
      '2',
      ...HOT,
      '--alpha',
      '0.05',
      '--format',
      'json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['uniform', 'hotPrecopy', 'hotDowntime', 'hotGain']);
    for (const key of ['uniform', 'hotPrecopy', 'hotDowntime']) {
      for (const field of [
        'rho',
        'iterations',
        'precopySeconds',
        'downtimeSeconds',
        'totalSeconds',
        'pagesTransferred',
        'gain',
        'networkUtilization',
        'rounds',
        'warnings',
      ]) {
        expect(out[key]).toHaveProperty(field);
      }
      expect(out[key].rounds).toHaveLength(out[key].iterations + 1);
    }
    expectRel(out.uniform.gain, 759375 / 32768, 1e-14); // G = (15/8)^5 = 23.17
    expect(out.uniform.iterations).toBe(4);
  });

  it.each([
    ['uniform', '0.1517', 88.37381267489712],
    ['hot-precopy', '0.1562', 91.96],
    ['hot-downtime', '0.4799', 335.72],
  ])('Table 3 downtime for --case %s at alpha %s (Ps = 4096)', async (c, alpha, downtime) => {
    const { stdout } = await cli(
      'predict',
      ...TABLE2,
      '--dirty-rate',
      '2',
      ...HOT,
      '--case',
      c,
      '--alpha',
      alpha,
      '--format',
      'json',
    );
    const out = JSON.parse(stdout);
    const key = c === 'uniform' ? 'uniform' : c === 'hot-precopy' ? 'hotPrecopy' : 'hotDowntime';
    expect(Object.keys(out)).toEqual([key]);
    expectRel(out[key].downtimeSeconds, downtime, 1e-4); // hand values to 4-5 digits (see test/model/paper.test.ts)
  });

  it('--downtime-limit gives alpha = limit*B/(Ps*S)', async () => {
    // 1 GiB of 4 KiB pages over 1 Gbit/s: Ps = 262144, Ps*S/B = 8.589934592 s; 300 ms -> alpha = 0.3/8.5899 = 0.034925.
    const { stdout } = await cli(
      'predict',
      '--memory',
      '1GiB',
      '--bandwidth',
      '1Gbit/s',
      '--dirty-rate',
      '100MB/s',
      '--downtime-limit',
      '300ms',
      '--format',
      'json',
    );
    const out = JSON.parse(stdout);
    expectRel(out.uniform.alpha, 0.3 / 8.589934592, 1e-15);
    // dirty 100 MB/s over 125 MB/s: rho = 0.8; n = smallest with 0.8^(n+1) <= 0.0349 -> n = 15 (0.8^16 = 0.0281).
    expectRel(out.uniform.rho, 0.8, 1e-15);
    expect(out.uniform.iterations).toBe(15);
  });

  it('an unbounded gain is printed as null, never Infinity', async () => {
    const { stdout } = await cli('predict', ...TABLE2, '--dirty-rate', '0', '--alpha', '0.1', '--format', 'json');
    expect(JSON.parse(stdout).uniform.gain).toBe(null);
    expect(stdout).not.toMatch(/Infinity|NaN/);
  });

  it('--preset paper fills Table 2 and the table format prints every case', async () => {
    const { code, stdout } = await cli('predict', '--preset', 'paper');
    expect(code).toBe(0);
    expect(stdout).toMatch(/uniform dirtying/);
    expect(stdout).toMatch(/gain G\s+23.1743/);
    expect(stdout).toMatch(/HG = /);
  });
});

describe('bad input: one line naming the parameter, the value and the range; exit code 2', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'rho >= 1',
      [...TABLE2, '--dirty-rate', '5', '--alpha', '0.1'],
      /^precopy: pre-copy never converges: dirty rate 5 pages\/s >= transfer rate 3.75 pages\/s/,
    ],
    [
      'alpha = 0',
      [...TABLE2, '--dirty-rate', '2', '--alpha', '0'],
      /--alpha '0' is out of range: expected 0 < alpha < 1/,
    ],
    [
      'alpha = 1',
      [...TABLE2, '--dirty-rate', '2', '--alpha', '1'],
      /--alpha '1' is out of range: expected 0 < alpha < 1/,
    ],
    ['alpha NaN', [...TABLE2, '--dirty-rate', '2', '--alpha', 'NaN'], /--alpha 'NaN' is not a number/],
    [
      'beta = 1',
      [...TABLE2, ...HOT.slice(2), '--hot-fraction', '1', '--alpha', '0.1'],
      /--hot-fraction '1' is out of range: expected 0 <= hot-fraction < 1/,
    ],
    [
      'beta < 0',
      [...TABLE2, ...HOT.slice(2), '--hot-fraction', '-0.1', '--alpha', '0.1'],
      /--hot-fraction '-0.1' is out of range/,
    ],
    [
      'fractional pages',
      ['--pages', '4096.5', '--bandwidth', '1MB/s', '--dirty-rate', '1', '--alpha', '0.1'],
      /--pages '4096.5' is out of range: expected a whole number of pages/,
    ],
    [
      'zero pages',
      ['--pages', '0', '--bandwidth', '1MB/s', '--dirty-rate', '1', '--alpha', '0.1'],
      /--pages '0' is out of range/,
    ],
    [
      'negative dirty rate',
      [...TABLE2, '--dirty-rate', '-2', '--alpha', '0.1'],
      /--dirty-rate '-2' is out of range: expected a rate >= 0/,
    ],
    [
      'negative bandwidth',
      ['--pages', '10', '--bandwidth', '-1MB/s', '--dirty-rate', '1', '--alpha', '0.1'],
      /--bandwidth '-1MB\/s' is out of range: expected a rate > 0/,
    ],
    [
      'missing hot parameters',
      [...TABLE2, '--case', 'hot-downtime', '--hot-fraction', '0.1', '--alpha', '0.1'],
      /--hot-rate is missing: case hot-downtime needs/,
    ],
    [
      'unknown unit',
      ['--memory', '4 furlongs', '--bandwidth', '1MB/s', '--dirty-rate', '1', '--alpha', '0.1'],
      /--memory '4 furlongs' is not a size: expected/,
    ],
    [
      'unknown rate unit',
      ['--pages', '10', '--bandwidth', '1MB/h', '--dirty-rate', '1', '--alpha', '0.1'],
      /--bandwidth '1MB\/h' is not a rate/,
    ],
    [
      'bare duration',
      ['--pages', '10', '--bandwidth', '1MB/s', '--dirty-rate', '1', '--downtime-limit', '300'],
      /--downtime-limit '300' is not a duration/,
    ],
    [
      'downtime limit too long',
      ['--pages', '10', '--page-size', '1KB', '--bandwidth', '1kB/s', '--dirty-rate', '0.1', '--downtime-limit', '20s'],
      /--downtime-limit '20s' is out of range: expected 0 < downtime-limit < Ps\*S\/B = 10 s/,
    ],
    ['no stop rule', [...TABLE2, '--dirty-rate', '2'], /--alpha is missing/],
    ['no dirty rate', [...TABLE2, '--alpha', '0.1'], /--dirty-rate is missing/],
    [
      'strict alpha > rho',
      [...TABLE2, '--dirty-rate', '2', '--alpha', '0.7', '--strict'],
      /--alpha 0.7 is out of range: expected 0 < alpha <= rho = 0.533333 \(strict\)/,
    ],
    ['unknown option', [...TABLE2, '--frobnicate'], /unknown option '--frobnicate'/],
    ['bad choice', [...TABLE2, '--case', 'lukewarm'], /lukewarm/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const { code, stdout, stderr } = await cli('predict', ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/NaN(?!')|Infinity|\bat .*\.(ts|js):\d+/);
  });
});

describe('precopy optimize', () => {
  it('JSON: feasible cases give the alpha interval, n, downtime and the Unet range', async () => {
    const { code, stdout } = await cli(
      'optimize',
      ...TABLE2,
      '--dirty-rate',
      '2',
      '--max-utilization',
      '0.6',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout).uniform;
    expect(out.feasible).toBe(true);
    expect(out.alpha.min).toBe(0.001);
    expect(out.iterations).toBe(10); // rho^11 = 0.00099 <= 0.001 < rho^10 = 0.00186
    expectRel(out.downtimeSeconds, ((4096 * 4) / 15) * (8 / 15) ** 11, 1e-13);
    expect(out.networkUtilization.min).toBeLessThanOrEqual(0.6);
  });
  it('JSON: infeasible cases give the smallest Unet and where', async () => {
    const { stdout } = await cli('optimize', '--preset', 'paper', '--format', 'json');
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(['uniform', 'hotPrecopy', 'hotDowntime']);
    for (const k of Object.keys(out)) {
      expect(out[k].feasible).toBe(false);
      expect(out[k].minNetworkUtilization).toBeGreaterThan(0.4);
      expect(out[k].atAlpha).toBeGreaterThan(0);
    }
  });
  it('rejects a reversed alpha range in one line', async () => {
    const { code, stderr } = await cli('optimize', '--preset', 'paper', '--alpha-range', '0.5:0.1');
    expect(code).toBe(2);
    expect(stderr).toBe("precopy: --alpha-range '0.5:0.1' is out of range: expected 0 < LO <= HI < 1\n");
  });
});

describe('precopy sweep', () => {
  it('streams the cross product as RFC 4180 CSV', async () => {
    const { code, stdout } = await cli(
      'sweep',
      '--preset',
      'paper',
      '--case',
      'uniform',
      '--alpha',
      '0.05:0.95:0.05',
      '--pages',
      '4096,8192',
    );
    expect(code).toBe(0);
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(19 * 2);
    expect(rows[2]!.alpha).toBe('0.15'); // built by index in scaled integers, not 0.15000000000000002
    expect(rows.map((r) => r.pages)).toEqual([...Array(19).fill('4096'), ...Array(19).fill('8192')]);
    expect(stdout).not.toMatch(/NaN|Infinity/);
  });
  it('JSON lines with units in ranges, and non-convergence as a row', async () => {
    const { stdout } = await cli(
      'sweep',
      '--preset',
      'paper',
      '--case',
      'uniform',
      '--bandwidth',
      '30KB/s:60KB/s:30KB/s',
      '--format',
      'jsonl',
    );
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((r) => r.bandwidthBytesPerSecond)).toEqual([30000, 60000]);
    expect(rows[0].converged).toBe(false); // 2 pages/s vs 30000/16000 = 1.875 pages/s
    expect(rows[0].note).toMatch(/never converges/);
    expect(rows[1].converged).toBe(true);
  });
  it('validates every point before printing anything', async () => {
    const { code, stdout, stderr } = await cli('sweep', '--preset', 'paper', '--alpha', '0.5,0.9,1.2');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--alpha '1.2' is out of range/);
  });
});
