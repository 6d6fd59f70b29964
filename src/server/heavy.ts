/**
 * Heavy requests off the event loop (issue 15): every route whose operation the registry marks `heavy`
 * (src/ops/index.ts) runs in its own worker thread, at most `maxConcurrent` at a time, each within `timeoutMs`.
 * A request over the cap gets a structured 503 at once; one over its time gets a structured 408 and its worker
 * is terminated (the work stops, its memory is freed). `close()` terminates every worker, so stopping the server
 * never waits for a computation.
 *
 * Why one fresh worker per request (the pattern of src/simulate/pool.ts, node:worker_threads, no dependency)
 * rather than a warm pool (piscina, tinypool): a request over its time must be stopped, and the only way to stop
 * synchronous work in a thread is to terminate the thread, after which a pool would start a new one anyway; a
 * finished worker also returns the memory of a large answer at once. The start of a worker (tens of ms from
 * dist/) is small next to a heavy request.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ApiErrorBody } from './api.js';
import { errorBody } from './api.js';

export interface HeavyOptions {
  /** Heavy requests running at once; more get 503 (default 2). */
  readonly maxConcurrent?: number;
  /** Time budget of one heavy request, ms (default 30 000); over it: 408 and the worker is terminated. */
  readonly timeoutMs?: number;
  /** Extra Node flags for the workers (tests running from src/ pass a TypeScript loader). */
  readonly execArgv?: readonly string[];
  /** The worker module; default ./heavy-worker.js next to this file. */
  readonly workerUrl?: URL;
}

export const DEFAULT_MAX_HEAVY = 2;
export const DEFAULT_HEAVY_TIMEOUT_MS = 30_000;

/** An answer: status and JSON, either as a value (errors of the runner) or as bytes made by the worker. */
export type HeavyAnswer =
  | { readonly status: number; readonly body: ApiErrorBody | object; readonly json?: undefined }
  | { readonly status: number; readonly json: Uint8Array; readonly body?: undefined };

export class HeavyRunner {
  readonly maxConcurrent: number;
  readonly timeoutMs: number;
  private readonly execArgv: readonly string[] | undefined;
  private readonly workerUrl: URL;
  private readonly running = new Set<Worker>();
  private readonly started = new Set<Worker>();
  private closed = false;

  constructor(options: HeavyOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_HEAVY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HEAVY_TIMEOUT_MS;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1 || this.maxConcurrent > 64) {
      throw new RangeError(`maxConcurrent ${this.maxConcurrent} must be a whole number from 1 to 64`);
    }
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs < 1 || this.timeoutMs > 3_600_000) {
      throw new RangeError(`timeoutMs ${this.timeoutMs} must be from 1 to 3600000`);
    }
    // Unset: the workers inherit this thread's Node flags (a TypeScript loader when run from src/).
    this.execArgv = options.execArgv;
    const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
    this.workerUrl = options.workerUrl ?? new URL(`./heavy-worker.${ext}`, import.meta.url);
  }

  /**
   * Whether workers can start: the module exists and, for a .ts module (running from src/), the Node flags
   * load a TypeScript loader. False under a test runner that transforms only its own thread: routes run inline.
   */
  available(): boolean {
    if (!existsSync(fileURLToPath(this.workerUrl))) return false;
    if (!this.workerUrl.pathname.endsWith('.ts')) return true;
    const flags = this.execArgv ?? process.execArgv;
    return flags.some((f) => /^--(import|loader|experimental-loader|experimental-strip-types)\b/.test(f));
  }

  /** Heavy requests running now (workers starting or computing). */
  get active(): number {
    return this.running.size;
  }

  /** Heavy requests whose worker has loaded its modules and is computing. */
  get computing(): number {
    return this.started.size;
  }

  /** Runs route `name` on `body` in a worker: the route's answer, or 503 (busy / closing), 408 (over time), 500. */
  run(name: string, body: unknown): Promise<HeavyAnswer> {
    if (this.closed) return Promise.resolve(busy('the server is stopping', 0));
    if (this.running.size >= this.maxConcurrent) {
      return Promise.resolve(
        busy(
          `${this.running.size} heavy requests (sweep, simulate, validate, fleet) are running, the most this server runs at once: retry shortly`,
          this.maxConcurrent,
        ),
      );
    }
    const worker = new Worker(this.workerUrl, this.execArgv ? { execArgv: [...this.execArgv] } : {});
    this.running.add(worker);
    return new Promise<HeavyAnswer>((resolve) => {
      let settled = false;
      const finish = (answer: HeavyAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(worker);
        this.started.delete(worker);
        void worker.terminate();
        resolve(answer);
      };
      const timer = setTimeout(() => {
        finish({
          status: 408,
          body: errorBody('timeout', [
            {
              code: 'timeout',
              path: [],
              value: this.timeoutMs,
              message: `the ${name} request took longer than ${this.timeoutMs} ms, this server's limit: it was stopped (ask for fewer points or pages, or use the command line)`,
            },
          ]),
        });
      }, this.timeoutMs);
      worker.on(
        'message',
        (m: { started?: true; ok?: boolean; status?: number; json?: Uint8Array; message?: string }) => {
          if (m.started) {
            if (!settled) this.started.add(worker);
            return;
          }
          if (m.ok) finish({ status: m.status!, json: m.json! });
          else finish(internal(m.message ?? 'worker failed'));
        },
      );
      worker.once('error', (e) => finish(internal(e.message)));
      worker.once('exit', (code) =>
        finish(this.closed ? busy('the server is stopping', 0) : internal(`worker exited (${code})`)),
      );
      worker.postMessage({ name, body });
    });
  }

  /** Terminates every running worker (their requests get 503) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((w) => w.terminate()));
    this.running.clear();
    this.started.clear();
  }
}

function busy(message: string, limit: number): HeavyAnswer {
  return {
    status: 503,
    body: errorBody('busy', [{ code: 'busy', path: [], ...(limit ? { value: limit } : {}), message }]),
  };
}

function internal(message: string): HeavyAnswer {
  return {
    status: 500,
    body: errorBody('internal_error', [{ code: 'internal_error', path: [], message: `internal error: ${message}` }]),
  };
}
