import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readdirSync } from 'node:fs';
const { startServer } = await import(pathToFileURL(resolve('dist/server/index.js')).href);
const server = await startServer({ port: 0, host: '127.0.0.1', staticDir: resolve('dist/web') });
const js = readdirSync('dist/web/assets').find((f) => f.startsWith('index') && f.endsWith('.js'));
for (const p of ['/', `/assets/${js}`]) {
  const r = await fetch(server.url.replace(/\/$/, '') + p, { headers: { 'accept-encoding': 'br, gzip' } });
  const b = await r.arrayBuffer();
  console.log(p, r.status, r.headers.get('content-encoding'), r.headers.get('content-length'), r.headers.get('cache-control'), r.headers.get('vary'), b.byteLength);
}
await server.close();
