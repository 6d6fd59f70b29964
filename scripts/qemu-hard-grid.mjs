#!/usr/bin/env node
// The harder single-migration grid (issue 13): a 1 GiB guest, dirty rates to 1 GB/s, max-bandwidth to 1 GiB/s and
// unlimited, working sets 64/256/800 MiB, both patterns, every cell repeated; prints the markdown table with each
// cell's spread beside its errors (stdout), progress on stderr, every figure in test-output/qemu-hard-grid.json.
// Run it on a quiet machine (repeats at 512 MiB/s and above are skewed by other load):
//   npm run build && node scripts/qemu-hard-grid.mjs [--repeats 3] [--calibrations 3] [--accel tcg|kvm|auto] [--cells 1,4,10]
// Each working set is calibrated --calibrations times and each figure taken at its median (medianCalibration).
// `--from test-output/qemu-hard-grid.json` (or a .json.gz, e.g. docs/qemu-runs/*) re-predicts and re-summarises an earlier run's measurements with the
// current model (no QEMU started), e.g. after a model change.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { HARD_GUEST_MIB, hardGrid, hardGridTable, summarizeCell } from '../dist/hypervisor/qemu/harness/hard-grid.js';
import {
  buildGuest,
  calibrate,
  calibrationCosts,
  compare,
  medianCalibration,
  predictionInput,
  validateCase,
} from '../dist/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration } from '../dist/hypervisor/qemu/predict.js';
import { chooseAccelerator, qemuVersion } from '../dist/hypervisor/qemu/harness/vm.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const repeats = Number(arg('repeats', '3'));
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) {
  process.stderr.write(`qemu-hard-grid: --repeats '${arg('repeats')}' is invalid: expected an integer from 1 to 20\n`);
  process.exit(2);
}
const calibrations = Number(arg('calibrations', '3'));
if (!Number.isInteger(calibrations) || calibrations < 1 || calibrations > 9) {
  process.stderr.write(
    `qemu-hard-grid: --calibrations '${arg('calibrations')}' is invalid: expected an integer from 1 to 9\n`,
  );
  process.exit(2);
}
const calibrationRuns = [];
const wanted = arg('accel', 'tcg');
if (!['tcg', 'kvm', 'auto'].includes(wanted)) {
  process.stderr.write(`qemu-hard-grid: --accel '${wanted}' is invalid: expected tcg, kvm or auto\n`);
  process.exit(2);
}
// One line per calibration: the figures every cell's prediction starts from, and the load they were taken at.
const calibrationLines = (cals) =>
  `${cals
    .map((k) => {
      const c = calibrationCosts(k);
      const fp = c.firstPassBytesPerSecond === undefined ? '-' : (c.firstPassBytesPerSecond / 1e6).toFixed(0);
      return `Calibration, ${k.bufferMiB} MiB buffer: zero-page scan ${(c.zeroPageSeconds * 1e6).toFixed(1)} µs x ${k.idleZeroPages} zero pages, first pass ${fp} MB/s (net of the scan), later rounds / switch-over ${(k.switchoverBytesPerSecond / 1e6).toFixed(0)} MB/s, background ${k.backgroundPagesPerSecond.toFixed(1)} pages/s, load ${k.measured.loadAverage[0].toFixed(1)}.`;
    })
    .join('\n')}\n\n`;
const from = arg('from', undefined);
if (from !== undefined) {
  let run;
  try {
    const buf = readFileSync(from);
    run = JSON.parse((from.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8'));
  } catch (e) {
    process.stderr.write(`qemu-hard-grid: --from '${from}' is invalid: ${e.message}\n`);
    process.exit(2);
  }
  const summaries = run.raw.map(({ case: c, rows }) => {
    const cal = run.calibrations.find((k) => k.bufferMiB === c.workload.bufferMiB);
    const again = rows.map((r) =>
      compare(c, predictQemuMigration(predictionInput(c, cal, r.measured.setupSeconds)), r.measured),
    );
    return summarizeCell(c, cal, again);
  });
  process.stdout.write(
    `${run.version}, re-predicted ${new Date().toISOString()} from ${from}, accelerator ${run.accelerator.accel}\n\n${calibrationLines(run.calibrations)}${hardGridTable(
      summaries,
      `node scripts/qemu-hard-grid.mjs --from ${from}`,
    )}`,
  );
  process.exit(0);
}
const all = hardGrid();
const pick = arg('cells', undefined);
const cells =
  pick === undefined
    ? all
    : pick
        .split(',')
        .map((s) => all[Number(s) - 1])
        .filter((c) => c !== undefined);
if (cells.length === 0) {
  process.stderr.write(
    `qemu-hard-grid: --cells '${pick}' is invalid: expected 1-based indices from 1 to ${all.length}\n`,
  );
  process.exit(2);
}
const version = await qemuVersion();
if (version === undefined) {
  process.stderr.write('qemu-hard-grid: qemu-system-x86_64 not found: run scripts/install-qemu-deps.sh\n');
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
process.stderr.write(`${version}; accelerator ${accel.accel} (${accel.reason})\n`);
const cals = new Map();
const summaries = [];
const raw = [];
for (const [i, c] of cells.entries()) {
  if (!cals.has(c.workload.bufferMiB)) {
    process.stderr.write(`calibrating ${HARD_GUEST_MIB} MiB guest, ${c.workload.bufferMiB} MiB buffer...\n`);
    const runs = [];
    for (let k = 0; k < calibrations; k++) {
      runs.push(
        await calibrate(guest, c.workload.bufferMiB, {
          memoryMiB: HARD_GUEST_MIB,
          accel: accel.accel,
          throughput: true,
        }),
      );
    }
    cals.set(c.workload.bufferMiB, medianCalibration(runs));
    calibrationRuns.push(...runs);
  }
  const cal = cals.get(c.workload.bufferMiB);
  const rows = [];
  for (let k = 0; k < repeats; k++) {
    process.stderr.write(`[${i + 1}/${cells.length}] ${c.name} #${k + 1} ... `);
    const r = await validateCase(guest, c, cal, {}, { accel: accel.accel });
    rows.push(r);
    process.stderr.write(`${r.measured.status} ${r.measured.totalSeconds.toFixed(2)} s\n`);
  }
  raw.push({ case: c, rows });
  summaries.push(summarizeCell(c, cal, rows));
}
const command = `npm run build && node scripts/qemu-hard-grid.mjs --repeats ${repeats} --calibrations ${calibrations} --accel ${wanted}${pick ? ` --cells ${pick}` : ''}`;
process.stdout.write(
  `${version}, ${new Date().toISOString()}, accelerator ${accel.accel}\n\n${calibrationLines([...cals.values()])}${hardGridTable(summaries, command)}`,
);
mkdirSync('test-output', { recursive: true });
writeFileSync(
  'test-output/qemu-hard-grid.json.tmp',
  `${JSON.stringify({ version, accelerator: accel, calibrations: [...cals.values()], calibrationRuns, cells: summaries, raw }, null, 2)}\n`,
);
renameSync('test-output/qemu-hard-grid.json.tmp', 'test-output/qemu-hard-grid.json');
