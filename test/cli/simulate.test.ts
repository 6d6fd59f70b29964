import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { expectRel } from '../support/approx.js';
import { cli } from '../support/cli.js';

const TABLE2 = ['--pages', '4096', '--page-size', '16KB', '--bandwidth', '60KB/s'];
const dir = mkdtempSync(join(tmpdir(), 'precopy-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('precopy simulate', () => {
  it('--workload fluid reproduces predict to rounding (json)', async () => {
    const { code, stdout, stderr } = await cli(
      'simulate',
      ...TABLE2,
      '--dirty-rate',
      '2',
      '--alpha',
      '0.05',
      '--workload',
      'fluid',
      '--format',
      'json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.simulation.iterations).toBe(4);
    expectRel(out.simulation.gain, (15 / 8) ** 5, 1e-12); // G = 1/rho^5, rho = 8/15
    for (const row of out.comparison) expect(Math.abs(row.relativeError)).toBeLessThan(1e-9);
  });

  it('random writes, table: per-round rows, the model side by side, the distinct-pages model', async () => {
    const { code, stdout } = await cli(
      'simulate',
      ...TABLE2,
      '--dirty-rate',
      '2',
      '--alpha',
      '0.05',
      '--replicas',
      '5',
      '--seed',
      '3',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/random writes/);
    expect(stdout).toMatch(/round\s+pages sent\s+seconds\s+pages dirtied\s+pending after\s+model P\(i\)/);
    expect(stdout).toMatch(/paper model\s+error\s+distinct model\s+error/);
    expect(stdout).toMatch(/means over 5 converged replicas/);
  });

  it('csv: rounds and totals with relative errors, parseable', async () => {
    const { code, stdout } = await cli(
      'simulate',
      ...TABLE2,
      '--dirty-rate',
      '2',
      '--alpha',
      '0.05',
      '--workload',
      'fluid',
      '--format',
      'csv',
    );
    expect(code).toBe(0);
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    const downtime = rows.find((r) => r.section === 'total' && r.quantity === 'downtime (s)')!;
    expectRel(Number(downtime.simulated), Number(downtime.model), 1e-12);
    expect(rows.filter((r) => r.section === 'round' && r.quantity === 'pagesSent')).toHaveLength(5);
  });

  it('--stop-rule qemu compares with the paper at alpha = limit*B/(Ps*S)', async () => {
    const { code, stdout } = await cli(
      'simulate',
      '--memory',
      '1GiB',
      '--bandwidth',
      '1Gbit/s',
      '--dirty-rate',
      '20000',
      '--stop-rule',
      'qemu',
      '--downtime-limit',
      '300ms',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.input.stopRule).toEqual({ kind: 'qemu', downtimeLimitSeconds: 0.3 });
    // QEMU stops only when the pending bytes fit 300 ms at the measured 125 MB/s: at most 37.5 MB = 9155 pages.
    expect(out.simulation.downtimePages).toBeLessThanOrEqual(9155);
    expectRel(out.model.alpha, (0.3 * 125e6) / 2 ** 30, 1e-12);
  });

  it('--accounting paper: fluid Hot I matches predict in the paper accounting (alpha*Ps pages at downtime)', async () => {
    const { code, stdout } = await cli(
      'simulate',
      '--preset',
      'paper',
      '--workload',
      'fluid',
      '--accounting',
      'paper',
      '--case',
      'hot-precopy',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const pages = out.comparison.find((r: { quantity: string }) => r.quantity === 'pages migrated');
    // Eq. 21 by hand: D_eff = 1.8*0.9 + 4*0.1 = 2.02, rho = 2.02*16/60 = 0.538667, n = 4 (rho^5 = 0.0454 <= 0.05);
    // PTotalMig = ceil(4096*((1 - rho^5)/(1 - rho) + 0.05)) = ceil(4096*2.11931) = ceil(8680.7) = 8681.
    expect(pages.model).toBe(8681);
    expect(pages.simulated.mean).toBe(8681);
  });

  it('a dirty set that never shrinks is a one-line error', async () => {
    const { code, stderr } = await cli('simulate', ...TABLE2, '--dirty-rate', '5', '--alpha', '0.05');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^precopy: simulation did not converge: pre-copy stalled/);
  });

  it('--stop-rule xen has no closed form: simulation only', async () => {
    const { code, stdout } = await cli('simulate', ...TABLE2, '--dirty-rate', '2', '--stop-rule', 'xen');
    expect(code).toBe(0);
    expect(stdout).toMatch(/no closed form/);
  });

  it('--case hot-downtime holds hot pages back (hot-held rule)', async () => {
    const { code, stdout } = await cli(
      'simulate',
      ...TABLE2,
      '--hot-fraction',
      '0.1',
      '--hot-rate',
      '4',
      '--cold-rate',
      '1.8',
      '--alpha',
      '0.1',
      '--case',
      'hot-downtime',
      '--workload',
      'fluid',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.input.stopRule.kind).toBe('hot-held');
    expectRel(out.simulation.heldPages, 409.6, 1e-12);
    for (const row of out.comparison) expect(Math.abs(row.relativeError)).toBeLessThan(1e-9);
  });

  it('--workload trace reads the file', async () => {
    const file = join(dir, 'trace.txt');
    writeFileSync(file, 'precopy-trace v1\ninterval 100s\nkind counts\n50\n20\n');
    const { code, stdout } = await cli(
      'simulate',
      ...TABLE2,
      '--workload',
      'trace',
      '--trace',
      file,
      '--alpha',
      '0.05',
      '--format',
      'json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).simulation.rounds[0].pagesDirtied).toBeGreaterThan(0);
  });

  it.each([
    [['--zero-fraction', '1.5'], /^precopy: --zero-fraction '1.5' is out of range: expected 0 <= zero-fraction < 1\n$/],
    [['--replicas', '0'], /^precopy: --replicas '0' is out of range/],
    [['--max-rounds', '2.5'], /^precopy: --max-rounds '2.5' is out of range/],
    [['--workload', 'working-set'], /^precopy: --working-set is missing/],
    [
      ['--workload', 'trace', '--trace', '/nonexistent/t.txt'],
      /^precopy: trace file '\/nonexistent\/t.txt' cannot be read/,
    ],
    [
      ['--workload', 'working-set', '--working-set', '99999'],
      /^precopy: --working-set 99999 is out of range: expected a whole number of pages from 1 to 4096\n$/,
    ],
    [['--bandwidth-schedule', 'soon=fast'], /^precopy: --bandwidth-schedule 'soon' is not valid/],
    [['--stop-rule', 'bogus'], /^precopy: option '--stop-rule <rule>' argument 'bogus' is invalid/],
    [['--workload', 'hot-cold'], /^precopy: --case uniform does not fit --workload hot-cold/],
  ])('bad input %j is one line with exit code 2', async (extra, message) => {
    const { code, stdout, stderr } = await cli('simulate', ...TABLE2, '--dirty-rate', '2', '--alpha', '0.05', ...extra);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--stop-rule qemu without --downtime-limit says what is missing', async () => {
    const { code, stderr } = await cli('simulate', ...TABLE2, '--dirty-rate', '2', '--stop-rule', 'qemu');
    expect(code).toBe(2);
    expect(stderr).toBe('precopy: --downtime-limit is missing: --stop-rule qemu needs a downtime limit (e.g. 300ms)\n');
  });
});

describe('precopy validate', () => {
  it('prints the model-vs-simulation table; fluid rows are rounding only', async () => {
    const { code, stdout, stderr } = await cli(
      'validate',
      '--pages',
      '4096',
      '--rho',
      '0.3,0.7',
      '--alpha',
      '0.05,0.2',
      '--beta',
      '0.2',
      '--replicas',
      '3',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/workload\s+case\s+cells/);
    for (const w of ['fluid', 'random', 'hot-cold', 'working-set']) expect(stdout).toMatch(new RegExp(`^${w}\\s`, 'm'));
    expect(stdout).toMatch(/^fluid\s+uniform\s+4\s+4\s+4/m);
  });

  it('json: fluid errors below 1e-9 in every cell; --chart writes a Vega-Lite spec', async () => {
    const chart = join(dir, 'validate.vl.json');
    const { code, stdout } = await cli(
      'validate',
      '--pages',
      '2048',
      '--rho',
      '0.4,0.8',
      '--alpha',
      '0.05',
      '--beta',
      '0.1',
      '--replicas',
      '2',
      '--workloads',
      'fluid,random',
      '--format',
      'json',
      '--chart',
      chart,
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    const fluid = out.cells.filter((c: { workload: string }) => c.workload === 'fluid');
    expect(fluid).toHaveLength(6); // uniform, Hot I, Hot II x 2 rho x 1 alpha x 1 beta
    for (const c of fluid) {
      expect(Math.abs(c.paperError.downtime)).toBeLessThan(1e-9);
      expect(Math.abs(c.paperError.total)).toBeLessThan(1e-9);
    }
    const spec = JSON.parse(readFileSync(chart, 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite/);
    expect(spec.data.values).toHaveLength(out.cells.length);
  });

  it('bad grid values are one-line errors', async () => {
    const { code, stderr } = await cli('validate', '--rho', '0.5,1.2');
    expect(code).toBe(2);
    expect(stderr).toBe(
      "precopy: --rho '1.2' is out of range: expected a list of values 0 < rho < 1, e.g. 0.1,0.5,0.9\n",
    );
  });
});
