import { ModelInputError } from '../model/errors.js';
import { wordsFor } from './bitset.js';
import { type SimulatedRound, checkSimulation } from './engine.js';
import { Rng, replicaSeed } from './rng.js';
import { type StopDecision, type StopRule, type StopRuleSpec, createStopRule } from './stop-rules.js';
import { type DirtyState, type WorkloadSpec, createDirtyState } from './workloads.js';

/**
 * Several pre-copy migrations at once on shared links, at page level (see docs/simulator.md, "Many migrations
 * at once"). It follows the fleet sharing contract: rates are the max-min fair allocation (progressive filling)
 * over the links each migration crosses, a pre-copy round additionally capped by the migration's
 * `capBytesPerSecond`, the stop-and-copy uncapped; the allocation is recomputed at every event (a migration
 * starts, ends a round, ends) and is constant in between.
 */

/** A capacity constraint shared by the migrations that cross it. */
export interface MultiLink {
  readonly name: string;
  /** Capacity available to migration traffic, bytes/s (finite, > 0). */
  readonly bytesPerSecond: number;
}

/** One migration of a multi-VM simulation: the single-VM parameters minus the link, plus where and when. */
export interface MultiMigration {
  /** Unique id (used by `startAfter` and in the results). */
  readonly id: string;
  /** Ps: pages of memory. */
  readonly pages: number;
  /** S: bytes per page. */
  readonly pageSizeBytes: number;
  readonly workload: WorkloadSpec;
  readonly stopRule: StopRuleSpec;
  /** Fraction of zero pages at the start (highest page ids), 0 <= z < 1; default 0. */
  readonly zeroFraction?: number;
  /** Bytes on the wire for a zero page; default 9, as the single-VM engine. */
  readonly zeroPageBytes?: number;
  /** Seed of this migration's random stream; default replicaSeed(params seed, index of the migration). */
  readonly seed?: number;
  /** Rounds after which the run is reported as not converged; default 10000, as the single-VM engine. */
  readonly roundLimit?: number;
  /** Stall detection, as the single-VM engine; default 200. */
  readonly stallRounds?: number;
  /** Earliest start, seconds from the schedule start (>= 0); default 0. */
  readonly startSeconds?: number;
  /** Ids of migrations that must have ended (stop-and-copy done) before this one starts. */
  readonly startAfter?: readonly string[];
  /** Names of the links the migration crosses (at least one). */
  readonly links: readonly string[];
  /** Pre-copy rate cap c_i (QEMU max-bandwidth), bytes/s; default +Infinity; lifted in stop-and-copy. */
  readonly capBytesPerSecond?: number;
  /**
   * Always run round 0 (send all pages live) whatever the stop rule says before it: the sharing contract's
   * "stop rule evaluated at the end of each round". Default false: as {@link simulate}, which lets QEMU's rule
   * stop before round 0 when the whole memory fits the downtime-limit at the initial estimate.
   */
  readonly fullFirstRound?: boolean;
}

export interface MultiSimulationParams {
  readonly links: readonly MultiLink[];
  readonly migrations: readonly MultiMigration[];
  /** Seed from which migrations without their own seed derive theirs; default 1. */
  readonly seed?: number;
}

/** A pre-copy round with its absolute times (seconds from the schedule start). */
export interface MultiRound extends SimulatedRound {
  readonly endSeconds: number;
}

export interface MultiMigrationResult {
  readonly id: string;
  /** False when the round limit or stall detection ended pre-copy (then a forced stop-and-copy follows). */
  readonly converged: boolean;
  readonly reason: string;
  readonly stopRule: string;
  readonly startSeconds: number;
  /** When the VM stopped (pre-copy ended, stop-and-copy started). */
  readonly stopSeconds: number;
  readonly endSeconds: number;
  readonly rounds: readonly MultiRound[];
  readonly precopySeconds: number;
  readonly downtimeSeconds: number;
  /** precopySeconds + downtimeSeconds (= endSeconds - startSeconds up to rounding). */
  readonly totalSeconds: number;
  readonly livePagesSent: number;
  readonly downtimePages: number;
  readonly downtimeZeroPages: number;
  readonly heldPages: number;
  readonly pagesTransferred: number;
  readonly bytesTransferred: number;
  readonly pagesDirtied: number;
}

export interface MultiSimulationResult {
  /** In the order of the input migrations. */
  readonly migrations: readonly MultiMigrationResult[];
  /** Latest end, seconds from the schedule start (0 with no migrations). */
  readonly makespanSeconds: number;
  readonly totalBytes: number;
  readonly sumDowntimeSeconds: number;
  readonly maxDowntimeSeconds: number;
  /** Events processed (starts and round ends), for the record. */
  readonly events: number;
}

/** Documented bounds (docs/simulator.md): inputs beyond them are refused with {@link ModelInputError}. */
export const MULTI_LIMITS = {
  migrations: 10_000,
  links: 10_000,
  /** Sum over migrations of the links each crosses. */
  linkUses: 100_000,
  /** Sum over migrations of (round cap + 1): bounds the events of a run. */
  rounds: 10_000_000,
  /** Sum over page-level migrations of their bitmaps (3 bitmaps of ceil(Ps/32) 32-bit words). */
  bitmapBytes: 1024 * 1024 * 1024,
  /** Sum over migrations of (round cap + 1) times the links they cross: bounds the allocation work. */
  allocationWork: 20_000_000_000,
} as const;

const DEFAULT_ROUND_LIMIT = 10_000;
const DEFAULT_STALL_ROUNDS = 200;
/** Relative band within which two rates or increments count as equal in progressive filling. */
const FILL_TOLERANCE = 1e-12;

function checkName(what: string, v: unknown): asserts v is string {
  if (!(typeof v === 'string' && v.length > 0)) throw new ModelInputError(what, v, 'a non-empty string');
}

function roundCap(m: MultiMigration): number {
  const r = m.roundLimit ?? DEFAULT_ROUND_LIMIT;
  const s = m.stopRule?.maxRounds;
  return typeof s === 'number' ? Math.min(r, s) : r;
}

/**
 * Checks a multi-VM simulation's inputs and bounds; throws {@link ModelInputError} naming the first bad field
 * as `migrations[id].field` or `links[name].field`.
 */
export function checkMultiSimulation(p: MultiSimulationParams): void {
  if (!p || !Array.isArray(p.links)) throw new ModelInputError('links', p?.links, 'an array of links');
  if (!Array.isArray(p.migrations)) throw new ModelInputError('migrations', p.migrations, 'an array of migrations');
  if (p.links.length > MULTI_LIMITS.links) {
    throw new ModelInputError('links', p.links.length, `at most ${MULTI_LIMITS.links} links`);
  }
  if (p.migrations.length > MULTI_LIMITS.migrations) {
    throw new ModelInputError('migrations', p.migrations.length, `at most ${MULTI_LIMITS.migrations} migrations`);
  }
  if (p.seed !== undefined && !Number.isInteger(p.seed)) throw new ModelInputError('seed', p.seed, 'a whole number');
  const linkNames = new Set<string>();
  for (const l of p.links) {
    checkName('links[].name', l?.name);
    if (linkNames.has(l.name)) throw new ModelInputError(`links[${l.name}].name`, l.name, 'unique link names');
    linkNames.add(l.name);
    const b = l.bytesPerSecond;
    if (!(typeof b === 'number' && Number.isFinite(b) && b > 0)) {
      throw new ModelInputError(`links[${l.name}].bytesPerSecond`, b, 'a finite number > 0 (bytes/s)');
    }
  }
  const ids = new Set<string>();
  let uses = 0;
  let rounds = 0;
  let bitmapBytes = 0;
  let work = 0;
  for (const m of p.migrations) {
    checkName('migrations[].id', m?.id);
    if (ids.has(m.id)) throw new ModelInputError(`migrations[${m.id}].id`, m.id, 'unique migration ids');
    ids.add(m.id);
    const at = (field: string): string => `migrations[${m.id}].${field}`;
    try {
      checkSimulation({ ...m, bandwidthBytesPerSecond: 1 });
      createStopRule(m.stopRule);
    } catch (e) {
      if (e instanceof ModelInputError) throw new ModelInputError(at(e.parameter), e.value, e.range);
      throw e;
    }
    if (m.seed !== undefined && !Number.isInteger(m.seed))
      throw new ModelInputError(at('seed'), m.seed, 'a whole number');
    const s = m.startSeconds;
    if (s !== undefined && !(typeof s === 'number' && Number.isFinite(s) && s >= 0)) {
      throw new ModelInputError(at('startSeconds'), s, 'a finite number >= 0 (seconds)');
    }
    const c = m.capBytesPerSecond;
    if (c !== undefined && !(typeof c === 'number' && c > 0 && !Number.isNaN(c))) {
      throw new ModelInputError(at('capBytesPerSecond'), c, 'a number > 0 (bytes/s), or Infinity for no cap');
    }
    if (!Array.isArray(m.links) || m.links.length === 0) {
      throw new ModelInputError(at('links'), m.links, 'at least one link name');
    }
    const seen = new Set<string>();
    for (const n of m.links) {
      if (!linkNames.has(n))
        throw new ModelInputError(at('links'), n, `one of the links: ${[...linkNames].join(', ')}`);
      if (seen.has(n)) throw new ModelInputError(at('links'), n, 'each link at most once');
      seen.add(n);
    }
    uses += m.links.length;
    const cap = roundCap(m) + 1;
    rounds += cap;
    work += cap * m.links.length;
    if (m.workload.kind !== 'fluid') bitmapBytes += 3 * 4 * wordsFor(m.pages);
  }
  if (uses > MULTI_LIMITS.linkUses) {
    throw new ModelInputError('migrations[].links', uses, `at most ${MULTI_LIMITS.linkUses} link uses in all`);
  }
  if (rounds > MULTI_LIMITS.rounds) {
    throw new ModelInputError(
      'migrations[].roundLimit',
      rounds,
      `a sum of (round cap + 1) over migrations of at most ${MULTI_LIMITS.rounds} (lower roundLimit or maxRounds)`,
    );
  }
  if (work * p.migrations.length > MULTI_LIMITS.allocationWork) {
    throw new ModelInputError(
      'migrations',
      p.migrations.length,
      `fewer migrations or rounds: (sum of round caps x links crossed) x migrations must stay <= ${MULTI_LIMITS.allocationWork}`,
    );
  }
  if (bitmapBytes > MULTI_LIMITS.bitmapBytes) {
    throw new ModelInputError(
      'migrations[].pages',
      bitmapBytes,
      `page-level bitmaps of at most ${MULTI_LIMITS.bitmapBytes} bytes in all (3 bits per page)`,
    );
  }
  for (const m of p.migrations) {
    for (const d of m.startAfter ?? []) {
      if (!ids.has(d)) throw new ModelInputError(`migrations[${m.id}].startAfter`, d, 'ids of other migrations');
      if (d === m.id) throw new ModelInputError(`migrations[${m.id}].startAfter`, d, 'ids of other migrations');
    }
  }
  // startAfter must be acyclic (Kahn's algorithm), else some migration never starts.
  const indeg = new Map<string, number>();
  const next = new Map<string, string[]>();
  for (const m of p.migrations) {
    indeg.set(m.id, (m.startAfter ?? []).length);
    for (const d of m.startAfter ?? []) next.set(d, [...(next.get(d) ?? []), m.id]);
  }
  const queue = p.migrations.filter((m) => indeg.get(m.id) === 0).map((m) => m.id);
  let seenCount = 0;
  while (queue.length > 0) {
    const id = queue.pop()!;
    seenCount++;
    for (const n of next.get(id) ?? []) {
      const k = indeg.get(n)! - 1;
      indeg.set(n, k);
      if (k === 0) queue.push(n);
    }
  }
  if (seenCount < p.migrations.length) {
    const stuck = p.migrations.find((m) => indeg.get(m.id)! > 0)!;
    throw new ModelInputError(
      `migrations[${stuck.id}].startAfter`,
      stuck.startAfter?.join(','),
      'no cycles of startAfter',
    );
  }
}

/**
 * Max-min fair rates by progressive filling: all unfrozen flows grow at the same rate; a flow freezes at its cap
 * or when a link it crosses saturates; repeat until all are frozen. `paths[f]` lists link indices.
 * Each pass freezes at least one flow or saturates a link, so at most flows + links passes.
 * @example maxMinFair([10], [[0], [0]], [Infinity, 2]) // [8, 2]
 */
export function maxMinFair(
  capacity: readonly number[],
  paths: readonly (readonly number[])[],
  caps: readonly number[],
): number[] {
  const n = paths.length;
  const rate = new Array<number>(n).fill(0);
  const frozen = new Array<boolean>(n).fill(false);
  const residual = capacity.slice();
  const users = new Array<number>(capacity.length).fill(0);
  for (const path of paths) for (const l of path) users[l]!++;
  const saturated = new Array<boolean>(capacity.length).fill(false);
  let left = n;
  for (let f = 0; f < n; f++) {
    if (paths[f]!.length === 0) throw new ModelInputError('links', 'none', 'at least one link per migration');
  }
  for (let pass = 0; left > 0 && pass <= n + capacity.length; pass++) {
    let delta = Number.POSITIVE_INFINITY;
    for (let l = 0; l < capacity.length; l++) {
      if (!saturated[l] && users[l]! > 0) delta = Math.min(delta, residual[l]! / users[l]!);
    }
    for (let f = 0; f < n; f++) if (!frozen[f]) delta = Math.min(delta, caps[f]! - rate[f]!);
    const band = delta * (1 + FILL_TOLERANCE);
    const saturating: number[] = [];
    for (let l = 0; l < capacity.length; l++) {
      if (!saturated[l] && users[l]! > 0 && residual[l]! / users[l]! <= band) saturating.push(l);
    }
    for (let f = 0; f < n; f++) {
      if (frozen[f]) continue;
      rate[f]! += delta;
      for (const l of paths[f]!) residual[l]! -= delta;
    }
    for (const l of saturating) saturated[l] = true;
    for (let f = 0; f < n; f++) {
      if (frozen[f]) continue;
      if (caps[f]! - rate[f]! <= FILL_TOLERANCE * rate[f]! || paths[f]!.some((l) => saturated[l])) {
        frozen[f] = true;
        left--;
        for (const l of paths[f]!) users[l]!--;
      }
    }
  }
  return rate;
}

type Phase = 'waiting' | 'precopy' | 'stopcopy' | 'done';

interface Run {
  readonly m: MultiMigration;
  readonly index: number;
  readonly path: number[];
  readonly cap: number;
  readonly roundLimit: number;
  readonly stallRounds: number;
  readonly zeroBytes: number;
  phase: Phase;
  depsLeft: number;
  readyAt: number;
  rule?: StopRule;
  state?: DirtyState;
  start: number;
  /** Work of the current transfer (a round or the stop-and-copy). */
  full: number;
  zero: number;
  bytes: number;
  remaining: number;
  /** True while nothing of the current transfer has been sent yet (then the exact single-VM formula applies). */
  fresh: boolean;
  transferStart: number;
  rate: number;
  pagesSent: number;
  zeroPagesSent: number;
  round: number;
  minPending: number;
  minRound: number;
  estimate: number;
  livePagesSent: number;
  liveBytes: number;
  dirtied: number;
  converged: boolean;
  reason: string;
  stopAt: number;
  end: number;
  downtimePages: number;
  downtimeZeroPages: number;
  downBytes: number;
  downtimeSeconds: number;
  rounds: MultiRound[];
}

/** Seconds to send what is left of `r`'s transfer at `rate`: the single-VM engine's formula when untouched. */
function secondsLeft(r: Run, rate: number): number {
  if (r.fresh) return r.full * (r.m.pageSizeBytes / rate) + (r.zero > 0 ? r.zero * (r.zeroBytes / rate) : 0);
  return r.remaining / rate;
}

/**
 * Simulates several pre-copy migrations at once on shared links, event by event, each with its own workload,
 * stop rule and random stream, exactly as {@link simulate} does for one VM between events:
 *
 *   at each event time t: start the migrations whose start time and predecessors allow it (the stop rule
 *   decides before round 0); end the rounds that finish at t (dirty log sync, the stop rule decides: next round,
 *   or stop-and-copy of the pending and held pages); end the stop-and-copies that finish at t;
 *   then recompute the max-min fair rates ({@link maxMinFair}) and go to the next event: the earliest start or
 *   end of a transfer at the constant rates. At the end of each round the VM's workload dirties pages over the
 *   round's whole elapsed time (advance(round start - start, seconds)): the union of its constant-rate segments.
 *
 * The bandwidth estimate of the QEMU rule before round 0 is the rate the migration would get alone
 * (min of its cap and its links); after a round it is the round's bytes over its seconds, as QEMU measures it.
 * A migration alone on one link, started at 0, gives bit-identical results to {@link simulate}.
 *
 * @throws {ModelInputError} a parameter out of range or beyond {@link MULTI_LIMITS}
 */
export function simulateMany(p: MultiSimulationParams): MultiSimulationResult {
  checkMultiSimulation(p);
  const linkIndex = new Map(p.links.map((l, i) => [l.name, i]));
  const capacity = p.links.map((l) => l.bytesPerSecond);
  const runs: Run[] = p.migrations.map((m, index) => {
    const r: Run = {
      m,
      index,
      path: m.links.map((n) => linkIndex.get(n)!),
      cap: m.capBytesPerSecond ?? Number.POSITIVE_INFINITY,
      roundLimit: m.roundLimit ?? DEFAULT_ROUND_LIMIT,
      stallRounds: m.stallRounds ?? DEFAULT_STALL_ROUNDS,
      zeroBytes: m.zeroPageBytes ?? 9,
      phase: 'waiting',
      depsLeft: (m.startAfter ?? []).length,
      readyAt: m.startSeconds ?? 0,
      start: 0,
      full: 0,
      zero: 0,
      bytes: 0,
      remaining: 0,
      fresh: true,
      transferStart: 0,
      rate: 0,
      pagesSent: 0,
      zeroPagesSent: 0,
      round: 0,
      minPending: Number.POSITIVE_INFINITY,
      minRound: 0,
      estimate: 0,
      livePagesSent: 0,
      liveBytes: 0,
      dirtied: 0,
      converged: true,
      reason: '',
      stopAt: 0,
      end: 0,
      downtimePages: 0,
      downtimeZeroPages: 0,
      downBytes: 0,
      downtimeSeconds: 0,
      rounds: [],
    };
    return r;
  });
  const dependents = new Map<string, Run[]>();
  for (const r of runs) for (const d of r.m.startAfter ?? []) dependents.set(d, [...(dependents.get(d) ?? []), r]);

  const beginTransfer = (r: Run, t: number, full: number, zero: number): void => {
    r.full = full;
    r.zero = zero;
    r.bytes = full * r.m.pageSizeBytes + zero * r.zeroBytes;
    r.remaining = r.bytes;
    r.fresh = true;
    r.transferStart = t;
  };
  const stopAndCopy = (r: Run, t: number): void => {
    const state = r.state!;
    const left = state.send(state.pendingPages());
    const held = state.heldPages;
    r.stopAt = t;
    r.downtimePages = left.pages + held;
    r.downtimeZeroPages = left.zeroPages;
    r.phase = 'stopcopy';
    beginTransfer(r, t, left.pages - left.zeroPages + held, left.zeroPages);
    r.downBytes = r.bytes;
  };
  /** The stop rule decides before round r.round (as the single-VM engine's loop head); starts it or stops. */
  const decide = (r: Run, t: number): void => {
    const state = r.state!;
    const decision: StopDecision =
      r.round === 0 && r.m.fullFirstRound === true
        ? { stop: false, leavePages: 0 }
        : r.rule!.decide({
            round: r.round,
            pendingPages: state.pendingPages(),
            livePages: state.livePages,
            memoryPages: r.m.pages,
            pageSizeBytes: r.m.pageSizeBytes,
            pagesSent: r.livePagesSent,
            elapsedSeconds: t - r.start,
            bandwidthEstimate: r.estimate,
          });
    if (decision.stop) {
      r.reason = decision.reason;
      stopAndCopy(r, t);
      return;
    }
    if (r.round >= r.roundLimit) {
      r.converged = false;
      r.reason = `pre-copy did not stop within ${r.roundLimit} rounds (dirty set not shrinking: rho >= 1?)`;
      stopAndCopy(r, t);
      return;
    }
    const pendingNow = state.pendingPages();
    if (pendingNow < r.minPending) {
      r.minPending = pendingNow;
      r.minRound = r.round;
    } else if (r.round - r.minRound >= r.stallRounds) {
      r.converged = false;
      r.reason = `pre-copy stalled: the dirty set has stayed at about ${Math.round(pendingNow)} pages for ${r.stallRounds} rounds without the stop rule stopping`;
      stopAndCopy(r, t);
      return;
    }
    const sent = state.send(Math.max(0, pendingNow - decision.leavePages));
    r.pagesSent = sent.pages;
    r.zeroPagesSent = sent.zeroPages;
    r.phase = 'precopy';
    beginTransfer(r, t, sent.pages - sent.zeroPages, sent.zeroPages);
  };
  const startRun = (r: Run, t: number, seed: number): void => {
    r.start = t;
    r.rule = createStopRule(r.m.stopRule);
    r.state = createDirtyState(
      r.m.workload,
      { pages: r.m.pages, zeroFraction: r.m.zeroFraction ?? 0, holdHot: r.rule.holdsHotPages },
      new Rng(seed),
    );
    let alone = r.cap;
    for (const l of r.path) alone = Math.min(alone, capacity[l]!);
    r.estimate = alone;
    decide(r, t);
  };
  const endTransfer = (r: Run, t: number, seconds: number): void => {
    if (r.phase === 'stopcopy') {
      r.phase = 'done';
      r.downtimeSeconds = seconds;
      r.end = t;
      for (const d of dependents.get(r.m.id) ?? []) {
        d.depsLeft--;
        d.readyAt = Math.max(d.readyAt, t);
      }
      return;
    }
    const state = r.state!;
    // The guest dirtied pages during the whole round: one advance over it, as the single-VM engine does. The
    // workloads depend on time only (not on the rate), so this is the union of the round's constant-rate
    // segments: identical for fluid, working-set and trace-ids, the same distribution for random writes (a sum
    // of Poisson counts is Poisson), and O(pages) once per round rather than at every event of the fleet.
    state.advance(r.transferStart - r.start, seconds);
    const roundDirtied = state.loggedPages();
    const pendingAfter = state.sync();
    r.rounds.push({
      index: r.round,
      startSeconds: r.transferStart,
      endSeconds: t,
      seconds,
      pagesSent: r.pagesSent,
      zeroPagesSent: r.zeroPagesSent,
      bytesSent: r.bytes,
      pagesDirtied: roundDirtied,
      pendingAfter,
    });
    if (seconds > 0) r.estimate = r.bytes / seconds;
    r.livePagesSent += r.pagesSent;
    r.liveBytes += r.bytes;
    r.dirtied += roundDirtied;
    r.round++;
    decide(r, t);
  };

  const seed = p.seed ?? 1;
  const maxEvents = runs.reduce((s, r) => s + roundCap(r.m) + 3, 0);
  let t = 0;
  let events = 0;
  let done = 0;
  for (;;) {
    // Start what can start at t (in input order, so the run is deterministic).
    for (const r of runs) {
      if (r.phase === 'waiting' && r.depsLeft === 0 && r.readyAt <= t) {
        startRun(r, t, r.m.seed ?? replicaSeed(seed, r.index));
      }
    }
    // Transfers that are empty end at once (a stop-and-copy with nothing left, a round of no pages).
    for (let guard = 0; guard <= maxEvents; guard++) {
      let any = false;
      for (const r of runs) {
        if ((r.phase === 'precopy' || r.phase === 'stopcopy') && r.bytes === 0) {
          any = true;
          endTransfer(r, t, 0);
          if ((r.phase as Phase) === 'done') done++;
        }
      }
      if (!any) break;
      if (guard === maxEvents) throw new Error('simulateMany: event bound exceeded (internal error)');
      for (const r of runs) {
        if (r.phase === 'waiting' && r.depsLeft === 0 && r.readyAt <= t) {
          startRun(r, t, r.m.seed ?? replicaSeed(seed, r.index));
        }
      }
    }
    if (done === runs.length) break;
    if (++events > maxEvents) throw new Error('simulateMany: event bound exceeded (internal error)');
    const active = runs.filter((r) => r.phase === 'precopy' || r.phase === 'stopcopy');
    const rates = maxMinFair(
      capacity,
      active.map((r) => r.path),
      active.map((r) => (r.phase === 'precopy' ? r.cap : Number.POSITIVE_INFINITY)),
    );
    let dt = Number.POSITIVE_INFINITY;
    for (let k = 0; k < active.length; k++) {
      const r = active[k]!;
      r.rate = rates[k]!;
      dt = Math.min(dt, secondsLeft(r, r.rate));
    }
    let nextStart = Number.POSITIVE_INFINITY;
    for (const r of runs) if (r.phase === 'waiting' && r.depsLeft === 0) nextStart = Math.min(nextStart, r.readyAt);
    if (nextStart - t < dt) {
      // A start comes first: every transfer progresses to it at its rate.
      const seg = nextStart - t;
      for (const r of active) {
        r.remaining = Math.max(0, r.remaining - r.rate * seg);
        r.fresh = false;
      }
      t = nextStart;
      continue;
    }
    if (!Number.isFinite(dt)) throw new Error('simulateMany: no event ahead (internal error)');
    // The transfers whose end is within the tolerance of the earliest end finish now, in input order.
    const ending: { r: Run; seconds: number }[] = [];
    const tEnd = t + dt;
    for (const r of active) {
      const left = secondsLeft(r, r.rate);
      const finishing = left <= dt * (1 + FILL_TOLERANCE);
      if (finishing) {
        ending.push({ r, seconds: r.fresh && r.transferStart === t ? left : tEnd - r.transferStart });
      } else {
        r.remaining = Math.max(0, r.remaining - r.rate * dt);
        r.fresh = false;
      }
    }
    t = tEnd;
    for (const { r, seconds } of ending) {
      endTransfer(r, t, seconds);
      if ((r.phase as Phase) === 'done') done++;
    }
  }

  const results = runs.map((r): MultiMigrationResult => {
    // As the single-VM engine: pre-copy is the sum of the rounds' times (here stop minus start), the downtime the
    // seconds of the stop-and-copy as computed, and the total their sum (equal to end - start up to rounding).
    const precopySeconds = r.stopAt - r.start;
    const downtimeSeconds = r.downtimeSeconds;
    return {
      id: r.m.id,
      converged: r.converged,
      reason: r.reason,
      stopRule: r.rule!.name,
      startSeconds: r.start,
      stopSeconds: r.stopAt,
      endSeconds: r.end,
      rounds: r.rounds,
      precopySeconds,
      downtimeSeconds,
      totalSeconds: precopySeconds + downtimeSeconds,
      livePagesSent: r.livePagesSent,
      downtimePages: r.downtimePages,
      downtimeZeroPages: r.downtimeZeroPages,
      heldPages: r.state!.heldPages,
      pagesTransferred: r.livePagesSent + r.downtimePages,
      bytesTransferred: r.liveBytes + r.downBytes,
      pagesDirtied: r.dirtied,
    };
  });
  let makespan = 0;
  let totalBytes = 0;
  let sumDown = 0;
  let maxDown = 0;
  for (const x of results) {
    makespan = Math.max(makespan, x.endSeconds);
    totalBytes += x.bytesTransferred;
    sumDown += x.downtimeSeconds;
    maxDown = Math.max(maxDown, x.downtimeSeconds);
  }
  return {
    migrations: results,
    makespanSeconds: makespan,
    totalBytes,
    sumDowntimeSeconds: sumDown,
    maxDowntimeSeconds: maxDown,
    events,
  };
}
