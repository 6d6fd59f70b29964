/**
 * A scripted fake QMP server on a unix socket, for testing the client without QEMU. Each test gives a
 * `handle(command, args, conn)` that returns a reply (`{ return }` or `{ error }`), `'silent'` (never reply),
 * or `'hangup'` (close the connection); `conn.event(...)` pushes events, `conn.raw(...)` any text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeConn {
  event(name: string, data?: unknown): void;
  raw(text: string): void;
  end(): void;
}

export type Reply = { return: unknown } | { error: { class: string; desc: string } } | 'silent' | 'hangup';

export interface FakeQmp {
  readonly path: string;
  /** Every command received, in order, with its raw (QEMU-spelled) arguments. */
  readonly received: { execute: string; arguments?: unknown; id?: unknown }[];
  close(): Promise<void>;
}

export interface FakeOptions {
  greeting?: string | 'none';
  handle?: (command: string, args: unknown, conn: FakeConn) => Reply;
}

export const GREETING = JSON.stringify({
  QMP: { version: { qemu: { micro: 0, minor: 2, major: 7 }, package: 'Debian 1:7.2+dfsg-7' }, capabilities: ['oob'] },
});

export async function startFakeQmp(options: FakeOptions = {}): Promise<FakeQmp> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-qmp-'));
  const path = join(dir, 'qmp.sock');
  const received: FakeQmp['received'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    const conn: FakeConn = {
      event: (name, data) =>
        s.write(`${JSON.stringify({ event: name, data, timestamp: { seconds: 1700000000, microseconds: 500000 } })}\n`),
      raw: (text) => s.write(text),
      end: () => s.destroy(),
    };
    if (options.greeting !== 'none') s.write(`${options.greeting ?? GREETING}\n`);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const msg = JSON.parse(line) as { execute: string; arguments?: unknown; id?: unknown };
        received.push(msg);
        const reply: Reply =
          msg.execute === 'qmp_capabilities'
            ? { return: {} }
            : (options.handle?.(msg.execute, msg.arguments, conn) ?? { return: {} });
        if (reply === 'silent') continue;
        if (reply === 'hangup') {
          s.destroy();
          return;
        }
        s.write(`${JSON.stringify({ ...reply, id: msg.id })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
