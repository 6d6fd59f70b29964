/**
 * The library, bundled on its own for the browser tests: the numbers table the page should show, computed from
 * the raw text inputs with the library's schema, model and optimiser only (none of the page's code). Loaded into
 * the page with addScriptTag, it runs in the same JavaScript engine as the page, so the values must be identical.
 */
import { type CaseName, SUMMARY_QUANTITIES, predict } from '../../src/model/index.js';
import { optimize } from '../../src/optimize/index.js';
import { predictSchema } from '../../src/schema/index.js';

const QUANTITIES = SUMMARY_QUANTITIES;

/** `case/quantity` -> the value as text ('' where there is none), as the page's table carries it. */
export function tableValues(raw: Record<string, string>, maxUtilization: number): Record<string, string> {
  const resolved = predictSchema.parse(raw);
  const p = predict(resolved.input, resolved.cases);
  const out: Record<string, string> = {};
  const str = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? String(x) : '');
  for (const name of resolved.cases as CaseName[]) {
    const o = p[name]!;
    out[`${name}/rho`] = str(o.rho);
    for (const k of QUANTITIES) out[`${name}/${k}`] = o.converged ? str(o[k]) : '';
    const { alpha: _alpha, ...rest } = resolved.input;
    const opt = optimize({ ...rest, case: name, constraints: { maxNetworkUtilization: maxUtilization } });
    out[`${name}/optimumAlpha`] = opt.feasible ? str(opt.alpha.recommended) : '';
    out[`${name}/optimumDowntimeSeconds`] = opt.feasible ? str(opt.downtimeSeconds) : '';
  }
  if (p.hotGain !== undefined) out['/hotGain'] = str(p.hotGain);
  return out;
}
