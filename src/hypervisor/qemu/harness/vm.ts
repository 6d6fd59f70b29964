/**
 * One QEMU process of the validation harness: started with spawn, known by its pid, stopped by that pid
 * (SIGTERM, then SIGKILL after a bounded wait). Every wait here has a time limit.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const QEMU_BINARY = 'qemu-system-x86_64';

/** The guest a VM boots: kernel, initramfs, and the workload on the kernel command line. */
export interface GuestImage {
  readonly kernel: string;
  readonly initrd: string;
}

/** The dirtier's workload (read by the guest's /init from the kernel command line). */
export interface Workload {
  /** Buffer the dirtier fills and writes into, MiB. */
  readonly bufferMiB: number;
  /** Page writes per second (0 = fill and idle). */
  readonly pagesPerSecond: number;
  readonly mode: 'seq' | 'rand';
}

export interface VmOptions {
  readonly name: string;
  /** A directory for the QMP socket, serial log and stderr. */
  readonly dir: string;
  readonly guest: GuestImage;
  readonly workload: Workload;
  readonly memoryMiB: number;
  /** Start as a migration destination listening on 127.0.0.1:PORT. */
  readonly incomingPort?: number;
  /** The accelerator: `tcg` (default) or `kvm` (check {@link detectKvm} first). */
  readonly accel?: Accelerator;
  /** Run inside this network namespace (`ip netns exec NAME qemu-system-x86_64 ...`, which execs QEMU itself). */
  readonly netns?: string;
}

/** QEMU's accelerator for the harness's guests. */
export type Accelerator = 'tcg' | 'kvm';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when `check()` is true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, stepMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** Is qemu-system-x86_64 on the PATH? Returns its version line, or undefined. */
export function qemuVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(QEMU_BINARY, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      resolve(err ? undefined : stdout.split('\n')[0]);
    });
  });
}

/** A free TCP port on 127.0.0.1 (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Safety net: the pids of QEMU processes still running. If the harness's process exits (or is interrupted)
 * before a Vm was stopped normally (a test timed out mid-migration), they are killed by pid on the way out,
 * so no QEMU outlives the run.
 */
const live = new Map<number, ChildProcess>();
let netInstalled = false;
function killLive(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}
function onSignal(signal: NodeJS.Signals): void {
  killLive();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  netInstalled = false;
  process.kill(process.pid, signal);
}
function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  live.set(child.pid, child);
  child.once('exit', () => live.delete(child.pid!));
  if (!netInstalled) {
    netInstalled = true;
    process.once('exit', killLive);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}

/** A running QEMU process. */
export class Vm {
  readonly qmpPath: string;
  readonly serialPath: string;
  private stderr = '';
  private exited = false;
  private exitCode: number | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    dir: string,
  ) {
    this.qmpPath = join(dir, `${name}.qmp`);
    this.serialPath = join(dir, `${name}.serial`);
    child.stderr?.on('data', (d: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += d.toString();
    });
    child.on('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
    });
  }

  /** The process id (every process the harness starts is stopped by it). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Starts QEMU under TCG with a QMP socket and a serial log; waits (bounded) for the QMP socket. */
  static async start(o: VmOptions): Promise<Vm> {
    const append = [
      'console=ttyS0',
      'pti=on', // avoids QEMU 7.2's TCG dirty-bitmap coherency bug (fixed upstream in 9.0)
      'quiet',
      'panic=-1',
      `dirty.mib=${o.workload.bufferMiB}`,
      `dirty.rate=${o.workload.pagesPerSecond}`,
      `dirty.mode=${o.workload.mode}`,
    ].join(' ');
    const qmpPath = join(o.dir, `${o.name}.qmp`);
    const serialPath = join(o.dir, `${o.name}.serial`);
    const args = [
      '-accel',
      o.accel ?? 'tcg',
      ...(o.accel === 'kvm' ? ['-cpu', 'host'] : []),
      '-m',
      String(o.memoryMiB),
      '-smp',
      '1',
      '-nodefaults',
      '-no-user-config',
      // Named threads ("CPU 0/TCG", "live_migration", ...) so a harness can read each one's CPU time in /proc.
      '-name',
      `${o.name},debug-threads=on`,
      '-vga',
      'none',
      '-display',
      'none',
      '-kernel',
      o.guest.kernel,
      '-initrd',
      o.guest.initrd,
      '-append',
      append,
      '-serial',
      `file:${serialPath}`,
      '-qmp',
      `unix:${qmpPath},server=on,wait=off`,
    ];
    if (o.incomingPort !== undefined) args.push('-incoming', `tcp:127.0.0.1:${o.incomingPort}`);
    // `ip netns exec` enters the namespace and execs QEMU (no fork), so the child's pid is QEMU's own.
    const child =
      o.netns === undefined
        ? spawn(QEMU_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] })
        : spawn('ip', ['netns', 'exec', o.netns, QEMU_BINARY, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    track(child);
    const vm = new Vm(o.name, child, o.dir);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) {
      throw new Error(
        `cannot start ${QEMU_BINARY}: ${spawned.message} (install it with scripts/install-qemu-deps.sh: apt-get install qemu-system-x86)`,
      );
    }
    try {
      await waitUntil(() => existsSync(qmpPath) || vm.exited, 15_000, `${o.name}'s QMP socket`);
      if (vm.exited) throw new Error(`${o.name} exited with code ${vm.exitCode}: ${vm.stderr.trim().slice(0, 500)}`);
    } catch (e) {
      await vm.stop();
      throw e;
    }
    return vm;
  }

  /** The serial console so far. */
  serial(): string {
    try {
      return readFileSync(this.serialPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Waits (bounded) until the serial console shows `pattern`; fails early if QEMU exits. */
  async waitForSerial(pattern: RegExp, timeoutMs: number): Promise<void> {
    await waitUntil(
      () => pattern.test(this.serial()) || this.exited,
      timeoutMs,
      `${this.name} to print ${pattern}`,
      200,
    );
    if (this.exited)
      throw new Error(`${this.name} exited with code ${this.exitCode}: ${this.stderr.trim().slice(0, 500)}`);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Stops the process by its pid: SIGTERM, up to 5 s, then SIGKILL, up to 5 s more. Idempotent. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const end = Date.now() + 5000;
    while (!this.exited && Date.now() < end) await sleep(50);
    if (!this.exited) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        return;
      }
      const end2 = Date.now() + 5000;
      while (!this.exited && Date.now() < end2) await sleep(50);
    }
  }
}

/** Whether KVM can run the harness's guest here, and why (never judged by /dev/kvm's presence). */
export interface KvmCheck {
  readonly usable: boolean;
  readonly reason: string;
}

/** Does /proc/cpuinfo list hardware virtualisation (vmx: Intel VT-x, svm: AMD-V)? */
export function cpuHasVirtualisation(cpuinfo: string): boolean {
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
}

/**
 * Detects a usable KVM: the CPU's virtualisation flags (vmx/svm in /proc/cpuinfo) AND a KVM boot of the guest
 * that reaches user space (its /init prints GUEST-UP on the serial console) within `deadlineMs`. A /dev/kvm
 * without hardware virtualisation (a paravirtual device, as on these machines) fails the first test; a KVM
 * that cannot boot a stock kernel fails the second. The probe VM is stopped by pid whatever happens.
 */
export async function detectKvm(guest: GuestImage, dir: string, deadlineMs = 30_000): Promise<KvmCheck> {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return { usable: false, reason: '/proc/cpuinfo is not readable' };
  }
  if (!cpuHasVirtualisation(cpuinfo)) {
    return { usable: false, reason: 'the CPU flags list neither vmx nor svm (no hardware virtualisation)' };
  }
  let vm: Vm | undefined;
  try {
    vm = await Vm.start({
      name: 'kvm-probe',
      dir,
      guest,
      workload: { bufferMiB: 1, pagesPerSecond: 0, mode: 'seq' },
      memoryMiB: 128,
      accel: 'kvm',
    });
    await vm.waitForSerial(/GUEST-UP/, deadlineMs);
    return { usable: true, reason: `a KVM guest reached user space within ${deadlineMs} ms` };
  } catch (e) {
    return { usable: false, reason: `a KVM boot did not reach user space: ${(e as Error).message.slice(0, 200)}` };
  } finally {
    await vm?.stop();
  }
}

/** The accelerator to use: `kvm` only when asked for and usable, else `tcg`; with the reason. */
export async function chooseAccelerator(
  wanted: Accelerator | 'auto',
  guest: GuestImage,
  dir: string,
): Promise<{ accel: Accelerator; reason: string }> {
  if (wanted === 'tcg') return { accel: 'tcg', reason: 'tcg requested' };
  const k = await detectKvm(guest, dir);
  if (k.usable) return { accel: 'kvm', reason: k.reason };
  if (wanted === 'kvm') throw new Error(`kvm requested but not usable: ${k.reason}`);
  return { accel: 'tcg', reason: `kvm not usable (${k.reason}): tcg` };
}

/** CPU seconds of one thread of a process (`/proc/PID/task/TID/stat`), with its name (`comm`). */
export interface ThreadCpu {
  readonly name: string;
  readonly seconds: number;
}

/**
 * Each thread's CPU time (user + system) of process `pid`, by thread id, read from /proc (Linux; clock ticks of
 * 1/100 s, USER_HZ on every Linux architecture precopy runs on). QEMU names its threads with
 * `-name ...,debug-threads=on` ("CPU 0/TCG", "live_migration", the main loop under the binary's name). Empty
 * when /proc cannot be read (another OS, the process gone): a diagnostic, never an error.
 */
export function threadCpuSeconds(pid: number): Map<number, ThreadCpu> {
  const out = new Map<number, ThreadCpu>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids.slice(0, 4096)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces: the fields after the last ')' are fixed (utime 14, stime 15)
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const seconds = (Number(f[11]) + Number(f[12])) / 100;
      if (Number.isFinite(seconds)) out.set(Number(tid), { name, seconds });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
