/**
 * Fleet inventories: hosts, shared links, VMs and a migration policy, read from YAML or JSON through ONE zod
 * schema, then resolved to base units (bytes, bytes/s, seconds, pages) with the units module.
 *
 * Errors are collected, never thrown one at a time: every problem (schema, unit, unknown host, duplicate name)
 * becomes a {@link InventoryProblem} naming the VM or host, the field and, for YAML, the line; then one
 * {@link FleetInventoryError} carries them all. Nothing downstream sees a partially valid inventory.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ModelInputError } from '../model/errors.js';
import { ceilPages } from '../model/numerics.js';
import { dirtyPagesPerSecond, parseDirtyRate, parseDuration, parseRate, parseSize } from '../units/index.js';

/** Largest inventory sizes accepted (checked before anything is allocated per VM). */
export const MAX_VMS = 200_000;
export const MAX_HOSTS = 100_000;
export const MAX_LINKS = 10_000;
/** Largest memory per VM (64 TiB) and smallest/largest page size. */
export const MAX_MEMORY_BYTES = 2 ** 46;

const quantity = z.union([z.number(), z.string()]);
const name = z.string().min(1).max(200);

/** Stop rules: QEMU's (downtime-limit at the measured bandwidth), vMotion's (the same with 500 ms), the paper's alpha, Xen's. */
export const STOP_RULES = ['qemu', 'vmotion', 'alpha', 'xen'] as const;
export type StopRuleName = (typeof STOP_RULES)[number];

const hostSchema = z
  .object({
    name,
    /** NIC rate in both directions (e.g. 10Gbit/s), unless nicOut/nicIn say otherwise. */
    nic: quantity.optional(),
    nicOut: quantity.optional(),
    nicIn: quantity.optional(),
    /** Optional memory capacity for incoming VMs (targets chosen automatically respect it). */
    memory: quantity.optional(),
  })
  .strict();

const linkSchema = z
  .object({
    name,
    rate: quantity,
    /** Traffic between any host of the first group and any host of the second (either direction) crosses the link. */
    between: z.tuple([z.array(name).min(1), z.array(name).min(1)]),
  })
  .strict();

const vmSchema = z
  .object({
    name,
    host: name,
    target: name.optional(),
    targets: z.array(name).min(1).optional(),
    memory: quantity,
    pageSize: quantity.optional(),
    /** Uniform dirty rate: pages/s (bare number) or a byte rate. */
    dirtyRate: quantity.optional(),
    /** Hot/cold description (the paper's Section 4): D_eff = beta*Dh + (1-beta)*Dnh (Eq. 17). */
    hot: z.object({ fraction: z.number(), rate: quantity, coldRate: quantity }).strict().optional(),
    pattern: z.enum(['sequential', 'random']).optional(),
    workingSet: quantity.optional(),
    zeroFraction: z.number().optional(),
    maxDowntime: quantity.optional(),
    deadline: quantity.optional(),
    priority: z.number().int().optional(),
  })
  .strict();

const policySchema = z
  .object({
    maxPerSource: z.number().int().positive().optional(),
    maxPerTarget: z.number().int().positive().optional(),
    maxTotal: z.number().int().positive().optional(),
    linkShare: z.number().optional(),
    /** A fixed downtime-limit for every migration, or `auto` (the planner chooses per VM). */
    downtimeLimit: quantity.optional(),
    /** A fixed max-bandwidth, `unlimited`, or `auto` (the planner chooses per migration). */
    maxBandwidth: quantity.optional(),
    stopRule: z.enum(STOP_RULES).optional(),
    alpha: z.number().optional(),
    maxRounds: z.number().int().positive().max(100_000).optional(),
    /** Maintenance window: every migration must end within this long after the drain starts. */
    window: quantity.optional(),
  })
  .strict();

const energySchema = z
  .object({
    /** Energy per byte sent, J per MB (10^6 B) as Liu et al. print it; default 0.512. */
    joulesPerMB: z.number().optional(),
    /** Fixed energy per migration, J; default 20.165 (Liu et al.). */
    joulesPerMigration: z.number().optional(),
    /** Extra host power while a migration runs, W; default 0 (see docs/fleet.md). */
    hostPowerWatts: z.number().optional(),
  })
  .strict();

/** The one inventory schema (YAML and JSON alike). Quantities are unit strings or base-unit numbers. */
export const inventorySchema = z
  .object({
    hosts: z.array(hostSchema).min(1),
    links: z.array(linkSchema).optional(),
    vms: z.array(vmSchema).min(1),
    policy: policySchema.optional(),
    energy: energySchema.optional(),
  })
  .strict();
export type RawInventory = z.input<typeof inventorySchema>;

/** Energy coefficients (see energy.ts). */
export interface EnergyCoefficients {
  readonly joulesPerByte: number;
  readonly joulesPerMigration: number;
  readonly hostPowerWatts: number;
}

export interface Host {
  readonly name: string;
  readonly nicOutBytesPerSecond: number;
  readonly nicInBytesPerSecond: number;
  readonly memoryBytes?: number;
}

export interface SharedLink {
  readonly name: string;
  readonly rateBytesPerSecond: number;
  readonly between: readonly [readonly string[], readonly string[]];
}

export interface Vm {
  readonly name: string;
  readonly index: number;
  readonly host: string;
  /** Allowed targets (one when `target` was given; empty = any other host). */
  readonly targets: readonly string[];
  readonly memoryBytes: number;
  readonly pageSizeBytes: number;
  readonly pages: number;
  readonly dirtyPagesPerSecond: number;
  readonly pattern: 'sequential' | 'random';
  readonly workingSetPages: number;
  readonly zeroFraction: number;
  readonly maxDowntimeSeconds?: number;
  readonly deadlineSeconds?: number;
  readonly priority: number;
}

export interface Policy {
  readonly maxPerSource: number;
  readonly maxPerTarget: number;
  readonly maxTotal: number;
  readonly linkShare: number;
  /** Fixed downtime-limit (s) or undefined = chosen by the planner (QEMU default 300 ms for predictions). */
  readonly downtimeLimitSeconds?: number;
  /** Fixed max-bandwidth (bytes/s; Infinity = unlimited) or undefined = chosen by the planner. */
  readonly maxBandwidthBytesPerSecond?: number;
  readonly stopRule: StopRuleName;
  readonly alpha: number;
  readonly maxRounds: number;
  readonly windowSeconds?: number;
}

export interface Inventory {
  readonly hosts: readonly Host[];
  readonly links: readonly SharedLink[];
  readonly vms: readonly Vm[];
  readonly policy: Policy;
  readonly energy: EnergyCoefficients;
}

/** QEMU 7.2's defaults: downtime-limit 300 ms, max-bandwidth 128 MiB/s. */
export const QEMU_DEFAULT_DOWNTIME_LIMIT_SECONDS = 0.3;
export const QEMU_DEFAULT_MAX_BANDWIDTH = 128 * 2 ** 20;
/** Default bound on pre-copy rounds after which a migration is declared non-converging (the sharing contract). */
export const DEFAULT_MAX_ROUNDS = 1000;

/** Liu et al. (HPDC 2011), E = 0.512 V + 20.165 (J, V in MB). */
export const DEFAULT_ENERGY: EnergyCoefficients = {
  joulesPerByte: 0.512e-6,
  joulesPerMigration: 20.165,
  hostPowerWatts: 0,
};

/** One problem with an inventory: where (path, VM/host, YAML line) and what. */
export interface InventoryProblem {
  readonly path: readonly (string | number)[];
  /** `vm 'db1'`, `host 'h2'`, `link 'uplink'`, `policy` or `inventory`. */
  readonly subject: string;
  readonly field: string;
  readonly message: string;
  /** 1-based line in the YAML/JSON text, when known. */
  readonly line?: number;
}

/** Thrown with every problem of an inventory at once. */
export class FleetInventoryError extends ModelInputError {
  constructor(readonly problems: readonly InventoryProblem[]) {
    super(
      'inventory',
      `${problems.length} problem(s)`,
      'a valid inventory (docs/fleet.md)',
      problems.length === 1
        ? `inventory: ${describeProblem(problems[0]!)}`
        : `inventory has ${problems.length} problems:\n${problems.map((p) => `  ${describeProblem(p)}`).join('\n')}`,
    );
    this.name = 'FleetInventoryError';
  }
}

/** One line per problem: `vm 'db1', field memory (line 12): ...`. */
export function describeProblem(p: InventoryProblem): string {
  const where = `${p.subject}${p.field ? `, field ${p.field}` : ''}${p.line !== undefined ? ` (line ${p.line})` : ''}`;
  return `${where}: ${p.message}`;
}

/** Reads inventory text: JSON when it starts with `{`, else YAML. Returns the raw object and a path->line lookup. */
export function readInventoryText(text: string): {
  raw: unknown;
  lineOf: (path: readonly (string | number)[]) => number | undefined;
} {
  if (text.length > 64 * 2 ** 20) {
    throw new FleetInventoryError([
      { path: [], subject: 'inventory', field: '', message: `text is ${text.length} bytes, more than 64 MiB` },
    ]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new FleetInventoryError(
      doc.errors.map((e) => ({
        path: [],
        subject: 'inventory',
        field: '',
        message: `not valid YAML/JSON: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line,
      })),
    );
  }
  const raw = doc.toJS({ maxAliasCount: 100 });
  const lineOf = (path: readonly (string | number)[]) => {
    for (let k = path.length; k >= 0; k--) {
      const node = doc.getIn(path.slice(0, k), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { raw, lineOf };
}

function subjectOf(raw: unknown, path: readonly (string | number)[]): { subject: string; field: string } {
  const r = raw as Record<string, unknown> | undefined;
  const section = path[0];
  if ((section === 'vms' || section === 'hosts' || section === 'links') && typeof path[1] === 'number') {
    const list = r?.[section];
    const item = Array.isArray(list) ? (list[path[1]] as Record<string, unknown> | undefined) : undefined;
    const nm = item && typeof item.name === 'string' ? `'${item.name}'` : `#${path[1] + 1}`;
    const kind = section === 'vms' ? 'vm' : section === 'hosts' ? 'host' : 'link';
    return { subject: `${kind} ${nm}`, field: path.slice(2).map(String).join('.') };
  }
  if (section === 'policy' || section === 'energy') return { subject: section, field: path.slice(1).join('.') };
  return { subject: 'inventory', field: path.map(String).join('.') };
}

/**
 * Parses and resolves an inventory from YAML or JSON text.
 * @throws FleetInventoryError with every problem found (never a partial inventory)
 */
export function parseInventory(text: string): Inventory {
  const { raw, lineOf } = readInventoryText(text);
  return resolveInventory(raw, lineOf);
}

/**
 * Validates a raw inventory object (already parsed) and resolves it to base units.
 * @throws FleetInventoryError with every problem found
 */
export function resolveInventory(
  raw: unknown,
  lineOf: (path: readonly (string | number)[]) => number | undefined = () => undefined,
): Inventory {
  const problems: InventoryProblem[] = [];
  const add = (path: readonly (string | number)[], message: string) => {
    problems.push({ path, ...subjectOf(raw, path), message, line: lineOf(path) });
  };
  // Sizes first: bounded before the schema walks them.
  const r0 = raw as Record<string, unknown> | null;
  if (r0 && typeof r0 === 'object') {
    for (const [k, max] of [
      ['vms', MAX_VMS],
      ['hosts', MAX_HOSTS],
      ['links', MAX_LINKS],
    ] as const) {
      const v = r0[k];
      if (Array.isArray(v) && v.length > max) add([k], `${v.length} entries, at most ${max} allowed`);
    }
    if (problems.length > 0) throw new FleetInventoryError(problems);
  }
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) add([...path, k], `unknown field '${k}'`);
      } else if (issue.code === 'invalid_value') {
        add(path, `must be one of: ${issue.values.map(String).join(', ')}`);
      } else if (issue.code === 'invalid_type' && (issue.input === undefined || issue.input === null)) {
        add(path, `is required (${issue.expected})`);
      } else add(path, issue.message.toLowerCase());
    }
    throw new FleetInventoryError(problems);
  }
  const inv = parsed.data;

  const unit = <T>(
    path: (string | number)[],
    v: string | number | undefined,
    f: (s: string) => T,
    num: (n: number) => T,
  ) => {
    if (v === undefined) return undefined;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        add(path, `${v} is not a finite number`);
        return undefined;
      }
      return num(v);
    }
    try {
      return f(v);
    } catch (e) {
      add(path, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  };
  const positive = (path: (string | number)[], x: number | undefined, what: string, max = Number.MAX_VALUE) => {
    if (x === undefined) return undefined;
    if (!(x > 0) || !Number.isFinite(x) || x > max) {
      add(path, `${x} is out of range: expected a ${what} > 0${max < Number.MAX_VALUE ? ` and <= ${max}` : ''}`);
      return undefined;
    }
    return x;
  };
  const size = (path: (string | number)[], v: string | number | undefined) => unit(path, v, parseSize, (n) => n);
  const rate = (path: (string | number)[], v: string | number | undefined) =>
    unit(
      path,
      v,
      (s) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : parseRate(s)),
      (n) => n,
    );
  // A bare number is ambiguous for a duration (QEMU counts ms, precopy seconds): a unit is required.
  const duration = (path: (string | number)[], v: string | number | undefined) =>
    unit(path, typeof v === 'number' ? String(v) : v, parseDuration, (n) => n);

  // Hosts.
  const hosts: Host[] = [];
  const hostIndex = new Map<string, number>();
  inv.hosts.forEach((h, i) => {
    if (hostIndex.has(h.name)) add(['hosts', i, 'name'], `duplicate host name '${h.name}'`);
    hostIndex.set(h.name, i);
    const both = positive(['hosts', i, 'nic'], rate(['hosts', i, 'nic'], h.nic), 'rate');
    const out =
      h.nicOut === undefined ? both : positive(['hosts', i, 'nicOut'], rate(['hosts', i, 'nicOut'], h.nicOut), 'rate');
    const inn =
      h.nicIn === undefined ? both : positive(['hosts', i, 'nicIn'], rate(['hosts', i, 'nicIn'], h.nicIn), 'rate');
    if (h.nic === undefined && (h.nicOut === undefined || h.nicIn === undefined)) {
      add(['hosts', i], 'needs nic (both directions) or both nicOut and nicIn');
    }
    for (const [k, v] of [
      ['nicOut', out],
      ['nicIn', inn],
    ] as const) {
      if (v === Number.POSITIVE_INFINITY) add(['hosts', i, k], 'a NIC rate must be finite');
    }
    const mem =
      h.memory === undefined
        ? undefined
        : positive(['hosts', i, 'memory'], size(['hosts', i, 'memory'], h.memory), 'size');
    hosts.push({
      name: h.name,
      nicOutBytesPerSecond: out ?? 1,
      nicInBytesPerSecond: inn ?? 1,
      ...(mem !== undefined ? { memoryBytes: mem } : {}),
    });
  });
  const knownHost = (path: (string | number)[], h: string) => {
    if (!hostIndex.has(h)) add(path, `unknown host '${h}'`);
  };

  // Links.
  const links: SharedLink[] = [];
  const linkNames = new Set<string>();
  (inv.links ?? []).forEach((l, i) => {
    if (linkNames.has(l.name)) add(['links', i, 'name'], `duplicate link name '${l.name}'`);
    linkNames.add(l.name);
    const rr = positive(['links', i, 'rate'], rate(['links', i, 'rate'], l.rate), 'finite rate');
    if (rr === Number.POSITIVE_INFINITY) add(['links', i, 'rate'], 'a link rate must be finite');
    l.between.forEach((g, gi) => {
      g.forEach((h, hi) => {
        knownHost(['links', i, 'between', gi, hi], h);
      });
    });
    links.push({ name: l.name, rateBytesPerSecond: rr ?? 1, between: [l.between[0], l.between[1]] });
  });

  // Policy.
  const p = inv.policy ?? {};
  const linkShare = p.linkShare ?? 1;
  if (!(linkShare > 0 && linkShare <= 1))
    add(['policy', 'linkShare'], `${linkShare} is out of range: expected 0 < linkShare <= 1`);
  let downtimeLimitSeconds: number | undefined;
  if (p.downtimeLimit !== undefined && p.downtimeLimit !== 'auto') {
    downtimeLimitSeconds = positive(
      ['policy', 'downtimeLimit'],
      duration(['policy', 'downtimeLimit'], p.downtimeLimit),
      'duration',
      2000,
    );
  }
  let maxBandwidth: number | undefined;
  if (p.maxBandwidth === 'unlimited') maxBandwidth = Number.POSITIVE_INFINITY;
  else if (p.maxBandwidth !== undefined && p.maxBandwidth !== 'auto') {
    maxBandwidth = positive(
      ['policy', 'maxBandwidth'],
      rate(['policy', 'maxBandwidth'], p.maxBandwidth),
      'rate',
      Number.POSITIVE_INFINITY,
    );
  }
  const alpha = p.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) add(['policy', 'alpha'], `${alpha} is out of range: expected 0 < alpha < 1`);
  const windowSeconds = positive(['policy', 'window'], duration(['policy', 'window'], p.window), 'duration');
  const policy: Policy = {
    maxPerSource: p.maxPerSource ?? Number.POSITIVE_INFINITY,
    maxPerTarget: p.maxPerTarget ?? Number.POSITIVE_INFINITY,
    maxTotal: p.maxTotal ?? Number.POSITIVE_INFINITY,
    linkShare,
    ...(downtimeLimitSeconds !== undefined ? { downtimeLimitSeconds } : {}),
    ...(maxBandwidth !== undefined ? { maxBandwidthBytesPerSecond: maxBandwidth } : {}),
    stopRule: p.stopRule ?? 'qemu',
    alpha,
    maxRounds: p.maxRounds ?? DEFAULT_MAX_ROUNDS,
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
  };

  // Energy.
  const e = inv.energy ?? {};
  const coef = (k: 'joulesPerMB' | 'joulesPerMigration' | 'hostPowerWatts', dflt: number) => {
    const v = e[k] ?? dflt;
    if (!(v >= 0) || !Number.isFinite(v)) add(['energy', k], `${v} is out of range: expected a finite number >= 0`);
    return v;
  };
  const energy: EnergyCoefficients = {
    joulesPerByte: coef('joulesPerMB', DEFAULT_ENERGY.joulesPerByte * 1e6) / 1e6,
    joulesPerMigration: coef('joulesPerMigration', DEFAULT_ENERGY.joulesPerMigration),
    hostPowerWatts: coef('hostPowerWatts', DEFAULT_ENERGY.hostPowerWatts),
  };

  // VMs.
  const vms: Vm[] = [];
  const vmNames = new Set<string>();
  inv.vms.forEach((v, i) => {
    const at = (f: string) => ['vms', i, f];
    if (vmNames.has(v.name)) add(at('name'), `duplicate vm name '${v.name}'`);
    vmNames.add(v.name);
    knownHost(at('host'), v.host);
    if (v.target !== undefined && v.targets !== undefined) add(at('targets'), 'give target or targets, not both');
    const targets = v.target !== undefined ? [v.target] : (v.targets ?? []);
    targets.forEach((t, ti) => {
      const path = v.target !== undefined ? at('target') : ['vms', i, 'targets', ti];
      knownHost(path, t);
      if (t === v.host) add(path, `target '${t}' is the VM's own host`);
    });
    const memory = positive(at('memory'), size(at('memory'), v.memory), 'size', MAX_MEMORY_BYTES);
    const pageSize = positive(at('pageSize'), size(at('pageSize'), v.pageSize ?? 4096), 'size', 2 ** 30);
    const pages = memory !== undefined && pageSize !== undefined ? ceilPages(memory / pageSize) : 1;
    let D: number | undefined;
    if (v.dirtyRate !== undefined && v.hot !== undefined) add(at('hot'), 'give dirtyRate or hot, not both');
    const dirty = (path: (string | number)[], q: string | number) => {
      const d = unit(path, q, parseDirtyRate, (n) => ({ pagesPerSecond: n }));
      if (d === undefined || pageSize === undefined) return undefined;
      const x = dirtyPagesPerSecond(d, pageSize);
      if (!(x >= 0) || !Number.isFinite(x)) {
        add(path, `${x} is out of range: expected a finite dirty rate >= 0`);
        return undefined;
      }
      return x;
    };
    if (v.hot !== undefined) {
      const beta = v.hot.fraction;
      if (!(beta >= 0 && beta < 1))
        add([...at('hot'), 'fraction'], `${beta} is out of range: expected 0 <= fraction < 1`);
      const dh = dirty([...at('hot'), 'rate'], v.hot.rate);
      const dnh = dirty([...at('hot'), 'coldRate'], v.hot.coldRate);
      if (dh !== undefined && dnh !== undefined) D = beta * dh + (1 - beta) * dnh; // Eq. 17
    } else if (v.dirtyRate !== undefined) D = dirty(at('dirtyRate'), v.dirtyRate);
    else add(at('dirtyRate'), 'is required (or hot)');
    const zero = v.zeroFraction ?? 0;
    if (!(zero >= 0 && zero < 1)) add(at('zeroFraction'), `${zero} is out of range: expected 0 <= zeroFraction < 1`);
    let W = pages;
    if (v.workingSet !== undefined && pageSize !== undefined) {
      const ws = positive(at('workingSet'), size(at('workingSet'), v.workingSet), 'size');
      if (ws !== undefined) {
        W = Math.max(1, ceilPages(ws / pageSize));
        if (W > pages) add(at('workingSet'), `${v.workingSet} is larger than the VM's memory`);
      }
    }
    const maxDowntime = positive(at('maxDowntime'), duration(at('maxDowntime'), v.maxDowntime), 'duration');
    const deadline = positive(at('deadline'), duration(at('deadline'), v.deadline), 'duration');
    vms.push({
      name: v.name,
      index: i,
      host: v.host,
      targets,
      memoryBytes: memory ?? 1,
      pageSizeBytes: pageSize ?? 4096,
      pages,
      dirtyPagesPerSecond: D ?? 0,
      pattern: v.pattern ?? 'sequential',
      workingSetPages: W,
      zeroFraction: zero,
      ...(maxDowntime !== undefined ? { maxDowntimeSeconds: maxDowntime } : {}),
      ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
      priority: v.priority ?? 0,
    });
  });
  if (hosts.length < 2) add(['hosts'], 'at least two hosts are needed (a source and a target)');
  if (problems.length > 0) throw new FleetInventoryError(problems);
  return { hosts, links, vms, policy, energy };
}
