// Speed and memory of the page-level simulator under random writes (issue 4, item 7).
// Run after `npm run build`:  node bench/simulate.mjs            (1, 16 and 64 GiB, each in its own process)
//                              node bench/simulate.mjs --one 64 0.5   (one size and rho, in this process)
// Prints, per VM size: pages, rounds, wall seconds of simulate(), pages sent per second, page writes per
// second, and the process's peak resident memory (maxRSS, which includes Node's own ~40-50 MiB baseline).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

async function one(gib, rho) {
  const { simulate } = await import(new URL('../dist/simulate/engine.js', import.meta.url).href);
  const pageSizeBytes = 4096;
  const pages = (gib * 2 ** 30) / pageSizeBytes;
  const bandwidthBytesPerSecond = 1.25e9; // 10 Gbit/s
  const dirtyPagesPerSecond = (rho * bandwidthBytesPerSecond) / pageSizeBytes;
  const params = {
    pages,
    pageSizeBytes,
    bandwidthBytesPerSecond,
    workload: { kind: 'random', dirtyPagesPerSecond },
    stopRule: { kind: 'alpha', alpha: rho <= 0.5 ? 1e-4 : 1e-3 },
    seed: 42,
  };
  const t0 = process.hrtime.bigint();
  const r = simulate(params);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // writes generated = Poisson draws; their mean is D * Tpre (the draws themselves are not returned)
  const writes = dirtyPagesPerSecond * r.precopySeconds;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const line = {
    gib,
    rho,
    pages,
    rounds: r.rounds.length,
    simSeconds: Number(seconds.toFixed(3)),
    pagesSentPerSecond: Math.round(r.pagesTransferred / seconds),
    writesPerSecond: Math.round(writes / seconds),
    peakRssMiB: Number(rssMiB.toFixed(1)),
    downtimeSeconds: Number(r.downtimeSeconds.toFixed(6)),
    totalSeconds: Number(r.totalSeconds.toFixed(3)),
  };
  console.log(JSON.stringify(line));
}

if (args[0] === '--one') {
  await one(Number(args[1]), Number(args[2] ?? 0.5));
} else {
  console.log(`node ${process.version}, random writes, 4 KiB pages, 10 Gbit/s link, alpha rule`);
  console.log(`(rho = 0.5: alpha = 1e-4; rho = 0.9: alpha = 1e-3; each run in its own process; seed 42)`);
  console.log('GiB  rho  pages       rounds  seconds  pages-sent/s  writes/s     peak RSS (MiB)');
  for (const rho of [0.5, 0.9]) {
    for (const gib of [1, 16, 64]) {
      const out = execFileSync(process.execPath, [here, '--one', String(gib), String(rho)], { encoding: 'utf8' });
      const l = JSON.parse(out.trim().split('\n').pop());
      console.log(
        `${String(l.gib).padEnd(5)}${String(l.rho).padEnd(5)}${String(l.pages).padEnd(12)}${String(l.rounds).padEnd(8)}` +
          `${String(l.simSeconds).padEnd(9)}${String(l.pagesSentPerSecond).padEnd(14)}${String(l.writesPerSecond).padEnd(13)}${l.peakRssMiB}`,
      );
    }
  }
}
