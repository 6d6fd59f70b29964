/**
 * The validation grid: which migrations to run, how to summarise them, and the markdown table for docs/qemu.md.
 * rho = D * S / max-bandwidth spans about 0.05 to 0.6 over two bandwidths, two downtime limits and both
 * write patterns; one case dirties faster than it sends and must be cancelled, as QEMU never stops it.
 */
import type { Calibration, Comparison, ValidationCase } from './migration.js';

const MiB = 2 ** 20;
export const GRID_BUFFER_MIB = 64;

/** The case for a target rho at a bandwidth (D rounded to whole pages/s). */
export function gridCase(
  bandwidthMiB: number,
  rho: number,
  downtimeLimitMs: number,
  mode: 'seq' | 'rand',
  timeoutSeconds = 120,
): ValidationCase {
  const pagesPerSecond = Math.round((rho * bandwidthMiB * MiB) / 4096);
  return {
    name: `${bandwidthMiB}MiB/s rho=${rho} ${downtimeLimitMs}ms ${mode}`,
    workload: { bufferMiB: GRID_BUFFER_MIB, pagesPerSecond, mode },
    knobs: { maxBandwidthBytesPerSecond: bandwidthMiB * MiB, downtimeLimitMs },
    timeoutSeconds,
  };
}

/**
 * Nova-style stepping, compressed in time: 6000 pages/s against 16 MiB/s (rho 1.46) into the 64 MiB buffer
 * converges only once the limit lets the whole working set (67 MB) go in the downtime: 1 s, then 3 s at 10 s,
 * then 5 s at 20 s (the 5 s step is the first whose threshold, 16.8 MB/s x 5 s, exceeds 67 MB).
 */
export function steppingCase(): ValidationCase {
  return {
    name: '16MiB/s rho=1.46 stepped 1s/3s/5s seq',
    workload: { bufferMiB: GRID_BUFFER_MIB, pagesPerSecond: 6000, mode: 'seq' },
    knobs: {
      maxBandwidthBytesPerSecond: 16 * MiB,
      downtimeLimitMs: 1000,
      downtimeSchedule: [
        { atSeconds: 10, limitMs: 3000 },
        { atSeconds: 20, limitMs: 5000 },
      ],
    },
    timeoutSeconds: 60,
  };
}

/** The full grid: 16 converging cases, one converging only through downtime stepping, one never converging. */
export function fullGrid(): ValidationCase[] {
  const cases: ValidationCase[] = [];
  for (const bw of [16, 32]) {
    for (const dl of [100, 300]) {
      for (const [rho, mode] of [
        [0.05, 'seq'],
        [0.2, 'rand'],
        [0.4, 'seq'],
        [0.6, 'rand'],
      ] as const) {
        cases.push(gridCase(bw, rho, dl, mode));
      }
    }
  }
  cases.push(steppingCase());
  cases.push(nonConvergingCase());
  return cases;
}

/** 8 MiB/s against 3000 pages/s (rho = 1.46): QEMU never stops; cancelled after 30 s. */
export function nonConvergingCase(): ValidationCase {
  return {
    name: '8MiB/s rho=1.46 100ms seq (never converges)',
    workload: { bufferMiB: GRID_BUFFER_MIB, pagesPerSecond: 3000, mode: 'seq' },
    knobs: { maxBandwidthBytesPerSecond: 8 * MiB, downtimeLimitMs: 100 },
    timeoutSeconds: 30,
  };
}

/**
 * The CI subset: two converging migrations of the full grid, one per write pattern, chosen for margin (in
 * three full-grid runs under loads from 0.4 to 8 they were always within 2 % and 0 rounds of the prediction),
 * so CI fails on regressions rather than on a busy machine. The full grid reports every case.
 */
export function ciGrid(): ValidationCase[] {
  return [gridCase(32, 0.4, 100, 'seq'), gridCase(16, 0.2, 100, 'rand')];
}

const pct = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
const ms = (s: number | null | undefined) => (s === null || s === undefined ? '-' : `${(s * 1000).toFixed(0)}`);

/** Median and worst absolute relative error of a list (null entries skipped). */
export function errorStats(xs: readonly (number | null)[]): { median: number; worst: number } | null {
  const v = xs.filter((x): x is number => x !== null).map(Math.abs);
  if (v.length === 0) return null;
  v.sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, worst: v[v.length - 1]! };
}

/** The markdown table of a validation run (predicted vs measured per case, then a summary). */
export function markdownTable(rows: readonly Comparison[], cal: Calibration, command: string): string {
  const lines = [
    '| case | rho | rounds pred/meas | total s pred/meas (err) | bytes MB pred/meas (err) | downtime ms pred/meas | load avg | ok |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const p = r.predicted;
    const m = r.measured;
    const conv = p.converges ? '' : ' (pred: never)';
    lines.push(
      `| ${r.case.name} | ${r.rho.toFixed(2)} | ${p.converges ? p.iterations : '-'}/${m.completed ? m.dirtySyncCount : `${m.dirtySyncCount}+ (${m.status})`} | ${
        p.converges ? p.totalSeconds.toFixed(2) : '-'
      }/${m.totalSeconds.toFixed(2)} (${pct(r.totalTimeError)}) | ${p.converges ? (p.bytesTransferred / 1e6).toFixed(1) : '-'}/${(
        m.bytesTransferred / 1e6
      ).toFixed(
        1,
      )} (${pct(r.bytesError)}) | ${p.converges ? ms(p.downtimeSeconds) : '-'}/${ms(m.downtimeSeconds)} | ${m.loadAverage[0].toFixed(
        1,
      )}-${m.loadAverage[1].toFixed(1)} | ${r.withinTargets ? 'yes' : 'NO'}${conv} |`,
    );
  }
  const t = errorStats(rows.map((r) => r.totalTimeError));
  const b = errorStats(rows.map((r) => r.bytesError));
  const rounds = rows.filter((r) => r.roundsError !== null).map((r) => Math.abs(r.roundsError!));
  const down = rows.filter((r) => r.downtimeErrorSeconds !== null).map((r) => Math.abs(r.downtimeErrorSeconds!));
  lines.push(
    '',
    `Summary over ${rows.length} migrations: total time error median ${t ? (t.median * 100).toFixed(1) : '-'} %, worst ${
      t ? (t.worst * 100).toFixed(1) : '-'
    } %; bytes error median ${b ? (b.median * 100).toFixed(1) : '-'} %, worst ${b ? (b.worst * 100).toFixed(1) : '-'} %; rounds off by at most ${
      rounds.length ? Math.max(...rounds) : '-'
    }; downtime off by at most ${down.length ? (Math.max(...down) * 1000).toFixed(0) : '-'} ms; ${rows.filter((r) => r.withinTargets).length}/${rows.length} within the per-case targets.`,
    `Calibration (idle guest, ${cal.bufferMiB} MiB buffer): ram.total ${cal.ramTotalBytes} B, ${cal.idleZeroPages} zero pages, final-copy speed ${(
      cal.switchoverBytesPerSecond / 1e6
    ).toFixed(0)} MB/s.`,
    `Re-run: \`${command}\``,
  );
  return `${lines.join('\n')}\n`;
}
