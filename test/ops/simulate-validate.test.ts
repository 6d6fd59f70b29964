/**
 * The simulate and validate operations' zod input schemas: units parsed inside, every given field checked
 * (also fields the chosen workload or stop rule does not use, issue 15), every issue naming the field and the
 * value; the trace read through an injected reader, never inside the operation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpError, lineOf, parseInput, zodIssues } from '../../src/ops/errors.js';
import {
  simulateCliInput,
  simulateInput,
  simulateOp,
  simulateSetup,
  simulateRawInput,
} from '../../src/ops/simulate.js';
import { validateInput, validateOp } from '../../src/ops/validate.js';
import { runReplica } from '../../src/simulate/montecarlo.js';
import { parseTrace } from '../../src/simulate/trace.js';
import { DEFAULT_GRID } from '../../src/simulate/validate.js';
import { createApp } from '../../src/server/app.js';
import { cli } from '../support/cli.js';

const TABLE2 = { pages: '4096', pageSize: '16KB', bandwidth: '60KB/s', dirtyRate: '2', alpha: '0.05' };

/** The CLI's one line for a raw input the schema refuses. */
function lineFor(schema: typeof simulateCliInput | typeof validateInput, raw: unknown): string {
  try {
    parseInput(schema, raw);
  } catch (e) {
    const line = lineOf(e);
    if (line !== undefined) return line;
    throw e;
  }
  throw new Error('accepted');
}

describe('simulate input schema', () => {
  it.each<[Record<string, string>, string]>([
    // fields the workload or stop rule does not use are still checked (they were accepted silently)
    [
      { workload: 'fluid', workingSet: '💥' },
      "--working-set '💥' is not valid: expected a size (e.g. 1GiB) or a page count",
    ],
    [{ checkInterval: 'soon' }, "--check-interval 'soon' is not valid: expected a duration >= 0 (e.g. 50ms)"],
    [{ switchoverBandwidth: '0' }, "--switchover-bandwidth '0' is out of range: expected a rate > 0 (e.g. 10Gbit/s)"],
    [{ workload: 'trace' }, '--trace is missing: --workload trace needs a trace file (format: docs/simulator.md)'],
    [{ stopRule: 'qemu', downtimeLimit: '300ms', alpha: 'x' }, "--alpha 'x' is not a number: expected 0 < alpha < 1"],
    [{ jobs: '0' }, "--jobs '0' is out of range: expected a whole number from 1 to 256"],
    // the value as given, not "(missing)" (issue 15)
    [{ preset: 'bogus' }, "--preset 'bogus' is not allowed: expected one of paper"],
    [{ seed: '-1' }, "--seed '-1' is out of range: expected a whole number from 0 to 4294967295"],
    [{ zeroPageBytes: '-3B' }, "--zero-page-bytes '-3B' is out of range: expected a size >= 0 (e.g. 9 or 64B)"],
    [
      { bandwidthSchedule: '30s' },
      "--bandwidth-schedule '30s' is not valid: expected TIME=RATE pairs in increasing time, e.g. '30s=500Mbit/s,60s=1Gbit/s'",
    ],
    [{ stopRule: 'max-rounds' }, '--max-rounds is missing: --stop-rule max-rounds needs a number of rounds'],
  ])('%j is refused naming the flag', (extra, line) => {
    expect(lineFor(simulateCliInput, { ...TABLE2, ...extra })).toBe(line);
  });

  it('reports every bad field, each issue with code, path, field and value as given', () => {
    const r = simulateInput.safeParse({ ...TABLE2, workingSet: '💥', zeroFraction: 1.5, replicas: '2.5' });
    expect(r.success).toBe(false);
    const issues = zodIssues(r.error!);
    expect(issues.map((i) => [i.code, i.path, i.field, i.value])).toEqual([
      ['invalid_value', ['workingSet'], 'workingSet', '💥'],
      ['invalid_value', ['zeroFraction'], 'zeroFraction', 1.5],
      ['invalid_value', ['replicas'], 'replicas', '2.5'],
    ]);
    // the API words them with field names
    expect(issues[1]!.message).toBe('zeroFraction 1.5 is out of range: expected 0 <= zero-fraction < 1');
  });

  it('a missing field named by another flag is worded with field names for the API', () => {
    const r = simulateInput.safeParse({ ...TABLE2, stopRule: 'qemu' });
    expect(zodIssues(r.error!)[0]!.message).toBe(
      'downtimeLimit is missing: stopRule qemu needs a downtime limit (e.g. 300ms)',
    );
  });

  it('resolves units inside the schema: the values by hand', () => {
    const input = parseInput(simulateCliInput, {
      ...TABLE2,
      workload: 'working-set',
      workingSet: '1MB', // 1e6 B / 16000 B per page = 62.5 -> 63 pages
      stopRule: 'qemu',
      downtimeLimit: '2s',
      alpha: undefined,
      checkInterval: '50ms',
      switchoverBandwidth: '1Mbit/s', // 125000 B/s
      bandwidthSchedule: '30s=500Mbit/s',
      zeroPageBytes: '64B',
    });
    expect(input.params.workload).toEqual({ kind: 'working-set', dirtyPagesPerSecond: 2, workingSetPages: 63 });
    expect(input.params.stopRule).toEqual({
      kind: 'qemu',
      downtimeLimitSeconds: 2,
      checkIntervalSeconds: 0.05,
      switchoverBandwidthBytesPerSecond: 125_000,
    });
    expect(input.params.bandwidthSchedule).toEqual([{ fromSeconds: 30, bytesPerSecond: 62_500_000 }]);
    expect(input.params.zeroPageBytes).toBe(64);
    expect(input.jobs).toBe(1);
  });

  it('the HTTP schema refuses trace replay and jobs; the command line takes them', () => {
    const http = simulateInput.safeParse({ ...TABLE2, workload: 'trace', jobs: 2 });
    expect(zodIssues(http.error!).map((i) => i.code)).toEqual(['invalid_value', 'unrecognized_keys']);
    const input = parseInput(simulateCliInput, { ...TABLE2, workload: 'trace', trace: 't.txt', jobs: '2' });
    expect(input.params.workload).toEqual({ kind: 'trace', file: 't.txt' });
    expect(input.jobs).toBe(2);
  });

  it('never throws and never lets NaN or Infinity through, whatever text a field holds (fast-check, seeded)', () => {
    const fields = Object.keys(simulateRawInput.shape).filter(
      (k) => !['preset', 'case', 'accounting', 'strict', 'workload', 'stopRule'].includes(k),
    );
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(fc.string(), fc.double()), (field, value) => {
        const r = simulateInput.safeParse({ ...TABLE2, [field]: value });
        if (!r.success) {
          for (const issue of zodIssues(r.error)) expect(issue.message).not.toMatch(/\n/);
          return;
        }
        const p = r.data.params;
        for (const v of [p.pages, p.pageSizeBytes, p.bandwidthBytesPerSecond, r.data.replicas, r.data.seed]) {
          expect(Number.isFinite(v)).toBe(true);
        }
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});

describe('simulate: the trace through an injected reader', () => {
  const TEXT = 'precopy-trace v1\ninterval 100s\nkind counts\n50\n20\n';
  const raw = { ...TABLE2, dirtyRate: undefined, workload: 'trace', trace: 'in-memory.trace' };

  it('the operation reads nothing itself: the reader gets the path, the result is the engine run by hand', () => {
    const paths: string[] = [];
    const report = simulateOp(parseInput(simulateCliInput, raw), (path) => {
      paths.push(path);
      return parseTrace(TEXT);
    });
    expect(paths).toEqual(['in-memory.trace']);
    const direct = runReplica(
      {
        pages: 4096,
        pageSizeBytes: 16_000,
        bandwidthBytesPerSecond: 60_000,
        workload: { kind: 'trace', trace: parseTrace(TEXT) },
        stopRule: { kind: 'alpha', alpha: 0.05 },
      },
      1,
      0,
    );
    expect((report.json as { simulation: unknown }).simulation).toEqual(direct);
  });

  it('without a reader, or with a trace of another memory size, a one-line error naming the field', () => {
    const input = parseInput(simulateCliInput, raw);
    expect(() => simulateSetup(input)).toThrow(OpError);
    try {
      simulateSetup(input, () => parseTrace(`precopy-trace v1\ninterval 1s\nkind counts\npages 100\n5\n`));
    } catch (e) {
      expect((e as OpError).field).toBe('trace');
      expect((e as OpError).message).toBe(
        "--trace 'in-memory.trace' was taken on 100 pages but --pages/--memory gives 4096",
      );
    }
    expect.assertions(3);
  });

  it('the parameters are checked against the memory before any replica or worker starts', async () => {
    const { code, stderr } = await cli(
      'simulate',
      '--pages',
      '4096',
      '--page-size',
      '16KB',
      '--bandwidth',
      '60KB/s',
      '--dirty-rate',
      '2',
      '--alpha',
      '0.05',
      '--workload',
      'working-set',
      '--working-set',
      '99999',
      '--jobs',
      '2',
      '--replicas',
      '2',
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'precopy: --working-set 99999 is out of range: expected a whole number of pages from 1 to 4096\n',
    );
  });
});

describe('POST /api/simulate goes through the same schema', () => {
  const app = createApp();
  const post = async (body: unknown) => {
    const res = await app.request('/api/simulate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON read by key
    return { status: res.status, json: (await res.json()) as any };
  };

  it('the OpenAPI document describes the schema the route parses: its fields and choices', async () => {
    const res = await app.request('/api/openapi.json');
    // biome-ignore lint/suspicious/noExplicitAny: JSON read by key
    const doc = (await res.json()) as any;
    const request = doc.components.schemas.SimulateRequest;
    expect(Object.keys(request.properties).sort()).toEqual(Object.keys(simulateRawInput.shape).sort());
    expect(request.additionalProperties).toBe(false);
    expect(request.properties.workload.enum).toEqual(['fluid', 'random', 'hot-cold', 'working-set']);
  });

  it('junk in a field the workload does not use is a 400 naming it', async () => {
    const r = await post({ preset: 'paper', alpha: 0.05, workload: 'fluid', workingSet: '💥' });
    expect(r.status).toBe(400);
    expect(r.json.error.issues[0]).toMatchObject({ code: 'invalid_value', field: 'workingSet', value: '💥' });
  });

  it('a downtime limit given as a number is seconds, as in predict', async () => {
    const r = await post({ pages: 2048, bandwidth: '1MB/s', dirtyRate: 20, stopRule: 'qemu', downtimeLimit: 0.3 });
    expect(r.status).toBe(200);
    expect(r.json.input.stopRule).toEqual({ kind: 'qemu', downtimeLimitSeconds: 0.3 });
  });
});

describe('validate input schema', () => {
  it('no fields: the default grid', () => {
    expect(parseInput(validateInput, {})).toEqual({ grid: DEFAULT_GRID, jobs: 1 });
  });

  it.each<[Record<string, string>, string]>([
    [{ hotRatio: '0.5' }, "--hot-ratio '0.5' is out of range: expected Dh/Dnh >= 1"],
    [{ workloads: 'fluid,bogus' }, "--workloads 'bogus' is not one of: fluid, random, hot-cold, working-set"],
    [{ alpha: '0.1,x' }, "--alpha 'x' is not a number: expected a list of values 0 < alpha < 1"],
    [{ workingSetFraction: '0' }, "--working-set-fraction '0' is out of range: expected 0 < fraction <= 1"],
    [
      { memory: '2TiB', pageSize: '4KiB' },
      '--pages 536870912 is out of range: expected at most 268435456 pages for validate',
    ],
    [{ pageSize: '0' }, "--page-size '0' is out of range: expected a size > 0 (e.g. 4KiB)"],
  ])('%j is refused naming the flag', (raw, line) => {
    expect(lineFor(validateInput, raw)).toBe(line);
  });

  it('lists and sizes resolved by hand; the operation in this thread gives one cell per grid point', () => {
    const setup = parseInput(validateInput, {
      memory: '8MiB', // 8 MiB / 4 KiB = 2048 pages
      pageSize: '4KiB',
      rho: '0.4, 0.8',
      alpha: '0.05',
      beta: '0.1',
      workloads: 'fluid',
    });
    expect(setup.grid).toMatchObject({ pages: 2048, pageSizeBytes: 4096, rhos: [0.4, 0.8], alphas: [0.05] });
    // fluid: uniform + Hot I + Hot II per (rho, alpha, beta) = 3 x 2 x 1 x 1 = 6 cells
    const report = validateOp(setup);
    expect(report.cells).toHaveLength(6);
    for (const c of report.cells) expect(Math.abs(c.paperError.downtime!)).toBeLessThan(1e-9);
  });
});
