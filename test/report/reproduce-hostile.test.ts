/**
 * `reproduce --out` against hostile targets (issue 15): each is a one-line ReproduceError naming the path and
 * the reason, raised before any chart is rendered; the folder gets the umask's mode; SIGINT leaves no temp folder.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ReproduceError, reproduce } from '../../src/report/reproduce.js';

const dir = mkdtempSync(join(tmpdir(), 'precopy-repro-hostile-'));
afterAll(() => {
  if (existsSync(join(dir, 'ro'))) chmodSync(join(dir, 'ro'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(outDir: string): Promise<ReproduceError> {
  const t0 = Date.now();
  try {
    await reproduce({ outDir, png: false });
  } catch (e) {
    // refused before rendering: the whole reproduction takes tens of seconds
    expect(Date.now() - t0).toBeLessThan(2000);
    if (e instanceof ReproduceError) return e;
    throw e;
  }
  throw new Error(`reproduce into ${outDir} did not fail`);
}

describe('reproduce --out refusals are one line with path and reason', () => {
  test('a file', async () => {
    const f = join(dir, 'a-file');
    writeFileSync(f, 'x');
    const e = await refusal(f);
    expect(e.message).toBe(`--out '${f}' exists and is not a folder`);
    expect([e.path, e.reason]).toEqual([f, 'not a folder']);
  });
  test('/dev/null', async () => {
    expect((await refusal('/dev/null')).message).toBe("--out '/dev/null' exists and is not a folder");
  });
  test('/proc and a folder inside it', async () => {
    expect((await refusal('/proc')).reason).toBe('a non-empty folder not written by precopy reproduce');
    const e = await refusal('/proc/precopy-out');
    expect(e.message).toMatch(/^cannot create a folder in '\/proc': /);
    expect(e.message.split('\n')).toHaveLength(1);
  });
  test('a read-only folder', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    // root ignores mode bits: then a read-only system folder (sysfs) stands in for it
    const parent = process.getuid?.() === 0 ? '/sys/fs' : ro;
    const e = await refusal(join(parent, 'out'));
    expect(e.message).toMatch(
      new RegExp(
        `^cannot create a folder in '${parent}': (permission denied \\(EACCES\\)|operation not permitted \\(EPERM\\)|read-only file system \\(EROFS\\))$`,
      ),
    );
  });
  test('a symbolic link loop', async () => {
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    expect((await refusal(loop)).message).toBe(`--out '${loop}' is a symbolic link: give a folder path`);
    const e = await refusal(join(loop, 'out'));
    expect(e.reason).toBe('too many levels of symbolic links (ELOOP)');
  });
  test('--out . (and a parent of the current folder) is refused', async () => {
    const here = process.cwd();
    expect((await refusal('.')).reason).toBe('holds the current folder');
    expect((await refusal('..')).reason).toBe('holds the current folder');
    expect(process.cwd()).toBe(here);
  });
});

describe('interrupts and modes', () => {
  test('SIGINT during the work leaves no temp folder, and the temp folder has the umask mode', async () => {
    const out = join(dir, 'interrupted');
    const script = `
      process.umask(0o027);
      const { reproduce } = await import('./src/report/reproduce.ts');
      reproduce({ outDir: ${JSON.stringify(out)}, png: true });
    `;
    const child = spawn(
      process.execPath,
      ['--import', new URL('../support/ts-register.mjs', import.meta.url).href, '--input-type=module', '-e', script],
      { stdio: 'ignore' },
    );
    const exited = new Promise<string>((done) => child.once('exit', (c, s) => done(s ?? String(c))));
    let tmp: string | undefined;
    for (let i = 0; i < 600 && !tmp; i++) {
      await new Promise((r) => setTimeout(r, 100));
      tmp = readdirSync(dir).find((n) => n.startsWith('.interrupted.tmp-'));
    }
    expect(tmp).toBeDefined();
    // 0777 & ~027 = 0750 (mkdtemp gave 0700 whatever the umask)
    expect(statSync(join(dir, tmp!)).mode & 0o777).toBe(0o750);
    child.kill('SIGINT');
    // ended as interrupted: by the signal itself, or status 130 (128 + SIGINT) as Node reports it
    expect(['SIGINT', '130']).toContain(await exited);
    expect(readdirSync(dir).filter((n) => n.startsWith('.interrupted'))).toEqual([]);
  }, 90_000);
});
