// Scale of the fleet planner and predictor (issue 14, item 8).
// Run after `npm run build`:  node bench/fleet.mjs
// Builds a drain of 10,000 VMs on 1,000 hosts (500 sources x 20 VMs, 500 targets, 10/25 GbE, a seeded mix of
// memory sizes 2-64 GiB and dirty rates, rho alone 0-0.4), then prints: wall seconds of planFleet (default
// budget), of predictFleet on one 10,000-migration schedule (the plan's own), and the peak resident memory
// (maxRSS, which includes Node's own ~40-50 MiB). Targets: plan <= 2 s and 512 MiB, predict <= 200 ms (one core).
const { resolveInventory, planFleet, predictFleet, buildNetwork, assignTargets, scheduleOf } = await import(
  new URL('../dist/fleet/index.js', import.meta.url).href
);

// A small seeded generator (mulberry32) so the inventory is the same on every run.
let seed = 14;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const SOURCES = 500;
const TARGETS = 500;
const PER = 20;
const hosts = [];
for (let i = 0; i < SOURCES; i++) hosts.push({ name: `s${i}`, nic: i % 2 ? '25Gbit/s' : '10Gbit/s' });
for (let i = 0; i < TARGETS; i++) hosts.push({ name: `t${i}`, nic: '10Gbit/s', memory: '2TiB' });
const vms = [];
for (let s = 0; s < SOURCES; s++) {
  for (let j = 0; j < PER; j++) {
    const gib = [2, 4, 8, 16, 32, 64][Math.floor(rand() * 6)];
    const rho = rand() * 0.4;
    vms.push({
      name: `vm${s}-${j}`,
      host: `s${s}`,
      // first choice: a target in the same "rack" of 10, else any
      targets: [`t${s % TARGETS}`, `t${(s + 1) % TARGETS}`],
      memory: `${gib}GiB`,
      dirtyRate: Math.round((rho * 1.25e9 * 0.8) / 4096),
      maxDowntime: '500ms',
    });
  }
}
const raw = { hosts, vms, policy: { maxPerSource: 4, maxPerTarget: 4, linkShare: 0.8 } };

// Wall time AND this process's CPU time (user + system): on a shared machine the wall time includes waiting for
// a core, the CPU time does not.
const cpu = (c) => (c.user + c.system) / 1e6;
const t0 = process.hrtime.bigint();
const inv = resolveInventory(raw);
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage();
const plan = planFleet(inv);
const planCpu = cpu(process.cpuUsage(c1));
const t2 = process.hrtime.bigint();
const schedule = scheduleOf(inv, buildNetwork(inv), assignTargets(inv), plan.best.plan);
const runs = 5;
let best = Number.POSITIVE_INFINITY;
let bestCpu = Number.POSITIVE_INFINITY;
let pred;
for (let r = 0; r < runs; r++) {
  const a = process.hrtime.bigint();
  const c = process.cpuUsage();
  pred = predictFleet(schedule);
  bestCpu = Math.min(bestCpu, cpu(process.cpuUsage(c)));
  best = Math.min(best, Number(process.hrtime.bigint() - a) / 1e9);
}
const rss = process.resourceUsage().maxRSS / 1024;
console.log(
  `inventory: ${inv.vms.length} VMs on ${inv.hosts.length} hosts, resolved in ${(Number(t1 - t0) / 1e9).toFixed(3)} s`,
);
console.log(
  `plan:      ${(Number(t2 - t1) / 1e9).toFixed(3)} s wall, ${planCpu.toFixed(3)} s CPU, ${plan.evaluations} engine evaluations, chosen "${plan.best.description}", makespan ${plan.best.prediction.makespanSeconds.toFixed(1)} s, best baseline ${plan.bestBaseline.name} ${plan.bestBaseline.objective.toFixed(1)} s, feasible ${plan.feasible}`,
);
console.log(
  `predict:   ${(best * 1000).toFixed(1)} ms wall, ${(bestCpu * 1000).toFixed(1)} ms CPU for ${schedule.migrations.length} migrations (${pred.events} events; best of ${runs})`,
);
console.log(`peak RSS:  ${rss.toFixed(0)} MiB; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
// FLEET_DUMP=file: the whole plan (every candidate's prediction) as JSON, to check a speed change alters no result
// (`cmp` the dumps of two builds).
if (process.env.FLEET_DUMP) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.FLEET_DUMP, JSON.stringify({ plan, pred }));
}
