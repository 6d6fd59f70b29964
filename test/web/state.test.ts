/**
 * The explorer's pure parts in Node: URL state, slider mappings, and the computed view against properties the
 * paper states (no browser needed).
 */
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { iterations } from '../../src/model/index.js';
import { ALPHA_GRID, computeExplorer } from '../../web/src/compute.js';
import { DEFAULT_STATE, FIELDS, type ViewState, queryFromState, stateFromQuery } from '../../web/src/fields.js';
import { parseView } from '../../web/src/parse.js';
import { requireChromium } from './browser.js';

const SEED = { seed: 20130901, numRuns: 200 };

describe('browser harness', () => {
  test('a missing Chromium is an error that says how to install it', () => {
    expect(() => requireChromium('/nonexistent/chromium')).toThrow(
      /^Chromium not found at \/nonexistent\/chromium: .*apt-get install -y chromium/,
    );
  });
});

describe('URL state', () => {
  fcTest.prop(
    {
      texts: fc.array(fc.string({ maxLength: 12 }), { minLength: 9, maxLength: 9 }),
      choice: fc.constantFrom('all', 'uniform', 'hot-precopy', 'hot-downtime'),
      accounting: fc.constantFrom('paper', 'consistent'),
    },
    SEED,
  )('queryFromState then stateFromQuery gives back every field as typed', ({ texts, choice, accounting }) => {
    const keys = ['pages', 'pageSize', 'bandwidth', 'dirtyRate', 'alpha', 'hotFraction', 'hotRate', 'coldRate'];
    const state = { ...DEFAULT_STATE, case: choice, accounting } as ViewState;
    keys.forEach((k, i) => {
      (state as unknown as Record<string, string>)[k] = texts[i]!;
    });
    state.maxUtilization = texts[8]!;
    expect(stateFromQuery(queryFromState(state))).toEqual(state);
  });

  test('stateFromQuery keeps defaults for missing fields and ignores unknown ones and bad choices', () => {
    const s = stateFromQuery('?alpha=0.2&bogus=1&case=sideways&accounting=consistent');
    expect(s).toEqual({ ...DEFAULT_STATE, alpha: '0.2', accounting: 'consistent' });
  });

  test('the defaults are the paper Table 2 and parse', () => {
    const p = parseView(DEFAULT_STATE);
    expect(p.errors).toEqual({});
    expect(p.input).toMatchObject({
      pages: 4096,
      pageSizeBytes: 16000,
      bandwidthBytesPerSecond: 60000,
      dirtyPagesPerSecond: 2,
      hotFraction: 0.1,
      hotDirtyPagesPerSecond: 4,
      coldDirtyPagesPerSecond: 1.8,
      alpha: 0.05,
    });
  });
});

describe('memory and downtime limit as in the command line', () => {
  test('a size in the memory field is memory, rounded up to whole pages', () => {
    // 64 MiB / 16 kB = 67108864 / 16000 = 4194.304 pages -> 4195.
    const p = parseView({ ...DEFAULT_STATE, pages: '64MiB' });
    expect(p.input?.pages).toBe(4195);
  });

  test('a duration in the stop field is a QEMU-style downtime limit: alpha = limit*B/(Ps*S)', () => {
    // 0.3 s * 60000 B/s / (4096 * 16000 B) = 18000 / 65536000.
    const p = parseView({ ...DEFAULT_STATE, alpha: '300ms' });
    const alpha = p.input!.alpha;
    expect(Math.abs(alpha - 18000 / 65536000)).toBeLessThanOrEqual(1e-15 * alpha);
  });

  test('a downtime limit longer than a full copy is an error in the stop field', () => {
    // A full stop-and-copy takes Ps*S/B = 4096 * 16000 / 60000 = 1092.27 s < 2 h.
    const p = parseView({ ...DEFAULT_STATE, alpha: '2h' });
    expect(p.input).toBeUndefined();
    expect(p.errors.alpha).toMatch(/^Stop fraction '2h' is out of range: expected 0 < limit < Ps·S\/B = 18.2 min/);
  });
});

describe('units the page reads as an operator means them', () => {
  test('64gb in the memory field is an error suggesting 64GB, 64GiB or 64Gbit, never gigabits', () => {
    const p = parseView({ ...DEFAULT_STATE, pages: '64gb', pageSize: '4KiB' });
    expect(p.input).toBeUndefined();
    expect(p.errors.pages).toMatch(/^Memory '64gb' is not a size: expected '64GB', '64GiB' or '64Gbit'/);
  });
  test('4.096e3 in the memory field is 4096 pages, not 4096 bytes', () => {
    expect(parseView({ ...DEFAULT_STATE, pages: '4.096e3' }).input?.pages).toBe(4096);
  });
  test('1e-3 and 0.1% are alpha 0.001, not a duration', () => {
    expect(parseView({ ...DEFAULT_STATE, alpha: '1e-3' }).input?.alpha).toBe(0.001);
    expect(parseView({ ...DEFAULT_STATE, alpha: '0.1%' }).input?.alpha).toBe(0.001);
  });
  test('40% is a utilisation limit of 0.4', () => {
    expect(parseView({ ...DEFAULT_STATE, maxUtilization: '40%' }).maxUtilization).toBe(0.4);
  });
  test('every field says what it understood: 64GiB of 4KiB pages is 16,777,216 pages of 4,096 B', () => {
    const p = parseView({ ...DEFAULT_STATE, pages: '64GiB', pageSize: '4KiB' });
    expect(p.understood.pages).toBe('= 16,777,216 pages of 4,096 B (64 GiB)');
    expect(p.understood.pageSize).toBe('= 4,096 B (x86)');
    // 2^36 / 2^12 = 2^24 = 16,777,216 pages.
    expect(p.input?.pages).toBe(2 ** 24);
  });
  test('hot rates follow the dirty rate by default: Dh = 2 D, Dnh = 0.9 D (Table 2 proportions)', () => {
    const p = parseView({ ...DEFAULT_STATE, dirtyRate: '200MB/s', pageSize: '4KiB', pages: '64GiB' });
    // 2e8 B/s / 4096 B = 48828.125 pages/s.
    expect(p.input?.dirtyPagesPerSecond).toBe(48828.125);
    expect(p.input?.hotDirtyPagesPerSecond).toBe(2 * 48828.125);
    expect(p.input?.coldDirtyPagesPerSecond).toBe(0.9 * 48828.125);
    const own = parseView({ ...DEFAULT_STATE, dirtyRate: '200MB/s', hotRates: 'own' });
    expect(own.input?.hotDirtyPagesPerSecond).toBe(4);
  });
});

describe('sliders', () => {
  for (const f of FIELDS) {
    fcTest.prop({ t: fc.double({ min: 0, max: 1, noNaN: true }) }, SEED)(
      `every ${f.key} slider position gives text the schema accepts`,
      ({ t }) => {
        const s = f.slider;
        const text = s.toText(s.min + t * (s.max - s.min));
        const parsed = parseView({ ...DEFAULT_STATE, [f.key]: text });
        expect(parsed.errors).toEqual({});
        expect(parsed.input).toBeDefined();
      },
    );
  }
});

describe('computed view', () => {
  const parsed = parseView(DEFAULT_STATE);
  const data = computeExplorer(parsed.resolved!);

  test('downtime never falls and gain never rises as alpha grows (paper, Section 7)', () => {
    for (const name of ['Uniform', 'Hot I', 'Hot II']) {
      const rows = data.alphaRows.filter((r) => r.case === name);
      expect(rows.length).toBeGreaterThan(ALPHA_GRID.length);
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.alpha).toBeGreaterThan(rows[i - 1]!.alpha);
        expect(rows[i]!.downtimeSeconds).toBeGreaterThanOrEqual(rows[i - 1]!.downtimeSeconds);
        expect(rows[i]!.gain!).toBeLessThanOrEqual(rows[i - 1]!.gain!);
      }
    }
  });

  test('the uniform staircase steps exactly at the band edges alpha = rho^k', () => {
    // rho = 2 * 16000/60000 = 8/15; alpha = rho^k gives n = k - 1 (Eq. 9 with equality), just below gives n = k.
    const rho = 2 * (16000 / 60000);
    const rows = data.alphaRows.filter((r) => r.case === 'Uniform');
    let edges = 0;
    for (let k = 1; rho ** k >= ALPHA_GRID[0]!; k++) {
      const at = rows.find((r) => r.alpha === rho ** k);
      const below = rows.find((r) => r.alpha === rho ** k * (1 - 1e-9));
      expect(at?.iterations).toBe(k - 1);
      expect(below?.iterations).toBe(k);
      expect(iterations(rho, rho ** k)).toBe(k - 1);
      edges += 1;
    }
    expect(edges).toBe(7); // (8/15)^7 = 0.0123 >= 0.01 > (8/15)^8 = 0.0066: edges k = 1..7 lie on the grid's range
  });

  test('HG rows exist for the chosen alpha and the paper three, and are finite', () => {
    const series = new Set(data.hotGainRows.map((r) => r.series));
    expect([...series]).toEqual(['chosen α', 'α = 0.1', 'α = 0.4', 'α = 0.7']);
    for (const r of data.hotGainRows) expect(Number.isFinite(r.hotGain)).toBe(true);
  });

  test('an infeasible utilisation limit is a warning in words, a feasible one a marked optimum', () => {
    expect(data.warnings.some((w) => /^Uniform: no α keeps network utilisation within 40%/.test(w))).toBe(true);
    const loose = computeExplorer(parseView({ ...DEFAULT_STATE, maxUtilization: '0.9' }).resolved!);
    expect(loose.marks.some((m) => m.kind === 'optimum')).toBe(true);
  });
});
