import { ModelInputError } from '../model/errors.js';
import { checkPageSize, checkPages } from '../model/validate.js';
import {
  type BandwidthStep,
  checkLink,
  createLink,
  MAX_LINK_BYTES_PER_SECOND,
  MIN_LINK_BYTES_PER_SECOND,
} from './link.js';
import { Rng } from './rng.js';
import { type StopRuleSpec, createStopRule } from './stop-rules.js';
import { type WorkloadSpec, checkWorkload, createDirtyState, hotFractionOf } from './workloads.js';

/** Everything one simulated migration needs, in base units (pages, bytes, bytes/s, pages/s, seconds). */
export interface SimulationParams {
  /** Ps: pages of memory, 1 <= Ps <= 2^31 for page-level workloads (any size for fluid). */
  readonly pages: number;
  /** S: bytes per page. */
  readonly pageSizeBytes: number;
  /** B: link rate from time 0, bytes/s. */
  readonly bandwidthBytesPerSecond: number;
  /** Later changes of the link rate (piecewise constant). */
  readonly bandwidthSchedule?: readonly BandwidthStep[];
  /**
   * Rate of the stop-and-copy, bytes/s; default: QEMU's switch-over bandwidth when the qemu rule states one,
   * else the link (QEMU lifts its rate cap at switch-over).
   */
  readonly downtimeBandwidthBytesPerSecond?: number;
  readonly workload: WorkloadSpec;
  readonly stopRule: StopRuleSpec;
  /** Fraction of pages that are zero at the start (highest page ids), 0 <= z < 1; default 0. */
  readonly zeroFraction?: number;
  /** Bytes on the wire for a zero page; default 9 (an 8-byte page header and a fill byte, as QEMU's). */
  readonly zeroPageBytes?: number;
  /** Seed of the random stream (32-bit); default 1. */
  readonly seed?: number;
  /** Safety cap: a run with more rounds is reported as not converged; default 10000, at most 1e6. */
  readonly roundLimit?: number;
  /**
   * Stall detection: when the pending set has not reached a new minimum for this many rounds, the run is
   * reported as not converged (the dirty set settled above what the stop rule waits for); default 200.
   */
  readonly stallRounds?: number;
}

/** One simulated pre-copy round. */
export interface SimulatedRound {
  readonly index: number;
  readonly startSeconds: number;
  /** T(i): seconds the round lasted. */
  readonly seconds: number;
  /** P(i): pages sent in the round (full and zero pages). */
  readonly pagesSent: number;
  readonly zeroPagesSent: number;
  readonly bytesSent: number;
  /** Distinct live pages dirtied during the round (what the next sync finds in the dirty log). */
  readonly pagesDirtied: number;
  /** Pages pending after the sync that ended the round (dirtied, plus any carried over). */
  readonly pendingAfter: number;
}

/** The outcome of one simulated migration; totals named as the model's so they compare one to one. */
export interface SimulationResult {
  /** False when the round limit was hit before the stop rule stopped. */
  readonly converged: boolean;
  /** Why pre-copy stopped (the rule's words), or why it did not converge. */
  readonly reason: string;
  readonly stopRule: string;
  readonly rounds: readonly SimulatedRound[];
  /** n: the index of the last live round (rounds.length - 1; -1 when no live round ran). */
  readonly iterations: number;
  readonly precopySeconds: number;
  readonly downtimeSeconds: number;
  readonly totalSeconds: number;
  /** Pages sent live over all rounds. */
  readonly livePagesSent: number;
  /** Pages copied while the VM is down: dirty pages left plus held hot pages. */
  readonly downtimePages: number;
  /** Of which zero pages. */
  readonly downtimeZeroPages: number;
  /** Hot pages held back to the downtime (Hot II). */
  readonly heldPages: number;
  /** Pages sent over the whole migration (live + downtime), unrounded. */
  readonly pagesTransferred: number;
  readonly bytesTransferred: number;
  /** Distinct pages dirtied during pre-copy, summed over rounds. */
  readonly pagesDirtied: number;
  /** tau = S/B at time 0. */
  readonly pageSeconds: number;
  /** Measured rho: pages dirtied during pre-copy per second of pre-copy, times tau (0 without pre-copy). */
  readonly rho: number;
  /** G = Ps*tau/Tdown (Infinity when nothing is copied at downtime). */
  readonly gain: number;
  /**
   * Unet as the paper defines it (Eq. 15) with consistent accounting: (rho*Tpre + downtime bytes / B) / Ttotal.
   */
  readonly networkUtilization: number;
}

/**
 * Largest `roundLimit` and `stallRounds` accepted: the rounds loop runs at most roundLimit + 1 times, each pass
 * O(pages) for page-level workloads, so this bounds the loop by its inputs.
 */
export const MAX_ROUND_LIMIT = 1_000_000;

function checkFraction(name: string, v: unknown): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1)) {
    throw new ModelInputError(name, v, `0 <= ${name} < 1`);
  }
}

/** Checks every parameter; throws {@link ModelInputError} naming the first bad one. */
export function checkSimulation(p: SimulationParams): void {
  checkPages('pages', p.pages);
  if (p.workload?.kind !== 'fluid' && p.pages > 2 ** 31) {
    throw new ModelInputError('pages', p.pages, 'at most 2^31 pages for a page-level workload');
  }
  checkPageSize('pageSizeBytes', p.pageSizeBytes);
  checkLink({ bandwidthBytesPerSecond: p.bandwidthBytesPerSecond, schedule: p.bandwidthSchedule });
  const db = p.downtimeBandwidthBytesPerSecond;
  if (
    db !== undefined &&
    !(Number.isFinite(db) && db >= MIN_LINK_BYTES_PER_SECOND && db <= MAX_LINK_BYTES_PER_SECOND)
  ) {
    throw new ModelInputError(
      'downtimeBandwidthBytesPerSecond',
      db,
      `a rate with ${MIN_LINK_BYTES_PER_SECOND} <= bytes/s <= ${MAX_LINK_BYTES_PER_SECOND}`,
    );
  }
  checkWorkload(p.workload, p.pages);
  if (p.zeroFraction !== undefined) checkFraction('zeroFraction', p.zeroFraction);
  const zb = p.zeroPageBytes;
  if (zb !== undefined && !(Number.isFinite(zb) && zb >= 0)) {
    throw new ModelInputError('zeroPageBytes', zb, 'a finite number >= 0 (bytes)');
  }
  const rl = p.roundLimit;
  if (rl !== undefined && !(Number.isInteger(rl) && rl >= 1 && rl <= MAX_ROUND_LIMIT)) {
    throw new ModelInputError('roundLimit', rl, `a whole number from 1 to ${MAX_ROUND_LIMIT}`);
  }
  const sr = p.stallRounds;
  if (sr !== undefined && !(Number.isInteger(sr) && sr >= 1 && sr <= MAX_ROUND_LIMIT)) {
    throw new ModelInputError('stallRounds', sr, `a whole number from 1 to ${MAX_ROUND_LIMIT}`);
  }
  if (p.stopRule?.kind === 'hot-held' && hotFractionOf(p.workload) === 0 && p.workload.kind !== 'fluid') {
    throw new ModelInputError(
      'stopRule',
      'hot-held',
      'a workload with hot pages (hot-cold, or fluid with hotFraction)',
    );
  }
}

/**
 * Simulates one pre-copy migration at page granularity (a discrete-event loop whose events are the round ends):
 *
 *   pending := all live pages; i := 0
 *   loop: decision := stopRule(pending, i, ...); if stop: break
 *         send pending pages (all, or all but `leavePages` for QEMU), lowest ids first: T(i) from the link
 *         the workload dirties pages during [t, t + T(i)) into the dirty log
 *         sync: pending := pending OR log; i := i + 1
 *   stop-and-copy: the pending pages plus held hot pages, at the downtime bandwidth.
 *
 * With the fluid workload and the alpha rule this is the paper's recursion P(i+1) = D*T(i), T(i) = P(i)*tau, and
 * reproduces Table 1 to rounding.
 *
 * @throws {ModelInputError} a parameter out of range (names it)
 * @example simulate({pages: 4096, pageSizeBytes: 16e3, bandwidthBytesPerSecond: 60e3,
 *   workload: {kind: 'fluid', dirtyPagesPerSecond: 2}, stopRule: {kind: 'alpha', alpha: 0.05}}).iterations // 4
 */
export function simulate(p: SimulationParams): SimulationResult {
  checkSimulation(p);
  const rule = createStopRule(p.stopRule);
  const link = createLink({ bandwidthBytesPerSecond: p.bandwidthBytesPerSecond, schedule: p.bandwidthSchedule });
  const rng = new Rng(p.seed ?? 1);
  const state = createDirtyState(
    p.workload,
    { pages: p.pages, zeroFraction: p.zeroFraction ?? 0, holdHot: rule.holdsHotPages },
    rng,
  );
  const S = p.pageSizeBytes;
  const zeroBytes = p.zeroPageBytes ?? 9;
  const roundLimit = p.roundLimit ?? 10_000;
  const stallRounds = p.stallRounds ?? 200;
  let minPending = Number.POSITIVE_INFINITY;
  let minRound = 0;
  const tau = S / p.bandwidthBytesPerSecond;
  const rounds: SimulatedRound[] = [];
  let t = 0;
  let livePagesSent = 0;
  let bytes = 0;
  let dirtied = 0;
  let estimate = link.rateAt(0);
  let reason = '';
  let converged = true;
  for (let i = 0; ; i++) {
    const decision = rule.decide({
      round: i,
      pendingPages: state.pendingPages(),
      livePages: state.livePages,
      memoryPages: p.pages,
      pageSizeBytes: S,
      pagesSent: livePagesSent,
      elapsedSeconds: t,
      bandwidthEstimate: estimate,
    });
    if (decision.stop) {
      reason = decision.reason;
      break;
    }
    if (i >= roundLimit) {
      converged = false;
      reason = `pre-copy did not stop within ${roundLimit} rounds (dirty set not shrinking: rho >= 1?)`;
      break;
    }
    const pendingNow = state.pendingPages();
    if (pendingNow < minPending) {
      minPending = pendingNow;
      minRound = i;
    } else if (i - minRound >= stallRounds) {
      converged = false;
      reason = `pre-copy stalled: the dirty set has stayed at about ${Math.round(pendingNow)} pages for ${stallRounds} rounds without the stop rule stopping`;
      break;
    }
    const pendingBefore = state.pendingPages();
    const sent = state.send(Math.max(0, pendingBefore - decision.leavePages));
    const full = sent.pages - sent.zeroPages;
    const seconds = link.secondsToSend(t, full, S, sent.zeroPages, zeroBytes);
    const roundBytes = full * S + sent.zeroPages * zeroBytes;
    state.advance(t, seconds);
    const roundDirtied = state.loggedPages();
    const pendingAfter = state.sync();
    rounds.push({
      index: i,
      startSeconds: t,
      seconds,
      pagesSent: sent.pages,
      zeroPagesSent: sent.zeroPages,
      bytesSent: roundBytes,
      pagesDirtied: roundDirtied,
      pendingAfter,
    });
    if (seconds > 0) estimate = roundBytes / seconds;
    t += seconds;
    livePagesSent += sent.pages;
    bytes += roundBytes;
    dirtied += roundDirtied;
  }
  const precopySeconds = t;
  const left = state.send(state.pendingPages());
  const held = state.heldPages;
  const downFull = left.pages - left.zeroPages + held;
  const downBytes = downFull * S + left.zeroPages * zeroBytes;
  // The final copy runs at the downtime bandwidth when given, else at QEMU's switch-over bandwidth when that
  // rule states one, else on the link.
  const downBw =
    p.downtimeBandwidthBytesPerSecond ??
    (p.stopRule.kind === 'qemu' ? p.stopRule.switchoverBandwidthBytesPerSecond : undefined);
  const downtimeSeconds =
    downBw !== undefined ? downBytes / downBw : link.secondsToSend(t, downFull, S, left.zeroPages, zeroBytes);
  const totalSeconds = precopySeconds + downtimeSeconds;
  const rho = precopySeconds > 0 ? (dirtied / precopySeconds) * tau : 0;
  const downtimePages = left.pages + held;
  return {
    converged,
    reason,
    stopRule: rule.name,
    rounds,
    iterations: rounds.length - 1,
    precopySeconds,
    downtimeSeconds,
    totalSeconds,
    livePagesSent,
    downtimePages,
    downtimeZeroPages: left.zeroPages,
    heldPages: held,
    pagesTransferred: livePagesSent + downtimePages,
    bytesTransferred: bytes + downBytes,
    pagesDirtied: dirtied,
    pageSeconds: tau,
    rho,
    gain: downtimeSeconds > 0 ? (p.pages * tau) / downtimeSeconds : Number.POSITIVE_INFINITY,
    networkUtilization:
      totalSeconds > 0 ? (rho * precopySeconds + downBytes / p.bandwidthBytesPerSecond) / totalSeconds : 0,
  };
}
