/** `--memory-budget` (issue 15): the command line's way to lower or raise the page-level memory budget. */
import { describe, expect, test } from 'vitest';
import { cli } from '../support/cli.js';

// 64 GiB of 4 KiB pages = 2^24 pages; 4 replicas over 4 jobs need about 89 MiB (src/simulate/budget.ts estimate)
const BIG = ['--memory', '64GiB', '--page-size', '4KiB', '--bandwidth', '10Gbit/s', '--dirty-rate', '1000'];

describe('--memory-budget', () => {
  test('simulate: refused before any worker starts when the estimate exceeds it, naming the flag', async () => {
    const r = await cli(
      'simulate',
      ...BIG,
      '--alpha',
      '0.01',
      '--replicas',
      '4',
      '--jobs',
      '4',
      '--memory-budget',
      '64MiB',
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'precopy: 4 replicas over 4 jobs would need about 89 MiB of memory, above the budget of 64 MiB: use fewer pages, replicas or jobs (or raise --memory-budget)',
    ]);
  });
  test('validate: the grid is checked against it too', async () => {
    const r = await cli(
      'validate',
      '--pages',
      '4194304',
      '--rho',
      '0.5',
      '--alpha',
      '0.1',
      '--replicas',
      '2',
      '--memory-budget',
      '1MiB',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/above the budget of 1 MiB.*\(or raise --memory-budget\)\n$/);
  });
  test('junk budgets are one line naming the range', async () => {
    for (const v of ['1KiB', '💥', '2TiB', '-1']) {
      const r = await cli('simulate', '--preset', 'paper', '--replicas', '1', '--memory-budget', v);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `precopy: --memory-budget '${v}' is not allowed: expected a size from 1MiB to 1TiB, e.g. 8GiB\n`,
      );
    }
  });
});
