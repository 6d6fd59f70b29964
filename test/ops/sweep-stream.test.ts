/**
 * The streaming sweep against the per-point path it replaces (schema + predict per point, `referenceRows`):
 * the same bytes in CSV and JSON lines, the same first invalid point, lazy axes, and backpressure.
 */
import { fc, test } from '@fast-check/vitest';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { csvRow } from '../../src/format/csv.js';
import { predictSchema } from '../../src/schema/index.js';
import {
  MAX_SWEEP_POINTS,
  SWEEP_COLUMNS,
  SweepInputError,
  checkSweep,
  planSweep,
  referenceRows,
  sweepAxis,
  sweepChunks,
  sweepRecords,
  writeSweep,
} from '../../src/ops/sweep-stream.js';

type Axes = [string, string][];

/** The bytes the per-point path writes: every point through the schema, rows by predict. */
function reference(fixed: Record<string, unknown>, axes: Axes, format: 'csv' | 'jsonl'): string {
  const lists = axes.map(([f, t]) => {
    const a = sweepAxis(f, t);
    return Array.from({ length: a.count }, (_, i) => a.text(i));
  });
  let out = format === 'csv' ? csvRow(SWEEP_COLUMNS) : '';
  const idx = lists.map(() => 0);
  if (lists.some((l) => l.length === 0)) return out;
  for (;;) {
    const raw: Record<string, unknown> = { ...fixed };
    axes.forEach(([f], i) => {
      raw[f] = lists[i]![idx[i]!];
    });
    for (const row of referenceRows(predictSchema.parse(raw))) {
      out +=
        format === 'csv'
          ? csvRow(SWEEP_COLUMNS.map((c) => row[c]))
          : `${JSON.stringify(row, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`;
    }
    let k = lists.length - 1;
    while (k >= 0 && ++idx[k]! >= lists[k]!.length) idx[k--] = 0;
    if (k < 0) return out;
  }
}

function streamed(fixed: Record<string, unknown>, axes: Axes, format: 'csv' | 'jsonl'): string {
  const plan = planSweep(fixed, axes);
  const check = checkSweep(plan);
  if (!check.ok) throw new Error(`invalid: ${JSON.stringify(check.raw)}`);
  return [...sweepChunks(plan, format)].join('');
}

const SWEEPS: [string, Record<string, unknown>, Axes][] = [
  ['alpha over the paper preset, all cases', { preset: 'paper' }, [['alpha', '0.01:0.99:0.01']]],
  [
    'pages x alpha',
    { preset: 'paper', case: 'uniform' },
    [
      ['pages', '4096,8192'],
      ['alpha', '0.05:0.95:0.05'],
    ],
  ],
  ['bandwidth with units, non-converging rows', { preset: 'paper' }, [['bandwidth', '20KB/s:80KB/s:5KB/s']]],
  [
    'hot rates, consistent accounting, Dh <= Dnh notes',
    { preset: 'paper', accounting: 'consistent' },
    [
      ['hotRate', '1:5:0.5'],
      ['coldRate', '1.8,3.7'],
    ],
  ],
  [
    'dirty rate 0 (unbounded gain) and downtime limits',
    { pages: 1000, bandwidth: '1Gbit/s' },
    [
      ['dirtyRate', '0:100000:25000'],
      ['downtimeLimit', '1ms:3ms:1ms'],
    ],
  ],
  [
    'page size with byte dirty rates',
    { preset: 'paper' },
    [
      ['pageSize', '4KiB:16KiB:4KiB'],
      ['dirtyRate', '8KB/s,30KB/s'],
    ],
  ],
  ['memory sizes', { bandwidth: '100MB/s', dirtyRate: 1000, alpha: 0.3 }, [['memory', '1GiB:3GiB:1GiB']]],
  [
    'hot fraction, numbers as JSON numbers',
    { preset: 'paper', pages: 123457, alpha: 0.2 },
    [['hotFraction', '0:0.9:0.15']],
  ],
];

describe('sweepChunks', () => {
  for (const [name, fixed, axes] of SWEEPS) {
    it(`sweepChunks(${name}) writes the bytes of the per-point path, CSV and JSON lines`, () => {
      for (const format of ['csv', 'jsonl'] as const) {
        expect(streamed(fixed, axes, format)).toBe(reference(fixed, axes, format));
      }
    });
  }

  test.prop(
    [
      fc.record({
        alpha: fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 400 })),
        pages: fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 3 }),
        dirty: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 3 }),
        beta: fc.array(fc.double({ min: 0, max: 0.95, noNaN: true }), { minLength: 1, maxLength: 2 }),
        accounting: fc.constantFrom('paper', 'consistent'),
        order: fc.boolean(),
      }),
    ],
    { seed: 7, numRuns: 40 },
  )('sweepChunks(random lists and ranges) equals the per-point path', (r) => {
    const lo = r.alpha[0] / 1000;
    const axes: Axes = [
      ['pages', r.pages.join(',')],
      ['alpha', `${lo}:${Math.min(0.999, lo + r.alpha[1] / 1000)}:0.05`],
      ['coldRate', r.dirty.join(',')],
      ['hotFraction', r.beta.join(',')],
    ];
    if (r.order) axes.reverse();
    const fixed = { preset: 'paper', accounting: r.accounting };
    expect(streamed(fixed, axes, 'csv')).toBe(reference(fixed, axes, 'csv'));
    expect(streamed(fixed, axes, 'jsonl')).toBe(reference(fixed, axes, 'jsonl'));
  });

  it('sweepRecords(pages x alpha) yields the per-point rows as objects', () => {
    const plan = planSweep({ preset: 'paper', case: 'uniform' }, [
      ['pages', '4096,8192'],
      ['alpha', '0.1:0.3:0.1'],
    ]);
    expect(checkSweep(plan).ok).toBe(true);
    const rows = [...sweepRecords(plan)];
    expect(rows.map((r) => [r.pages, r.alpha])).toEqual([
      [4096, 0.1],
      [4096, 0.2],
      [4096, 0.3],
      [8192, 0.1],
      [8192, 0.2],
      [8192, 0.3],
    ]);
    expect(rows[0]).toEqual(
      referenceRows(predictSchema.parse({ preset: 'paper', case: 'uniform', pages: '4096', alpha: '0.1' }))[0],
    );
  });
});

describe('checkSweep', () => {
  it('checkSweep(alpha list with 1.2) returns that point, which the schema rejects', () => {
    const check = checkSweep(planSweep({ preset: 'paper' }, [['alpha', '0.5,0.9,1.2']]));
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.raw.alpha).toBe('1.2');
      expect(predictSchema.safeParse(check.raw).success).toBe(false);
    }
  });
  it('checkSweep(downtime limit beyond Ps*S/B at the third point) finds the third point', () => {
    // Ps*S/B = 1000*4096/1.25e8 s = 32.768 ms: 10ms and 30ms fit, 50ms does not.
    const check = checkSweep(
      planSweep({ pages: 1000, bandwidth: '1Gbit/s', dirtyRate: 10 }, [['downtimeLimit', '10ms:50ms:20ms']]),
    );
    expect(check.ok ? undefined : check.raw.downtimeLimit).toBe('0.05s'); // a range's points are written back in base units
  });
  it('checkSweep(memory with the preset) reports the conflict with pages', () => {
    const check = checkSweep(planSweep({ preset: 'paper' }, [['memory', '1GiB,2GiB']]));
    expect(check.ok).toBe(false);
  });
  it('checkSweep(strict, alpha above rho) throws the model error before anything is written', () => {
    expect(() => checkSweep(planSweep({ preset: 'paper', strict: true }, [['alpha', '0.1:0.9:0.1']]))).toThrow(
      /strict/,
    );
  });
});

describe('sweepAxis', () => {
  it('sweepAxis(alpha, a 9,999,999-point range) is lazy: the count and any point by index', () => {
    // 0.0000001 + i*0.0000001 for i = 0..9999998, built in scaled integers (7 decimals)
    const a = sweepAxis('alpha', '0.0000001:0.9999999:0.0000001');
    expect(a.count).toBe(9_999_999);
    expect(a.text(1_499_999)).toBe('0.15');
    expect(a.num!(a.count - 1)).toBe(0.9999999);
  });
  it('sweepAxis(more than the limit) throws before expanding anything', () => {
    expect(() => sweepAxis('pages', `1:${MAX_SWEEP_POINTS + 1}:1`)).toThrow(SweepInputError);
    expect(() => sweepAxis('alpha', '0.5:0.1:0.1')).toThrow(/is not a range/);
  });
});

describe('writeSweep', () => {
  it('writeSweep(slow sink) waits for drain after every refused write and writes every piece once', async () => {
    // 5000 alpha points x 3 cases, ~200 bytes a row: several 64 KiB pieces.
    const plan = planSweep({ preset: 'paper' }, [['alpha', '0.00002:0.1:0.00002']]);
    expect(checkSweep(plan).ok).toBe(true);
    const pieces: string[] = [];
    let waiting = false;
    const sink = Object.assign(new EventEmitter(), {
      write(s: string) {
        expect(waiting).toBe(false); // never written to while it asked to wait
        pieces.push(s);
        waiting = true;
        setImmediate(() => {
          waiting = false;
          sink.emit('drain');
        });
        return false;
      },
    });
    await writeSweep(plan, 'csv', sink);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe([...sweepChunks(plan, 'csv')].join(''));
  });
});
