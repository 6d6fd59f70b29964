/**
 * The first pass from the first seconds of a live migration (issue 13, point 1: "in advise/watch from the first
 * seconds of a live migration"). On two shared cores the first pass of the same idle guest took 1.9-3.2 s within
 * ten minutes (docs/qemu.md, harder grid), so a calibration taken minutes before is one sample of a moving figure;
 * the migration's own first second is a sample of the minute it runs in.
 *
 * Two costs per page, as in the model's first pass (predict.ts: pre-copy bytes at the first-pass throughput, and
 * `zeroPageSeconds` per zero page): QEMU's `normal` and `duplicate` counters say how many pages of each kind the
 * pass has done so far, the intervals between samples give each kind's cost ({@link FirstPassFit}), and the pages
 * left give the time left.
 */
import { predictQemuMigration, type QemuMigrationParams, type QemuPrediction } from './predict.js';

/** How far the first pass has got: QEMU's counters in one `query-migrate` sample during round 1. */
export interface FirstPassProgress {
  /** QEMU's `total-time`, seconds. */
  readonly elapsedSeconds: number;
  /** QEMU's `setup-time`, seconds (before the first page). */
  readonly setupSeconds: number;
  /** QEMU's `normal` (pages sent whole) and `duplicate` (zero pages) so far. */
  readonly normalPages: number;
  readonly zeroPages: number;
}

/** What the whole first pass holds: every page of RAM, of which `zeroPages` are zero (the idle guest's count). */
export interface FirstPassTotals {
  readonly ramPages: number;
  readonly zeroPages: number;
  /** Time per zero page, seconds; when absent, a zero page is taken to cost what a normal page costs. */
  readonly zeroPageSeconds?: number;
}

/** Fewer pages done than this fraction of RAM and the end is not extrapolated (too little seen). */
export const MIN_FIRST_PASS_FRACTION = 0.05;

/** A page kind with fewer pages done than this fraction of its total has no cost of its own yet. */
export const MIN_SEEN_FRACTION = 0.05;

/**
 * The two per-page costs of the first pass, fitted to its progress so far, and its end extrapolated from them.
 * Between two samples QEMU did dn normal and dz zero pages in dt seconds; least squares over the intervals,
 *   minimise sum (dt - c_n dn - c_z dz)^2 over c_n, c_z >= 0,
 * from five running sums (constant memory, any number of samples). A guest's pages come in stretches (on the
 * harder grid's guest: the buffer's normal pages first at 260-290 MB/s, then 175 000 zero pages at 80-100 000 a
 * second), so the two costs separate as soon as both kinds have been seen; a kind with less than
 * MIN_SEEN_FRACTION of its total done takes the given zero-page cost (zero pages) or the other kind's cost.
 */
export class FirstPassFit {
  private last: FirstPassProgress | undefined;
  private snn = 0;
  private szz = 0;
  private snz = 0;
  private stn = 0;
  private stz = 0;

  /** One sample taken during the first pass (QEMU's counters only grow; an interval that does not is skipped). */
  add(p: FirstPassProgress): void {
    const finite = [p.elapsedSeconds, p.setupSeconds, p.normalPages, p.zeroPages].every(
      (x) => Number.isFinite(x) && x >= 0,
    );
    if (!finite) return;
    const q = this.last;
    // The first interval runs from the end of QEMU's setup, with no page done.
    const from = q ?? { elapsedSeconds: p.setupSeconds, setupSeconds: p.setupSeconds, normalPages: 0, zeroPages: 0 };
    const dt = p.elapsedSeconds - from.elapsedSeconds;
    const dn = p.normalPages - from.normalPages;
    const dz = p.zeroPages - from.zeroPages;
    if (!(dt > 0) || dn < 0 || dz < 0) return;
    this.snn += dn * dn;
    this.szz += dz * dz;
    this.snz += dn * dz;
    this.stn += dt * dn;
    this.stz += dt * dz;
    this.last = p;
  }

  /** The latest sample taken. */
  get latest(): FirstPassProgress | undefined {
    return this.last;
  }

  /** Seconds per normal and per zero page; null before any page. */
  costs(totals: FirstPassTotals): { normal: number; zero: number } | null {
    const p = this.last;
    if (p === undefined || !(p.normalPages + p.zeroPages > 0)) return null;
    const Nz = Math.min(Math.max(totals.zeroPages, 0), totals.ramPages);
    const Nn = totals.ramPages - Nz;
    const seenN = p.normalPages >= MIN_SEEN_FRACTION * Nn && this.snn > 0;
    const seenZ = p.zeroPages >= MIN_SEEN_FRACTION * Nz && this.szz > 0;
    const given = totals.zeroPageSeconds;
    const det = this.snn * this.szz - this.snz * this.snz;
    if (seenN && seenZ && det > 1e-12 * this.snn * this.szz) {
      const cn = (this.stn * this.szz - this.stz * this.snz) / det;
      const cz = (this.stz * this.snn - this.stn * this.snz) / det;
      if (cn >= 0 && cz >= 0) return { normal: cn, zero: cz };
      // One cost came out negative: that kind costs nothing next to the other, fitted alone.
      return cn < 0 ? { normal: 0, zero: this.stz / this.szz } : { normal: this.stn / this.snn, zero: 0 };
    }
    // One kind seen, or the intervals cannot tell them apart: the given zero-page cost, the rest of the time
    // charged to the normal pages; without it (or where it leaves them less than a tenth), one cost for both.
    const t = p.elapsedSeconds - p.setupSeconds;
    if (given !== undefined && Number.isFinite(given) && given >= 0 && t - p.zeroPages * given >= 0.1 * t) {
      return { normal: (t - p.zeroPages * given) / Math.max(p.normalPages, 1), zero: given };
    }
    const c = t / (p.normalPages + p.zeroPages);
    return { normal: c, zero: c };
  }

  /**
   * QEMU's total-time, seconds, at which the first pass is predicted to end:
   *   end = elapsed + max(0, N_n - n) c_n + max(0, N_z - z) c_z,  N_z = zero pages of RAM, N_n = RAM pages - N_z.
   * Null before MIN_FIRST_PASS_FRACTION of RAM is done.
   */
  end(totals: FirstPassTotals): number | null {
    const p = this.last;
    if (p === undefined || !(totals.ramPages > 0)) return null;
    if (p.normalPages + p.zeroPages < MIN_FIRST_PASS_FRACTION * totals.ramPages) return null;
    const c = this.costs(totals);
    if (c === null) return null;
    const Nz = Math.min(Math.max(totals.zeroPages, 0), totals.ramPages);
    const Nn = totals.ramPages - Nz;
    return p.elapsedSeconds + Math.max(0, Nn - p.normalPages) * c.normal + Math.max(0, Nz - p.zeroPages) * c.zero;
  }
}

/**
 * The model's prediction with round 1 ending at QEMU total-time `firstPassEndSeconds`: the zero-page scan set to 0
 * (it is inside the measured time) and the first-pass throughput chosen so the predicted round 1 ends then.
 * Round 1's end falls as the throughput rises (fewer seconds a byte, and a higher threshold), so a bisection on its
 * logarithm finds it (80 steps between 1 kB/s and 10 TB/s: far below a microsecond); where the cap alone makes
 * round 1 longer, the fastest throughput is taken. Used by `watch` (first seconds of a live migration) and by
 * the harder grid's hindsight column (the measured end).
 */
export function predictWithFirstPassEnd(input: QemuMigrationParams, firstPassEndSeconds: number): QemuPrediction {
  const at = (logRate: number) =>
    predictQemuMigration({ ...input, zeroPageSeconds: 0, firstPassBandwidthBytesPerSecond: Math.exp(logRate) });
  const end = (p: QemuPrediction) => {
    const r = p.rounds[0];
    return r === undefined ? Number.POSITIVE_INFINITY : r.startSeconds + r.durationSeconds;
  };
  let lo = Math.log(1e3);
  let hi = Math.log(1e13);
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (end(at(mid)) > firstPassEndSeconds) lo = mid;
    else hi = mid;
  }
  return at(hi);
}
