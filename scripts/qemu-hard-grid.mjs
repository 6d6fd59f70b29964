#!/usr/bin/env node
// The harder single-migration grid (issue 13): a 1 GiB guest, dirty rates to 1 GB/s, max-bandwidth to 1 GiB/s and
// unlimited, working sets 64/256/800 MiB, both patterns, every cell repeated; prints the markdown table with each
// cell's spread beside its errors (stdout), progress on stderr, every figure in test-output/qemu-hard-grid.json.
// Run it on a quiet machine (repeats at 512 MiB/s and above are skewed by other load):
//   npm run build && node scripts/qemu-hard-grid.mjs [--repeats 3] [--calibrations 3] [--accel tcg|kvm|auto] [--cells 1,4,10]
// Each working set is calibrated --calibrations times and each figure taken at its median (medianCalibration).
// `--from test-output/qemu-hard-grid.json` (or a .json.gz, e.g. docs/qemu-runs/*) re-predicts and re-summarises an
// earlier run's measurements with the current model (no QEMU started), e.g. after a model change.
import { HARD_GUEST_MIB, hardGrid, hardGridTable, summarizeCell } from '../dist/hypervisor/qemu/harness/hard-grid.js';
import {
  calibrate,
  calibrationCosts,
  compare,
  medianCalibration,
  predictionInput,
  validateCase,
} from '../dist/hypervisor/qemu/harness/migration.js';
import { predictQemuMigration } from '../dist/hypervisor/qemu/predict.js';
import { arg, pickIndices, qemuSetup, refuse, savedRun, wantedAccelerator, writeRun } from './qemu-grid-common.mjs';

const SCRIPT = 'qemu-hard-grid';
const integerFlag = (flag, dflt, hi) => {
  const v = Number(arg(flag, dflt));
  if (!Number.isInteger(v) || v < 1 || v > hi) refuse(SCRIPT, flag, arg(flag), `expected an integer from 1 to ${hi}`);
  return v;
};
const repeats = integerFlag('repeats', '3', 20);
const calibrations = integerFlag('calibrations', '3', 9);
const wanted = wantedAccelerator(SCRIPT);
// One line per calibration: the figures every cell's prediction starts from, and the load they were taken at.
const calibrationLines = (cals) =>
  `${cals
    .map((k) => {
      const c = calibrationCosts(k);
      const fp = c.firstPassBytesPerSecond === undefined ? '-' : (c.firstPassBytesPerSecond / 1e6).toFixed(0);
      const later = k.laterRoundBytesPerSecond === undefined ? '-' : (k.laterRoundBytesPerSecond / 1e6).toFixed(0);
      return `Calibration, ${k.bufferMiB} MiB buffer: zero-page scan ${(c.zeroPageSeconds * 1e6).toFixed(1)} µs x ${k.idleZeroPages} zero pages, first pass ${fp} MB/s (unthrottled, scan included), later rounds ${later} MB/s (busy guest), idle stop-and-copy ${(k.switchoverBytesPerSecond / 1e6).toFixed(0)} MB/s, background ${k.backgroundPagesPerSecond.toFixed(1)} pages/s, load ${k.measured.loadAverage[0].toFixed(1)}.`;
    })
    .join('\n')}\n\n`;
const saved = savedRun(SCRIPT);
if (saved !== undefined) {
  const { from, run } = saved;
  // Each working set's calibration: the median of its saved runs (taken again: the rule may have changed).
  const calOf = (buffer) => {
    const runs = (run.calibrationRuns ?? []).filter((k) => k.bufferMiB === buffer);
    return runs.length > 0 ? medianCalibration(runs) : run.calibrations.find((k) => k.bufferMiB === buffer);
  };
  const used = [...new Set(run.raw.map(({ case: c }) => c.workload.bufferMiB))].map(calOf);
  const summaries = run.raw.map(({ case: c, rows }) => {
    const cal = calOf(c.workload.bufferMiB);
    const again = rows.map((r) =>
      compare(c, predictQemuMigration(predictionInput(c, cal, r.measured.setupSeconds)), r.measured),
    );
    return summarizeCell(c, cal, again);
  });
  process.stdout.write(
    `${run.version}, re-predicted ${new Date().toISOString()} from ${from}, accelerator ${run.accelerator.accel}\n\n${calibrationLines(used)}${hardGridTable(
      summaries,
      `node scripts/qemu-hard-grid.mjs --from ${from}`,
    )}`,
  );
  process.exit(0);
}
const { chosen: cells, pick } = pickIndices(SCRIPT, 'cells', hardGrid());
const { version, guest, accel } = await qemuSetup(SCRIPT, wanted);
process.stderr.write(`${version}; accelerator ${accel.accel} (${accel.reason})\n`);
const cals = new Map();
const calibrationRuns = [];
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
          laterRounds: true,
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
writeRun('qemu-hard-grid.json', {
  version,
  accelerator: accel,
  calibrations: [...cals.values()],
  calibrationRuns,
  cells: summaries,
  raw,
});
