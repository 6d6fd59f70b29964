/**
 * Worker-thread entry of the heavy-request runner (./heavy.ts): receives one `{name, body}`, runs the route and
 * posts back `{status, json}` with the answer already serialised to UTF-8 bytes (transferred, not copied), so
 * neither the computation nor the JSON.stringify of a large answer runs on the server's event loop.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ROUTES } from './routes.js';

// Below the event loop's priority: on Linux a nice value is per thread (setpriority(2) on 0 is this thread), so
// the main thread keeps answering light requests at once when heavy ones fill every core.
try {
  setPriority(0, 10);
} catch {
  // not permitted or not supported: the pool's cap still bounds the load
}

parentPort?.once('message', async (m: { name: string; body: unknown }) => {
  parentPort?.postMessage({ started: true });
  try {
    const handler = ROUTES[m.name];
    if (!handler) throw new Error(`no route ${m.name}`);
    const result = await handler(m.body);
    const bytes = new TextEncoder().encode(JSON.stringify(result.body));
    parentPort?.postMessage({ ok: true, status: result.status, json: bytes }, [bytes.buffer]);
  } catch (e) {
    parentPort?.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
  }
});
