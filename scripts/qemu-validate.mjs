#!/usr/bin/env node
// Runs the real-QEMU validation grid and prints predicted vs measured as a markdown table (stdout); progress
// goes to stderr, every comparison to test-output/qemu-validation.json. Build first:
//   npm run build && node scripts/qemu-validate.mjs [--grid full|ci]
// Needs scripts/install-qemu-deps.sh. Sequential on purpose: migrations share the machine's cores.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { ciGrid, fullGrid, GRID_BUFFER_MIB, markdownTable } from '../dist/hypervisor/qemu/harness/grid.js';
import { buildGuest, calibrate, validateCase } from '../dist/hypervisor/qemu/harness/migration.js';
import { qemuVersion } from '../dist/hypervisor/qemu/harness/vm.js';

const gridArg = process.argv.indexOf('--grid');
const grid = gridArg >= 0 ? process.argv[gridArg + 1] : 'full';
if (grid !== 'full' && grid !== 'ci') {
  process.stderr.write(`qemu-validate: --grid '${grid}' is invalid: expected full or ci\n`);
  process.exit(2);
}
const version = await qemuVersion();
if (version === undefined) {
  process.stderr.write('qemu-validate: qemu-system-x86_64 not found: run scripts/install-qemu-deps.sh\n');
  process.exit(1);
}
const guest = await buildGuest();
process.stderr.write(`${version}; calibrating...\n`);
const cal = await calibrate(guest, GRID_BUFFER_MIB);
const cases = grid === 'full' ? fullGrid() : ciGrid();
const rows = [];
for (const [i, c] of cases.entries()) {
  process.stderr.write(`[${i + 1}/${cases.length}] ${c.name} ... `);
  const r = await validateCase(guest, c, cal);
  rows.push(r);
  process.stderr.write(
    `${r.withinTargets ? 'ok' : 'MISS'} (${r.measured.status}, ${r.measured.totalSeconds.toFixed(2)} s)\n`,
  );
}
const command = `npm run build && node scripts/qemu-validate.mjs --grid ${grid}`;
process.stdout.write(`${version}, ${new Date().toISOString()}\n\n${markdownTable(rows, cal, command)}`);
mkdirSync('test-output', { recursive: true });
writeFileSync(
  'test-output/qemu-validation.json.tmp',
  `${JSON.stringify({ version, calibration: cal, rows }, null, 2)}\n`,
);
renameSync('test-output/qemu-validation.json.tmp', 'test-output/qemu-validation.json');
