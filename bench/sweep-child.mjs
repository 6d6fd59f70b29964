#!/usr/bin/env node
/**
 * One sweep run for bench/sweep.mjs, in its own process so its peak RSS is its own: writes the rows to stdout
 * (the parent points it at /dev/null) and prints `{"seconds", "maxRssMB", "bytes"}` on stderr.
 *
 *   node bench/sweep-child.mjs plain|csv|jsonl [STEP]   (alpha = 0.001:0.999:STEP, default 0.000001: 998,001 rows)
 *
 * - plain: the yardstick of issue 11, a few lines that compute the uniform closed form inline (Table 1, the
 *   paper preset: Ps = 4096, S = 16 kB, B = 60 kB/s, D = 2 pages/s) over alpha = 0.001 + i*1e-6 and write the
 *   same columns (numbers by String(), the same note text) to a stream with backpressure.
 * - csv, jsonl: the streaming engine (src/ops/sweep-stream.ts) on the same sweep, through `checkSweep` (validation
 *   of every point) and `writeSweep`.
 */
import { once } from 'node:events';
import { checkSweep, planSweep, writeSweep } from '../dist/ops/sweep-stream.js';

const [mode, stepText = '0.000001'] = process.argv.slice(2);
const stepMicro = Math.round(Number(stepText) * 1e6);
const points = Math.floor(998000 / stepMicro) + 1;
const out = process.stdout;
let bytes = 0;
const sink = {
  write(s) {
    bytes += s.length;
    return out.write(s);
  },
  once: (e, f) => out.once(e, f),
};

const t0 = process.hrtime.bigint();
if (mode === 'plain') {
  const fmt6 = (x) => Number(x.toPrecision(6)).toString();
  const pages = 4096;
  const tau = 16000 / 60000;
  const rho = 2 * tau;
  const logRho = Math.log(rho);
  let buf =
    'pages,pageSizeBytes,bandwidthBytesPerSecond,alpha,dirtyPagesPerSecond,hotFraction,hotDirtyPagesPerSecond,coldDirtyPagesPerSecond,case,converged,rho,iterations,precopySeconds,downtimeSeconds,totalSeconds,pagesTransferred,gain,networkUtilization,hotGain,note\r\n';
  for (let i = 0; i < points; i++) {
    const alpha = (1000 + i * stepMicro) / 1e6; // by index, as the sweep's grid
    const n = Math.max(0, Math.ceil((Math.log(alpha) + 1e-12) / logRho) - 1); // Eq. 11, band-edge rule
    const q = Math.exp((n + 1) * logRho);
    const g = (1 - q) / (1 - rho);
    const pre = pages * tau * g; // Eq. 7
    const down = pages * tau * q; // Eq. 6
    const ptm = Math.ceil(pages * (g + alpha) - 1e-9); // Eq. 13
    const unet = (rho * (1 - q) + alpha * (1 - rho)) / (1 - rho * q); // Eq. 16
    const note =
      alpha > rho
        ? `"alpha = ${fmt6(alpha)} is above rho = ${fmt6(rho)}: the first round already leaves at most alpha*Ps pages, so n = 0 (the paper's condition alpha <= rho does not hold)"`
        : '';
    buf += `${pages},16000,60000,${alpha},2,,,,uniform,true,${rho},${n},${pre},${down},${pre + down},${ptm},${1 / q},${unet},,${note}\r\n`;
    if (buf.length > 65536) {
      bytes += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += buf.length;
  out.write(buf);
} else {
  const format = mode === 'jsonl' ? 'jsonl' : 'csv';
  const plan = planSweep({ preset: 'paper', case: 'uniform' }, [['alpha', `0.001:0.999:${stepText}`]]);
  const check = checkSweep(plan);
  if (!check.ok) throw new Error('invalid sweep');
  await writeSweep(plan, format, sink);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const done = () =>
  process.stderr.write(
    `${JSON.stringify({ mode, points, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, bytes })}\n`,
  );
if (out.writableNeedDrain) out.once('drain', done);
else done();
