/**
 * A QMP client on node:net: JSON lines over a unix socket (QEMU's `-qmp unix:PATH,server=on,wait=off`).
 *
 * - Connect, read the greeting (`{"QMP": {"version": ..., "capabilities": [...]}}`), send `qmp_capabilities`.
 * - Commands carry numeric ids; each has its own timeout, so no call can hang. A reply that arrives after its
 *   timeout is dropped.
 * - Replies and events are validated with zod schemas after their keys have been mapped from QEMU's spelling
 *   (`dirty-sync-count`, `calc_time`) to camelCase (`dirtySyncCount`) by {@link fromQemuKeys}; arguments go
 *   the other way through {@link toQemuKeys}. These two functions are the only place where names are mapped.
 * - Errors are {@link QmpError} with a `kind`: `connect`, `timeout`, `disconnected`, `qemu` (QEMU's own
 *   `{"error": {"class", "desc"}}`), `protocol` (not JSON, or a reply that does not match its schema).
 */
import net from 'node:net';
import { z } from 'zod';
import { isLoopbackHost } from '../../format/host.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../format/json.js';

export { isLoopbackHost } from '../../format/host.js';
export { jsonDepth } from '../../format/json.js';

/** What went wrong talking to QEMU. */
export type QmpErrorKind = 'connect' | 'timeout' | 'disconnected' | 'qemu' | 'protocol';

/** An error from the QMP client; `qemuClass` is QEMU's error class (e.g. `GenericError`) for kind `qemu`. */
export class QmpError extends Error {
  constructor(
    readonly kind: QmpErrorKind,
    message: string,
    readonly command?: string,
    readonly qemuClass?: string,
  ) {
    super(message);
    this.name = 'QmpError';
  }
}

/** `dirty-sync-count` -> `dirtySyncCount`, `calc_time` -> `calcTime`. */
function camel(key: string): string {
  return key.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `downtimeLimit` -> `downtime-limit`. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Maps every object key of a QEMU reply or event to camelCase, recursively (the one place names are mapped in). */
export function fromQemuKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromQemuKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[camel(k)] = fromQemuKeys(v);
    return out;
  }
  return value;
}

/** Maps camelCase argument keys to QEMU's hyphenated ones, recursively (`maxBandwidth` -> `max-bandwidth`). */
export function toQemuKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toQemuKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[kebab(k)] = toQemuKeys(v);
    return out;
  }
  return value;
}

const greetingSchema = z.object({
  qmp: z.object({
    version: z.object({
      qemu: z.object({ major: z.number(), minor: z.number(), micro: z.number() }),
      package: z.string().optional(),
    }),
    capabilities: z.array(z.string()),
  }),
});
export type QmpGreeting = z.infer<typeof greetingSchema>['qmp'];

/** An asynchronous QEMU event, keys in camelCase. */
export interface QmpEvent {
  readonly event: string;
  readonly data: unknown;
  /** Seconds since the epoch, from QEMU's timestamp. */
  readonly timestampSeconds: number;
}

const eventSchema = z.object({
  event: z.string(),
  data: z.unknown().optional(),
  timestamp: z.object({ seconds: z.number(), microseconds: z.number() }).optional(),
});

const replySchema = z.union([
  z.object({ return: z.unknown(), id: z.unknown().optional() }),
  z.object({ error: z.object({ class: z.string(), desc: z.string() }), id: z.unknown().optional() }),
]);

export interface QmpConnectOptions {
  /** Limit for connecting and reading the greeting, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Default limit per command, ms. Default 10000. */
  readonly commandTimeoutMs?: number;
  /** Accept a `tcp:HOST:PORT` address whose host is not a loopback name or address. Default false. */
  readonly allowRemote?: boolean;
}

/** Where a QMP server listens: a unix socket path, or a TCP host and port. */
export type QmpAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/**
 * Parses a QMP address: `tcp:HOST:PORT` (IPv6 hosts in brackets, `tcp:[::1]:4444`) is TCP; anything else is the
 * path of a unix socket, so `4444` means the file ./4444, never port 4444. TCP hosts must be loopback unless
 * `allowRemote` (QMP has no authentication: whoever reaches it controls the VM).
 * @throws QmpError kind `connect`, naming the address and what is expected
 * @example parseQmpAddress('tcp:127.0.0.1:4444') // {kind: 'tcp', host: '127.0.0.1', port: 4444}
 */
export function parseQmpAddress(text: string, options: { allowRemote?: boolean } = {}): QmpAddress {
  const shown = JSON.stringify(String(text).slice(0, 200));
  if (typeof text !== 'string' || text === '') {
    throw new QmpError('connect', `QMP address ${shown} is empty: expected a socket path or tcp:HOST:PORT`);
  }
  if (text.includes('\0')) throw new QmpError('connect', `QMP address ${shown} holds a NUL byte`);
  if (!text.startsWith('tcp:')) return { kind: 'unix', path: text };
  const m = /^tcp:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m ? (m[1] ?? m[2]!) : '';
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535) || (m[1] !== undefined && !net.isIPv6(host))) {
    throw new QmpError(
      'connect',
      `QMP address ${shown} is not tcp:HOST:PORT (port 1 to 65535; IPv6 hosts in brackets, tcp:[::1]:4444)`,
    );
  }
  if (!options.allowRemote && !isLoopbackHost(host)) {
    throw new QmpError(
      'connect',
      `QMP address ${shown} is not on this machine: expected a loopback host (localhost, 127.0.0.1, ::1) unless remote QMP is allowed`,
    );
  }
  return { kind: 'tcp', host, port };
}

/** How deep a JSON value from the peer may nest (QEMU's replies nest fewer than 10 levels). */
export const MAX_QMP_DEPTH = MAX_JSON_DEPTH;
/** Longest line accepted from the peer, characters (QEMU's largest reply, query-qmp-schema, is about 200 kB). */
export const MAX_QMP_LINE = 2 ** 20;

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (e: QmpError) => void;
  timer: NodeJS.Timeout;
}

/** A connected QMP session. Create with {@link QmpClient.connect}; always {@link QmpClient.close} it. */
export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private readonly closeListeners = new Set<(e: QmpError) => void>();
  private closedError: QmpError | undefined;
  private greetingWaiter: ((line: unknown) => void) | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly path: string,
    private readonly commandTimeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.shutdown(new QmpError('disconnected', `QMP socket ${path}: ${e.message}`)));
    socket.on('close', () => this.shutdown(new QmpError('disconnected', `QMP socket ${path} closed by QEMU`)));
  }

  /** QEMU's greeting (version and capabilities). */
  greeting!: QmpGreeting;

  /**
   * Connects to a QMP server (a unix socket path, or `tcp:HOST:PORT`: see {@link parseQmpAddress}), reads the
   * greeting and negotiates capabilities.
   * @throws QmpError kind `connect` (bad address, no socket, refused, no greeting in time) or `protocol`
   */
  static async connect(address: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const a = parseQmpAddress(address, options);
    const path = a.kind === 'unix' ? a.path : `tcp:${a.host}:${a.port}`;
    // Always an options object: net.connect('4444') would read a numeric string as a TCP port.
    const socket = a.kind === 'unix' ? net.connect({ path: a.path }) : net.connect({ host: a.host, port: a.port });
    const client = new QmpClient(socket, path, options.commandTimeoutMs ?? 10_000);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new QmpError(
                'connect',
                `no QMP greeting from ${path} within ${connectTimeoutMs} ms (QEMU serves one client per QMP socket: is another one connected?)`,
              ),
            ),
          connectTimeoutMs,
        );
        const fail = (e: Error) => {
          clearTimeout(timer);
          reject(new QmpError('connect', `cannot connect to QMP socket ${path}: ${e.message}`));
        };
        socket.once('error', fail);
        // A peer that breaks the protocol before greeting (too deep, too long, not JSON) fails the connect now.
        // (Socket errors and hang-ups keep their own paths: `fail` above, and the capabilities command.)
        const onClose = (e: QmpError) => {
          if (e.kind !== 'protocol') return;
          clearTimeout(timer);
          reject(e);
        };
        client.closeListeners.add(onClose);
        client.greetingWaiter = (line) => {
          clearTimeout(timer);
          client.closeListeners.delete(onClose);
          socket.off('error', fail);
          const g = greetingSchema.safeParse(fromQemuKeysTop(line));
          if (!g.success)
            reject(new QmpError('protocol', `${path} did not greet like QMP: ${JSON.stringify(line).slice(0, 120)}`));
          else {
            client.greeting = g.data.qmp;
            resolve();
          }
        };
      });
      await client.execute('qmp_capabilities', undefined, z.unknown(), connectTimeoutMs);
      return client;
    } catch (e) {
      client.close();
      if (e instanceof QmpError && e.kind === 'disconnected') {
        throw new QmpError('connect', `QMP socket ${path} closed during the handshake`);
      }
      throw e;
    }
  }

  /**
   * Runs a command and validates its (camelCased) `return` with `schema`.
   * @param args camelCase keys, mapped to QEMU's spelling
   * @throws QmpError kind `qemu` (QEMU refused), `timeout`, `disconnected` or `protocol`
   */
  execute<T>(
    command: string,
    args: Record<string, unknown> | undefined,
    schema: z.ZodType<T>,
    timeoutMs?: number,
  ): Promise<T> {
    if (this.closedError) return Promise.reject(new QmpError('disconnected', this.closedError.message, command));
    const id = this.nextId++;
    const limit = timeoutMs ?? this.commandTimeoutMs;
    const message: Record<string, unknown> = { execute: command, id };
    if (args !== undefined) message.arguments = toQemuKeys(args);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpError('timeout', `QMP command ${command} got no reply within ${limit} ms`, command));
      }, limit);
      this.pending.set(id, { command, resolve, reject, timer });
      this.socket.write(`${JSON.stringify(message)}\n`);
    }).then((value) => {
      const r = schema.safeParse(value);
      if (!r.success) {
        throw new QmpError(
          'protocol',
          `unexpected reply to ${command}: ${r.error.issues[0]?.message ?? 'invalid'} at ${r.error.issues[0]?.path.join('.') ?? ''}`,
          command,
        );
      }
      return r.data;
    });
  }

  /** Calls `listener` for every event until the returned function is called. */
  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the next event named `name` (and matching `predicate`), or rejects after `timeoutMs`. */
  waitForEvent(name: string, timeoutMs: number, predicate: (e: QmpEvent) => boolean = () => true): Promise<QmpEvent> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const done = (f: () => void) => {
        clearTimeout(timer);
        off();
        this.closeListeners.delete(onClose);
        f();
      };
      const timer = setTimeout(
        () => done(() => reject(new QmpError('timeout', `no ${name} event within ${timeoutMs} ms`))),
        timeoutMs,
      );
      const off = this.onEvent((e) => {
        if (e.event === name && predicate(e)) done(() => resolve(e));
      });
      const onClose = (e: QmpError) => done(() => reject(e));
      this.closeListeners.add(onClose);
    });
  }

  /** True once the socket is gone. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Closes the connection; pending commands fail with kind `disconnected`. Idempotent. */
  close(): void {
    this.shutdown(new QmpError('disconnected', `QMP connection to ${this.path} closed`));
    this.socket.destroy();
  }

  private shutdown(error: QmpError): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new QmpError('disconnected', `${error.message} before ${p.command} replied`, p.command));
      this.pending.delete(id);
    }
    for (const l of [...this.closeListeners]) l(error);
    this.closeListeners.clear();
    this.listeners.clear();
  }

  /** Ends the session with a protocol error (one line, no stack) and drops the socket. */
  private fail(message: string): void {
    this.shutdown(new QmpError('protocol', message));
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    if (this.closedError) return;
    this.buffer += chunk;
    // Without a line break in the new chunk there is nothing to split: check the length only (scanning the
    // whole buffer on every chunk made an endless line cost quadratic time, about 1 MB/s).
    if (!chunk.includes('\n')) {
      if (this.buffer.length > MAX_QMP_LINE)
        this.fail(`QMP line from ${this.path} longer than ${MAX_QMP_LINE} characters`);
      return;
    }
    try {
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, i).trim();
        this.buffer = this.buffer.slice(i + 1);
        if (line.length > MAX_QMP_LINE) {
          this.fail(`QMP line from ${this.path} longer than ${MAX_QMP_LINE} characters`);
          return;
        }
        if (line !== '') this.onLine(line);
        if (this.closedError) return;
      }
      // What is left is an unfinished line: it may not grow past the limit either (an endless line).
      if (this.buffer.length > MAX_QMP_LINE) {
        this.fail(`QMP line from ${this.path} longer than ${MAX_QMP_LINE} characters`);
      }
    } catch (e) {
      // Whatever a malformed peer provokes ends the session with one line, never an uncaught exception.
      this.fail(`QMP from ${this.path} could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private onLine(line: string): void {
    if (jsonDepth(line) > MAX_QMP_DEPTH) {
      this.fail(`QMP from ${this.path} nests deeper than ${MAX_QMP_DEPTH} levels`);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.fail(`QMP from ${this.path} is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
      return;
    }
    if (this.greetingWaiter) {
      const w = this.greetingWaiter;
      this.greetingWaiter = undefined;
      w(msg);
      return;
    }
    const ev = eventSchema.safeParse(msg);
    if (ev.success) {
      const t = ev.data.timestamp;
      const event: QmpEvent = {
        event: ev.data.event,
        data: fromQemuKeys(ev.data.data),
        timestampSeconds: t ? t.seconds + t.microseconds / 1e6 : 0,
      };
      for (const l of [...this.listeners]) l(event);
      return;
    }
    const reply = replySchema.safeParse(msg);
    if (!reply.success) return; // not for us (QEMU sends nothing else; ignore rather than crash)
    const id = typeof reply.data.id === 'number' ? reply.data.id : -1;
    const p = this.pending.get(id);
    if (!p) return; // a reply after its timeout
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in reply.data) {
      const { class: cls, desc } = reply.data.error;
      p.reject(new QmpError('qemu', `QEMU refused ${p.command}: ${desc} (${cls})`, p.command, cls));
    } else {
      p.resolve(fromQemuKeys(reply.data.return));
    }
  }
}

/** The greeting's top-level `QMP` key, lower-cased so the schema reads it like any other key. */
function fromQemuKeysTop(line: unknown): unknown {
  if (line !== null && typeof line === 'object' && 'QMP' in line)
    return { qmp: fromQemuKeys((line as { QMP: unknown }).QMP) };
  return line;
}

// ---- Typed commands ----------------------------------------------------------------------------------------

const ramSchema = z.object({
  transferred: z.number(),
  remaining: z.number(),
  total: z.number(),
  duplicate: z.number(),
  normal: z.number(),
  normalBytes: z.number(),
  dirtyPagesRate: z.number(),
  mbps: z.number(),
  dirtySyncCount: z.number(),
  pageSize: z.number().optional(),
  pagesPerSecond: z.number().optional(),
  precopyBytes: z.number().optional(),
  downtimeBytes: z.number().optional(),
});

/** `query-migrate`, camelCased. Fields absent before a migration starts are optional. */
export const queryMigrateSchema = z.object({
  status: z.string().optional(),
  totalTime: z.number().optional(),
  setupTime: z.number().optional(),
  expectedDowntime: z.number().optional(),
  downtime: z.number().optional(),
  ram: ramSchema.optional(),
  cpuThrottlePercentage: z.number().optional(),
  errorDesc: z.string().optional(),
});
export type QueryMigrate = z.infer<typeof queryMigrateSchema>;

export const memorySizeSummarySchema = z.object({ baseMemory: z.number(), pluggedMemory: z.number().optional() });
export type MemorySizeSummary = z.infer<typeof memorySizeSummarySchema>;

/** `query-dirty-rate`: `dirtyRate` in MiB/s once `status` is `measured`. */
export const queryDirtyRateSchema = z.object({
  status: z.string(),
  dirtyRate: z.number().optional(),
  startTime: z.number().optional(),
  calcTime: z.number().optional(),
  samplePages: z.number().optional(),
  mode: z.string().optional(),
});
export type QueryDirtyRate = z.infer<typeof queryDirtyRateSchema>;

export const queryStatusSchema = z.object({ status: z.string(), running: z.boolean() });

/** `query-migrate-parameters` (the two knobs precopy sets, and the optional third). */
export const migrateParametersSchema = z.object({
  downtimeLimit: z.number().optional(),
  maxBandwidth: z.number().optional(),
  availSwitchoverBandwidth: z.number().optional(),
});

const empty = z.unknown();

/** The commands precopy uses, typed. */
export const qmp = {
  queryMigrate: (c: QmpClient) => c.execute('query-migrate', undefined, queryMigrateSchema),
  queryStatus: (c: QmpClient) => c.execute('query-status', undefined, queryStatusSchema),
  queryMemorySizeSummary: (c: QmpClient) => c.execute('query-memory-size-summary', undefined, memorySizeSummarySchema),
  queryMigrateParameters: (c: QmpClient) => c.execute('query-migrate-parameters', undefined, migrateParametersSchema),
  migrateSetParameters: (
    c: QmpClient,
    p: { downtimeLimit?: number; maxBandwidth?: number; availSwitchoverBandwidth?: number },
  ) => c.execute('migrate-set-parameters', p, empty),
  migrate: (c: QmpClient, uri: string) => c.execute('migrate', { uri }, empty),
  migrateCancel: (c: QmpClient) => c.execute('migrate_cancel', undefined, empty),
  calcDirtyRate: (c: QmpClient, calcTimeSeconds: number, samplePages = 512) =>
    c.execute('calc-dirty-rate', { calcTime: calcTimeSeconds, samplePages, mode: 'page-sampling' }, empty),
  queryDirtyRate: (c: QmpClient) => c.execute('query-dirty-rate', undefined, queryDirtyRateSchema),
  quit: (c: QmpClient) => c.execute('quit', undefined, empty),
};
