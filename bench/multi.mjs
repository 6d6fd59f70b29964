#!/usr/bin/env node
// Speed of the multi-VM simulator (issue 14, point 6). Prints figures; asserts nothing.
// Run after `npx tsc -p tsconfig.build.json` (or `npm run build`):  node bench/multi.mjs
// A drain: H source hosts (10 Gbit/s NICs, 25 % of them for migration), each with V VMs of 4 GiB migrating to
// H other hosts through one shared 40 Gbit/s uplink, all started at 0 (the worst case for sharing: every event
// reallocates every active migration). Fluid (rho 0.05..0.3 alone) and random writes, alpha 0.01 / QEMU 300 ms.
// Page-level cost is the workload's (O(pages) per round, as simulate()), so random-write cases are kept small.
// `node bench/multi.mjs K` runs case K only.
const { simulateMany } = await import(new URL('../dist/simulate/multi.js', import.meta.url).href);

let seed = 12345;
const rnd = () => {
  seed = (seed * 16807) % 2147483647; // Park-Miller: the same fleet on every run
  return seed / 2147483647;
};

function fleet(hosts, perHost, kind, gib) {
  const nic = 1.25e9 * 0.25;
  const links = [{ name: 'uplink', bytesPerSecond: 5e9 * 0.5 }];
  for (let h = 0; h < hosts; h++) {
    links.push({ name: `s${h}-out`, bytesPerSecond: nic }, { name: `t${h}-in`, bytesPerSecond: nic });
  }
  const migrations = [];
  for (let h = 0; h < hosts; h++) {
    for (let v = 0; v < perHost; v++) {
      const rho = 0.05 + 0.25 * rnd();
      const D = (rho * nic) / 4096;
      migrations.push({
        id: `vm${h}-${v}`,
        links: [`s${h}-out`, `t${h}-in`, 'uplink'],
        pages: (gib * 2 ** 30) / 4096,
        pageSizeBytes: 4096,
        capBytesPerSecond: 134217728,
        workload: { kind, dirtyPagesPerSecond: D },
        stopRule: v % 2 === 0 ? { kind: 'alpha', alpha: 0.01 } : { kind: 'qemu', downtimeLimitSeconds: 0.3 },
        roundLimit: 1000,
        seed: h * 1000 + v,
      });
    }
  }
  return { links, migrations };
}

const only = process.argv[2] ? Number(process.argv[2]) : -1;
const cases = [
  [10, 2, 'fluid', 4],
  [50, 4, 'fluid', 4],
  [100, 5, 'fluid', 4],
  [10, 2, 'random', 1],
  [20, 2, 'random', 0.25],
];
for (const [i, [hosts, perHost, kind, gib]] of cases.entries()) {
  if (only >= 0 && i !== only) continue;
  const p = fleet(hosts, perHost, kind, gib);
  const t0 = process.hrtime.bigint();
  const r = simulateMany(p);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const line = {
    migrations: p.migrations.length,
    kind,
    gib,
    events: r.events,
    rounds: r.migrations.reduce((a, m) => a + m.rounds.length, 0),
    converged: r.migrations.filter((m) => m.converged).length,
    makespanSeconds: Number(r.makespanSeconds.toFixed(1)),
    wallSeconds: Number(s.toFixed(3)),
    eventsPerSecond: Math.round(r.events / s),
    peakRssMiB: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  };
  console.log(JSON.stringify(line));
}
