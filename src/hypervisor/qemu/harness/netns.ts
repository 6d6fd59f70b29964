/**
 * A shaped network namespace for concurrent migrations (issue 13, point 4): `ip netns add`, its loopback up,
 * and a token bucket (`tc qdisc add dev lo root tbf`) on that loopback, so every source and destination QEMU
 * started inside it (`ip netns exec`) migrates over 127.0.0.1 through one bottleneck. Removing the namespace
 * removes its loopback and the qdisc with it; {@link ShapedNamespace.remove} deletes it and checks it is gone.
 * Namespaces still present when the process exits or is interrupted are deleted on the way out, by name.
 * Needs root (CAP_NET_ADMIN) and iproute2.
 */
import { execFile, execFileSync } from 'node:child_process';

/** Runs a command with a time limit; rejects with its stderr. */
function run(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

const live = new Set<string>();
let hooked = false;
function deleteLive(): void {
  for (const name of live) {
    try {
      execFileSync('ip', ['netns', 'delete', name], { timeout: 5000, stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
function onSignal(signal: NodeJS.Signals): void {
  deleteLive();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  hooked = false;
  process.kill(process.pid, signal);
}

export interface ShapeOptions {
  /** Bottleneck rate, Mbit/s (1e6 bit/s), 1..100000. */
  readonly rateMbit: number;
  /** Token bucket size, bytes. Default max(256 KiB, 10 ms at the rate): lo carries 64 KiB GSO packets. */
  readonly burstBytes?: number;
}

export interface ShapedNamespace {
  readonly name: string;
  /** The shaped rate, bytes/s. */
  readonly bytesPerSecond: number;
  /** `tc -s qdisc show dev lo` inside the namespace (for the record). */
  qdisc(): Promise<string>;
  /**
   * TCP goodput through the shaped loopback, bytes/s: a Node process inside the namespace streams `bytes`
   * (default 32 MB) from a client to a server on 127.0.0.1 and times it from the first to the last byte
   * received (bounded: 60 s). TCP and the token bucket deliver somewhat less than the nominal rate.
   */
  goodput(bytes?: number): Promise<number>;
  /** Deletes the namespace (its loopback and qdisc go with it) and checks it is gone. Idempotent. */
  remove(): Promise<void>;
}

/** Streams argv[1] bytes over 127.0.0.1 and prints bytes/s between the first and the last byte received. */
const GOODPUT_SCRIPT = `
const net = require('node:net');
const total = Number(process.argv[1]);
let got = 0, t0 = 0;
const srv = net.createServer((s) => {
  s.on('data', (d) => {
    if (got === 0) t0 = process.hrtime.bigint();
    got += d.length;
    if (got >= total) {
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      process.stdout.write(String(total / dt));
      process.exit(0);
    }
  });
});
srv.listen(0, '127.0.0.1', () => {
  const c = net.connect(srv.address().port, '127.0.0.1', () => {
    const chunk = Buffer.alloc(1 << 16, 1);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!c.write(chunk)) return c.once('drain', pump);
      }
    };
    pump();
  });
});
setTimeout(() => process.exit(3), 55000);
`;

/** Namespaces of this process: `precopy-PID-N`. */
let counter = 0;

/** Does `ip netns list` show the name? */
export async function namespaceExists(name: string): Promise<boolean> {
  const out = await run('ip', ['netns', 'list']);
  return out.split('\n').some((l) => l.split(/\s/)[0] === name);
}

/**
 * Creates a namespace with its loopback up and shaped to `rateMbit`. On any failure the namespace is deleted
 * before the error propagates.
 */
export async function createShapedNamespace(o: ShapeOptions): Promise<ShapedNamespace> {
  if (!Number.isFinite(o.rateMbit) || o.rateMbit < 1 || o.rateMbit > 100_000) {
    throw new Error(`rateMbit ${o.rateMbit} is out of range: expected 1 to 100000 Mbit/s`);
  }
  const name = `precopy-${process.pid}-${counter++}`;
  const bytesPerSecond = (o.rateMbit * 1e6) / 8;
  const burst = Math.round(o.burstBytes ?? Math.max(256 * 1024, bytesPerSecond * 0.01));
  await run('ip', ['netns', 'add', name]);
  live.add(name);
  if (!hooked) {
    hooked = true;
    process.once('exit', deleteLive);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const remove = async () => {
    if (!live.has(name)) return;
    await run('ip', ['netns', 'delete', name]).catch(() => undefined);
    live.delete(name);
    if (await namespaceExists(name)) throw new Error(`network namespace ${name} is still there after ip netns delete`);
  };
  try {
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    await run('ip', [
      'netns',
      'exec',
      name,
      'tc',
      'qdisc',
      'add',
      'dev',
      'lo',
      'root',
      'tbf',
      'rate',
      `${o.rateMbit}mbit`,
      'burst',
      String(burst),
      'latency',
      '100ms',
    ]);
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    name,
    bytesPerSecond,
    qdisc: () => run('ip', ['netns', 'exec', name, 'tc', '-s', 'qdisc', 'show', 'dev', 'lo']),
    goodput: async (bytes = 32e6) => {
      const out = await run(
        'ip',
        ['netns', 'exec', name, process.execPath, '-e', GOODPUT_SCRIPT, String(bytes)],
        60_000,
      );
      const v = Number(out.trim());
      if (!Number.isFinite(v) || v <= 0) throw new Error(`goodput measurement in ${name} printed '${out.trim()}'`);
      return v;
    },
    remove,
  };
}
