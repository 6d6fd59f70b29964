/**
 * The explorer's static files (the built page in dist/web): GET only, confined to one directory, with content
 * types for what Vite emits. Hashed assets are cached for a year; index.html is revalidated. Text assets are
 * sent compressed (brotli, else gzip, as the client accepts), compressed once per file version and kept.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

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

/** A static file: its bytes, content type, whether it is a hashed (immutable) asset, its path and mtime. */
export interface StaticFile {
  readonly body: Uint8Array;
  readonly type: string;
  readonly immutable: boolean;
  readonly file: string;
  readonly mtimeMs: number;
}

/** A file of `root` for a URL path, or undefined when there is none (or the path leaves the root). */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
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
      file,
      mtimeMs: s.mtimeMs,
    };
  } catch {
    return undefined;
  }
}

/** Content types worth compressing (images other than SVG and fonts are compressed already). */
function compressible(type: string): boolean {
  return /^(text\/|application\/json|image\/svg\+xml)/.test(type);
}

/** The encoding to send for an Accept-Encoding header: brotli when accepted, else gzip, else none. */
export function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (n: string) => (accepted.get(n) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

const compressed = new Map<string, Promise<Uint8Array>>();
/** Compressed copies kept: one per file version and encoding (the page has a handful of files). */
const MAX_CACHED = 64;

export interface StaticResponse {
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
}

/**
 * A file of `root` as a response: body (compressed when the client accepts it and it is text), content type,
 * cache headers (a year and immutable for hashed assets, revalidate otherwise) and `Vary: Accept-Encoding`.
 */
export async function staticResponse(
  root: string,
  urlPath: string,
  acceptEncoding: string | undefined,
): Promise<StaticResponse | undefined> {
  const f = await readStatic(root, urlPath);
  if (!f) return undefined;
  const headers: Record<string, string> = {
    'Content-Type': f.type,
    'Cache-Control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  const encoding = compressible(f.type) && f.body.length > 512 ? chooseEncoding(acceptEncoding) : undefined;
  if (!compressible(f.type)) return { body: f.body, headers };
  headers.Vary = 'Accept-Encoding';
  if (!encoding) return { body: f.body, headers };
  const key = `${f.file}\0${f.mtimeMs}\0${f.body.length}\0${encoding}`;
  let z = compressed.get(key);
  if (!z) {
    if (compressed.size >= MAX_CACHED) compressed.clear();
    z =
      encoding === 'br'
        ? brotli(f.body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 10,
              [constants.BROTLI_PARAM_SIZE_HINT]: f.body.length,
            },
          }).then((b) => new Uint8Array(b))
        : gz(f.body, { level: 9 }).then((b) => new Uint8Array(b));
    compressed.set(key, z);
  }
  headers['Content-Encoding'] = encoding;
  return { body: await z, headers };
}
