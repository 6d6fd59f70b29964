import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../../src/model/errors.js';
import { type SimulationParams, simulate } from '../../src/simulate/engine.js';
import { monteCarlo } from '../../src/simulate/montecarlo.js';
import { parseTrace } from '../../src/simulate/trace.js';

const OK: SimulationParams = {
  pages: 1000,
  pageSizeBytes: 4096,
  bandwidthBytesPerSecond: 1e8,
  workload: { kind: 'random', dirtyPagesPerSecond: 100 },
  stopRule: { kind: 'alpha', alpha: 0.05 },
};

function errorOf(f: () => unknown): ModelInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof ModelInputError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('bad simulator parameters give one-line errors naming the parameter', () => {
  it.each<[string, Partial<SimulationParams>, string, RegExp]>([
    ['negative dirty rate', { workload: { kind: 'random', dirtyPagesPerSecond: -1 } }, 'dirtyPagesPerSecond', />= 0/],
    ['unknown workload', { workload: { kind: 'bogus' } as never }, 'workload', /fluid, random/],
    [
      'beta = 1',
      { workload: { kind: 'hot-cold', hotFraction: 1, hotDirtyPagesPerSecond: 1, coldDirtyPagesPerSecond: 1 } },
      'hotFraction',
      /0 <= hotFraction < 1/,
    ],
    [
      'working set above memory',
      { workload: { kind: 'working-set', dirtyPagesPerSecond: 1, workingSetPages: 1001 } },
      'workingSetPages',
      /1 to 1000/,
    ],
    ['alpha = 1', { stopRule: { kind: 'alpha', alpha: 1 } }, 'alpha', /0 < alpha < 1/],
    ['NaN alpha', { stopRule: { kind: 'alpha', alpha: Number.NaN } }, 'alpha', /0 < alpha < 1/],
    [
      'negative downtime limit',
      { stopRule: { kind: 'qemu', downtimeLimitSeconds: -1 } },
      'downtimeLimitSeconds',
      />= 0/,
    ],
    ['unknown stop rule', { stopRule: { kind: 'nope' } as never }, 'stopRule', /alpha, hot-held, qemu/],
    ['max-rounds 0', { stopRule: { kind: 'max-rounds', maxRounds: 0 } }, 'maxRounds', /whole number/],
    ['hot-held without hot pages', { stopRule: { kind: 'hot-held', alpha: 0.1 } }, 'stopRule', /hot pages/],
    ['zero fraction 1', { zeroFraction: 1 }, 'zeroFraction', /0 <= zeroFraction < 1/],
    ['zero bandwidth', { bandwidthBytesPerSecond: 0 }, 'bandwidthBytesPerSecond', /1 <= bytes\/s <= 1000000000000000/],
    ['fractional pages', { pages: 10.5 }, 'pages', /whole number/],
    [
      'schedule going back in time',
      {
        bandwidthSchedule: [
          { fromSeconds: 2, bytesPerSecond: 1 },
          { fromSeconds: 1, bytesPerSecond: 1 },
        ],
      },
      'schedule[1].fromSeconds',
      /after the previous/,
    ],
  ])('%s', (_name, patch, parameter, text) => {
    const e = errorOf(() => simulate({ ...OK, ...patch }));
    expect(e.parameter).toBe(parameter);
    expect(e.message).toMatch(text);
    expect(e.message).not.toMatch(/\n/);
  });

  it('bad Monte Carlo options name replicas and seed', () => {
    expect(errorOf(() => monteCarlo(OK, { replicas: 0, seed: 1 })).parameter).toBe('replicas');
    expect(errorOf(() => monteCarlo(OK, { replicas: 2, seed: -1 })).parameter).toBe('seed');
  });
});

describe('parseTrace', () => {
  it('reads counts, ids, ranges, empty intervals, comments and the declared size', () => {
    const t = parseTrace(
      '# a trace\nprecopy-trace v1\ninterval 250ms\nkind ids\npages 64\n1 2, 5-7\n-\n63 # last page\n',
    );
    expect(t.intervalSeconds).toBe(0.25);
    expect(t.kind).toBe('ids');
    expect(t.pages).toBe(64);
    expect(t.counts).toEqual([5, 0, 1]);
    expect([...t.ids]).toEqual([1, 2, 5, 6, 7, 63]);
  });

  it.each([
    ['no header', 'interval 1s\nkind counts\n1\n', /precopy-trace v1/],
    ['interval without unit', 'precopy-trace v1\ninterval 5\nkind counts\n1\n', /interval <duration/],
    ['bad kind', 'precopy-trace v1\ninterval 1s\nkind pages\n1\n', /kind counts or kind ids/],
    ['data before kind', 'precopy-trace v1\ninterval 1s\n1\n', /before the data/],
    ['a count that is not a whole number', 'precopy-trace v1\ninterval 1s\nkind counts\n1.5\n', /whole number/],
    ['a bad id', 'precopy-trace v1\ninterval 1s\nkind ids\n1 x\n', /page ids/],
    ['no data', 'precopy-trace v1\ninterval 1s\nkind counts\n', /at least one interval/],
  ])('%s is a one-line error naming the line', (_name, text, expected) => {
    const e = errorOf(() => parseTrace(text));
    expect(e.parameter).toBe('trace');
    expect(e.message).toMatch(expected);
    expect(e.message).not.toMatch(/\n/);
  });

  it('ids beyond the memory are rejected by simulate', () => {
    const trace = parseTrace('precopy-trace v1\ninterval 1s\nkind ids\n5000\n');
    expect(errorOf(() => simulate({ ...OK, workload: { kind: 'trace', trace } })).parameter).toBe('trace.ids');
  });
});
