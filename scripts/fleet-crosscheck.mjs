// The fleet predictor against the page-level multi-VM simulator (issue 14, item 6), on a seeded random corpus of
// small drains, with sequential writers (the fluid workload: the two must agree to rounding) and with random
// writers (page-level Poisson writes: the predictor uses their expected distinct pages W (1 - e^(-D T / W)),
// the simulator draws them). For each inventory it runs the six baselines and the plan (budget 12).
// Run after `npm run build`:  node scripts/fleet-crosscheck.mjs [inventories=30] [seed=20261201]
// Prints, per writer, the relative differences (simulated - predicted) / predicted: median, 95th percentile and
// largest |difference| of per-VM total time, downtime and bytes (converged in both), and of the makespan; plus
// how often the verdict (converges or not) and the feasibility of the schedule differ.
const {
  BASELINE_NAMES,
  assignTargets,
  baselinePlan,
  buildNetwork,
  planFleet,
  resolveInventory,
  scheduleOf,
  simulateFleet,
  violationsOf,
} = await import(new URL('../dist/fleet/index.js', import.meta.url).href);

const COUNT = Number(process.argv[2] ?? 30);
const SEED = Number(process.argv[3] ?? 20261201);
if (!(Number.isInteger(COUNT) && COUNT >= 1 && COUNT <= 1000))
  throw new Error(`inventories '${process.argv[2]}': expected 1..1000`);
if (!Number.isInteger(SEED)) throw new Error(`seed '${process.argv[3]}': expected a whole number`);

/** mulberry32, as test/fleet/corpus.ts. */
function seeded(seed) {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of test/fleet/corpus.ts (randomInventory), in plain JS for this script. */
function randomInventory(rand, pattern) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
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
          between: [hosts.slice(0, -1).map((h) => h.name), [hosts[hosts.length - 1].name]],
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
  const opt = (p, v) => (rand() < p ? v() : undefined);
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
  };
}

const rel = (a, b) => (a === b ? 0 : b === 0 ? Number.POSITIVE_INFINITY : Math.abs(a - b) / Math.abs(b));
const stats = (xs) => {
  if (xs.length === 0) return ['-', '-', '-'];
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
  const f = (x) => (x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : `${(x * 100).toPrecision(3)} %`);
  return [f(q(0.5)), f(q(0.95)), f(s[s.length - 1])];
};

const rows = [];
for (const pattern of ['sequential', 'random']) {
  const rand = seeded(SEED);
  const total = [];
  const down = [];
  let downAbs = 0;
  const bytes = [];
  const makespan = [];
  let schedules = 0;
  let migrations = 0;
  let verdicts = 0;
  let feasibility = 0;
  const cpu0 = process.cpuUsage();
  for (let k = 0; k < COUNT; k++) {
    const inv = resolveInventory(randomInventory(rand, pattern));
    const net = buildNetwork(inv);
    const targets = assignTargets(inv);
    const plans = [...BASELINE_NAMES.map((b) => baselinePlan(inv, b)), planFleet(inv, { budget: 12 }).best.plan];
    for (const plan of plans) {
      const s = scheduleOf(inv, net, targets, plan);
      const { simulated: q, predicted: p } = simulateFleet(s, { seed: SEED + k });
      schedules++;
      if ((violationsOf(inv, q).length === 0) !== (violationsOf(inv, p).length === 0)) feasibility++;
      p.migrations.forEach((pm, i) => {
        const qm = q.migrations[i];
        migrations++;
        if (pm.converged !== qm.converged) verdicts++;
        if (!(pm.converged && qm.converged)) return;
        total.push(rel(qm.endSeconds - qm.startSeconds, pm.endSeconds - pm.startSeconds));
        if (pm.downtimeSeconds > 0) down.push(rel(qm.downtimeSeconds, pm.downtimeSeconds));
        downAbs = Math.max(downAbs, Math.abs(qm.downtimeSeconds - pm.downtimeSeconds));
        bytes.push(rel(qm.bytesSent, pm.bytesSent));
      });
      if (p.allConverged && q.allConverged) makespan.push(rel(q.makespanSeconds, p.makespanSeconds));
    }
  }
  const c = process.cpuUsage(cpu0);
  rows.push([
    pattern === 'sequential' ? 'sequential (fluid)' : 'random (page-level)',
    String(schedules),
    String(migrations),
    ...stats(total),
    ...stats(down),
    `${(downAbs * 1000).toPrecision(3)} ms`,
    ...stats(bytes),
    ...stats(makespan),
    `${verdicts} / ${feasibility}`,
    `${((c.user + c.system) / 1e6).toFixed(1)} s`,
  ]);
}
const head = [
  'writers',
  'schedules',
  'migrations',
  'total p50',
  'p95',
  'max',
  'downtime p50',
  'p95',
  'max',
  'downtime max abs',
  'bytes p50',
  'p95',
  'max',
  'makespan p50',
  'p95',
  'max',
  'verdict / feasible differ',
  'CPU',
];
console.log(
  `fleet predictor vs multi-VM simulator: ${COUNT} inventories (seed ${SEED}), 6 baselines + the plan each; |relative difference|`,
);
console.log(`| ${head.join(' | ')} |`);
console.log(`|${head.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
