import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { chooseEncoding, staticResponse } from '../../src/server/static.js';

const root = mkdtempSync(join(tmpdir(), 'precopy-static-'));
mkdirSync(join(root, 'assets'));
// 20 KB of repetitive JavaScript: compresses well.
const js = 'export const x = 1;\n'.repeat(1000);
writeFileSync(join(root, 'assets', 'index-abc.js'), js);
writeFileSync(join(root, 'index.html'), `<!doctype html>${'<p>x</p>'.repeat(100)}`);
writeFileSync(join(root, 'assets', 'a.png'), Buffer.alloc(2000, 7));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('chooseEncoding', () => {
  test.each([
    ['br, gzip', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip;q=1, br;q=0', 'gzip'],
    ['identity', undefined],
    ['', undefined],
    [undefined, undefined],
    ['*', 'br'],
  ])('%j -> %s', (header, expected) => {
    expect(chooseEncoding(header)).toBe(expected);
  });
});

describe('staticResponse', () => {
  test('hashed JavaScript: brotli or gzip that decompress to the file, cached for a year', async () => {
    const br = (await staticResponse(root, '/assets/index-abc.js', 'gzip, br'))!;
    expect(br.headers['Content-Encoding']).toBe('br');
    expect(br.headers['Cache-Control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.Vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(js);
    expect(br.body.length).toBeLessThan(js.length / 10);
    const gz = (await staticResponse(root, '/assets/index-abc.js', 'gzip'))!;
    expect(gz.headers['Content-Encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(js);
    const plain = (await staticResponse(root, '/assets/index-abc.js', undefined))!;
    expect(plain.headers['Content-Encoding']).toBeUndefined();
    expect(Buffer.from(plain.body).toString()).toBe(js);
  });
  test('index.html is revalidated; images are not recompressed', async () => {
    const html = (await staticResponse(root, '/', 'br'))!;
    expect(html.headers['Cache-Control']).toBe('no-cache');
    expect(html.headers['Content-Encoding']).toBe('br');
    const png = (await staticResponse(root, '/assets/a.png', 'br'))!;
    expect(png.headers['Content-Encoding']).toBeUndefined();
    expect(png.body.length).toBe(2000);
  });
  test('a path outside the root is not found', async () => {
    expect(await staticResponse(root, '/../etc/passwd', 'br')).toBeUndefined();
  });
});
