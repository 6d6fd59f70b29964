/**
 * The explorer's static files (the built page in dist/web): GET only, confined to one directory, with content
 * types for what Vite emits. Hashed assets are cached for a year; index.html is revalidated.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** A file of `root` for a URL path, or undefined when there is none (or the path leaves the root). */
export async function readStatic(
  root: string,
  urlPath: string,
): Promise<{ body: Uint8Array; type: string; immutable: boolean } | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = resolve(root);
  const file = resolve(join(base, normalize(rel)));
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  try {
    const s = await stat(file);
    if (!s.isFile()) return undefined;
    return {
      body: new Uint8Array(await readFile(file)),
      type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      immutable: rel.startsWith('/assets/'),
    };
  } catch {
    return undefined;
  }
}
