import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { threadCpuSeconds } from '../../src/hypervisor/qemu/harness/vm.js';

describe('threadCpuSeconds (the harness reads each QEMU thread CPU time from /proc)', () => {
  it('reads this process: its main thread by tid = pid, and its CPU time grows by a busy spell', () => {
    const before = threadCpuSeconds(process.pid).get(process.pid);
    expect(before).toBeDefined();
    expect(before!.seconds).toBeGreaterThanOrEqual(0);
    // 150 ms of wall time busy on this thread: at least 50 ms of it is CPU time even on a shared 2-core machine
    const end = performance.now() + 150;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const after = threadCpuSeconds(process.pid).get(process.pid)!;
    expect(Number.isFinite(x)).toBe(true);
    expect(after.name).toBe(before!.name);
    expect(after.seconds - before!.seconds).toBeGreaterThanOrEqual(0.05);
    expect(after.seconds - before!.seconds).toBeLessThanOrEqual(10);
  });

  it('is empty for a process that does not exist (a diagnostic, never an error)', () => {
    expect(threadCpuSeconds(2 ** 22 + 7).size).toBe(0);
  });
});
