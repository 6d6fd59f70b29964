/**
 * Real QEMU migrations (the CI subset of the validation grid): a calibration migration of the idle guest, then
 * two migrations whose measured figures must match precopy's predictions within the accuracy targets:
 * total time within 10 %, dirty-sync-count within 1, bytes sent within 5 %, downtime within max(20 ms, 25 %),
 * and the destination running afterwards. Needs qemu-system-x86_64, a Debian kernel, busybox-static, gcc and
 * cpio (scripts/install-qemu-deps.sh); without them this test FAILS (it never skips). About 1-2 minutes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ciGrid, GRID_BUFFER_MIB, markdownTable } from '../../src/hypervisor/qemu/harness/grid.js';
import {
  buildGuest,
  type Calibration,
  calibrate,
  type Comparison,
  validateCase,
} from '../../src/hypervisor/qemu/harness/migration.js';
import { qemuVersion } from '../../src/hypervisor/qemu/harness/vm.js';

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
    const rows: Comparison[] = [];
    for (const c of ciGrid()) rows.push(await validateCase(guest, c, cal));
    mkdirSync('test-output', { recursive: true });
    writeFileSync(
      'test-output/qemu-real-ci.md',
      `${version}\n\n${markdownTable(rows, cal, 'npx vitest run test/qemu-real')}`,
    );
    for (const r of rows) {
      const p = r.predicted;
      const m = r.measured;
      const what = `${r.case.name}: predicted ${JSON.stringify(p.converges ? { rounds: p.iterations, total: p.totalSeconds, bytes: p.bytesTransferred, downtime: p.downtimeSeconds } : p.reason)} measured ${JSON.stringify(m)}`;
      expect(m.completed, what).toBe(true);
      expect(p.converges, what).toBe(true);
      expect(m.destinationRunning, what).toBe(true);
      expect(Math.abs(r.totalTimeError!), `total time: ${what}`).toBeLessThanOrEqual(0.1);
      expect(Math.abs(r.roundsError!), `rounds: ${what}`).toBeLessThanOrEqual(1);
      expect(Math.abs(r.bytesError!), `bytes: ${what}`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.downtimeErrorSeconds!), `downtime: ${what}`).toBeLessThanOrEqual(
        Math.max(0.02, 0.25 * (m.downtimeSeconds ?? 0)),
      );
    }
  });
});
