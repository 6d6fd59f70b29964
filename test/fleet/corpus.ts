import type { RawInventory } from '../../src/fleet/index.js';

/** mulberry32: a small seeded generator, so every corpus is the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random small drain: 1-3 sources, 2-4 targets, sometimes a shared uplink in front of the last target, 2-7
 * VMs of 0.25-4 GiB whose dirty rate is rho (0-0.5) times the smallest NIC share (so each converges alone), some
 * with zero pages, a max downtime, fixed or free targets; random caps, link share and knobs.
 * `pattern` chooses the writers: 'sequential' (all of memory: the fluid workload) or 'random'.
 */
export function randomInventory(rand: () => number, pattern: 'sequential' | 'random'): RawInventory {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const sources = 1 + Math.floor(rand() * 3);
  const targets = 2 + Math.floor(rand() * 3);
  const nics = [1, 2.5, 10, 25];
  const hosts = [
    ...Array.from({ length: sources }, (_, i) => ({ name: `s${i}`, nic: `${pick(nics)}Gbit/s` })),
    ...Array.from({ length: targets }, (_, i) => ({ name: `t${i}`, nic: `${pick(nics)}Gbit/s` })),
  ];
  const linkShare = pick([0.5, 0.8, 1]);
  const uplink = rand() < 0.4;
  const links = uplink
    ? [
        {
          name: 'uplink',
          rate: `${pick([1, 10])}Gbit/s`,
          between: [hosts.slice(0, -1).map((h) => h.name), [hosts[hosts.length - 1]!.name]],
        },
      ]
    : [];
  const minRate = (Math.min(1, ...hosts.map((h) => Number.parseFloat(h.nic))) * 1e9) / 8;
  const nvms = 2 + Math.floor(rand() * 6);
  const vms = Array.from({ length: nvms }, (_, i) => {
    const mib = pick([256, 512, 1024, 2048, 4096]);
    const rho = rand() * 0.5;
    const fixed = rand() < 0.3 ? { target: `t${Math.floor(rand() * targets)}` } : {};
    return {
      name: `vm${i}`,
      host: `s${Math.floor(rand() * sources)}`,
      memory: `${mib}MiB`,
      dirtyRate: Math.round((rho * minRate * linkShare) / 4096),
      pattern,
      ...(rand() < 0.3 ? { zeroFraction: Math.round(rand() * 50) / 100 } : {}),
      ...(rand() < 0.6 ? { maxDowntime: `${pick([100, 300, 500, 1000, 2000])}ms` } : {}),
      ...fixed,
    };
  });
  const opt = <T>(p: number, v: () => T): T | undefined => (rand() < p ? v() : undefined);
  const maxPerSource = opt(0.5, () => 1 + Math.floor(rand() * 3));
  const maxPerTarget = opt(0.4, () => 1 + Math.floor(rand() * 2));
  const maxTotal = opt(0.4, () => 1 + Math.floor(rand() * 4));
  const maxBandwidth = opt(0.2, () => pick(['128MiB/s', '512MiB/s']));
  return {
    hosts,
    ...(links.length > 0 ? { links } : {}),
    vms,
    policy: {
      ...(maxPerSource !== undefined ? { maxPerSource } : {}),
      ...(maxPerTarget !== undefined ? { maxPerTarget } : {}),
      ...(maxTotal !== undefined ? { maxTotal } : {}),
      ...(maxBandwidth !== undefined ? { maxBandwidth } : {}),
      linkShare,
      maxRounds: 200,
      window: '4h',
    },
  } as RawInventory;
}
