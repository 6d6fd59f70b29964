import { ModelInputError } from '../model/errors.js';
import { BAND_EDGE_TOLERANCE } from '../model/numerics.js';

/** What a stop rule sees before each pre-copy round (after the bitmap sync that ended the previous round). */
export interface StopContext {
  /** Index of the round about to run: 0 for the first (full) copy; also the number of rounds done. */
  readonly round: number;
  /** Dirty pages pending after the last sync. */
  readonly pendingPages: number;
  /** Pages copied live (Ps, or Ps minus the held hot pages). */
  readonly livePages: number;
  /** Ps. */
  readonly memoryPages: number;
  /** S, bytes. */
  readonly pageSizeBytes: number;
  /** Pages sent so far, live. */
  readonly pagesSent: number;
  /** Seconds since the start. */
  readonly elapsedSeconds: number;
  /**
   * Bandwidth estimate, bytes/s: bytes sent over seconds in the last round (as QEMU measures it), the link's
   * rate at the start before any round.
   */
  readonly bandwidthEstimate: number;
}

/** Stop and copy now, or run a round that leaves `leavePages` pending pages unsent (QEMU's carry-over). */
export type StopDecision =
  | { readonly stop: true; readonly reason: string }
  | { readonly stop: false; readonly leavePages: number };

/** A pre-copy stop rule: a pure decision from the context; holds hot pages back when `holdsHotPages`. */
export interface StopRule {
  readonly name: string;
  readonly holdsHotPages: boolean;
  decide(ctx: StopContext): StopDecision;
}

/** The stop rules as data (what the CLI, workers and JSON carry). */
export type StopRuleSpec =
  /** The paper's: after round i, stop once at most alpha*(live pages) are dirty (Eq. 9). */
  | { readonly kind: 'alpha'; readonly alpha: number; readonly maxRounds?: number }
  /** Hot II: the alpha rule over the cold pages; hot pages are held back to the downtime (Section 4.2). */
  | { readonly kind: 'hot-held'; readonly alpha: number; readonly maxRounds?: number }
  /**
   * QEMU: threshold = bandwidth * downtime-limit. Each round sends until at most the threshold is pending
   * (checked every `checkIntervalSeconds` of sending), then syncs; stops when the pending bytes after a sync are
   * <= threshold. The bandwidth is the measured rate of the
   * last round, or `switchoverBandwidthBytesPerSecond` when given (QEMU's avail-switchover-bandwidth).
   */
  | {
      readonly kind: 'qemu';
      readonly downtimeLimitSeconds: number;
      readonly switchoverBandwidthBytesPerSecond?: number;
      /** Seconds of sending between two checks of the pending bytes; default 0.05 (QEMU's MAX_WAIT). */
      readonly checkIntervalSeconds?: number;
      /**
       * Changes of the downtime-limit while the migration runs (Nova's stepping, read at the round boundaries):
       * from `atSeconds` after the start on, the limit is `limitSeconds`; before the first, downtimeLimitSeconds.
       */
      readonly downtimeSteps?: readonly { readonly atSeconds: number; readonly limitSeconds: number }[];
      readonly maxRounds?: number;
    }
  /** Xen (libxenguest simple policy): stop when fewer than 50 pages are dirty or after 5 rounds. */
  | { readonly kind: 'xen'; readonly maxRounds?: number }
  /** Xen legacy xc_domain_save: fewer than 50 pages dirty, 29 rounds, or more than 3x memory sent. */
  | { readonly kind: 'xen-legacy'; readonly maxRounds?: number }
  /** Only a cap: stop after this many rounds (or when nothing is dirty). */
  | { readonly kind: 'max-rounds'; readonly maxRounds: number };

export type StopRuleKind = StopRuleSpec['kind'];
export const STOP_RULE_KINDS: readonly StopRuleKind[] = [
  'alpha',
  'hot-held',
  'qemu',
  'xen',
  'xen-legacy',
  'max-rounds',
];

const show = (x: number): string => String(Number(x.toPrecision(6)));
const go = (leavePages = 0): StopDecision => ({ stop: false, leavePages });
const stop = (reason: string): StopDecision => ({ stop: true, reason });

/**
 * The paper's alpha rule (Eq. 9): run round 0, then stop before round i >= 1 once pending <= alpha * live pages.
 * Pending values within a relative 1e-12 of the threshold count as meeting it, the same band-edge rule as the
 * closed forms' n (see `iterations` in src/model/numerics.ts), so fluid runs reproduce n exactly.
 * @example alphaRule(0.1).decide({round: 1, pendingPages: 10, livePages: 100, ...}) // {stop: true, ...}
 */
export function alphaRule(alpha: number, holdsHotPages = false): StopRule {
  return {
    name: holdsHotPages ? 'hot-held' : 'alpha',
    holdsHotPages,
    decide(ctx) {
      if (ctx.round === 0) return go();
      if (ctx.pendingPages <= alpha * ctx.livePages * (1 + BAND_EDGE_TOLERANCE)) {
        return stop(`${show(ctx.pendingPages)} pages pending <= alpha*live pages = ${show(alpha * ctx.livePages)}`);
      }
      return go();
    },
  };
}

/**
 * QEMU's rule (migration/migration.c, migration_iteration_run): threshold = bandwidth * downtime_limit.
 * Before each round: if pending*S <= threshold, stop and copy. Otherwise send, checking the pending bytes after
 * every chunk of `checkIntervalSeconds` of sending (QEMU's ram_save_iterate returns at least every 50 ms, its
 * MAX_WAIT), until pending <= threshold; then sync the bitmap. The pages still pending at that check (up to one
 * chunk under the threshold) carry over into the next pending set. With checkIntervalSeconds = 0 the round
 * stops exactly at the threshold: then pre-copy ends only when a round dirties nothing, which the fluid
 * workload never does. No cap on rounds: with rho >= 1 QEMU never stops on its own.
 * @example qemuRule({downtimeLimitSeconds: 0.125, checkIntervalSeconds: 0.0625}).decide({round: 0,
 *   pendingPages: 1024, pageSizeBytes: 1024, bandwidthEstimate: 1048576, ...}) // {stop: false, leavePages: 128}
 */
export function qemuRule(p: {
  downtimeLimitSeconds: number;
  switchoverBandwidthBytesPerSecond?: number;
  checkIntervalSeconds?: number;
  downtimeSteps?: readonly { readonly atSeconds: number; readonly limitSeconds: number }[];
}): StopRule {
  const interval = p.checkIntervalSeconds ?? 0.05;
  const limitAt = (elapsed: number): number => {
    let v = p.downtimeLimitSeconds;
    for (const st of p.downtimeSteps ?? []) if (st.atSeconds <= elapsed) v = st.limitSeconds;
    return v;
  };
  return {
    name: 'qemu',
    holdsHotPages: false,
    decide(ctx) {
      const bw = p.switchoverBandwidthBytesPerSecond ?? ctx.bandwidthEstimate;
      const threshold = bw * limitAt(ctx.elapsedSeconds);
      if (ctx.pendingPages * ctx.pageSizeBytes <= threshold) {
        return stop(
          `${show(ctx.pendingPages * ctx.pageSizeBytes)} pending bytes <= bandwidth*downtime-limit = ${show(threshold)}`,
        );
      }
      const thresholdPages = Math.floor(threshold / ctx.pageSizeBytes);
      const chunk = (ctx.bandwidthEstimate * interval) / ctx.pageSizeBytes;
      const excess = ctx.pendingPages - thresholdPages;
      const sent = chunk > 0 ? Math.min(ctx.pendingPages, Math.ceil(excess / chunk) * chunk) : excess;
      return go(ctx.pendingPages - sent);
    },
  };
}

/**
 * Xen's rules. Simple policy (xg_sr_save.c): stop when fewer than 50 pages are dirty or 5 rounds have run.
 * Legacy (xc_domain_save.c): fewer than 50 dirty, 29 rounds run, or more than 3*Ps pages sent.
 * @example xenRule(false).decide({round: 5, pendingPages: 1000, ...}).stop // true
 */
export function xenRule(legacy: boolean): StopRule {
  const maxRounds = legacy ? 29 : 5;
  return {
    name: legacy ? 'xen-legacy' : 'xen',
    holdsHotPages: false,
    decide(ctx) {
      if (ctx.round === 0) return go();
      if (ctx.pendingPages < 50) return stop(`fewer than 50 dirty pages (${show(ctx.pendingPages)})`);
      if (ctx.round >= maxRounds) return stop(`${maxRounds} rounds run`);
      if (legacy && ctx.pagesSent > 3 * ctx.memoryPages) return stop('more than 3x memory sent');
      return go();
    },
  };
}

/** Stops after `maxRounds` rounds, or earlier when nothing is dirty. @example maxRoundsRule(3) */
export function maxRoundsRule(maxRounds: number): StopRule {
  return {
    name: 'max-rounds',
    holdsHotPages: false,
    decide(ctx) {
      if (ctx.round === 0) return go();
      if (ctx.pendingPages <= 0) return stop('nothing dirty');
      if (ctx.round >= maxRounds) return stop(`${maxRounds} rounds run`);
      return go();
    },
  };
}

/** A rule with a round cap added: stops at the cap whatever the inner rule says. */
export function withRoundCap(rule: StopRule, maxRounds: number): StopRule {
  return {
    name: rule.name,
    holdsHotPages: rule.holdsHotPages,
    decide(ctx) {
      if (ctx.round >= maxRounds && ctx.round > 0) return stop(`${maxRounds} rounds run (cap)`);
      return rule.decide(ctx);
    },
  };
}

function checkRounds(v: unknown): void {
  if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1e7)) {
    throw new ModelInputError('maxRounds', v, 'a whole number of rounds from 1 to 10000000');
  }
}

/** Checks a stop-rule spec; throws {@link ModelInputError} naming the field. */
export function checkStopRule(spec: StopRuleSpec): void {
  if (!spec || !STOP_RULE_KINDS.includes((spec as { kind: StopRuleKind }).kind)) {
    throw new ModelInputError('stopRule', (spec as { kind?: unknown })?.kind, STOP_RULE_KINDS.join(', '));
  }
  checkRounds(spec.maxRounds);
  if (spec.kind === 'max-rounds' && spec.maxRounds === undefined) {
    throw new ModelInputError('maxRounds', undefined, 'a whole number of rounds from 1 to 10000000');
  }
  if (spec.kind === 'alpha' || spec.kind === 'hot-held') {
    const a = spec.alpha;
    if (!(typeof a === 'number' && Number.isFinite(a) && a > 0 && a < 1)) {
      throw new ModelInputError('alpha', a, '0 < alpha < 1');
    }
  }
  if (spec.kind === 'qemu') {
    const d = spec.downtimeLimitSeconds;
    if (!(typeof d === 'number' && Number.isFinite(d) && d >= 0)) {
      throw new ModelInputError('downtimeLimitSeconds', d, 'a finite number >= 0 (seconds)');
    }
    const c = spec.checkIntervalSeconds;
    if (c !== undefined && !(typeof c === 'number' && Number.isFinite(c) && c >= 0)) {
      throw new ModelInputError('checkIntervalSeconds', c, 'a finite number >= 0 (seconds)');
    }
    for (const st of spec.downtimeSteps ?? []) {
      if (
        !(
          Number.isFinite(st?.atSeconds) &&
          st.atSeconds >= 0 &&
          Number.isFinite(st.limitSeconds) &&
          st.limitSeconds >= 0
        )
      ) {
        throw new ModelInputError(
          'downtimeSteps',
          st,
          'steps of { atSeconds >= 0, limitSeconds >= 0 } (finite seconds)',
        );
      }
    }
    const b = spec.switchoverBandwidthBytesPerSecond;
    if (b !== undefined && !(Number.isFinite(b) && b > 0)) {
      throw new ModelInputError('switchoverBandwidthBytesPerSecond', b, 'a finite number > 0 (bytes/s)');
    }
  }
}

/** Builds the rule of a spec (validated here). */
export function createStopRule(spec: StopRuleSpec): StopRule {
  checkStopRule(spec);
  let rule: StopRule;
  switch (spec.kind) {
    case 'alpha':
      rule = alphaRule(spec.alpha);
      break;
    case 'hot-held':
      rule = alphaRule(spec.alpha, true);
      break;
    case 'qemu':
      rule = qemuRule(spec);
      break;
    case 'xen':
      rule = xenRule(false);
      break;
    case 'xen-legacy':
      rule = xenRule(true);
      break;
    case 'max-rounds':
      return maxRoundsRule(spec.maxRounds);
  }
  return spec.maxRounds !== undefined ? withRoundCap(rule, spec.maxRounds) : rule;
}
