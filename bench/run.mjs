#!/usr/bin/env node
/**
 * Benchmarks of the model and the optimiser (issue 2). Prints figures; asserts nothing.
 * Run: npm run bench   (builds first; one core: the loops are single-threaded)
 *
 * 1. Closed-form evaluations per second over 1e6 random scenarios per case (summarize*, with validation).
 * 2. Exact optimiser: microseconds per problem over 20000 random problems.
 * 1b. The batch kernel (summarizeBatch, Float64Array in and out) on the same scenarios, beside a C build of the
 *    same formulas (bench/kernel.c, compiled with `cc -O2` when a compiler is present): the ratio of the two.
 *    Each in fresh processes of its own (the JS ones children of this one), alternately, best process of 5 per
 *    side (BENCH_KERNEL_ROUNDS=n for another number).
 * 4. Streaming sweeps (issue 11): a million rows of CSV and JSON lines beside a plain streaming writer, each in a
 *    child process (bench/sweep-child.mjs) for its time and peak RSS, with the ratios.
 * 3. A generic numerical optimiser on the same problems, as the paper did with MATLAB: bounded golden-section
 *    search (the method of MATLAB's fminbnd) on the penalised objective Tdown + M*max(0, Unet - Umax), with
 *    and without a 50-point multi-start grid. How often each reaches the exact optimum, and its time.
 * BENCH_SECTIONS=1b,2 runs only the sections listed (1, 1b, 2, 3, 4; 1b and 2 take seconds, 4 minutes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createBatchOutputs,
  summarizeBatch,
  summarizeHotDowntime,
  summarizeHotPrecopy,
  summarizeUniform,
} from '../dist/model/index.js';
import { optimize } from '../dist/optimize/index.js';

/** CPU time of this process (user + system), seconds: on a shared machine it does not count time spent waiting. */
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const want = (section) => !process.env.BENCH_SECTIONS || process.env.BENCH_SECTIONS.split(',').includes(section);

let seed = 12345;
const rnd = () => {
  // Park-Miller minimal standard: deterministic scenarios from run to run.
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

function scenarios(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const rho = 0.01 + 0.98 * rnd();
    out[i] = {
      pages: 1 + Math.floor(rnd() * 1e9),
      pageSizeBytes: 4096,
      bandwidthBytesPerSecond: 1.25e9,
      dirtyPagesPerSecond: (rho * 1.25e9) / 4096,
      hotFraction: 0.3 * rnd(),
      coldDirtyPagesPerSecond: (0.9 * rho * 1.25e9) / 4096,
      hotDirtyPagesPerSecond: (Math.min(0.99, 1.5 * rho) * 1.25e9) / 4096,
      alpha: 1e-6 + 0.99 * rnd(),
      accounting: 'paper',
    };
  }
  return out;
}

function timeLoop(label, items, fn, reps = 5) {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < items.length; i++) sink += fn(items[i]);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, dt);
  }
  const perSec = items.length / best;
  console.log(
    `${label.padEnd(44)} ${(perSec / 1e6).toFixed(2).padStart(7)} M/s  (${((best / items.length) * 1e9).toFixed(0)} ns each, best of ${reps}, checksum ${sink.toExponential(3)})`,
  );
  return perSec;
}

const child = process.env.BENCH_OPTIMISER_CHILD === '1' || process.env.BENCH_KERNEL_CHILD === '1';
if (!child) console.log(`precopy benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (want('1')) {
  console.log('\n1. closed-form evaluations (1,000,000 scenarios per case, one core)');
  // In a block: the million scenarios are garbage once it ends.
  const S = scenarios(1_000_000);
  const d = (s) => (s.converged ? s.downtimeSeconds : 0);
  // Warm-up: let the JIT see every function and the GC settle after building the scenarios.
  for (const f of [summarizeUniform, summarizeHotPrecopy, summarizeHotDowntime])
    for (let i = 0; i < 200_000; i++) d(f(S[i]));
  timeLoop('summarizeUniform (Section 3)', S, (p) => d(summarizeUniform(p)));
  timeLoop('summarizeHotPrecopy (Section 4.1)', S, (p) => d(summarizeHotPrecopy(p)));
  timeLoop('summarizeHotDowntime (Section 4.2)', S, (p) => d(summarizeHotDowntime(p)));
} else {
  // the optimiser's problems follow the million scenarios in the random stream: skip them, keep the problems
  for (let i = 0; i < 4_000_000; i++) rnd();
}

/**
 * The million scenarios of section 1 as arrays (the same random stream, as bench/kernel.c draws them), without
 * an object per scenario. The five input arrays are views of one buffer, as kernel.c takes them from one malloc:
 * five separate 8 MB allocations each get an mmap of their own and start at the same offset in a page, so entry i
 * of all five (and of the outputs, before createBatchOutputs staggered them) fell in one L1 cache set
 * (docs/speed.md, "Batch kernel, part 5"): a cost of the benchmark's layout, not of the kernel, which C did not pay.
 */
function kernelInputs(n) {
  let s = 12345;
  const r = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const all = new Float64Array(5 * n);
  const soa = {
    pages: all.subarray(0, n),
    pageSizeBytes: all.subarray(n, 2 * n),
    bandwidthBytesPerSecond: all.subarray(2 * n, 3 * n),
    alpha: all.subarray(3 * n, 4 * n),
    dirtyPagesPerSecond: all.subarray(4 * n, 5 * n),
  };
  for (let i = 0; i < n; i++) {
    const rho = 0.01 + 0.98 * r();
    soa.pages[i] = 1 + Math.floor(r() * 1e9);
    soa.pageSizeBytes[i] = 4096;
    soa.bandwidthBytesPerSecond[i] = 1.25e9;
    soa.dirtyPagesPerSecond[i] = (rho * 1.25e9) / 4096;
    r(); // hotFraction, unused by the uniform case
    soa.alpha[i] = 1e-6 + 0.99 * r();
  }
  return soa;
}

if (want('1b') && process.env.BENCH_KERNEL_CHILD !== '1') {
  // The JS kernel and the C program each run in fresh processes, alternately, KERNEL_ROUNDS times, and each side's
  // figure is its best process (best of 5 repetitions in each). In a fresh process, because timed in the process
  // that held section 1's million scenario objects (300 MB of heap) the JS kernel's CPU time included the GC's
  // concurrent marking of that heap. Several processes, because on this shared 2-vCPU machine a whole process can
  // run 1.35x slower than the next one with the same code (73-77 ns instead of 54-55 for the JS kernel, 56-60
  // instead of 42-44 for C; seen in pinned and unpinned runs, in the middle of a process too, with identical
  // optimised code: docs/speed.md, "Batch kernel, part 5"). One process per side was a lottery; the same number
  // of draws for both sides, alternated, is not.
  const rounds = Number(process.env.BENCH_KERNEL_ROUNDS ?? 5);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    console.error(`BENCH_KERNEL_ROUNDS: ${process.env.BENCH_KERNEL_ROUNDS} is not a whole number from 1 to 50`);
    process.exit(2);
  }
  console.log(
    `\n1b. batch kernel (uniform, Float64Array SoA in and out) vs the same formulas in C -O2, same scenarios, CPU time, best of 5 repetitions in each of ${rounds} processes per side, alternated`,
  );
  const exe = join(tmpdir(), `precopy-kernel-${process.pid}`);
  const cc = spawnSync('cc', [
    '-O2',
    '-ffp-contract=off',
    '-o',
    exe,
    new URL('./kernel.c', import.meta.url).pathname,
    '-lm',
  ]);
  const js = [];
  const cs = [];
  for (let r = 0; r < rounds; r++) {
    const j = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_SECTIONS: '1b', BENCH_KERNEL_CHILD: '1' },
    });
    js.push(JSON.parse(j.stdout));
    if (cc.status === 0) cs.push(JSON.parse(execFileSync(exe, { encoding: 'utf8' })));
  }
  if (cc.status === 0) spawnSync('rm', ['-f', exe]);
  const n = js[0].n; // 1e6, as kernel.c's N
  const ns = (sec) => ((sec / n) * 1e9).toFixed(0);
  const best = (runs, key) => Math.min(...runs.map((x) => x[key]));
  const line = (label, sec, sum, runs, key) =>
    console.log(
      `${label.padEnd(44)} ${(n / sec / 1e6).toFixed(2).padStart(7)} M/s  (${ns(sec)} ns each, checksum ${sum.toExponential(6)}; per process: ${runs.map((x) => ns(x[key])).join(' ')} ns)`,
    );
  const bestBatch = best(js, 'bestSeconds');
  line('summarizeBatch uniform (JS)', bestBatch, js[0].checksum, js, 'bestSeconds');
  if (cc.status === 0) {
    const c = { bestSeconds: best(cs, 'bestSeconds'), fdlibmBestSeconds: best(cs, 'fdlibmBestSeconds') };
    c.guessBestSeconds = best(cs, 'guessBestSeconds');
    line('bench/kernel.c (cc -O2, C library libm)', c.bestSeconds, cs[0].checksum, cs, 'bestSeconds');
    line(
      'bench/kernel.c (cc -O2, fdlibm log/exp/expm1)',
      c.fdlibmBestSeconds,
      cs[0].fdlibmChecksum,
      cs,
      'fdlibmBestSeconds',
    );
    // The C library's libm with the JS kernel's guess of n (no log(alpha) at most entries): with glibc's cheap
    // log the guess does not pay off in C (about the same time), so the first C line stays the yardstick.
    line(
      'bench/kernel.c (cc -O2, C libm, JS guess of n)',
      c.guessBestSeconds,
      cs[0].guessChecksum,
      cs,
      'guessBestSeconds',
    );
    console.log(
      `batch kernel / C = ${(c.bestSeconds / bestBatch).toFixed(2)}x the C rate (target >= 0.8); / C with fdlibm (V8's Math.log/exp, the kernel's libm before its own lnFast/expFast) = ${(c.fdlibmBestSeconds / bestBatch).toFixed(2)}x; / C with the guess = ${(Math.min(c.bestSeconds, c.guessBestSeconds) / bestBatch).toFixed(2)}x the faster C`,
    );
  } else {
    console.log('no C compiler (cc): the C yardstick is skipped');
  }
} else if (want('1b')) {
  // The kernel's child: one line of JSON for the parent (best of 5 repetitions after 2 warm-up runs).
  const KN = 1_000_000;
  const soa = kernelInputs(KN);
  const outB = createBatchOutputs(KN);
  let bestBatch = Number.POSITIVE_INFINITY;
  let batchSum = 0;
  for (let r = 0; r < 7; r++) {
    const tb = cpuSeconds();
    summarizeBatch('uniform', soa, outB, KN);
    const dt = cpuSeconds() - tb;
    if (r >= 2) bestBatch = Math.min(bestBatch, dt); // two warm-up runs
    batchSum = 0;
    for (let i = 0; i < KN; i++) if (outB.converged[i]) batchSum += outB.downtimeSeconds[i];
  }
  console.log(JSON.stringify({ n: KN, bestSeconds: bestBatch, checksum: batchSum }));
}

if ((want('2') || want('3')) && want('1') && !child) {
  // Sections 2 and 3 in a fresh process (the same problems): beside the heap left by section 1, the GC work would
  // double the optimiser's CPU time.
  spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_SECTIONS: ['2', '3'].filter(want).join(','), BENCH_OPTIMISER_CHILD: '1' },
  });
} else if (want('2') || want('3')) {
  console.log(
    '\n2. exact optimiser vs 3. a generic solver (20,000 problems: random case, rho, Umax or downtime limit)',
  );
  const cases = ['uniform', 'hotPrecopy', 'hotDowntime'];
  const problems = scenarios(20_000).map((p, i) => {
    const { alpha, ...rest } = p;
    const lo = 0.001 + 0.05 * rnd();
    return {
      ...rest,
      case: cases[i % 3],
      alphaRange: { min: lo, max: Math.min(0.999, lo + 0.3 + 0.6 * rnd()) },
      constraints:
        rnd() < 0.7
          ? { maxNetworkUtilization: 0.3 + 0.7 * rnd() }
          : { maxTotalSeconds: ((p.pages * 4096) / 1.25e9) * (1.5 + 3 * rnd()) },
    };
  });
  // The results are kept only after the timed passes. Kept from the first pass on (20,000 of them alive while
  // the next passes run), they made V8 pretenure the optimiser's result objects (allocation-site feedback: the
  // objects of that site survived), so every later result was allocated in the old generation and collected
  // by mark-compact: the warm passes measured that (3-9 µs per problem instead of 1-2, and bimodal from run to
  // run with the timing of the first scavenges), not the optimiser. A caller that drops its results, as these
  // passes do, never sees it.
  const t0 = process.hrtime.bigint();
  for (const p of problems) optimize(p);
  const exactSec = Number(process.hrtime.bigint() - t0) / 1e9;
  // Warm figure: best of 15 further passes, CPU time (the machine may be shared).
  let exactWarm = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 15; r++) {
    const t1 = cpuSeconds();
    for (const p of problems) optimize(p);
    exactWarm = Math.min(exactWarm, cpuSeconds() - t1);
  }
  const exact = problems.map((p) => optimize(p));
  const feasibleCount = exact.filter((r) => r.feasible).length;
  console.log(
    `exact optimiser: ${((exactWarm / problems.length) * 1e6).toFixed(2)} µs per problem warm, CPU time (target <= 2) (${((exactSec / problems.length) * 1e6).toFixed(2)} µs cold), ${feasibleCount} feasible / ${problems.length - feasibleCount} infeasible`,
  );

  const summarize = { uniform: summarizeUniform, hotPrecopy: summarizeHotPrecopy, hotDowntime: summarizeHotDowntime };
  function penalised(p, a) {
    const s = summarize[p.case]({ ...p, alpha: a });
    let v = s.downtimeSeconds;
    const c = p.constraints;
    if (c.maxNetworkUtilization !== undefined) v += 1e9 * Math.max(0, s.networkUtilization - c.maxNetworkUtilization);
    if (c.maxTotalSeconds !== undefined) v += 1e9 * Math.max(0, s.totalSeconds - c.maxTotalSeconds);
    return { v, s, feasible: v === s.downtimeSeconds };
  }
  function golden(p, lo, hi, iters = 60) {
    const g = (Math.sqrt(5) - 1) / 2;
    let a = lo;
    let b = hi;
    let x1 = b - g * (b - a);
    let x2 = a + g * (b - a);
    let f1 = penalised(p, x1).v;
    let f2 = penalised(p, x2).v;
    for (let i = 0; i < iters; i++) {
      if (f1 <= f2) {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - g * (b - a);
        f1 = penalised(p, x1).v;
      } else {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + g * (b - a);
        f2 = penalised(p, x2).v;
      }
    }
    return f1 <= f2 ? x1 : x2;
  }
  function generic(p, starts) {
    const { min, max } = p.alphaRange;
    if (starts <= 1) return penalised(p, golden(p, min, max));
    let best;
    for (let i = 0; i < starts; i++) {
      const lo = min + ((max - min) * i) / starts;
      const hi = min + ((max - min) * (i + 1)) / starts;
      const r = penalised(p, golden(p, lo, hi, 30));
      if (!best || r.v < best.v) best = r;
    }
    return best;
  }
  for (const [label, starts] of want('3')
    ? [
        ['golden-section (fminbnd-like)', 1],
        ['golden-section, 50-start grid', 50],
      ]
    : []) {
    const tg = process.hrtime.bigint();
    let found = 0;
    let wrongFeasibility = 0;
    for (let i = 0; i < problems.length; i++) {
      const p = problems[i];
      const r = generic(p, starts);
      const e = exact[i];
      if (!e.converged) continue;
      if (e.feasible !== r.feasible) wrongFeasibility++;
      else if (!e.feasible || Math.abs(r.s.downtimeSeconds - e.downtimeSeconds) <= 1e-9 * e.downtimeSeconds) found++;
    }
    const sec = Number(process.hrtime.bigint() - tg) / 1e9;
    console.log(
      `${label.padEnd(32)} finds the optimum in ${((100 * found) / problems.length).toFixed(1)} % (wrong feasibility verdict in ${((100 * wrongFeasibility) / problems.length).toFixed(1)} %), ${((sec / problems.length) * 1e6).toFixed(1)} µs per problem`,
    );
  }
  console.log(
    `exact optimiser                  finds the optimum in 100 % by construction (checked against brute force in test/optimize/oracle.test.ts)`,
  );
}

if (want('4')) {
  console.log(
    '\n4. streaming sweep: `sweep --preset paper --case uniform --alpha 0.001:0.999:0.000001` (998,001 rows), each run in its own process writing to /dev/null',
  );
  // Side by side in this run: the plain writer (the yardstick), the engine's CSV and JSON lines. Peak RSS is the
  // child's own (process.resourceUsage().maxRSS). BENCH_SWEEP_STEP=0.00001 runs a tenth of the rows.
  const step = process.env.BENCH_SWEEP_STEP ?? '0.000001';
  const sweepRuns = {};
  for (const mode of want('4') ? ['plain', 'csv', 'jsonl'] : []) {
    const r = spawnSync(process.execPath, [new URL('./sweep-child.mjs', import.meta.url).pathname, mode, step], {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (r.status !== 0) {
      console.log(`${mode}: failed (${r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const m = JSON.parse(r.stderr.trim().split('\n').pop());
    sweepRuns[mode] = m;
    console.log(
      `${mode.padEnd(6)} ${m.points} rows in ${m.seconds.toFixed(2)} s (${((m.seconds / m.points) * 1e6).toFixed(2)} µs/row), ${(m.bytes / 1e6).toFixed(0)} MB out, peak RSS ${m.maxRssMB.toFixed(0)} MB`,
    );
  }
  if (sweepRuns.plain && sweepRuns.csv && sweepRuns.jsonl) {
    console.log(
      `CSV / plain writer = ${(sweepRuns.csv.seconds / sweepRuns.plain.seconds).toFixed(2)}x (target <= 2), JSON lines / CSV = ${(sweepRuns.jsonl.seconds / sweepRuns.csv.seconds).toFixed(2)}x (target <= 1.5), peak RSS <= 150 MB: ${Math.max(sweepRuns.csv.maxRssMB, sweepRuns.jsonl.maxRssMB) <= 150 ? 'yes' : 'no'}`,
    );
  }
}
