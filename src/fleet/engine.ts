/**
 * The fleet predictor: many pre-copy migrations sharing links, event by event (docs/fleet.md, and the sharing
 * contract shared with the multi-VM simulator).
 *
 * - Network: capacity constraints ("links", bytes/s already multiplied by the policy's share). A migration
 *   crosses a list of links (source NIC out, target NIC in, shared links on its path).
 * - Rates: at every instant the max-min fair allocation (progressive filling) over the links, a migration in a
 *   pre-copy round additionally capped by its max-bandwidth c_i, a migration in stop-and-copy uncapped (QEMU
 *   lifts max-bandwidth at switch-over) but still sharing links. Recomputed at every event (a start, a round
 *   end, an end); constant in between.
 * - Per migration, the paper's rounds (Aldhalaan & Menascé 2013, Section 3): round 0 sends the Ps pages (less
 *   the zero pages, which cost nothing here); round i+1 sends the pages dirtied during round i: min(D T_i, W)
 *   for a sequential writer, W (1 - exp(-D T_i / W)) for random writes (W = working set, default Ps, so the
 *   uniform case is min(D T_i, Ps) as in Eq. 5 with the fluid dirty set); a round lasts until its bytes are
 *   sent at the piecewise-constant rate.
 * - Stop rule at each round end on the pending pages: QEMU's (pending bytes <= measured bandwidth x
 *   downtime-limit, measured = bytes of the round / its duration; vMotion is the same with 500 ms), the
 *   paper's alpha (pending <= alpha Ps, Eq. 9), or Xen's (< 50 pages or 5 iterations). After `maxRounds`
 *   rounds without stopping the migration is cancelled and reported as not converging.
 * - Downtime = duration of the stop-and-copy phase.
 *
 * Cost: one heap event per round end and per start; each event re-allocates only the connected component
 * (migrations linked through shared links) of the migrations it touched.
 */
import { ModelInputError } from '../model/errors.js';
import { migrationEnergyJoules } from './energy-model.js';
import type { EnergyCoefficients } from './inventory.js';

/** Stop rule of one migration. */
export type FleetStopRule =
  | {
      readonly kind: 'qemu';
      readonly downtimeLimitSeconds: number;
      /** Downtime-limit changes since the migration started (Nova's stepping); before the first, downtimeLimitSeconds. */
      readonly steps?: readonly { readonly atSeconds: number; readonly limitSeconds: number }[];
    }
  | { readonly kind: 'alpha'; readonly alpha: number }
  | { readonly kind: 'xen'; readonly targetPages: number; readonly maxIterations: number };

/** One link (capacity constraint) of the network. */
export interface FleetLink {
  readonly name: string;
  /** Capacity available to migration traffic, bytes/s (finite, > 0). */
  readonly capacityBytesPerSecond: number;
}

/** Everything the engine (and the multi-VM simulator) needs about one migration, in base units. */
export interface FleetMigration {
  readonly vm: string;
  readonly source: string;
  readonly target: string;
  /** Index of the source and target host in {@link FleetScheduleInput.hosts} (for the concurrency caps). */
  readonly sourceIndex: number;
  readonly targetIndex: number;
  /** Ps, pages of memory. */
  readonly pages: number;
  /** S, bytes per page. */
  readonly pageSizeBytes: number;
  /** Pages round 0 sends: Ps (1 - zero fraction). */
  readonly firstRoundPages: number;
  /** D, page writes per second. */
  readonly dirtyPagesPerSecond: number;
  /** W, pages the guest writes into (<= Ps). */
  readonly workingSetPages: number;
  readonly pattern: 'sequential' | 'random';
  /** Indices into {@link FleetScheduleInput.links} of the links this migration crosses (at least one). */
  readonly links: readonly number[];
  /** c_i, the pre-copy cap (QEMU max-bandwidth), bytes/s; Infinity = uncapped. */
  readonly capBytesPerSecond: number;
  readonly stopRule: FleetStopRule;
  /** Pre-copy rounds after which the migration is cancelled as not converging. */
  readonly maxRounds: number;
  /** Earliest start, seconds from the schedule start. */
  readonly startSeconds: number;
  /** Indices of migrations that must end before this one starts. */
  readonly after: readonly number[];
}

/** A schedule: migrations in dispatch order, the network, and optional concurrency caps. */
export interface FleetScheduleInput {
  readonly hosts: readonly string[];
  readonly links: readonly FleetLink[];
  readonly migrations: readonly FleetMigration[];
  /**
   * Concurrency caps applied by the dispatcher (first fit in list order: whenever something ends or a start
   * time arrives, every waiting migration whose start time has come, whose predecessors have ended and whose
   * caps allow it, starts, in order). Per host index; missing = unlimited.
   */
  readonly caps?: {
    readonly perSource?: readonly number[];
    readonly perTarget?: readonly number[];
    readonly total?: number;
  };
  readonly energy?: EnergyCoefficients;
  /** Keep every round of every migration in the result (memory grows with rounds). Default false. */
  readonly recordRounds?: boolean;
  /**
   * Stop predicting at the first event after this time (the planner's pruning: a schedule still running then
   * has a makespan above it). The result then has `truncatedAtSeconds`, and the migrations not finished are
   * reported not converged with that reason. Default: no horizon.
   */
  readonly horizonSeconds?: number;
}

export interface RoundRecord {
  readonly startSeconds: number;
  readonly durationSeconds: number;
  readonly bytes: number;
  /** Pages dirtied during the round (sent by the next round or the stop-and-copy). */
  readonly pendingPagesAfter: number;
}

export interface MigrationOutcome {
  readonly vm: string;
  readonly source: string;
  readonly target: string;
  readonly converged: boolean;
  /** Why not, when not converged. */
  readonly reason?: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Time in pre-copy rounds (live), seconds. */
  readonly precopySeconds: number;
  /** Stop-and-copy duration, seconds. */
  readonly downtimeSeconds: number;
  /** Pre-copy rounds run (round 0 included). */
  readonly rounds: number;
  readonly bytesSent: number;
  readonly pagesSent: number;
  readonly energyJoules: number;
  readonly roundLog?: readonly RoundRecord[];
}

export interface FleetPrediction {
  readonly migrations: readonly MigrationOutcome[];
  readonly allConverged: boolean;
  /** Time from the schedule start to the last end, seconds. */
  readonly makespanSeconds: number;
  readonly meanCompletionSeconds: number;
  readonly totalBytes: number;
  readonly sumDowntimeSeconds: number;
  readonly maxDowntimeSeconds: number;
  readonly energyJoules: number;
  /** Events processed (starts, round ends, ends). */
  readonly events: number;
  /** Set when the schedule's horizon stopped the prediction: the time of the first event past it. */
  readonly truncatedAtSeconds?: number;
}

const PRECOPY = 1;
const STOPCOPY = 2;
const DONE = 3;
const FAILED = 4;

function check(ok: boolean, parameter: string, value: unknown, range: string): void {
  if (!ok) throw new ModelInputError(parameter, value, range);
}

/** Validates a schedule; throws ModelInputError naming the migration and field. */
export function validateSchedule(s: FleetScheduleInput): void {
  const L = s.links.length;
  s.links.forEach((l, i) => {
    check(
      Number.isFinite(l.capacityBytesPerSecond) && l.capacityBytesPerSecond > 0,
      `links[${i}].capacityBytesPerSecond`,
      l.capacityBytesPerSecond,
      'a finite rate > 0 (bytes/s)',
    );
  });
  const n = s.migrations.length;
  // The parameter names and ranges are built only on failure (built eagerly they were ~15 strings per migration
  // per evaluation, a good part of the planner's garbage at 10,000 VMs).
  const pre = (i: number) => `migrations[${i}] (${s.migrations[i]!.vm})`;
  for (let i = 0; i < n; i++) {
    const m = s.migrations[i]!;
    if (!(Number.isFinite(m.pages) && m.pages >= 1)) check(false, `${pre(i)}.pages`, m.pages, 'pages >= 1');
    if (!(Number.isFinite(m.pageSizeBytes) && m.pageSizeBytes > 0))
      check(false, `${pre(i)}.pageSizeBytes`, m.pageSizeBytes, '> 0');
    if (!(Number.isFinite(m.firstRoundPages) && m.firstRoundPages > 0 && m.firstRoundPages <= m.pages))
      check(false, `${pre(i)}.firstRoundPages`, m.firstRoundPages, `0 < firstRoundPages <= pages (${m.pages})`);
    if (!(Number.isFinite(m.dirtyPagesPerSecond) && m.dirtyPagesPerSecond >= 0))
      check(false, `${pre(i)}.dirtyPagesPerSecond`, m.dirtyPagesPerSecond, 'a finite rate >= 0');
    if (!(Number.isFinite(m.workingSetPages) && m.workingSetPages > 0 && m.workingSetPages <= m.pages))
      check(false, `${pre(i)}.workingSetPages`, m.workingSetPages, `0 < W <= pages (${m.pages})`);
    if (!(m.capBytesPerSecond > 0))
      check(false, `${pre(i)}.capBytesPerSecond`, m.capBytesPerSecond, '> 0 (Infinity = uncapped)');
    if (!(m.links.length > 0)) check(false, `${pre(i)}.links`, m.links.length, 'at least one link');
    for (const l of m.links)
      if (!(Number.isInteger(l) && l >= 0 && l < L)) check(false, `${pre(i)}.links`, l, `0..${L - 1}`);
    if (!(Number.isFinite(m.startSeconds) && m.startSeconds >= 0))
      check(false, `${pre(i)}.startSeconds`, m.startSeconds, 'a finite time >= 0');
    if (!(Number.isInteger(m.maxRounds) && m.maxRounds >= 1))
      check(false, `${pre(i)}.maxRounds`, m.maxRounds, 'an integer >= 1');
    for (const a of m.after)
      if (!(Number.isInteger(a) && a >= 0 && a < n && a !== i)) check(false, `${pre(i)}.after`, a, 'another migration');
    const r = m.stopRule;
    if (r.kind === 'qemu') {
      if (!(r.downtimeLimitSeconds > 0 && Number.isFinite(r.downtimeLimitSeconds)))
        check(false, `${pre(i)}.downtimeLimit`, r.downtimeLimitSeconds, '> 0 s');
    } else if (r.kind === 'alpha') {
      if (!(r.alpha > 0 && r.alpha < 1)) check(false, `${pre(i)}.alpha`, r.alpha, '0 < alpha < 1');
    }
  }
  // `after` must not form a cycle (Kahn's algorithm, bounded by n + edges).
  const indeg = new Int32Array(n);
  // Successor lists only for migrations something waits for (no array per migration at 10,000 of them).
  const succ: (number[] | undefined)[] = new Array(n);
  s.migrations.forEach((m, i) => {
    for (const a of m.after) {
      indeg[i]! += 1;
      {
        const list = succ[a];
        if (list) list.push(i);
        else succ[a] = [i];
      }
    }
  });
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  let seen = 0;
  while (queue.length > 0) {
    const i = queue.pop()!;
    seen++;
    for (const j of succ[i] ?? []) if (--indeg[j]! === 0) queue.push(j);
  }
  if (seen < n) {
    const stuck = s.migrations.findIndex((_, i) => indeg[i]! > 0);
    throw new ModelInputError(
      `migrations[${stuck}].after`,
      s.migrations[stuck]!.vm,
      'no cycle of "after" dependencies',
    );
  }
}

/** Distinct pages dirtied in `seconds` (sequential: min(D t, W); random: W (1 - e^(-D t / W))). */
export function pagesDirtied(m: FleetMigration, seconds: number): number {
  const writes = m.dirtyPagesPerSecond * seconds;
  if (!(writes > 0)) return 0;
  if (m.pattern === 'sequential') return Math.min(writes, m.workingSetPages);
  return -m.workingSetPages * Math.expm1(-writes / m.workingSetPages);
}

/**
 * A binary min-heap of (time, id, version) in parallel arrays. The arrays only grow (the size is kept apart):
 * emptying them by `length = 0` dropped their storage, regrown at every allocation of a component.
 */
class EventHeap {
  t: number[] = [];
  id: number[] = [];
  ver: number[] = [];
  size = 0;
  clear() {
    this.size = 0;
  }
  push(t: number, id: number, ver: number) {
    const a = this.t;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= t) break;
      this.move(p, i);
      i = p;
    }
    a[i] = t;
    this.id[i] = id;
    this.ver[i] = ver;
  }
  private move(from: number, to: number) {
    this.t[to] = this.t[from]!;
    this.id[to] = this.id[from]!;
    this.ver[to] = this.ver[from]!;
  }
  /** Removes the minimum; its fields are left in `out`. */
  pop(out: { t: number; id: number; ver: number }) {
    const a = this.t;
    out.t = a[0]!;
    out.id = this.id[0]!;
    out.ver = this.ver[0]!;
    const n = --this.size;
    const lt = a[n]!;
    const lid = this.id[n]!;
    const lver = this.ver[n]!;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1]! < a[c]!) c++;
      if (a[c]! >= lt) break;
      this.move(c, i);
      i = c;
    }
    a[i] = lt;
    this.id[i] = lid;
    this.ver[i] = lver;
  }
}

/**
 * Predicts every migration of a schedule while they share links (the sharing contract): per-migration rounds,
 * times, downtime, bytes and verdict, and the fleet totals.
 * @throws ModelInputError for an invalid schedule
 * @example predictFleet({hosts: ['a', 'b'], links: [{name: 'l', capacityBytesPerSecond: 1e9}], migrations: [{vm: 'v',
 *   source: 'a', target: 'b', sourceIndex: 0, targetIndex: 1, pages: 262144, pageSizeBytes: 4096, firstRoundPages: 262144,
 *   dirtyPagesPerSecond: 0, workingSetPages: 262144, pattern: 'sequential', links: [0], capBytesPerSecond: Infinity,
 *   stopRule: {kind: 'qemu', downtimeLimitSeconds: 0.3}, maxRounds: 1000, startSeconds: 0, after: []}]}).makespanSeconds
 *   // 1.073741824 (2^30 B at 1e9 B/s)
 */
export function predictFleet(s: FleetScheduleInput): FleetPrediction {
  validateSchedule(s);
  const M = s.migrations;
  const n = M.length;
  const L = s.links.length;
  const H = s.hosts.length;
  const linkCap = new Float64Array(L);
  s.links.forEach((l, i) => {
    linkCap[i] = l.capacityBytesPerSecond;
  });
  // The migrations on each link, in the order they joined (what a Set per link iterated in, so the allocation
  // and its rounding are unchanged), as doubly linked lists over one node per (migration, link) in typed
  // arrays: adding and removing members allocates nothing (the Sets rehashed, most of the remaining garbage).
  const nodeBase = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) nodeBase[i + 1] = nodeBase[i]! + M[i]!.links.length;
  const nodeMig = new Int32Array(nodeBase[n]!);
  for (let i = 0; i < n; i++) for (let k = nodeBase[i]!; k < nodeBase[i + 1]!; k++) nodeMig[k] = i;
  const nodeNext = new Int32Array(nodeBase[n]!).fill(-1);
  const nodePrev = new Int32Array(nodeBase[n]!).fill(-1);
  const memHead = new Int32Array(L).fill(-1);
  const memTail = new Int32Array(L).fill(-1);
  const memSize = new Int32Array(L);
  /** True when links[k] already appeared earlier in the list (a Set held a migration once per link). */
  const repeated = (ls: readonly number[], k: number): boolean => {
    for (let k2 = 0; k2 < k; k2++) if (ls[k2] === ls[k]) return true;
    return false;
  };
  const addMember = (i: number) => {
    const ls = M[i]!.links;
    for (let k = 0; k < ls.length; k++) {
      if (k > 0 && repeated(ls, k)) continue;
      const l = ls[k]!;
      const node = nodeBase[i]! + k;
      const prev = memTail[l]!;
      nodePrev[node] = prev;
      nodeNext[node] = -1;
      if (prev === -1) memHead[l] = node;
      else nodeNext[prev] = node;
      memTail[l] = node;
      memSize[l]! += 1;
    }
  };
  const removeMember = (i: number) => {
    const ls = M[i]!.links;
    for (let k = 0; k < ls.length; k++) {
      if (k > 0 && repeated(ls, k)) continue;
      const l = ls[k]!;
      const node = nodeBase[i]! + k;
      const prev = nodePrev[node]!;
      const next = nodeNext[node]!;
      if (prev === -1) memHead[l] = next;
      else nodeNext[prev] = next;
      if (next === -1) memTail[l] = prev;
      else nodePrev[next] = prev;
      nodePrev[node] = -1;
      nodeNext[node] = -1;
      memSize[l]! -= 1;
    }
  };

  const phase = new Uint8Array(n);
  const rate = new Float64Array(n);
  const remaining = new Float64Array(n);
  const last = new Float64Array(n);
  const ver = new Int32Array(n);
  const roundStart = new Float64Array(n);
  /** When rate[i] was last set by an allocation (fast-forward needs a round run wholly at the current rate). */
  const rateSince = new Float64Array(n);
  /** Pending pages the current round sends. */
  const roundPages = new Float64Array(n);
  /** Migrations whose last round repeated the one before at the same rate (fast-forward candidates). */
  const repeating: number[] = [];
  const roundBytes = new Float64Array(n);
  const rounds = new Int32Array(n);
  const bytes = new Float64Array(n);
  const pagesSent = new Float64Array(n);
  const startT = new Float64Array(n);
  const endT = new Float64Array(n);
  const downStart = new Float64Array(n);
  const reasons: (string | undefined)[] = new Array(n);
  const logs: RoundRecord[][] | undefined = s.recordRounds ? Array.from({ length: n }, () => []) : undefined;
  const depsLeft = new Int32Array(n);
  const succ: (number[] | undefined)[] = new Array(n);
  M.forEach((m, i) => {
    depsLeft[i] = m.after.length;
    for (const a of m.after) {
      const list = succ[a];
      if (list) list.push(i);
      else succ[a] = [i];
    }
  });

  const capSrc = s.caps?.perSource;
  const capTgt = s.caps?.perTarget;
  const capTotal = s.caps?.total ?? Number.POSITIVE_INFINITY;
  const activeSrc = new Int32Array(H);
  const activeTgt = new Int32Array(H);
  let active = 0;

  // Waiting list in dispatch order (a singly linked list of the migrations not started yet).
  const nextWaiting = new Int32Array(n + 1).fill(-1);
  for (let i = 0; i < n; i++) nextWaiting[i === 0 ? n : i - 1] = i;
  if (n > 0) nextWaiting[n - 1] = -1;
  const HEAD = n;
  if (n === 0) nextWaiting[HEAD] = -1;
  else nextWaiting[HEAD] = 0;
  // Per-source waiting lists (used when there is no total cap).
  const globalDispatch = Number.isFinite(capTotal);
  const srcHead = new Int32Array(H).fill(-1);
  const srcTail = new Int32Array(H).fill(-1);
  const srcNext = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const h = M[i]!.sourceIndex;
    if (srcTail[h] === -1) srcHead[h] = i;
    else srcNext[srcTail[h]!] = i;
    srcTail[h] = i;
  }
  const dirtySrc = new Uint8Array(H);
  let dirtyList: number[] = [];
  let dirtySpare: number[] = [];
  const blockedOn: number[][] = Array.from({ length: H }, () => []);
  for (let h = 0; h < H; h++) {
    if (srcHead[h] === -1) srcHead[h] = n;
    else {
      dirtySrc[h] = 1;
      dirtyList.push(h);
    }
  }

  const heap = new EventHeap();
  const WAKE = -1;
  const starts = new Set<number>();
  for (const m of M) if (m.startSeconds > 0) starts.add(m.startSeconds);
  for (const t0 of starts) heap.push(t0, WAKE, 0);

  let t = 0;
  let events = 0;
  // Migrations touched since the last allocation (their links seed the components to re-allocate).
  const touched: number[] = [];
  const linkStamp = new Int32Array(L);
  const migStamp = new Int32Array(n);
  let epoch = 0;
  const cntLink = new Int32Array(L);
  // The component being re-allocated, in buffers sized once (n migrations, L links).
  const comp = new Int32Array(n);
  let compN = 0;
  const compLinks = new Int32Array(L);
  let compLinksN = 0;
  const stackLinks = new Int32Array(L);
  const oldRate = new Float64Array(n);
  const frozenSum = new Float64Array(L);
  const linkVer = new Int32Array(L);
  const fill = new EventHeap();
  const fev = { t: 0, id: 0, ver: 0 };
  const frozen = new Uint8Array(n);

  const dirtyLimitAt = (i: number, rule: Extract<FleetStopRule, { kind: 'qemu' }>): number => {
    let v = rule.downtimeLimitSeconds;
    if (rule.steps) {
      const since = t - startT[i]!;
      for (const st of rule.steps) if (st.atSeconds <= since) v = st.limitSeconds;
    }
    return v;
  };

  const start = (i: number) => {
    const m = M[i]!;
    phase[i] = PRECOPY;
    startT[i] = t;
    roundStart[i] = t;
    const b = m.firstRoundPages * m.pageSizeBytes;
    roundBytes[i] = b;
    remaining[i] = b;
    last[i] = t;
    rate[i] = 0;
    pagesSent[i]! += m.firstRoundPages;
    addMember(i);
    activeSrc[m.sourceIndex]! += 1;
    activeTgt[m.targetIndex]! += 1;
    active++;
    touched.push(i);
  };

  const leave = (i: number, final: number) => {
    const m = M[i]!;
    phase[i] = final;
    endT[i] = t;
    rate[i] = 0;
    remaining[i] = 0;
    ver[i]! += 1;
    removeMember(i);
    activeSrc[m.sourceIndex]! -= 1;
    activeTgt[m.targetIndex]! -= 1;
    active--;
    touched.push(i);
    const next = succ[i];
    if (next)
      for (const j of next) {
        depsLeft[j]! -= 1;
        if (depsLeft[j] === 0) markSource(M[j]!.sourceIndex);
      }
    markSource(m.sourceIndex);
    const b = blockedOn[m.targetIndex]!;
    if (b.length > 0) {
      for (const h of b) markSource(h);
      b.length = 0;
    }
  };

  /** True when migration i may start now (start time, predecessors, source and target caps). */
  const startable = (i: number) => {
    const m = M[i]!;
    return (
      m.startSeconds <= t &&
      depsLeft[i] === 0 &&
      (capSrc === undefined || activeSrc[m.sourceIndex]! < (capSrc[m.sourceIndex] ?? Number.POSITIVE_INFINITY)) &&
      (capTgt === undefined || activeTgt[m.targetIndex]! < (capTgt[m.targetIndex] ?? Number.POSITIVE_INFINITY))
    );
  };

  /** With a total cap the global list order decides: one scan of the waiting list (stops once the cap is reached). */
  const dispatchGlobal = () => {
    let prev = HEAD;
    let i = nextWaiting[HEAD]!;
    while (i !== -1 && active < capTotal) {
      const next = nextWaiting[i]!;
      if (startable(i)) {
        nextWaiting[prev] = next;
        start(i);
      } else prev = i;
      i = next;
    }
  };

  /**
   * Without a total cap only the sources marked dirty (a slot freed, a predecessor ended, a start time came, a
   * target they wait for freed a slot) are scanned, each its own waiting list in list order, sources visited in
   * the order of their first waiting migration: the same first-fit as the global scan, in time linear in the
   * migrations looked at instead of all of them at every event.
   */
  const dispatchBySource = () => {
    if (dirtyList.length === 0) return;
    // Swap the dirty list with a reused buffer (no fresh array per event).
    const hs = dirtyList;
    dirtyList = dirtySpare;
    dirtySpare = hs;
    for (const h of hs) dirtySrc[h] = 0;
    hs.sort((a, b) => srcHead[a]! - srcHead[b]!);
    for (const h of hs) {
      let prev = -1;
      let i = srcHead[h]!;
      while (i !== -1 && (capSrc === undefined || activeSrc[h]! < (capSrc[h] ?? Number.POSITIVE_INFINITY))) {
        const next = srcNext[i]!;
        if (startable(i)) {
          if (prev === -1) srcHead[h] = next;
          else srcNext[prev] = next;
          start(i);
        } else {
          const g = M[i]!.targetIndex;
          if (capTgt !== undefined && activeTgt[g]! >= (capTgt[g] ?? Number.POSITIVE_INFINITY)) blockedOn[g]!.push(h);
          prev = i;
        }
        i = next;
      }
      if (srcHead[h] === -1) srcHead[h] = n; // empty: sorts last
    }
    hs.length = 0;
  };
  const markSource = (h: number) => {
    if (!dirtySrc[h] && srcHead[h] !== n && srcHead[h] !== -1) {
      dirtySrc[h] = 1;
      dirtyList.push(h);
    }
  };
  const dispatch = () => (globalDispatch ? dispatchGlobal() : dispatchBySource());

  // Unfrozen migrations of the component being filled; freeze is built once, not once per allocation.
  let unfrozen = 0;
  const freeze = (j: number, at: number) => {
    frozen[j] = 1;
    rate[j] = at;
    unfrozen--;
    for (const l of M[j]!.links) {
      cntLink[l]! -= 1;
      const c = cntLink[l]!;
      frozenSum[l]! += at;
      linkVer[l]! += 1;
      if (c > 0) fill.push(Math.max(at, (linkCap[l]! - frozenSum[l]!) / c), l, linkVer[l]!);
    }
  };
  /** Max-min fair allocation (progressive filling) of the components containing the touched migrations. */
  const reallocate = () => {
    epoch++;
    // The component, in reused buffers (a fresh array per event was most of the garbage at 10,000 VMs).
    compN = 0;
    compLinksN = 0;
    let sp = 0;
    for (const i of touched)
      for (const l of M[i]!.links)
        if (linkStamp[l] !== epoch) {
          linkStamp[l] = epoch;
          stackLinks[sp++] = l;
        }
    touched.length = 0;
    while (sp > 0) {
      const l = stackLinks[--sp]!;
      compLinks[compLinksN++] = l;
      for (let nd = memHead[l]!; nd !== -1; nd = nodeNext[nd]!) {
        const j = nodeMig[nd]!;
        if (migStamp[j] === epoch) continue;
        migStamp[j] = epoch;
        comp[compN++] = j;
        for (const l2 of M[j]!.links)
          if (linkStamp[l2] !== epoch) {
            linkStamp[l2] = epoch;
            stackLinks[sp++] = l2;
          }
      }
    }
    if (compN === 0) return;
    // Bring every member's remaining bytes to now at its old rate.
    for (let q = 0; q < compN; q++) {
      const j = comp[q]!;
      if (rate[j]! > 0) {
        const r = remaining[j]! - rate[j]! * (t - last[j]!);
        remaining[j] = Math.max(r, 0);
      }
      last[j] = t;
      oldRate[j] = rate[j]!;
      frozen[j] = 0;
    }
    // Progressive filling, ordered by a heap instead of passes over the component: a link saturates when the
    // common level of its unfrozen migrations reaches (capacity - rates frozen on it) / unfrozen count, a
    // migration in pre-copy freezes at its cap; the smallest of these comes first, and freezing a migration
    // changes the saturation level of its other links only. The same allocation as the passes (each pass froze
    // the migrations of the first link or cap reached), in O((links + path lengths) log) per component.
    fill.clear();
    for (let q = 0; q < compLinksN; q++) {
      const l = compLinks[q]!;
      frozenSum[l] = 0;
      const c = memSize[l]!;
      cntLink[l] = c;
      linkVer[l]! += 1;
      if (c > 0) fill.push(linkCap[l]! / c, l, linkVer[l]!);
    }
    for (let q = 0; q < compN; q++) {
      const j = comp[q]!;
      if (phase[j] === PRECOPY && M[j]!.capBytesPerSecond !== Number.POSITIVE_INFINITY)
        fill.push(M[j]!.capBytesPerSecond, L + j, 0);
    }
    let level = 0;
    unfrozen = compN;
    while (unfrozen > 0 && fill.size > 0) {
      fill.pop(fev);
      const id = fev.id;
      if (id < L) {
        if (fev.ver !== linkVer[id] || cntLink[id] === 0) continue;
        level = Math.max(level, fev.t);
        for (let nd = memHead[id]!; nd !== -1; nd = nodeNext[nd]!) {
          const j = nodeMig[nd]!;
          if (!frozen[j]) freeze(j, level);
        }
      } else if (!frozen[id - L]) {
        level = Math.max(level, fev.t);
        freeze(id - L, level);
      }
    }
    // Numerical safety: anything left (cannot happen: every migration crosses a link) gets the last level.
    for (let q = 0; q < compN; q++) if (!frozen[comp[q]!]) freeze(comp[q]!, level);
    // A migration whose rate is unchanged keeps its pending event (same finish time up to rounding); the others
    // (a new start and a stop-and-copy arrive with rate 0) get a new one.
    for (let q = 0; q < compN; q++) {
      const j = comp[q]!;
      if (rate[j] === oldRate[j]) continue;
      rateSince[j] = t;
      ver[j]! += 1;
      heap.push(t + remaining[j]! / rate[j]!, j, ver[j]!);
    }
  };

  const endOfPhase = (i: number) => {
    const m = M[i]!;
    remaining[i] = 0;
    last[i] = t;
    if (phase[i] === STOPCOPY) {
      leave(i, DONE);
      return;
    }
    const dur = t - roundStart[i]!;
    const sent = roundBytes[i]!;
    bytes[i]! += sent;
    const pending = pagesDirtied(m, dur);
    rounds[i]! += 1;
    if (logs)
      logs[i]!.push({ startSeconds: roundStart[i]!, durationSeconds: dur, bytes: sent, pendingPagesAfter: pending });
    const r = m.stopRule;
    let stop: boolean;
    if (pending === 0) stop = true;
    else if (r.kind === 'qemu') stop = pending * m.pageSizeBytes <= (dur > 0 ? sent / dur : 0) * dirtyLimitAt(i, r);
    else if (r.kind === 'alpha') stop = pending <= r.alpha * m.pages;
    else stop = pending < r.targetPages || rounds[i]! >= r.maxIterations;
    const b = pending * m.pageSizeBytes;
    if (stop) {
      phase[i] = STOPCOPY;
      downStart[i] = t;
      pagesSent[i]! += pending;
      roundBytes[i] = b;
      if (b === 0) {
        leave(i, DONE);
        return;
      }
      remaining[i] = b;
      bytes[i]! += b;
      rate[i] = 0; // the stop-and-copy needs its own allocation and event (the cap is lifted)
      touched.push(i);
      return;
    }
    if (rounds[i]! >= m.maxRounds) {
      reasons[i] =
        `does not converge: ${m.maxRounds} pre-copy rounds without meeting the stop rule (last round sent ${fmt(sent)} B in ${fmt(dur)} s and left ${fmt(pending)} pages dirty)`;
      leave(i, FAILED);
      return;
    }
    // A round that sends what the last one sent, at the rate the last one ran at all along, is the last one
    // again (same duration, same pages dirtied, same verdict): a fast-forward candidate (see fastForward).
    if (b === sent && rateSince[i]! <= roundStart[i]! && !logs && r.kind !== 'xen') repeating.push(i);
    roundStart[i] = t;
    roundBytes[i] = b;
    roundPages[i] = pending;
    remaining[i] = b;
    pagesSent[i]! += pending;
    // Only a change of cap (none here) or membership changes the allocation; the rate stays, new finish time.
    ver[i]! += 1;
    heap.push(t + b / rate[i]!, i, ver[i]!);
  };

  /**
   * Fast-forward of repeating rounds (exact for the fluid model up to rounding): a migration whose round just
   * repeated the previous one (same bytes, same rate throughout) repeats it until something else happens: the
   * next event of any other migration, the next step of its downtime-limit, or its round limit. Its k rounds
   * before then are booked at once (k rounds, k x bytes, round ends t + j d) instead of k heap events. This
   * is what non-converging migrations do for most of their maxRounds rounds (a sequential writer whose dirty
   * set is saturated at W sends W pages every round).
   */
  const fastForward = () => {
    for (const i of repeating) {
      if (phase[i] !== PRECOPY || roundStart[i] !== t || !(rateSince[i]! < t)) continue;
      if (heap.size === 0 || heap.id[0] !== i || heap.ver[0] !== ver[i]) continue;
      const m = M[i]!;
      const b = roundBytes[i]!;
      const d = b / rate[i]!;
      let until = Number.POSITIVE_INFINITY;
      if (heap.size > 1) until = heap.t[1]!;
      if (heap.size > 2) until = Math.min(until, heap.t[2]!);
      const rule = m.stopRule;
      if (rule.kind === 'qemu' && rule.steps) {
        for (const st of rule.steps) {
          const at = startT[i]! + st.atSeconds;
          if (at > t && at < until) until = at;
        }
      }
      const k = Math.min(Math.floor((until - t) / d) - 1, m.maxRounds - rounds[i]! - 1);
      if (!(k >= 1)) continue;
      rounds[i]! += k;
      bytes[i]! += k * b;
      pagesSent[i]! += k * roundPages[i]!;
      events += k;
      const rs = t + k * d;
      roundStart[i] = rs;
      last[i] = rs;
      remaining[i] = b;
      ver[i]! += 1;
      heap.pop(skipped);
      heap.push(rs + d, i, ver[i]!);
    }
    repeating.length = 0;
  };
  const skipped = { t: 0, id: 0, ver: 0 };

  dispatch();
  reallocate();
  const ev = { t: 0, id: 0, ver: 0 };
  let maxRounds = 0;
  for (const m of M) if (m.maxRounds > maxRounds) maxRounds = m.maxRounds;
  const bound = 64 + 4 * n + 2 * n * (1 + maxRounds);
  const horizon = s.horizonSeconds ?? Number.POSITIVE_INFINITY;
  let truncatedAt: number | undefined;
  while (heap.size > 0) {
    heap.pop(ev);
    if (ev.id !== WAKE && ev.ver !== ver[ev.id]) continue;
    if (ev.t > horizon) {
      truncatedAt = ev.t;
      break;
    }
    t = ev.t;
    events++;
    if (events > bound) throw new ModelInputError('schedule', n, 'a schedule the engine can finish (event bound hit)');
    if (ev.id !== WAKE) endOfPhase(ev.id);
    else for (let h = 0; h < H; h++) markSource(h);
    // Every other event at the same instant joins this batch.
    while (heap.size > 0 && heap.t[0] === t) {
      heap.pop(ev);
      if (ev.id === WAKE) {
        for (let h = 0; h < H; h++) markSource(h);
        continue;
      }
      if (ev.ver !== ver[ev.id]) continue;
      events++;
      endOfPhase(ev.id);
    }
    dispatch();
    if (touched.length > 0) reallocate();
    if (repeating.length > 0) fastForward();
  }

  // Anything never started (only possible with caps of 0 or dependencies on itself, both rejected) is reported.
  const out: MigrationOutcome[] = new Array(n);
  const e = s.energy;
  let makespan = 0;
  let sumEnd = 0;
  let totalBytes = 0;
  let sumDown = 0;
  let maxDown = 0;
  let energy = 0;
  let allConverged = true;
  for (let i = 0; i < n; i++) {
    const m = M[i]!;
    const ok = phase[i] === DONE;
    if (!ok) allConverged = false;
    const down = ok ? endT[i]! - downStart[i]! : 0;
    const ej = e ? migrationEnergyJoules(e, bytes[i]!, endT[i]! - startT[i]!) : 0;
    // Built without spreads (two shapes, same key order as before: reason after converged when not converged).
    const precopy = (ok ? downStart[i]! : endT[i]!) - startT[i]!;
    const o: MigrationOutcome = ok
      ? {
          vm: m.vm,
          source: m.source,
          target: m.target,
          converged: ok,
          startSeconds: startT[i]!,
          endSeconds: endT[i]!,
          precopySeconds: precopy,
          downtimeSeconds: down,
          rounds: rounds[i]!,
          bytesSent: bytes[i]!,
          pagesSent: pagesSent[i]!,
          energyJoules: ej,
        }
      : {
          vm: m.vm,
          source: m.source,
          target: m.target,
          converged: ok,
          reason:
            reasons[i] ??
            (truncatedAt !== undefined
              ? `not predicted past ${fmt(horizon)} s (the horizon of this prediction)`
              : 'never started'),
          startSeconds: startT[i]!,
          endSeconds: endT[i]!,
          precopySeconds: precopy,
          downtimeSeconds: down,
          rounds: rounds[i]!,
          bytesSent: bytes[i]!,
          pagesSent: pagesSent[i]!,
          energyJoules: ej,
        };
    out[i] = logs ? { ...o, roundLog: logs[i]! } : o;
    if (endT[i]! > makespan) makespan = endT[i]!;
    sumEnd += endT[i]!;
    totalBytes += bytes[i]!;
    sumDown += down;
    if (down > maxDown) maxDown = down;
    energy += ej;
  }
  if (truncatedAt !== undefined && truncatedAt > makespan) makespan = truncatedAt;
  return {
    migrations: out,
    allConverged,
    makespanSeconds: makespan,
    meanCompletionSeconds: n > 0 ? sumEnd / n : 0,
    totalBytes,
    sumDowntimeSeconds: sumDown,
    maxDowntimeSeconds: maxDown,
    energyJoules: energy,
    events,
    ...(truncatedAt !== undefined ? { truncatedAtSeconds: truncatedAt } : {}),
  };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
