/**
 * What QEMU's dirty-rate figures mean for a random writer (issue 13, point 2), and how to undo their bias.
 *
 * Both of QEMU's measurements count distinct pages, not writes: `calc-dirty-rate` in page-sampling mode hashes
 * sampled pages before and after the period and counts the pages that changed; `dirty-pages-rate` in
 * `query-migrate` counts the bits newly set in the migration bitmap per period (ram.c,
 * migration_bitmap_sync). A writer walking its working set in order dirties min(D T, W) distinct pages in T
 * seconds, so either figure is its rate until it wraps; a writer hitting W pages uniformly at random dirties
 * W (1 - e^(-D T / W)) (distinctPagesDirtied in predict.ts), which reads low: 73k writes/s into 256 MiB read
 * as 36.5k pages/s on real QEMU. Two corrections:
 *
 * - working set known: invert the saturation, D = -(W / T) ln(1 - r T / W) (r the measured rate);
 * - working set unknown: measure twice, over T and 2 T: with f1 = r1 T and f2 = r2 2T distinct pages,
 *   f2 / f1 = 1 + e^(-a) where a = D T / W, so a = -ln(f2 / f1 - 1), W = f1 / (1 - e^(-a)), D = a W / T.
 */
import { ModelInputError } from '../../model/index.js';

/** How a dirty rate was obtained. */
export type DirtyRateMethod = 'as-measured' | 'saturation-corrected' | 'two-period-fit' | 'saturated-lower-bound';

export interface CorrectedRate {
  /** Page writes per second. */
  readonly pagesPerSecond: number;
  readonly method: DirtyRateMethod;
  /** The working set the fit found (two-period fit only), pages. */
  readonly workingSetPages?: number;
}

function check(name: string, v: number, ok: boolean, range: string): number {
  if (!Number.isFinite(v) || !ok) throw new ModelInputError(name, v, range);
  return v;
}

/**
 * The write rate of a uniformly random writer into W pages whose distinct-page rate measured over T seconds is
 * r: D = -(W / T) ln(1 - r T / W). When r T >= 0.99 W the period saw almost the whole set and the inversion is
 * meaningless: r is returned as a lower bound (`saturated-lower-bound`); measure over a shorter period.
 * @example correctRandomWriterRate(36500, 1, 65536).pagesPerSecond // about 53 350 (= -65536 ln(1 - 36500/65536))
 * @throws ModelInputError for a negative rate, a period <= 0 or a working set < 1
 */
export function correctRandomWriterRate(
  measuredPagesPerSecond: number,
  periodSeconds: number,
  workingSetPages: number,
): CorrectedRate {
  const r = check('measuredPagesPerSecond', measuredPagesPerSecond, measuredPagesPerSecond >= 0, 'a rate >= 0');
  const T = check('periodSeconds', periodSeconds, periodSeconds > 0, 'a duration > 0 (seconds)');
  const W = check('workingSetPages', workingSetPages, workingSetPages >= 1, 'at least 1 page');
  const fill = (r * T) / W;
  if (fill >= 0.99) return { pagesPerSecond: r, method: 'saturated-lower-bound' };
  return { pagesPerSecond: (-W / T) * Math.log1p(-fill), method: 'saturation-corrected' };
}

/**
 * Fits a uniformly random writer (rate D, working set W) to two distinct-page rates measured over T and 2 T
 * seconds (see the module comment). A sequential writer, or noise, gives f2 / f1 >= 2 (no saturation seen):
 * then the longer period's rate is the write rate (`as-measured`). f2 / f1 <= 1 means the set was already
 * saturated over T: the longer rate is a lower bound.
 * @example fitRandomWriter(3934.7, 1, 3161.0).pagesPerSecond // about 5000 (W 10000: f1 = 10000 (1 - e^-0.5))
 * @throws ModelInputError for negative rates or a period <= 0
 */
export function fitRandomWriter(
  rate1PagesPerSecond: number,
  periodSeconds: number,
  rate2PagesPerSecond: number,
): CorrectedRate {
  const r1 = check('rate1PagesPerSecond', rate1PagesPerSecond, rate1PagesPerSecond >= 0, 'a rate >= 0');
  const T = check('periodSeconds', periodSeconds, periodSeconds > 0, 'a duration > 0 (seconds)');
  const r2 = check('rate2PagesPerSecond', rate2PagesPerSecond, rate2PagesPerSecond >= 0, 'a rate >= 0');
  const f1 = r1 * T;
  const f2 = r2 * 2 * T;
  if (f1 <= 0) return { pagesPerSecond: r2, method: 'as-measured' };
  const ratio = f2 / f1;
  if (ratio >= 2 - 1e-9) return { pagesPerSecond: r2, method: 'as-measured' };
  if (ratio <= 1 + 1e-6) return { pagesPerSecond: Math.max(r1, r2), method: 'saturated-lower-bound' };
  const a = -Math.log(ratio - 1);
  const W = f1 / -Math.expm1(-a);
  return { pagesPerSecond: (a * W) / T, method: 'two-period-fit', workingSetPages: W };
}
