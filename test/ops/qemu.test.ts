/**
 * The qemu operations' zod input schemas (issue 10): units parsed inside with the shared field parsers
 * (src/schema/fields.ts), every bad field reported with its field, the value as given and the valid range,
 * worded with flags for the command line and with field names for an API; advise's measured values checked
 * by the same workload schema.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineOf, parseInput, zodIssues } from '../../src/ops/errors.js';
import { planOp, qemuAdviseInput, qemuPlanInput, qemuWatchInput, qemuWorkloadInput } from '../../src/ops/qemu.js';
import { fieldOfFlag, flagOf } from '../../src/schema/fields.js';

const IDLE = { memory: '1GiB', linkBandwidth: '128MiB/s', dirtyRate: '0' };

function refused(schema: Parameters<typeof parseInput>[0], raw: unknown) {
  const r = schema.safeParse(raw, { reportInput: true });
  if (r.success) throw new Error('accepted');
  return r.error;
}

describe('qemu plan input schema', () => {
  it('reads units inside the schema: text with units and base-unit numbers give the same input', () => {
    // 1 GiB = 2^30 B; 128 MiB/s = 2^27 B/s; 300 ms -> 300 whole ms (QEMU's unit); 4 KiB pages by default.
    const text = parseInput(qemuPlanInput, { ...IDLE, downtimeLimit: '300ms', maxBandwidth: '64MiB/s' });
    const numbers = parseInput(qemuPlanInput, {
      memory: 2 ** 30,
      linkBandwidth: 2 ** 27,
      dirtyRate: 0,
      downtimeLimit: 0.3,
      maxBandwidth: 2 ** 26,
    });
    expect(numbers).toEqual(text);
    expect(text.workload).toEqual({
      memoryBytes: 2 ** 30,
      pageSizeBytes: 4096,
      linkBandwidthBytesPerSecond: 2 ** 27,
      dirtyPagesPerSecond: 0,
      zeroPageFraction: 0,
      dirtyPattern: 'sequential',
    });
    expect(text.downtimeLimitMs).toBe(300);
    expect(text.maxBandwidthBytesPerSecond).toBe(2 ** 26);
    expect(text.format).toBe('table');
    expect(text.domain).toBe('DOMAIN');
  });

  it('reports every bad field, each with its field, the value as given and the range', () => {
    const error = refused(qemuPlanInput, { ...IDLE, maxBandwidth: '0', zeroFraction: '1.5', seed: '-1' });
    expect(zodIssues(error).map((i) => [i.field, i.value, i.message])).toEqual([
      ['zeroFraction', '1.5', "zeroFraction '1.5' is out of range: expected a number with 0 <= x < 1"],
      ['maxBandwidth', '0', "maxBandwidth '0' is out of range: expected a rate from 1 B/s to 10 TB/s"],
      ['seed', '-1', "seed '-1' is out of range: expected a whole number from 0 to 4294967295"],
    ]);
  });

  it('words the first issue with the flag for the command line', () => {
    try {
      parseInput(qemuPlanInput, { ...IDLE, workingSet: '2GiB' });
      expect.fail('accepted');
    } catch (e) {
      expect(lineOf(e)).toBe(
        "--working-set '2GiB' is out of range: expected a size from one page to the non-zero memory (1.00 GiB)",
      );
    }
  });

  it('refuses unknown fields (a typo is not silently ignored)', () => {
    expect(zodIssues(refused(qemuPlanInput, { ...IDLE, maxBandwith: '1GB/s' }))[0]!.code).toBe('unrecognized_keys');
  });

  it('planOp: the JSON document is the plan, and --presets adds the presets', () => {
    const input = parseInput(qemuPlanInput, {
      ...IDLE,
      maxBandwidth: '128MiB/s',
      downtimeLimit: '300ms',
      presets: true,
    });
    const { plan, presets, json } = planOp(input);
    expect(json.parameters).toEqual(plan.parameters);
    expect(json.presets).toEqual(presets);
    expect(presets?.nova.converges).toBe(true);
  });
});

describe('qemu advise and watch input schemas', () => {
  it('advise checks its flags before the guest is measured, and the measured memory after', () => {
    const a = parseInput(qemuAdviseInput, { qmp: '/run/vm.qmp', linkBandwidth: '1GB/s', workingSet: '64MiB' });
    // 64 MiB / 4 KiB = 16384 pages; --pattern is not random and no two-period sample: no correction.
    expect(a.correction).toEqual({});
    expect(a.calcSeconds).toBe(1);
    expect(a.pageSizeBytes).toBe(4096);
    // The guest turns out to have 32 MiB: a 64 MiB working set is more than its memory.
    const measured = qemuWorkloadInput({ memoryBytes: 32 * 2 ** 20, dirtyPagesPerSecond: 100 });
    const issues = zodIssues(refused(measured, a.workloadRaw));
    expect(issues.map((i) => i.field)).toEqual(['workingSet']);
    expect(issues[0]!.message).toMatch(/^workingSet '64MiB' is out of range: expected a size from one page/);
    const w = parseInput(qemuWorkloadInput({ memoryBytes: 2 ** 30, dirtyPagesPerSecond: 100 }), a.workloadRaw);
    expect(w.workingSetPages).toBe(16384);
    expect(w.dirtyPagesPerSecond).toBe(100);
  });

  it('advise without --qmp is one issue naming it, with the empty value as the command line shows it', () => {
    const issues = zodIssues(refused(qemuAdviseInput, { linkBandwidth: '1GB/s' }));
    expect(issues.map((i) => [i.field, i.value])).toEqual([['qmp', '']]);
  });

  it('watch defaults: poll every 500 ms for at most 24 h; a byte dirty rate is counted in 4 KiB pages', () => {
    const w = parseInput(qemuWatchInput, { qmp: '/run/vm.qmp', dirtyRate: '40960B/s' });
    expect([w.intervalSeconds, w.timeoutSeconds, w.format]).toEqual([0.5, 86400, 'table']);
    expect(w.dirtyPagesPerSecond).toBe(10); // 40960 / 4096
    expect(zodIssues(refused(qemuWatchInput, { qmp: 'x', interval: '10ms' }))[0]!.message).toBe(
      "interval '10ms' is out of range: expected a duration from 50.0 ms to 60.0 s",
    );
  });
});

describe('flag and field spelling (src/schema/fields.ts)', () => {
  it('fieldOfFlag inverts flagOf for every kebab-case flag', () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const flag = `--${words.join('-')}`;
        expect(flagOf(fieldOfFlag(flag))).toBe(flag);
      }),
      { seed: 10, numRuns: 200 },
    );
  });
});
