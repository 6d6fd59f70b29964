#!/usr/bin/env node
// The concurrent grid (issue 13): each scenario in its own network namespace whose loopback is shaped with tc
// (tbf, 400 Mbit/s), every source and destination QEMU inside it on 127.0.0.1, 2-4 guests, 1-4 at a time.
// Prints predicted vs measured per migration and per scenario makespan (stdout), progress on stderr, every
// figure in test-output/qemu-concurrent.json. Needs root (ip netns, tc). Run on a quiet machine:
//   npm run build && node scripts/qemu-concurrent.mjs [--accel tcg|kvm|auto] [--scenarios 1,9,10]
// `--from test-output/qemu-concurrent.json` (or a .json.gz, e.g. docs/qemu-runs/*) re-predicts an earlier run's measurements with the current model and
// fleet engine (same link, same start times; no QEMU started), e.g. after a model change.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import {
  concurrentGrid,
  concurrentTable,
  runConcurrent,
  scoreScenario,
} from '../dist/hypervisor/qemu/harness/concurrent.js';
import { buildGuest, calibrate } from '../dist/hypervisor/qemu/harness/migration.js';
import { chooseAccelerator, qemuVersion } from '../dist/hypervisor/qemu/harness/vm.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const wanted = arg('accel', 'tcg');
if (!['tcg', 'kvm', 'auto'].includes(wanted)) {
  process.stderr.write(`qemu-concurrent: --accel '${wanted}' is invalid: expected tcg, kvm or auto\n`);
  process.exit(2);
}
const from = arg('from', undefined);
if (from !== undefined) {
  let run;
  try {
    const buf = readFileSync(from);
    run = JSON.parse((from.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
  } catch (e) {
    process.stderr.write(`qemu-concurrent: --from '${from}' is invalid: ${e.message}\n`);
    process.exit(2);
  }
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
const all = concurrentGrid();
const pick = arg('scenarios', undefined);
const scenarios =
  pick === undefined
    ? all
    : pick
        .split(',')
        .map((s) => all[Number(s) - 1])
        .filter((s) => s !== undefined);
if (scenarios.length === 0) {
  process.stderr.write(
    `qemu-concurrent: --scenarios '${pick}' is invalid: expected 1-based indices from 1 to ${all.length}\n`,
  );
  process.exit(2);
}
const version = await qemuVersion();
if (version === undefined) {
  process.stderr.write('qemu-concurrent: qemu-system-x86_64 not found: run scripts/install-qemu-deps.sh\n');
  process.exit(1);
}
const guest = await buildGuest();
const probeDir = mkdtempSync(join(tmpdir(), 'precopy-kvm-'));
let accel;
try {
  accel = await chooseAccelerator(wanted, guest, probeDir);
} finally {
  rmSync(probeDir, { recursive: true, force: true });
}
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
mkdirSync('test-output', { recursive: true });
writeFileSync(
  'test-output/qemu-concurrent.json.tmp',
  `${JSON.stringify({ version, accelerator: accel, calibration: cal, results }, null, 2)}\n`,
);
renameSync('test-output/qemu-concurrent.json.tmp', 'test-output/qemu-concurrent.json');
