import { ModelInputError } from '../model/errors.js';
import { clearRange, popcount32, rangeMask, setRange, wordsFor } from './bitset.js';
import type { Rng } from './rng.js';
import {
  MAX_TRACE_COUNT,
  MAX_TRACE_IDS,
  MAX_TRACE_INTERVAL_SECONDS,
  MAX_TRACE_INTERVALS,
  MIN_TRACE_INTERVAL_SECONDS,
} from './trace.js';

/**
 * A dirty-page trace: per interval of `intervalSeconds`, either a count of page writes (each to a uniformly
 * random page) or the exact page ids written, in order. Replayed in a loop when the migration outlasts it.
 * The text format is documented in docs/simulator.md and parsed by {@link parseTrace} (./trace.ts).
 */
export interface DirtyTrace {
  readonly intervalSeconds: number;
  readonly kind: 'counts' | 'ids';
  /** counts: writes per interval; ids: number of ids per interval. */
  readonly counts: readonly number[];
  /** ids: all page ids, interval after interval (empty for counts). */
  readonly ids: Uint32Array;
}

/** How the guest dirties memory. Rates are pages/s; page ids run 0..Ps-1. */
export type WorkloadSpec =
  /**
   * The paper's assumption: the pages copied live are dirtied at a constant rate and every write hits a page
   * not yet dirty, in fractional pages. With hot parameters the live rate is the paper's for the case:
   * D_eff = Dnh(1-beta) + Dh*beta (Eq. 17) when hot pages are copied live, Dnh (Section 4.2) when they are held.
   */
  | { readonly kind: 'fluid'; readonly dirtyPagesPerSecond: number }
  | {
      readonly kind: 'fluid';
      readonly hotFraction: number;
      readonly hotDirtyPagesPerSecond: number;
      readonly coldDirtyPagesPerSecond: number;
    }
  /** Writes at rate D, Poisson in time, uniform over all pages; a write to a dirty page adds nothing. */
  | { readonly kind: 'random'; readonly dirtyPagesPerSecond: number }
  /**
   * Random writes with a hot set: pages [0, beta*Ps) receive writes at beta*Dh pages/s, the others at
   * (1-beta)*Dnh pages/s (per page, Dh/Ps and Dnh/Ps writes per second), so with few repeats the live dirtying
   * rate is Eq. 17's D_eff.
   */
  | {
      readonly kind: 'hot-cold';
      readonly hotFraction: number;
      readonly hotDirtyPagesPerSecond: number;
      readonly coldDirtyPagesPerSecond: number;
    }
  /** A buffer of W pages [0, W) written in order, cyclically, at D pages/s: min(D*t, W) distinct pages in t. */
  | { readonly kind: 'working-set'; readonly dirtyPagesPerSecond: number; readonly workingSetPages: number }
  /** Replay of a dirty-page trace. */
  | { readonly kind: 'trace'; readonly trace: DirtyTrace };

export type WorkloadKind = WorkloadSpec['kind'];
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['fluid', 'random', 'hot-cold', 'working-set', 'trace'];

/** What the engine needs of the dirty-page state: the pending set, the dirty log, sends and syncs. */
export interface DirtyState {
  /** True for page-level (integer) state, false for the fluid workload's fractional pages. */
  readonly discrete: boolean;
  /** Pages copied live: Ps, or Ps minus the held hot pages. */
  readonly livePages: number;
  /** Pages held back to the downtime (Hot II), else 0. */
  readonly heldPages: number;
  /** Pages dirty and not yet sent, as of the last sync. */
  pendingPages(): number;
  /** Sends up to `count` pending pages, lowest page ids first; returns pages sent and how many were zero pages. */
  send(count: number): { pages: number; zeroPages: number };
  /**
   * The guest writes during [t0, t0 + seconds): dirtied pages go to the dirty log. The length is passed apart
   * from the start so that short late rounds keep full precision (t0 + T - t0 would round T).
   */
  advance(t0: number, seconds: number): void;
  /** Distinct live pages in the dirty log (dirtied since the last sync). */
  loggedPages(): number;
  /** Bitmap sync: pending = pending OR log, log cleared; returns the new pending count. */
  sync(): number;
}

/** Workload options that shape the memory rather than the writes. */
export interface MemoryLayout {
  readonly pages: number;
  /** Fraction of pages that are zero at the start (the highest page ids); 0 <= z < 1. */
  readonly zeroFraction: number;
  /** Hold the hot pages [0, beta*Ps) back to the downtime (Hot II). */
  readonly holdHot: boolean;
}

function finiteAtLeast(name: string, v: unknown, min: number, unit: string): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= min)) {
    throw new ModelInputError(name, v, `a finite number >= ${min} (${unit})`);
  }
}

interface HotRates {
  readonly hotFraction: number;
  readonly hotDirtyPagesPerSecond: number;
  readonly coldDirtyPagesPerSecond: number;
}

function hasHot(spec: WorkloadSpec): spec is WorkloadSpec & HotRates {
  return 'hotFraction' in spec;
}

/** Hot fraction of a workload (0 when it has none). */
export function hotFractionOf(spec: WorkloadSpec): number {
  return hasHot(spec) ? spec.hotFraction : 0;
}

/** Checks a workload spec against the memory size; throws {@link ModelInputError} naming the field. */
export function checkWorkload(spec: WorkloadSpec, pages: number): void {
  if (!spec || !WORKLOAD_KINDS.includes((spec as { kind: WorkloadKind }).kind)) {
    throw new ModelInputError('workload', (spec as { kind?: unknown })?.kind, WORKLOAD_KINDS.join(', '));
  }
  if (hasHot(spec)) {
    const b = spec.hotFraction;
    if (!(typeof b === 'number' && Number.isFinite(b) && b >= 0 && b < 1)) {
      throw new ModelInputError('hotFraction', b, '0 <= hotFraction < 1');
    }
    finiteAtLeast('hotDirtyPagesPerSecond', spec.hotDirtyPagesPerSecond, 0, 'pages/s');
    finiteAtLeast('coldDirtyPagesPerSecond', spec.coldDirtyPagesPerSecond, 0, 'pages/s');
  } else if (spec.kind !== 'trace') {
    finiteAtLeast('dirtyPagesPerSecond', (spec as { dirtyPagesPerSecond?: unknown }).dirtyPagesPerSecond, 0, 'pages/s');
  }
  if (spec.kind === 'working-set') {
    const w = spec.workingSetPages;
    if (!(Number.isInteger(w) && w >= 1 && w <= pages)) {
      throw new ModelInputError('workingSetPages', w, `a whole number of pages from 1 to ${pages}`);
    }
  }
  if (spec.kind === 'trace') {
    const t = spec.trace;
    const iv = t?.intervalSeconds;
    if (!(typeof iv === 'number' && iv >= MIN_TRACE_INTERVAL_SECONDS && iv <= MAX_TRACE_INTERVAL_SECONDS)) {
      throw new ModelInputError(
        'trace.intervalSeconds',
        iv,
        `an interval from ${MIN_TRACE_INTERVAL_SECONDS} to ${MAX_TRACE_INTERVAL_SECONDS} seconds`,
      );
    }
    if (t.counts.length === 0) throw new ModelInputError('trace', 'empty', 'at least one interval');
    if (t.counts.length > MAX_TRACE_INTERVALS) {
      throw new ModelInputError('trace.counts', t.counts.length, `at most ${MAX_TRACE_INTERVALS} intervals`);
    }
    for (let i = 0; i < t.counts.length; i++) {
      const c = t.counts[i];
      if (!(Number.isInteger(c) && (c as number) >= 0 && (c as number) <= MAX_TRACE_COUNT)) {
        throw new ModelInputError(`trace.counts[${i}]`, c, `a whole number from 0 to ${MAX_TRACE_COUNT}`);
      }
    }
    if (t.ids.length > MAX_TRACE_IDS) {
      throw new ModelInputError('trace.ids', t.ids.length, `at most ${MAX_TRACE_IDS} page ids`);
    }
    if (t.kind === 'ids') {
      for (let i = 0; i < t.ids.length; i++) {
        if (t.ids[i]! >= pages) throw new ModelInputError('trace.ids', t.ids[i], `page ids from 0 to ${pages - 1}`);
      }
    }
  }
}

/**
 * Fluid state: fractional pages, no identities. pending + log never exceed the live pages; zero pages
 * (z*Ps at the start) are sent last within a round and cost zeroBytes.
 */
function fluidState(spec: WorkloadSpec, layout: MemoryLayout): DirtyState {
  const held = layout.holdHot ? layout.pages * hotFractionOf(spec) : 0;
  const live = layout.pages - held;
  let rate: number;
  if (hasHot(spec)) {
    const s = spec as { hotFraction: number; hotDirtyPagesPerSecond: number; coldDirtyPagesPerSecond: number };
    rate = layout.holdHot
      ? s.coldDirtyPagesPerSecond
      : s.coldDirtyPagesPerSecond * (1 - s.hotFraction) + s.hotDirtyPagesPerSecond * s.hotFraction;
  } else {
    rate = (spec as { dirtyPagesPerSecond: number }).dirtyPagesPerSecond;
  }
  let pending = live;
  let pendingZero = Math.min(layout.pages * layout.zeroFraction, live);
  let log = 0;
  return {
    discrete: false,
    livePages: live,
    heldPages: held,
    pendingPages: () => pending,
    send(count) {
      const c = Math.min(count, pending);
      const normal = Math.min(c, pending - pendingZero);
      const zero = c - normal;
      pending -= c;
      pendingZero -= zero;
      return { pages: c, zeroPages: zero };
    },
    advance(_t0, seconds) {
      log = Math.min(log + rate * seconds, live - pending);
    },
    loggedPages: () => log,
    sync() {
      pending += log;
      log = 0;
      return pending;
    },
  };
}

/** Writes into the dirty log; returns how many live pages became dirty. */
type Writer = (log: Uint32Array, t0: number, seconds: number) => number;

/**
 * `count` writes, each to a page uniform in [from, from+size), marked in `log`; returns the newly set bits.
 * The hot loop of the simulator: xoshiro128** and Lemire's bounded integer inlined on local state.
 */
export function scatterWrites(log: Uint32Array, from: number, size: number, count: number, rng: Rng): number {
  let s0 = rng.s0;
  let s1 = rng.s1;
  let s2 = rng.s2;
  let s3 = rng.s3;
  let added = 0;
  const threshold = (0x100000000 - size) % size;
  for (let i = 0; i < count; i++) {
    let u: number;
    let low: number;
    do {
      const x = Math.imul(s1, 5);
      u = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      low = Math.imul(u, size) >>> 0;
    } while (low < threshold);
    const p = from + Math.round((u * size - low) * 2.3283064365386963e-10);
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    const old = log[w]!;
    if ((old & bit) === 0) {
      log[w] = old | bit;
      added++;
    }
  }
  rng.s0 = s0;
  rng.s1 = s1;
  rng.s2 = s2;
  rng.s3 = s3;
  return added;
}

/**
 * Marks each page of [from, from+size) dirty with probability p, independently; returns the newly set bits.
 * Used instead of {@link scatterWrites} when a round holds more writes than pages: with Poisson(lambda) writes
 * uniform over n pages, the writes per page are independent Poisson(lambda/n) (Poissonization), so "page
 * written at least once" is exactly an independent Bernoulli(1 - exp(-lambda/n)) per page. Cost O(n) instead
 * of O(lambda). p is quantised to 2^-32.
 */
export function bernoulliFill(log: Uint32Array, from: number, size: number, p: number, rng: Rng): number {
  const to = from + size;
  if (p >= 1 - 2 ** -32) return setRange(log, from, to);
  const cut = Math.floor(p * 4294967296);
  let added = 0;
  for (let page = from; page < to; page++) {
    if (rng.nextUint32() < cut) {
      const w = page >>> 5;
      const bit = 1 << (page & 31);
      const old = log[w]!;
      if ((old & bit) === 0) {
        log[w] = old | bit;
        added++;
      }
    }
  }
  return added;
}

function randomWriter(ranges: { from: number; size: number; rate: number }[], rng: Rng): Writer {
  const active = ranges.filter((r) => r.size > 0 && r.rate > 0);
  return (log, _t0, seconds) => {
    let added = 0;
    for (const r of active) {
      const mean = r.rate * seconds;
      added +=
        mean > r.size
          ? bernoulliFill(log, r.from, r.size, -Math.expm1(-mean / r.size), rng)
          : scatterWrites(log, r.from, r.size, rng.poisson(mean), rng);
    }
    return added;
  };
}

function workingSetWriter(rate: number, size: number): Writer {
  return (log, t0, seconds) => {
    const a = Math.floor(rate * t0);
    const k = Math.floor(rate * (t0 + seconds)) - a;
    if (k <= 0) return 0;
    if (k >= size) return setRange(log, 0, size);
    const start = a % size;
    const end = start + k;
    if (end <= size) return setRange(log, start, end);
    return setRange(log, start, size) + setRange(log, 0, end - size);
  };
}

/** Cumulative events of a trace by time t: full cycles, full intervals, then an even spread inside one. */
function traceCumulative(trace: DirtyTrace, prefix: Float64Array, t: number): number {
  const n = trace.counts.length;
  const cycleLength = n * trace.intervalSeconds;
  const perCycle = prefix[n]!;
  const cycles = Math.floor(t / cycleLength);
  const within = t - cycles * cycleLength;
  let k = Math.floor(within / trace.intervalSeconds);
  if (k >= n) k = n - 1;
  const frac = within / trace.intervalSeconds - k;
  return cycles * perCycle + prefix[k]! + Math.floor(trace.counts[k]! * Math.min(1, frac));
}

function traceWriter(trace: DirtyTrace, liveFrom: number, pages: number, rng: Rng): Writer {
  const n = trace.counts.length;
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k]! + trace.counts[k]!;
  const perCycle = prefix[n]!;
  return (log, t0, seconds) => {
    const a = traceCumulative(trace, prefix, t0);
    const b = traceCumulative(trace, prefix, t0 + seconds);
    if (b <= a || perCycle === 0) return 0;
    const size = pages - liveFrom;
    if (trace.kind === 'counts') {
      // More than 64 writes per live page leave a page unwritten with probability e^-64 < 2^-92 (each write
      // picks a page uniformly): all live pages are dirty, as randomWriter rounds 1 - 2^-32 up. This bounds the
      // loop by the memory size, however long the round or dense the trace.
      if (b - a > 64 * size) return setRange(log, liveFrom, pages);
      return scatterWrites(log, liveFrom, size, b - a, rng);
    }
    let added = 0;
    // A full cycle writes every id of the trace, so replaying more than one cycle adds nothing: the loop visits
    // at most perCycle events (<= MAX_TRACE_IDS).
    const end = b - a > perCycle ? a + perCycle : b;
    for (let e = a; e < end; e++) {
      const p = trace.ids[e % perCycle]!;
      if (p < liveFrom) continue;
      const w = p >>> 5;
      const bit = 1 << (p & 31);
      const old = log[w]!;
      if ((old & bit) === 0) {
        log[w] = old | bit;
        added++;
      }
    }
    return added;
  };
}

/**
 * Page-level state: three bitmaps (pending, dirty log, pages ever written, the last only with zero pages).
 * Hot pages held back are [0, H) and never enter the pending set; zero pages are [Ps - Z, Ps) and stay zero
 * (cheap to send) until first written, as seen at a sync.
 */
function bitmapState(spec: WorkloadSpec, layout: MemoryLayout, rng: Rng): DirtyState {
  const Ps = layout.pages;
  const words = wordsFor(Ps);
  const hotPages = Math.round(Ps * hotFractionOf(spec));
  const held = layout.holdHot ? hotPages : 0;
  const zeroPages = Math.round(Ps * layout.zeroFraction);
  const zeroFrom = Ps - zeroPages;
  if (zeroPages > 0 && zeroFrom < held) {
    throw new ModelInputError('zeroFraction', layout.zeroFraction, `at most 1 - hotFraction when hot pages are held`);
  }
  let pending = new Uint32Array(words);
  let log = new Uint32Array(words);
  const written = zeroPages > 0 ? new Uint32Array(words) : undefined;
  setRange(pending, held, Ps);
  let pendingCount = Ps - held;
  let logCount = 0;
  const zw0 = zeroFrom >>> 5;
  let writer: Writer;
  switch (spec.kind) {
    case 'random':
      writer = randomWriter([{ from: 0, size: Ps, rate: spec.dirtyPagesPerSecond }], rng);
      break;
    case 'hot-cold':
      writer = randomWriter(
        [
          ...(layout.holdHot ? [] : [{ from: 0, size: hotPages, rate: (hotPages * spec.hotDirtyPagesPerSecond) / Ps }]),
          { from: hotPages, size: Ps - hotPages, rate: ((Ps - hotPages) * spec.coldDirtyPagesPerSecond) / Ps },
        ],
        rng,
      );
      break;
    case 'working-set':
      writer = workingSetWriter(spec.dirtyPagesPerSecond, spec.workingSetPages);
      break;
    case 'trace':
      writer = traceWriter(spec.trace, held, Ps, rng);
      break;
    default:
      throw new ModelInputError('workload', spec.kind, 'a page-level workload');
  }
  const zeroAmong = (w: number, bits: number): number => {
    if (written === undefined || w < zw0) return 0;
    return popcount32(bits & ~written[w]! & rangeMask(w, zeroFrom, Ps));
  };
  return {
    discrete: true,
    livePages: Ps - held,
    heldPages: held,
    pendingPages: () => pendingCount,
    send(count) {
      let left = Math.min(Math.floor(count), pendingCount);
      const sent = left;
      let zero = 0;
      if (left === pendingCount) {
        if (written !== undefined) for (let w = zw0; w < words; w++) zero += zeroAmong(w, pending[w]!);
        pending.fill(0);
        left = 0;
      }
      for (let w = 0; left > 0 && w < words; w++) {
        let bits = pending[w]!;
        if (bits === 0) continue;
        const c = popcount32(bits);
        if (c <= left) {
          zero += zeroAmong(w, bits);
          pending[w] = 0;
          left -= c;
        } else {
          let taken = 0;
          while (left > 0) {
            const lowest = bits & -bits;
            taken |= lowest;
            bits ^= lowest;
            left--;
          }
          zero += zeroAmong(w, taken >>> 0);
          pending[w] = bits;
        }
      }
      pendingCount -= sent;
      return { pages: sent, zeroPages: zero };
    },
    advance(t0, seconds) {
      if (seconds > 0) logCount += writer(log, t0, seconds);
    },
    loggedPages: () => logCount,
    sync() {
      if (held > 0) logCount -= clearRange(log, 0, held);
      if (written !== undefined) for (let w = zw0; w < words; w++) written[w] = written[w]! | log[w]!;
      if (pendingCount === 0) {
        const t = pending;
        pending = log;
        log = t;
        pendingCount = logCount;
      } else {
        let added = 0;
        for (let w = 0; w < words; w++) {
          const l = log[w]!;
          if (l === 0) continue;
          const p = pending[w]!;
          added += popcount32(l & ~p);
          pending[w] = p | l;
          log[w] = 0;
        }
        pendingCount += added;
      }
      logCount = 0;
      return pendingCount;
    },
  };
}

/** Builds the dirty-page state of a workload (validated by the caller with {@link checkWorkload}). */
export function createDirtyState(spec: WorkloadSpec, layout: MemoryLayout, rng: Rng): DirtyState {
  if (spec.kind === 'fluid') return fluidState(spec, layout);
  return bitmapState(spec, layout, rng);
}
