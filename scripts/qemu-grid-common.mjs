// What the real-QEMU grid scripts (qemu-hard-grid.mjs, qemu-concurrent.mjs) share: flags, the accelerator,
// reading a saved run (--from, .json or .json.gz) and writing one (atomically, under test-output/).
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildGuest } from '../dist/hypervisor/qemu/harness/migration.js';
import { chooseAccelerator, qemuVersion } from '../dist/hypervisor/qemu/harness/vm.js';

/** The value after --name on the command line, else dflt. */
export const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

/** A one-line error naming the flag, the value and what is valid; exit 2. */
export function refuse(script, flag, value, expected) {
  process.stderr.write(`${script}: --${flag} '${value}' is invalid: ${expected}\n`);
  process.exit(2);
}

/** --accel, checked. */
export function wantedAccelerator(script) {
  const wanted = arg('accel', 'tcg');
  if (!['tcg', 'kvm', 'auto'].includes(wanted)) refuse(script, 'accel', wanted, 'expected tcg, kvm or auto');
  return wanted;
}

/** The items a comma list of 1-based indices picks (all when the flag is absent); an empty pick is refused. */
export function pickIndices(script, flag, all) {
  const pick = arg(flag, undefined);
  const chosen =
    pick === undefined
      ? all
      : pick
          .split(',')
          .map((s) => all[Number(s) - 1])
          .filter((x) => x !== undefined);
  if (chosen.length === 0) refuse(script, flag, pick, `expected 1-based indices from 1 to ${all.length}`);
  return { chosen, pick };
}

/** A saved run (--from FILE, JSON or gzipped JSON), or undefined without --from. */
export function savedRun(script) {
  const from = arg('from', undefined);
  if (from === undefined) return undefined;
  try {
    const buf = readFileSync(from);
    return { from, run: JSON.parse((from.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8')) };
  } catch (e) {
    refuse(script, 'from', from, e.message);
  }
}

/** QEMU's version, the harness guest and the accelerator (probed in a temporary directory, removed after). */
export async function qemuSetup(script, wanted) {
  const version = await qemuVersion();
  if (version === undefined) {
    process.stderr.write(`${script}: qemu-system-x86_64 not found: run scripts/install-qemu-deps.sh\n`);
    process.exit(1);
  }
  const guest = await buildGuest();
  const probeDir = mkdtempSync(join(tmpdir(), 'precopy-kvm-'));
  try {
    return { version, guest, accel: await chooseAccelerator(wanted, guest, probeDir) };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** Writes test-output/NAME through a temporary file and a rename: never half-written. */
export function writeRun(name, data) {
  mkdirSync('test-output', { recursive: true });
  writeFileSync(`test-output/${name}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`test-output/${name}.tmp`, `test-output/${name}`);
}
