/**
 * Real QEMU migrations (the CI subset of the validation grid): a calibration migration of the idle guest, then
 * two migrations whose measured figures must match precopy's predictions within the accuracy targets:
 * total time within 10 %, dirty-sync-count within 1, bytes sent within 5 %, downtime within max(20 ms, 25 %),
 * and the destination running afterwards. During the first migration advise's measurement (memory, page-sampled
 * dirty rate) and watch's progress (monotone, its prediction within the targets) run on the live source. Needs qemu-system-x86_64, a Debian kernel, busybox-static, gcc and
 * cpio (scripts/install-qemu-deps.sh); without them this test FAILS (it never skips). Then one concurrent scenario
 * (issue 13): two guests migrated at once inside a fresh network namespace whose loopback is shaped with tc
 * (needs root: ip netns, tc), compared with the fleet planner's prediction of that schedule (src/fleet
 * predictFleet; the fair-share stand-in is reported beside it); the namespace and every QEMU are gone
 * afterwards. About 2-3 minutes on a quiet machine.
 *
 * Total times are predicted with each migration's own QEMU setup-time (the model does not predict setup; the
 * calibration's, 0.95 s under load against 2-5 ms in the migrations themselves, inflated every prediction).
 * Tolerances come from the measured spread: the stable cells' total-time errors were at most 3.4 % on a quiet
 * machine and 8.0 % at load 2-4 (docs/qemu.md), hence 10 %; the concurrent scenario measured -1.3 % and
 * +4.4 % once the setup time was right, but TCP through a token bucket moved 44 of 50 MB/s at load 17, hence
 * 20 % per migration and for the makespan.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciGrid, GRID_BUFFER_MIB, markdownTable } from '../../src/hypervisor/qemu/harness/grid.js';
import {
  buildGuest,
  type Calibration,
  calibrate,
  type Comparison,
  validateCase,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { ciConcurrentScenario, concurrentTable, runConcurrent } from '../../src/hypervisor/qemu/harness/concurrent.js';
import { namespaceExists } from '../../src/hypervisor/qemu/harness/netns.js';
import { qemuVersion } from '../../src/hypervisor/qemu/harness/vm.js';
import { MigrationWatcher, type MeasuredVm, measureVm, type WatchReport } from '../../src/hypervisor/qemu/advisor.js';

/** The first test's calibration, reused by the concurrent scenario (same guest, same buffer). */
let shared: { guest: Awaited<ReturnType<typeof buildGuest>>; cal: Calibration } | undefined;

describe('real QEMU migrations (CI subset)', () => {
  it('predictQemuMigration matches measured migrations within the targets', { timeout: 420_000 }, async () => {
    const version = await qemuVersion();
    if (version === undefined) {
      throw new Error(
        'qemu-system-x86_64 is not installed: run scripts/install-qemu-deps.sh (apt-get install qemu-system-x86 linux-image-amd64 busybox-static gcc cpio) before npm test',
      );
    }
    const guest = await buildGuest();
    const cal: Calibration = await calibrate(guest, GRID_BUFFER_MIB);
    shared = { guest, cal };
    // the calibration keeps its query-migrate samples: QEMU's page counters only grow through the first pass
    // and never pass the totals the migration ended with
    const pass = (cal.measured.samples ?? []).flatMap((q) => (q.ram?.dirtySyncCount === 1 ? [q.ram] : []));
    expect(pass.length).toBeGreaterThan(0);
    for (const [i, r] of pass.entries()) {
      expect(r.duplicate).toBeLessThanOrEqual(cal.idleZeroPages);
      expect(r.normal).toBeLessThanOrEqual(cal.measured.normalPages);
      if (i > 0) expect(r.duplicate + r.normal).toBeGreaterThanOrEqual(pass[i - 1]!.duplicate + pass[i - 1]!.normal);
    }
    const rows: Comparison[] = [];
    const [first, second] = ciGrid();
    // advise's measurement on the live source before the first migration, and watch's progress during it
    let measured: MeasuredVm | undefined;
    const watcher = new MigrationWatcher({
      downtimeLimitMs: first!.knobs.downtimeLimitMs,
      maxBandwidthBytesPerSecond: first!.knobs.maxBandwidthBytesPerSecond,
      linkBandwidthBytesPerSecond: cal.switchoverBytesPerSecond,
      workingSetPages: (first!.workload.bufferMiB * 2 ** 20) / 4096,
      dirtyPattern: first!.workload.mode === 'rand' ? 'random' : 'sequential',
    });
    const reports: WatchReport[] = [];
    rows.push(
      await validateCase(guest, first!, cal, {
        beforeMigrate: async (client) => {
          measured = await measureVm(client, 1);
        },
        onSample: (q) => reports.push(watcher.update(q)),
      }),
    );
    // the guest's own vCPU share, sampled for half a second before migrate (the harder grid's cellCalibration)
    rows.push(await validateCase(guest, second!, cal, { vcpuSampleSeconds: 0.5 }));
    mkdirSync('test-output', { recursive: true });
    writeFileSync(
      'test-output/qemu-real-ci.md.tmp',
      `${version}\n\n${markdownTable(rows, cal, 'npx vitest run test/qemu-real')}`,
    );
    renameSync('test-output/qemu-real-ci.md.tmp', 'test-output/qemu-real-ci.md');
    // advise: QEMU's memory and a page-sampled dirty rate near the workload's (whole MiB/s, sampled: +-50 %)
    expect(measured?.memoryBytes).toBe(256 * 2 ** 20);
    const nominal = first!.workload.pagesPerSecond * 4096;
    expect(measured!.dirtyBytesPerSecond, JSON.stringify(measured)).toBeGreaterThanOrEqual(0.5 * nominal);
    expect(measured!.dirtyBytesPerSecond, JSON.stringify(measured)).toBeLessThanOrEqual(1.5 * nominal);
    // watch: progress never runs backwards, rounds left never go up, and its prediction (made after the first
    // pass from QEMU's own counters) lands within the total-time and rounds targets
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i]!.progress).toBeGreaterThanOrEqual(reports[i - 1]!.progress);
      const [a, b] = [reports[i - 1]!.remainingRounds, reports[i]!.remainingRounds];
      if (a !== null && b !== null) expect(b).toBeLessThanOrEqual(a);
    }
    expect(reports.at(-1)?.progress).toBe(1);
    const wp = watcher.initialPrediction?.prediction;
    const m0 = rows[0]!.measured;
    expect(wp?.converges).toBe(true);
    if (wp?.converges) {
      expect(Math.abs(wp.totalSeconds - m0.totalSeconds) / m0.totalSeconds, JSON.stringify(wp)).toBeLessThanOrEqual(
        0.1,
      );
      expect(Math.abs(wp.iterations - m0.dirtySyncCount)).toBeLessThanOrEqual(1);
    }
    for (const r of rows) {
      const p = r.predicted;
      const m = r.measured;
      const what = `${r.case.name}: predicted ${JSON.stringify(p.converges ? { rounds: p.iterations, total: p.totalSeconds, bytes: p.bytesTransferred, downtime: p.downtimeSeconds } : p.reason)} measured ${JSON.stringify(m)}`;
      expect(m.completed, what).toBe(true);
      expect(p.converges, what).toBe(true);
      expect(m.destinationRunning, what).toBe(true);
      // the named threads were found: the migration thread sent, the destination received, within the wall time
      expect(m.cpuSeconds!.sourceMigration, what).toBeGreaterThan(0);
      expect(m.cpuSeconds!.destination, what).toBeGreaterThan(0);
      expect(m.cpuSeconds!.destination, what).toBeLessThanOrEqual(2 * m.totalSeconds + 0.5);
      if (m.firstPassSeconds != null) expect(m.firstPassSeconds, what).toBeLessThanOrEqual(m.totalSeconds);
      if (r === rows[1]) {
        // a writing guest's vCPU ran (more than nothing) and no thread runs more than a core
        expect(m.preMigrationVcpuShare, what).toBeGreaterThan(0);
        expect(m.preMigrationVcpuShare, what).toBeLessThanOrEqual(1.05);
      } else expect(m.preMigrationVcpuShare, what).toBeUndefined();
      expect(Math.abs(r.totalTimeError!), `total time: ${what}`).toBeLessThanOrEqual(0.1);
      expect(Math.abs(r.roundsError!), `rounds: ${what}`).toBeLessThanOrEqual(1);
      expect(Math.abs(r.bytesError!), `bytes: ${what}`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.downtimeErrorSeconds!), `downtime: ${what}`).toBeLessThanOrEqual(
        Math.max(0.02, 0.25 * (m.downtimeSeconds ?? 0)),
      );
    }
  });

  it('two migrations at once through a shaped namespace match the fleet prediction, and leave nothing behind', {
    timeout: 300_000,
  }, async () => {
    // Stable by construction: two light writers (500 pages/s) capped at 32 MiB/s share a 400 Mbit/s loopback,
    // so each gets about half of the measured goodput; rho about 0.08 at that share.
    const guest = shared?.guest ?? (await buildGuest());
    const cal = shared?.cal ?? (await calibrate(guest, GRID_BUFFER_MIB));
    const r = await runConcurrent(ciConcurrentScenario(), guest, cal);
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/qemu-real-concurrent.md.tmp', concurrentTable([r], 'npx vitest run test/qemu-real'));
    renameSync('test-output/qemu-real-concurrent.md.tmp', 'test-output/qemu-real-concurrent.md');
    // cleanup: the namespace (and its qdisc) is gone and every QEMU it started has exited
    expect(await namespaceExists(r.namespace)).toBe(false);
    for (const pid of r.pids) expect(() => process.kill(pid, 0), `pid ${pid} still running`).toThrow();
    expect(r.accelerator).toBe('tcg');
    expect(r.method).toMatch(/^fleet predict/);
    expect(r.second.method).toMatch(/fair share/);
    const what = JSON.stringify(r.rows.map((x) => ({ m: x.measured, err: x.totalTimeError })));
    for (const row of r.rows) {
      expect(row.measured.completed, what).toBe(true);
      expect(row.measured.destinationRunning, what).toBe(true);
      expect(row.verdictRight, what).toBe(true);
      // CI tolerance on a shared 2-core machine: 20 % per migration (the grid's target is 10 % median)
      expect(Math.abs(row.totalTimeError!), `total time: ${what}`).toBeLessThanOrEqual(0.2);
      expect(Math.abs(row.bytesError!), `bytes: ${what}`).toBeLessThanOrEqual(0.05);
    }
    expect(Math.abs(r.makespanError!), `makespan: ${what}`).toBeLessThanOrEqual(0.2);
  });
});
