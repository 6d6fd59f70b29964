/**
 * `qemu plan` over HTTP (`POST /api/qemu/plan`): the request is `qemu plan`'s input without `format` (the answer is
 * always the JSON of `precopy qemu plan --format json`, documented in docs/qemu.md), and the answer's shape as a
 * zod schema for the OpenAPI document. The planner's search and its Monte Carlo (at most 10,000 runs, the same
 * bound as the CLI's) can take a second or two: the operation is heavy, so the server runs it off its event loop.
 */
import { z } from 'zod';
import { jsonNumber } from './json.js';

export { qemuPlanHttpInput } from './qemu.js';

const round = z.strictObject({
  index: z.number().int(),
  startSeconds: z.number(),
  durationSeconds: z.number(),
  pagesAtStart: z.number(),
  bytesSent: z.number(),
  pagesCarriedOver: z.number(),
  thresholdBytes: z.number(),
});

const quantiles = z.strictObject({ p10: z.number(), p50: z.number(), p90: z.number() }).nullable();

const common = {
  alpha: jsonNumber,
  rho: jsonNumber,
  firstPassBandwidthBytesPerSecond: jsonNumber,
  notes: z.array(z.string()),
};

/** `qemu plan --format json` (src/ops/qemu.ts, planDocument, with presetsFor when asked). */
export const qemuPlanOutput = z.strictObject({
  feasible: z.boolean(),
  warnings: z.array(z.string()),
  reason: z.string().optional(),
  input: z.strictObject({
    memoryBytes: z.number(),
    pageSizeBytes: z.number(),
    linkBandwidthBytesPerSecond: z.number(),
    dirtyPagesPerSecond: z.number(),
    zeroPageFraction: z.number().optional(),
    workingSetPages: z.number().optional(),
    dirtyPattern: z.enum(['sequential', 'random']).optional(),
    firstPassBandwidthBytesPerSecond: z.number().optional(),
    zeroPageSeconds: z.number().optional(),
    maxDowntimeSeconds: jsonNumber,
    maxLinkShare: z.number(),
    maxTotalSeconds: jsonNumber,
  }),
  parameters: z.strictObject({
    downtimeLimitMs: z.number().int(),
    maxBandwidthBytesPerSecond: z.number().int(),
    availSwitchoverBandwidthBytesPerSecond: z.number().optional(),
  }),
  prediction: z.union([
    z.strictObject({
      converges: z.literal(true),
      iterations: z.number().int(),
      totalSeconds: z.number(),
      downtimeSeconds: z.number(),
      bytesTransferred: z.number(),
      precopyRounds: z.number().int(),
      ...common,
      rounds: z.array(round),
    }),
    z.strictObject({
      converges: z.literal(false),
      iterations: z.null(),
      totalSeconds: z.null(),
      downtimeSeconds: z.null(),
      bytesTransferred: z.null(),
      reason: z.string(),
      cause: z.enum(['dirty-rate', 'stalled']),
      ...common,
    }),
  ]),
  convergence: z
    .strictObject({
      method: z.literal('monte-carlo'),
      runs: z.number().int(),
      seed: z.number(),
      timeLimitSeconds: z.number(),
      probability: z.number(),
      confidence95: z.tuple([z.number(), z.number()]),
      iterations: quantiles,
      totalSeconds: quantiles,
      downtimeSeconds: quantiles,
      certainNever: z.boolean(),
    })
    .nullable(),
  remedy: z
    .strictObject({
      bandwidthNeededBytesPerSecond: jsonNumber,
      throttleFractionNeeded: jsonNumber,
      autoConvergeThrottlePercent: jsonNumber,
    })
    .optional(),
  qmp: z.strictObject({
    execute: z.literal('migrate-set-parameters'),
    arguments: z.record(z.string(), z.number()),
  }),
  virsh: z.array(z.string()),
  presets: z
    .strictObject({
      xen: z.strictObject({
        iterations: z.number().int(),
        stoppedBy: z.enum(['dirty-pages', 'max-iterations']),
        totalSeconds: z.number(),
        downtimeSeconds: z.number(),
        bytesTransferred: z.number(),
        pagesPerIteration: z.array(z.number()),
        rule: z.string(),
      }),
      nova: z.strictObject({
        rule: z.string(),
        schedule: z.array(z.strictObject({ atSeconds: z.number(), limitMs: z.number() })),
        convergesAtStep: jsonNumber,
        converges: z.boolean(),
        totalSeconds: z.number().optional(),
        downtimeSeconds: z.number().optional(),
        iterations: z.number().int().optional(),
        bytesTransferred: z.number().optional(),
        reason: z.string().optional(),
      }),
    })
    .optional(),
});
