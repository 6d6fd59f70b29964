#!/usr/bin/env node
// The concurrent grid (issue 13): each scenario in its own network namespace whose loopback is shaped with tc
// (tbf, 400 Mbit/s), every source and destination QEMU inside it on 127.0.0.1, 2-4 guests, 1-4 at a time.
// Prints predicted vs measured per migration and per scenario makespan (stdout), progress on stderr, every
// figure in test-output/qemu-concurrent.json. Needs root (ip netns, tc). Run on a quiet machine:
//   npm run build && node scripts/qemu-concurrent.mjs [--accel tcg|kvm|auto] [--scenarios 1,9,10]
// `--from test-output/qemu-concurrent.json` (or a .json.gz, e.g. docs/qemu-runs/*) re-predicts an earlier run's
// measurements with the current model and fleet engine (same link, same start times; no QEMU started).
import {
  concurrentGrid,
  concurrentTable,
  runConcurrent,
  scoreScenario,
} from '../dist/hypervisor/qemu/harness/concurrent.js';
import { calibrate } from '../dist/hypervisor/qemu/harness/migration.js';
import { pickIndices, qemuSetup, savedRun, wantedAccelerator, writeRun } from './qemu-grid-common.mjs';

const SCRIPT = 'qemu-concurrent';
const wanted = wantedAccelerator(SCRIPT);
const saved = savedRun(SCRIPT);
if (saved !== undefined) {
  const { from, run } = saved;
  const results = run.results.map((r) => ({
    ...r,
    ...scoreScenario(
      r.scenario,
      run.calibration,
      r.rows.map((row) => row.measured),
      r.rows.map((row) => row.startSeconds),
      r.shapedBytesPerSecond,
    ),
  }));
  process.stdout.write(
    `${run.version}, re-predicted ${new Date().toISOString()} from ${from}, accelerator ${run.accelerator.accel}\n\n${concurrentTable(
      results,
      `node scripts/qemu-concurrent.mjs --from ${from}`,
    )}`,
  );
  process.exit(0);
}
const { chosen: scenarios, pick } = pickIndices(SCRIPT, 'scenarios', concurrentGrid());
const { version, guest, accel } = await qemuSetup(SCRIPT, wanted);
process.stderr.write(`${version}; accelerator ${accel.accel} (${accel.reason}); calibrating...\n`);
const cal = await calibrate(guest, 64, { accel: accel.accel, throughput: true });
const results = [];
for (const [i, s] of scenarios.entries()) {
  process.stderr.write(`[${i + 1}/${scenarios.length}] ${s.name} ... `);
  const r = await runConcurrent(s, guest, cal, { accel: accel.accel });
  results.push(r);
  process.stderr.write(`makespan ${r.makespanSeconds.toFixed(2)} s\n`);
}
const command = `npm run build && node scripts/qemu-concurrent.mjs --accel ${wanted}${pick ? ` --scenarios ${pick}` : ''}`;
process.stdout.write(
  `${version}, ${new Date().toISOString()}, accelerator ${accel.accel}\n\n${concurrentTable(results, command)}`,
);
writeRun('qemu-concurrent.json', { version, accelerator: accel, calibration: cal, results });
