/**
 * Given schedules (`fleet predict --schedule FILE`): which VMs migrate, to where, when (a start time and/or
 * after other migrations end), with which knobs, and optional dispatcher caps. YAML or JSON, one zod schema,
 * errors per problem with the VM, the field and the line (like inventories). VMs not listed do not migrate.
 *
 * ```yaml
 * caps: { perSource: 2, perTarget: 2, total: 6 }   # optional
 * migrations:
 *   - { vm: db-primary, target: t1, start: 0s, downtimeLimit: 300ms, maxBandwidth: unlimited }
 *   - { vm: web-1, after: [db-primary], maxBandwidth: 1GiB/s, stopRule: vmotion }
 * ```
 */
import { z } from 'zod';
import { parseDuration, parseRate } from '../units/index.js';
import { type FleetNetwork, type MigrationKnobs, assignTargets, buildNetwork, toMigration } from './build.js';
import type { FleetMigration, FleetScheduleInput } from './engine.js';
import {
  FleetInventoryError,
  type Inventory,
  type InventoryProblem,
  QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
  QEMU_DEFAULT_MAX_BANDWIDTH,
  STOP_RULES,
  readInventoryText,
} from './inventory.js';

const quantity = z.union([z.number(), z.string()]);
export const scheduleSchema = z
  .object({
    caps: z
      .object({
        perSource: z.number().int().positive().optional(),
        perTarget: z.number().int().positive().optional(),
        total: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    migrations: z
      .array(
        z
          .object({
            vm: z.string().min(1),
            target: z.string().min(1).optional(),
            start: quantity.optional(),
            after: z.array(z.string().min(1)).optional(),
            downtimeLimit: quantity.optional(),
            maxBandwidth: quantity.optional(),
            stopRule: z.enum(STOP_RULES).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(200_000),
  })
  .strict();
export type RawSchedule = z.input<typeof scheduleSchema>;

/** A resolved schedule: the engine's input plus the knobs per migration (for the commands). */
export interface ResolvedSchedule {
  readonly input: FleetScheduleInput;
  readonly knobs: readonly MigrationKnobs[];
  readonly network: FleetNetwork;
}

/**
 * Resolves a schedule (text or object) against an inventory.
 * @throws FleetInventoryError with every problem (subject `migration 'vm'`)
 */
export function resolveSchedule(inv: Inventory, source: string | unknown): ResolvedSchedule {
  const { raw, lineOf } =
    typeof source === 'string'
      ? readInventoryText(source)
      : { raw: source, lineOf: () => undefined as number | undefined };
  const problems: InventoryProblem[] = [];
  const add = (path: (string | number)[], message: string) => {
    const r = raw as { migrations?: { vm?: unknown }[] } | undefined;
    const i = path[0] === 'migrations' && typeof path[1] === 'number' ? path[1] : undefined;
    const vm = i !== undefined ? r?.migrations?.[i]?.vm : undefined;
    problems.push({
      path,
      subject: i !== undefined ? `migration ${typeof vm === 'string' ? `'${vm}'` : `#${i + 1}`}` : 'schedule',
      field: path
        .slice(i !== undefined ? 2 : 0)
        .map(String)
        .join('.'),
      message,
      line: lineOf(path),
    });
  };
  const parsed = scheduleSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys) add([...path, k], `unknown field '${k}'`);
      else add(path, issue.message.toLowerCase());
    }
    throw new FleetInventoryError(problems);
  }
  const s = parsed.data;
  const net = buildNetwork(inv);
  const vmIndex = new Map(inv.vms.map((v, i) => [v.name, i]));
  const position = new Map<string, number>();
  s.migrations.forEach((m, i) => {
    if (position.has(m.vm)) add(['migrations', i, 'vm'], `vm '${m.vm}' is listed twice`);
    position.set(m.vm, i);
  });
  let autoTargets: string[] | undefined;
  const migrations: FleetMigration[] = [];
  const knobs: MigrationKnobs[] = [];
  s.migrations.forEach((m, i) => {
    const at = (f: string) => ['migrations', i, f];
    const vi = vmIndex.get(m.vm);
    if (vi === undefined) {
      add(at('vm'), `unknown vm '${m.vm}'`);
      return;
    }
    const vm = inv.vms[vi]!;
    let target = m.target;
    if (target === undefined) {
      autoTargets ??= assignTargets(inv);
      target = autoTargets[vi]!;
    } else if (!net.hostIndex.has(target)) {
      add(at('target'), `unknown host '${target}'`);
      return;
    } else if (target === vm.host) {
      add(at('target'), `target '${target}' is the VM's own host`);
      return;
    } else if (vm.targets.length > 0 && !vm.targets.includes(target)) {
      add(at('target'), `'${target}' is not among the VM's allowed targets (${vm.targets.join(', ')})`);
    }
    const num = (
      f: string,
      v: string | number | undefined,
      parse: (s: string) => number,
      dflt: number,
      allowInf: boolean,
    ) => {
      if (v === undefined) return dflt;
      let x: number;
      try {
        // Durations need a unit even when written as a number (QEMU counts ms, precopy seconds).
        x =
          typeof v === 'number'
            ? parse === parseDuration
              ? parse(String(v))
              : v
            : v === 'unlimited' && allowInf
              ? Number.POSITIVE_INFINITY
              : parse(v);
      } catch (e) {
        add(at(f), e instanceof Error ? e.message : String(e));
        return dflt;
      }
      if (Number.isNaN(x) || x < 0 || (!allowInf && !Number.isFinite(x))) {
        add(at(f), `${v} is out of range: expected a ${allowInf ? '' : 'finite '}value >= 0`);
        return dflt;
      }
      return x;
    };
    const start = num('start', m.start, parseDuration, 0, false);
    const dl = num(
      'downtimeLimit',
      m.downtimeLimit,
      parseDuration,
      inv.policy.downtimeLimitSeconds ?? vm.maxDowntimeSeconds ?? QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS,
      false,
    );
    if (dl === 0) add(at('downtimeLimit'), 'must be > 0');
    const bw = num(
      'maxBandwidth',
      m.maxBandwidth,
      parseRate,
      inv.policy.maxBandwidthBytesPerSecond ?? QEMU_DEFAULT_MAX_BANDWIDTH,
      true,
    );
    if (bw === 0) add(at('maxBandwidth'), 'must be > 0');
    const after: number[] = [];
    (m.after ?? []).forEach((a, ai) => {
      const p = position.get(a);
      if (p === undefined) add(['migrations', i, 'after', ai], `'${a}' is not a migration of this schedule`);
      else if (p === i) add(['migrations', i, 'after', ai], 'a migration cannot wait for itself');
      else after.push(p);
    });
    const k: MigrationKnobs = {
      stopRule: m.stopRule ?? inv.policy.stopRule,
      downtimeLimitSeconds: dl || 1,
      maxBandwidthBytesPerSecond: bw || 1,
    };
    knobs.push(k);
    migrations.push(toMigration(inv, net, vm, target, k, start, after));
  });
  if (problems.length > 0) throw new FleetInventoryError(problems);
  const c = s.caps;
  return {
    network: net,
    knobs,
    input: {
      hosts: net.hosts,
      links: net.links,
      migrations,
      caps: {
        ...(c?.perSource ? { perSource: net.hosts.map(() => c.perSource!) } : {}),
        ...(c?.perTarget ? { perTarget: net.hosts.map(() => c.perTarget!) } : {}),
        ...(c?.total ? { total: c.total } : {}),
      },
      energy: inv.energy,
    },
  };
}
