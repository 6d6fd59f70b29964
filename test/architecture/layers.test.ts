import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

/**
 * The layer guard of `npm run lint` (.dependency-cruiser.cjs) run on small trees laid out like the project:
 * it must pass a tree whose arrows point down and fail each kind of bad import, naming the rule.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes a tree (path -> the paths it imports) and runs the guard on it; returns the exit code and output. */
async function guard(tree: Record<string, string[]>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'precopy-layers-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), '{"compilerOptions": {"module": "nodenext", "allowJs": true}}\n');
  for (const [file, imports] of Object.entries(tree)) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    const lines = imports.map((to, i) => {
      let rel = join(dirname(file), '.')
        .split('/')
        .map(() => '..')
        .join('/');
      rel = `${rel}/${to.replace(/\.ts$/, '.js')}`;
      return `import { x as x${i} } from '${rel}';`;
    });
    writeFileSync(join(dir, file), `${lines.join('\n')}\nexport const x = 1;\n`);
  }
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [depcruise, 'src', 'web', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'],
      { cwd: dir },
    );
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: `${err.stdout}${err.stderr}` };
  }
}

/** A tree with every allowed arrow: edges -> ops -> engines -> bottom, and serve -> the server's entry. */
const GOOD: Record<string, string[]> = {
  'src/units/index.ts': [],
  'src/model/index.ts': ['src/units/index.ts'],
  'src/format/text.ts': [],
  'src/simulate/engine.ts': ['src/model/index.ts'],
  'src/report/charts.ts': ['src/simulate/engine.ts', 'src/format/text.ts'],
  'src/schema/index.ts': ['src/model/index.ts'],
  'src/ops/predict.ts': ['src/schema/index.ts', 'src/simulate/engine.ts'],
  'src/server/api.ts': ['src/ops/predict.ts'],
  'src/server/index.ts': ['src/server/api.ts'],
  'src/cli/commands/predict.ts': ['src/ops/predict.ts', 'src/format/text.ts'],
  'src/cli/commands/serve.ts': ['src/server/index.ts'],
  'web/src/App.ts': ['src/ops/predict.ts', 'src/model/index.ts'],
};

describe('layer guard (.dependency-cruiser.cjs)', () => {
  test('passes a tree whose arrows point down', async () => {
    const { code, out } = await guard(GOOD);
    expect(out).toContain('no dependency violations');
    expect(code).toBe(0);
  }, 60_000);

  test('fails each deliberate bad import, naming its rule', async () => {
    const bad: [string, string, string][] = [
      ['src/server/api.ts', 'src/cli/commands/predict.ts', 'server-imports-cli'],
      ['web/src/App.ts', 'src/server/api.ts', 'web-imports-edge'],
      ['src/cli/commands/predict.ts', 'src/server/api.ts', 'cli-imports-edge'],
      ['src/cli/commands/serve.ts', 'src/server/api.ts', 'serve-imports-server-entry-only'],
      ['src/ops/predict.ts', 'src/cli/commands/predict.ts', 'ops-imports-edge'],
      ['src/simulate/engine.ts', 'src/ops/predict.ts', 'engine-imports-up'],
      ['src/model/index.ts', 'src/simulate/engine.ts', 'bottom-imports-up'],
    ];
    const tree: Record<string, string[]> = {};
    for (const [file, imports] of Object.entries(GOOD)) tree[file] = [...imports];
    for (const [from, to] of bad) tree[from]!.push(to);
    const { code, out } = await guard(tree);
    expect(code).not.toBe(0);
    for (const [from, to, rule] of bad) expect(out).toContain(`${rule}: ${from} → ${to}`);
  }, 60_000);
});
