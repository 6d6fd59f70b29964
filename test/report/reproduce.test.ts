import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FIGURE_IDS } from '../../src/report/figures.js';
import { MARKER_FILE, ReproduceError, reproduce } from '../../src/report/reproduce.js';
import { cli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'precopy-repro-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reproduce', () => {
  test('writes the 7 figures (SVG, PNG, CSV, both grids), Table 3 in three formats, the report and the errata', async () => {
    const out = join(root, 'a');
    const r = await reproduce({ outDir: out });
    const files = readdirSync(out);
    for (const id of FIGURE_IDS) {
      for (const ext of ['svg', 'png', 'csv']) {
        expect(files).toContain(`${id}.${ext}`);
        expect(files).toContain(`${id}-fine.${ext}`);
      }
    }
    for (const f of ['table3.md', 'table3.csv', 'table3.json', 'report.md', 'errata.md', MARKER_FILE])
      expect(files).toContain(f);
    expect(r.files.length).toBe(files.length - 1); // all but the marker
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    for (const id of FIGURE_IDS) expect(report).toContain(`](${id}.svg)`);
    expect(report).toContain('## Closing note');
    const json = JSON.parse(readFileSync(join(out, 'table3.json'), 'utf8')) as { rows: unknown[] };
    expect(json.rows).toHaveLength(12);
    expect(readFileSync(join(out, 'table3.csv'), 'utf8')).not.toMatch(/NaN|Infinity/);
    // nothing left next to the target
    expect(readdirSync(root).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
  test('replaces a previous reproduction with the same bytes (deterministic), refuses a foreign folder untouched', async () => {
    const out = join(root, 'b');
    await reproduce({ outDir: out, png: false });
    const first = new Map(readdirSync(out).map((f) => [f, readFileSync(join(out, f))]));
    writeFileSync(join(out, 'stale.txt'), 'old');
    await reproduce({ outDir: out, png: false });
    expect(existsSync(join(out, 'stale.txt'))).toBe(false);
    expect([...readdirSync(out)].sort()).toEqual([...first.keys()].sort());
    for (const [f, bytes] of first) expect(readFileSync(join(out, f)).equals(bytes)).toBe(true);
    const foreign = join(root, 'c');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'mine.txt'), 'keep');
    await expect(reproduce({ outDir: foreign, png: false })).rejects.toThrow(ReproduceError);
    expect(readdirSync(foreign)).toEqual(['mine.txt']);
  });
  test('CLI: precopy reproduce --out DIR --no-png prints one line; a foreign folder is a one-line error, exit 2', async () => {
    const out = join(root, 'e');
    const ok = await cli('reproduce', '--out', out, '--no-png');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^wrote \d+ files to .*e \(report: .*report\.md\)\n$/);
    const foreign = join(root, 'f');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'x'), '');
    const bad = await cli('reproduce', '--out', foreign);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^precopy: --out '.*f' is a non-empty folder not written by precopy reproduce: expected/,
    );
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
