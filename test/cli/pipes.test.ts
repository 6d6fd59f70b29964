/**
 * Output pipes (issue 15): `precopy sweep ... | head -1` printed an EPIPE stack trace and `> /dev/full` an ENOSPC
 * one. Now a reader that goes away ends the command quietly with status 0 and a full device is one line, exit 2.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { outputErrorExit } from '../../src/cli/main.js';

const TS = ['--import', new URL('../support/ts-register.mjs', import.meta.url).href];
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
/** 49,000 rows of csv, far more than a pipe buffer holds: the writer meets the closed pipe. */
const SWEEP = ['sweep', '--preset', 'paper', '--alpha', '0.01:0.5:0.00001'];

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('CLI output pipes', () => {
  test('the mapping: EPIPE quiet 0, ENOSPC one line naming the reason and exit 2', () => {
    expect(outputErrorExit(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 'stdout')).toEqual({ code: 0 });
    const full = outputErrorExit(Object.assign(new Error('ENOSPC: no space'), { code: 'ENOSPC' }), 'stdout');
    expect(full.code).toBe(2);
    expect(full.line).toBe(
      'precopy: cannot write the output (standard output): no space left on the device (ENOSPC)\n',
    );
  });

  test('sweep | head -1 ends with status 0 and nothing on stderr; > /dev/full is one line and exit 2', async () => {
    const head = spawn(process.execPath, [...TS, MAIN, ...SWEEP], { stdio: ['ignore', 'pipe', 'pipe'] });
    let firstLine = '';
    let headErr = '';
    head.stderr!.on('data', (d) => {
      headErr += String(d);
    });
    head.stdout!.on('data', (d) => {
      if (!firstLine) {
        firstLine = String(d).split('\n')[0]!;
        head.stdout!.destroy(); // what `head -1` does after its line
      }
    });
    const runs: Promise<void>[] = [
      exitOf(head).then((code) => {
        expect(firstLine).toMatch(/^pages,pageSizeBytes,/);
        expect(headErr).toBe('');
        expect(code).toBe(0);
      }),
    ];
    if (existsSync('/dev/full')) {
      const fd = openSync('/dev/full', 'w');
      const full = spawn(process.execPath, [...TS, MAIN, ...SWEEP], { stdio: ['ignore', fd, 'pipe'] });
      closeSync(fd);
      let err = '';
      full.stderr!.on('data', (d) => {
        err += String(d);
      });
      runs.push(
        exitOf(full).then((code) => {
          expect(code).toBe(2);
          expect(err).toBe(
            'precopy: cannot write the output (standard output): no space left on the device (ENOSPC)\n',
          );
        }),
      );
    }
    await Promise.all(runs);
  }, 120_000);
});
