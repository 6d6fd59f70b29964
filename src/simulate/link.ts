import { ModelInputError } from '../model/errors.js';

/** One step of a piecewise-constant bandwidth schedule: from `fromSeconds` on, the link carries this rate. */
export interface BandwidthStep {
  /** Seconds since the start of the migration, >= 0. */
  readonly fromSeconds: number;
  /** Bytes/s from then on, >= 0 (0 = link down; the last step must be > 0). */
  readonly bytesPerSecond: number;
}

/** The network link of a simulation: a constant rate, optionally changed by a schedule of later steps. */
export interface LinkSpec {
  /** B: bytes/s from time 0, > 0. */
  readonly bandwidthBytesPerSecond: number;
  /** Later changes of rate, in increasing `fromSeconds` (a step at 0 replaces `bandwidthBytesPerSecond`). */
  readonly schedule?: readonly BandwidthStep[];
}

/** A link built from a {@link LinkSpec}: rate at a time, and the time to send a given load from a time. */
export interface Link {
  readonly constant: boolean;
  /** Bytes/s at time t. */
  rateAt(t: number): number;
  /**
   * Seconds to send `pages` full pages of `pageBytes` plus `zeroPages` zero-page records of `zeroBytes` starting
   * at time t0. On a constant link this is pages*tau + zeroPages*zeroBytes/B with tau = S/B computed first, as
   * the model does (Eq. 2), so fluid runs reproduce the closed forms to the last bits.
   */
  secondsToSend(t0: number, pages: number, pageBytes: number, zeroPages: number, zeroBytes: number): number;
}

/**
 * Slowest link rate accepted, bytes/s. Below it a page's send time S/r leaves the range where the round times
 * and their sums stay finite (1e-300 B/s sends a 4 KiB page in 4e303 s, and two such rounds overflow to
 * Infinity). A step may still be 0 (link down).
 */
export const MIN_LINK_BYTES_PER_SECOND = 1;
/** Fastest link rate accepted, bytes/s (1 PB/s): keeps 1/tau and byte totals well inside the doubles. */
export const MAX_LINK_BYTES_PER_SECOND = 1e15;
/** Latest schedule step accepted, seconds (about 31.7 years). */
export const MAX_SCHEDULE_SECONDS = 1e9;
/** Most schedule steps accepted: the send-time walk visits at most this many steps per call. */
export const MAX_SCHEDULE_STEPS = 100_000;

const RATE_RANGE = `${MIN_LINK_BYTES_PER_SECOND} <= bytes/s <= ${MAX_LINK_BYTES_PER_SECOND}`;

/** Checks a link spec; throws {@link ModelInputError} naming the offending field. */
export function checkLink(spec: LinkSpec): void {
  const b = spec.bandwidthBytesPerSecond;
  if (
    !(typeof b === 'number' && Number.isFinite(b) && b >= MIN_LINK_BYTES_PER_SECOND && b <= MAX_LINK_BYTES_PER_SECOND)
  ) {
    throw new ModelInputError('bandwidthBytesPerSecond', b, `a rate with ${RATE_RANGE}`);
  }
  const steps = spec.schedule ?? [];
  if (!Array.isArray(steps) || steps.length > MAX_SCHEDULE_STEPS) {
    throw new ModelInputError(
      'schedule',
      Array.isArray(steps) ? steps.length : steps,
      `a list of at most ${MAX_SCHEDULE_STEPS} steps`,
    );
  }
  let last = -1;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const f = s?.fromSeconds;
    if (!(typeof f === 'number' && f >= 0 && f <= MAX_SCHEDULE_SECONDS && f > last)) {
      throw new ModelInputError(
        `schedule[${i}].fromSeconds`,
        f,
        `a time from 0 to ${MAX_SCHEDULE_SECONDS} s after the previous step`,
      );
    }
    const r = s.bytesPerSecond;
    if (!(typeof r === 'number' && (r === 0 || (r >= MIN_LINK_BYTES_PER_SECOND && r <= MAX_LINK_BYTES_PER_SECOND)))) {
      throw new ModelInputError(`schedule[${i}].bytesPerSecond`, r, `0 (link down) or a rate with ${RATE_RANGE}`);
    }
    last = f;
  }
  if (steps.length > 0 && !(steps[steps.length - 1]!.bytesPerSecond > 0)) {
    throw new ModelInputError('schedule', 'last step', 'a last step with a rate > 0 (else the copy never ends)');
  }
}

/**
 * Builds a link. The schedule is piecewise constant: rate r_k on [t_k, t_(k+1)); the time to send X bytes from
 * t0 walks the steps, subtracting r_k * (length of the step) until the remainder fits in a step.
 * @example createLink({bandwidthBytesPerSecond: 100, schedule: [{fromSeconds: 1, bytesPerSecond: 50}]})
 *   .secondsToSend(0, 2, 100, 0, 0) // 3 (100 bytes in the first second, 100 more at 50 B/s)
 */
export function createLink(spec: LinkSpec): Link {
  checkLink(spec);
  const B = spec.bandwidthBytesPerSecond;
  const steps = spec.schedule ?? [];
  if (steps.length === 0) {
    return {
      constant: true,
      rateAt: () => B,
      secondsToSend: (_t0, pages, pageBytes, zeroPages, zeroBytes) =>
        pages * (pageBytes / B) + (zeroPages > 0 ? zeroPages * (zeroBytes / B) : 0),
    };
  }
  const from: number[] = [0];
  const rate: number[] = [B];
  for (const s of steps) {
    if (s.fromSeconds === 0) rate[0] = s.bytesPerSecond;
    else {
      from.push(s.fromSeconds);
      rate.push(s.bytesPerSecond);
    }
  }
  // The last k with from[k] <= t (binary search: at most log2(steps) + 1 iterations).
  const stepAt = (t: number): number => {
    let lo = 0;
    let hi = from.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (from[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    constant: false,
    rateAt: (t) => rate[stepAt(t)]!,
    secondsToSend(t0, pages, pageBytes, zeroPages, zeroBytes) {
      let bytes = pages * pageBytes + zeroPages * zeroBytes;
      if (bytes <= 0) return 0;
      if (!(Number.isFinite(bytes) && Number.isFinite(t0) && t0 >= 0)) {
        throw new ModelInputError('bandwidthSchedule', `${bytes} bytes from ${t0} s`, 'a finite load and start time');
      }
      let t = t0;
      // Bounded by the steps: each pass moves to the next step, and the last one (rate > 0, checked) never ends.
      for (let k = stepAt(t0); k < from.length; k++) {
        const r = rate[k]!;
        const end = k + 1 < from.length ? from[k + 1]! : Number.POSITIVE_INFINITY;
        const capacity = r * (end - t);
        if (r > 0 && capacity >= bytes) {
          const seconds = t + bytes / r - t0;
          if (!Number.isFinite(seconds)) {
            throw new ModelInputError('bandwidthSchedule', r, `rates that send ${bytes} bytes in finite time`);
          }
          return seconds;
        }
        bytes -= capacity;
        t = end;
      }
      // Unreachable with a checked spec (the last rate is > 0); kept so the loop has no way to spin.
      throw new ModelInputError('bandwidthSchedule', 'last step', 'a last step with a rate > 0');
    },
  };
}
