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

/** Checks a link spec; throws {@link ModelInputError} naming the offending field. */
export function checkLink(spec: LinkSpec): void {
  const b = spec.bandwidthBytesPerSecond;
  if (!(typeof b === 'number' && Number.isFinite(b) && b > 0)) {
    throw new ModelInputError('bandwidthBytesPerSecond', b, 'a finite number > 0 (bytes/s)');
  }
  const steps = spec.schedule ?? [];
  let last = -1;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (!(Number.isFinite(s.fromSeconds) && s.fromSeconds >= 0 && s.fromSeconds > last)) {
      throw new ModelInputError(`schedule[${i}].fromSeconds`, s.fromSeconds, `a time >= 0 after the previous step`);
    }
    if (!(Number.isFinite(s.bytesPerSecond) && s.bytesPerSecond >= 0)) {
      throw new ModelInputError(`schedule[${i}].bytesPerSecond`, s.bytesPerSecond, 'a finite number >= 0 (bytes/s)');
    }
    last = s.fromSeconds;
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
  const stepAt = (t: number): number => {
    let k = 0;
    while (k + 1 < from.length && from[k + 1]! <= t) k++;
    return k;
  };
  return {
    constant: false,
    rateAt: (t) => rate[stepAt(t)]!,
    secondsToSend(t0, pages, pageBytes, zeroPages, zeroBytes) {
      let bytes = pages * pageBytes + zeroPages * zeroBytes;
      if (bytes <= 0) return 0;
      let k = stepAt(t0);
      let t = t0;
      for (;;) {
        const r = rate[k]!;
        const end = k + 1 < from.length ? from[k + 1]! : Number.POSITIVE_INFINITY;
        const capacity = r * (end - t);
        if (r > 0 && capacity >= bytes) return t + bytes / r - t0;
        bytes -= capacity;
        t = end;
        k++;
      }
    },
  };
}
