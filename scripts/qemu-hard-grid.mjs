#!/usr/bin/env node
// The harder single-migration grid (issue 13): a 1 GiB guest, dirty rates to 1 GB/s, max-bandwidth to 1 GiB/s and
// unlimited, working sets 64/256/800 MiB, both patterns, every cell repeated; prints the markdown table with each
// cell's spread beside its errors (stdout), progress on stderr, every figure in test-output/qemu-hard-grid.json.
// Run it on a quiet machine (repeats at 512 MiB/s and above are skewed by other load):
//   npm run build && node scripts/qemu-hard-grid.mjs [--repeats 3] [--schedule bracketed|upfront] [--calibrations 3]
//     [--accel tcg|kvm|auto] [--cells 1,4,10]
// --schedule bracketed (default): each cell predicted from the calibrations of its working set taken just before
// and just after it (their mean); upfront: --calibrations calibrations per working set first, each figure taken
// at their median (medianCalibration).
// `--from test-output/qemu-hard-grid.json` (or a .json.gz, e.g. docs/qemu-runs/*) re-predicts and re-summarises an
// earlier run's measurements with the current model (no QEMU started), e.g. after a model change.
import { HARD_GUEST_MIB, hardGrid, hardGridTable, judgeCell } from '../dist/hypervisor/qemu/harness/hard-grid.js';
import {
  calibrate,
  calibrationCosts,
  medianCalibration,
  runMigration,
} from '../dist/hypervisor/qemu/harness/migration.js';
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
// Calibrations. 'bracketed' (default): the cells of one working set run one after the other, with a calibration
// of that working set before the first cell, after each cell, and each cell predicted from the mean of the two that
// bracket it in time (medianCalibration of two); measured on this machine, the first pass of the same idle guest
// took 1.9-3.2 s within ten minutes (the destination's CPU time for the same pages 1.8-3.1 s), so a calibration
// taken minutes before a cell can be 30 % off. 'upfront': --calibrations calibrations per working set first,
// each cell predicted from their median (runs 1-6 of 1 December 2026).
const schedule = arg('schedule', 'bracketed');
if (!['bracketed', 'upfront'].includes(schedule)) refuse(SCRIPT, 'schedule', schedule, 'expected bracketed or upfront');
if (schedule === 'bracketed' && arg('calibrations', undefined) !== undefined) {
  refuse(
    SCRIPT,
    'calibrations',
    arg('calibrations'),
    'only with --schedule upfront (bracketed calibrates before and after each cell)',
  );
}
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
  const summaries = run.raw.map(({ case: c, rows, calibrationIndices }) => {
    // a bracketed run: the two calibrations before and after the cell; else the working set's median
    const cal =
      calibrationIndices === undefined
        ? calOf(c.workload.bufferMiB)
        : medianCalibration(calibrationIndices.map((k) => run.calibrationRuns[k]));
    // the guest's own CPU use before each repeat, where it was measured (cellCalibration; runs from 10 on)
    return judgeCell(
      c,
      cal,
      rows.map((r) => r.measured),
    ).summary;
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
const calibrateOnce = (bufferMiB) => {
  process.stderr.write(`calibrating ${HARD_GUEST_MIB} MiB guest, ${bufferMiB} MiB buffer...\n`);
  return calibrate(guest, bufferMiB, {
    memoryMiB: HARD_GUEST_MIB,
    accel: accel.accel,
    throughput: true,
    laterRounds: true,
  });
};
const cals = new Map();
const calibrationRuns = [];
const results = new Array(cells.length);
// A cell's repeats, measured (the prediction comes after, from the calibration(s) the schedule gives it).
const measureCell = async (i) => {
  const c = cells[i];
  const out = [];
  for (let k = 0; k < repeats; k++) {
    process.stderr.write(`[${i + 1}/${cells.length}] ${c.name} #${k + 1} ... `);
    // Its query-migrate samples are kept: the summary replays them through watch's MigrationWatcher.
    const samples = [];
    const m = await runMigration({
      guest,
      workload: c.workload,
      knobs: c.knobs,
      timeoutSeconds: c.timeoutSeconds,
      memoryMiB: c.memoryMiB,
      accel: accel.accel,
      onSample: (q) => samples.push(q),
      // the guest's vCPU share over 1 s before migrate (its writer running): cellCalibration
      vcpuSampleSeconds: 1,
    });
    out.push({ ...m, samples });
    process.stderr.write(`${m.status} ${m.totalSeconds.toFixed(2)} s\n`);
  }
  return out;
};
const judge = (i, measured, cal, calibrationIndices) => {
  const c = cells[i];
  // the calibration with the zero-page crawl slowed by the guest's own vCPU (cellCalibration)
  const { rows, summary } = judgeCell(c, cal, measured);
  results[i] = {
    raw: { case: c, rows, ...(calibrationIndices === undefined ? {} : { calibrationIndices }) },
    summary,
  };
};
if (schedule === 'upfront') {
  for (const [i, c] of cells.entries()) {
    if (!cals.has(c.workload.bufferMiB)) {
      const runs = [];
      for (let k = 0; k < calibrations; k++) runs.push(await calibrateOnce(c.workload.bufferMiB));
      cals.set(c.workload.bufferMiB, medianCalibration(runs));
      calibrationRuns.push(...runs);
    }
    judge(i, await measureCell(i), cals.get(c.workload.bufferMiB));
  }
} else {
  for (const buffer of [...new Set(cells.map((c) => c.workload.bufferMiB))]) {
    calibrationRuns.push(await calibrateOnce(buffer));
    for (const [i, c] of cells.entries()) {
      if (c.workload.bufferMiB !== buffer) continue;
      const before = calibrationRuns.length - 1;
      const measured = await measureCell(i);
      calibrationRuns.push(await calibrateOnce(buffer));
      const pair = [before, calibrationRuns.length - 1];
      judge(i, measured, medianCalibration(pair.map((k) => calibrationRuns[k])), pair);
    }
    cals.set(buffer, medianCalibration(calibrationRuns.filter((k) => k.bufferMiB === buffer)));
  }
}
const summaries = results.map((x) => x.summary);
const raw = results.map((x) => x.raw);
const command = `npm run build && node scripts/qemu-hard-grid.mjs --repeats ${repeats}${schedule === 'upfront' ? ` --schedule upfront --calibrations ${calibrations}` : ''} --accel ${wanted}${pick ? ` --cells ${pick}` : ''}`;
process.stdout.write(
  `${version}, ${new Date().toISOString()}, accelerator ${accel.accel}\n\n${calibrationLines([...cals.values()])}${
    schedule === 'bracketed'
      ? `(Each working set's median over its ${calibrationRuns.length} calibrations in all; each cell is predicted from the two that bracket it in time, calibrationIndices in the JSON.)\n\n`
      : ''
  }${hardGridTable(summaries, command)}`,
);
writeRun('qemu-hard-grid.json', {
  version,
  accelerator: accel,
  calibrations: [...cals.values()],
  calibrationRuns,
  cells: summaries,
  raw,
});
