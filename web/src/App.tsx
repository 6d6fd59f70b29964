import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CaseName } from '../../src/model/types.js';
import { ChartBoard } from './charts.js';
import { CASE_LABEL, type ExplorerData, computeExplorer } from './compute.js';
import { downloadPng, downloadSvg, downloadText, numbersCsv, sweepCsv } from './export.js';
import {
  ACCOUNTING_CHOICES,
  type AccountingChoice,
  CASE_CHOICES,
  type CaseChoice,
  FIELDS,
  type FieldSpec,
  type TextField,
  type ViewState,
  queryFromState,
  stateFromQuery,
} from './fields.js';
import { parseView } from './parse.js';
import { CHARTS, type ChartId } from './specs.js';

/** Sequence number of the last input event, for the performance marks `input-N` / `charts-N`. */
let inputSeq = 0;

function markInput(): number {
  inputSeq += 1;
  performance.mark(`input-${inputSeq}`);
  document.documentElement.dataset.inputSeq = String(inputSeq);
  return inputSeq;
}

const FORMATS = new Map<number, Intl.NumberFormat>();

/** A number for display: `digits` significant digits, never NaN/Infinity (those are worded by the caller). */
function show(x: number, digits = 6): string {
  let f = FORMATS.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumSignificantDigits: Math.min(21, digits) });
    FORMATS.set(digits, f);
  }
  return f.format(x);
}

function FieldInput(props: {
  spec: FieldSpec;
  value: string;
  error: string | undefined;
  disabled: boolean;
  position: number | undefined;
  onText: (key: TextField, text: string) => void;
}) {
  const { spec, value, error, disabled, position } = props;
  const id = `f-${spec.key}`;
  const s = spec.slider;
  const pos = position === undefined ? undefined : Math.min(s.max, Math.max(s.min, position));
  return (
    <div class={`field${error ? ' invalid' : ''}${disabled ? ' unused' : ''}`}>
      <label for={id}>
        {spec.label} <span class="symbol">{spec.symbol}</span>
      </label>
      <div class="field-row">
        <input
          id={id}
          name={spec.key}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          spellcheck={false}
          value={value}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
          onInput={(e) => props.onText(spec.key, (e.currentTarget as HTMLInputElement).value)}
        />
        <span class="unit" aria-hidden="true">
          {spec.unitHint}
        </span>
      </div>
      <input
        id={`${id}-slider`}
        class="slider"
        type="range"
        aria-label={`${spec.label} slider`}
        min={s.min}
        max={s.max}
        step={s.step}
        value={pos ?? s.min}
        onInput={(e) => props.onText(spec.key, s.toText(Number((e.currentTarget as HTMLInputElement).value)))}
      />
      <p id={`${id}-help`} class="help">
        {spec.help}
        {disabled ? ' (not used by the selected case)' : ''}
      </p>
      {error ? (
        <p id={`${id}-error`} class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Slider positions for the values in use (base units); fields without a value keep theirs. */
function sliderPositions(data: ExplorerData | undefined): Partial<Record<TextField, number>> {
  if (!data) return {};
  const i = data.input;
  const values: Partial<Record<TextField, number | undefined>> = {
    pages: i.pages,
    pageSize: i.pageSizeBytes,
    bandwidth: i.bandwidthBytesPerSecond,
    dirtyRate: i.dirtyPagesPerSecond,
    alpha: i.alpha,
    hotFraction: i.hotFraction,
    hotRate: i.hotDirtyPagesPerSecond,
    coldRate: i.coldDirtyPagesPerSecond,
    maxUtilization: data.maxUtilization,
  };
  const out: Partial<Record<TextField, number>> = {};
  for (const f of FIELDS) {
    const v = values[f.key];
    if (v !== undefined) out[f.key] = f.slider.toPosition(v);
  }
  return out;
}

interface Quantity {
  key: string;
  label: string;
  value: (data: ExplorerData, name: CaseName) => number | undefined;
  format: (x: number) => string;
}

const seconds = (x: number) => `${show(x)} s`;
const QUANTITIES: readonly Quantity[] = [
  { key: 'rho', label: 'ρ (dirty over transfer rate)', value: (d, n) => d.prediction[n]?.rho, format: (x) => show(x) },
  {
    key: 'iterations',
    label: 'n (last pre-copy round)',
    value: (d, n) => conv(d, n)?.iterations,
    format: (x) => show(x, 15),
  },
  { key: 'precopySeconds', label: 'Tpre-copy', value: (d, n) => conv(d, n)?.precopySeconds, format: seconds },
  { key: 'downtimeSeconds', label: 'Tdown (downtime)', value: (d, n) => conv(d, n)?.downtimeSeconds, format: seconds },
  { key: 'totalSeconds', label: 'Ttotal', value: (d, n) => conv(d, n)?.totalSeconds, format: seconds },
  {
    key: 'pagesTransferred',
    label: 'PTotalMig (pages migrated)',
    value: (d, n) => conv(d, n)?.pagesTransferred,
    format: (x) => show(x, 15),
  },
  {
    key: 'downtimePages',
    label: 'Pages copied at downtime',
    value: (d, n) => conv(d, n)?.downtimePages,
    format: (x) => show(x),
  },
  { key: 'gain', label: 'G (gain)', value: (d, n) => conv(d, n)?.gain, format: (x) => show(x) },
  {
    key: 'networkUtilization',
    label: 'Unet (network utilisation)',
    value: (d, n) => conv(d, n)?.networkUtilization,
    format: (x) => `${show(x * 100, 4)}%`,
  },
  {
    key: 'optimumAlpha',
    label: 'Best α with Unet ≤ Umax',
    value: (d, n) => {
      const o = d.optimum[n];
      return o?.feasible ? o.alpha : undefined;
    },
    format: (x) => show(x),
  },
  {
    key: 'optimumDowntimeSeconds',
    label: 'Tdown at best α',
    value: (d, n) => {
      const o = d.optimum[n];
      return o?.feasible ? o.downtimeSeconds : undefined;
    },
    format: seconds,
  },
];

function conv(d: ExplorerData, n: CaseName) {
  const o = d.prediction[n];
  return o?.converged ? o : undefined;
}

function NumbersTable(props: { data: ExplorerData; stale: boolean; alphaFrom: string | undefined }) {
  const { data } = props;
  return (
    <div class="table-wrap">
      <table class={`numbers${props.stale ? ' stale' : ''}`} aria-describedby="numbers-caption">
        <caption id="numbers-caption">
          Results at α = {show(data.input.alpha)}
          {props.alphaFrom ? ` (from the downtime limit ${props.alphaFrom})` : ''} ({data.input.accounting ?? 'paper'}{' '}
          accounting)
        </caption>
        <thead>
          <tr>
            <th scope="col">Quantity</th>
            {data.cases.map((n) => (
              <th scope="col" key={n}>
                {CASE_LABEL[n]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {QUANTITIES.map((q) => (
            <tr key={q.key}>
              <th scope="row">{q.label}</th>
              {data.cases.map((n) => {
                const o = data.prediction[n];
                const v = q.value(data, n);
                let text: string;
                if (v === undefined) {
                  text = o && !o.converged && q.key !== 'rho' ? 'does not converge' : '—';
                } else if (!Number.isFinite(v)) {
                  text = 'unbounded';
                } else {
                  text = q.format(v);
                }
                return (
                  <td
                    key={n}
                    data-case={n}
                    data-quantity={q.key}
                    data-value={v !== undefined && Number.isFinite(v) ? String(v) : ''}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
          {data.prediction.hotGain !== undefined ? (
            <tr>
              <th scope="row">HG = Tdown(Hot I)/Tdown(Hot II)</th>
              <td
                colSpan={data.cases.length}
                data-quantity="hotGain"
                data-value={Number.isFinite(data.prediction.hotGain) ? String(data.prediction.hotGain) : ''}
              >
                {Number.isFinite(data.prediction.hotGain) ? show(data.prediction.hotGain) : 'unbounded'}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

/** A one-line-per-case summary kept in view at the bottom of a phone screen while the sliders move. */
function Readout(props: { data: ExplorerData; stale: boolean }) {
  const { data } = props;
  return (
    <div class={`readout${props.stale ? ' stale' : ''}`} aria-hidden="true">
      {data.cases.map((n) => {
        const o = data.prediction[n];
        const text = !o
          ? ''
          : !o.converged
            ? 'does not converge'
            : `Tdown ${seconds(o.downtimeSeconds)} · G ${Number.isFinite(o.gain) ? show(o.gain, 4) : 'unbounded'} · Unet ${show(o.networkUtilization * 100, 3)}%`;
        return (
          <div key={n}>
            <b>{CASE_LABEL[n]}</b> {text}
          </div>
        );
      })}
    </div>
  );
}

function ChartPanel(props: {
  id: ChartId;
  board: ChartBoard;
  data: () => ExplorerData | undefined;
  onReady: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const def = CHARTS.find((c) => c.id === props.id)!;
  useEffect(() => {
    if (ref.current) props.board.mount(props.id, ref.current, props.data()).then(props.onReady);
    return () => props.board.unmount(props.id);
  }, []);
  const file = `precopy-${props.id}`;
  return (
    <figure class="chart" data-chart={props.id}>
      <div ref={ref} class="chart-body" role="img" aria-label={`${def.title}. ${def.description}`} />
      <figcaption>
        <span class="sr-only">{def.description}</span>
        <button
          type="button"
          onClick={async () => {
            const v = await props.board.view(props.id);
            if (v) await downloadSvg(v, `${file}.svg`);
          }}
        >
          SVG<span class="sr-only"> of {def.title}</span>
        </button>
        <button
          type="button"
          onClick={async () => {
            const v = await props.board.view(props.id);
            if (v) await downloadPng(v, `${file}.png`);
          }}
        >
          PNG<span class="sr-only"> of {def.title}</span>
        </button>
      </figcaption>
    </figure>
  );
}

/** The explorer page: inputs, warnings, charts, numbers table and exports, with the view state in the URL. */
export function App() {
  const [state, setState] = useState<ViewState>(() => stateFromQuery(location.search));
  const board = useMemo(() => new ChartBoard(), []);
  const [ready, setReady] = useState(0);
  const lastGood = useRef<ExplorerData | undefined>(undefined);
  const pendingSeq = useRef(0);

  const parsed = useMemo(() => parseView(state), [state]);
  const computed = useMemo(() => {
    if (!parsed.input || parsed.maxUtilization === undefined) return undefined;
    return computeExplorer(parsed.input, parsed.cases, parsed.maxUtilization);
  }, [parsed]);
  if (computed) lastGood.current = computed;
  const data = computed ?? lastGood.current;
  const errorCount = Object.keys(parsed.errors).length;

  const visibleCharts = CHARTS.filter((c) => c.id !== 'hotGain' || (data?.hotGainRows.length ?? 0) > 0);

  // Push data to the charts, then mark the end of the input-to-chart interval. A layout effect runs right after
  // the DOM update; a plain effect would wait for the next animation frame first.
  useLayoutEffect(() => {
    const seq = pendingSeq.current;
    if (seq > 0) performance.mark(`rendered-${seq}`);
    const root = document.documentElement.dataset;
    // `charts-N`: every chart on screen shows input N; `charts-all-N`: every chart does (off-screen ones are
    // drawn when the browser is idle).
    const visibleDone = () => {
      if (seq > 0) {
        performance.mark(`charts-${seq}`);
        performance.measure(`input-to-chart-${seq}`, `input-${seq}`, `charts-${seq}`);
      }
      root.charts = String(board.mounted().length);
      root.updated = String(seq);
    };
    const allDone = () => {
      if (seq > 0) {
        performance.mark(`charts-all-${seq}`);
        performance.measure(`input-to-all-charts-${seq}`, `input-${seq}`, `charts-all-${seq}`);
      }
      root.updatedAll = String(seq);
    };
    if (computed && board.mounted().length > 0) {
      const done = board.update(computed);
      done.visible.then(visibleDone, visibleDone);
      done.all.then(allDone, allDone);
    } else {
      visibleDone();
      allDone();
    }
  }, [parsed, computed, ready]);

  // Keep the URL in step with the view (debounced: browsers throttle history updates).
  useEffect(() => {
    const t = setTimeout(() => history.replaceState(null, '', queryFromState(state)), 200);
    return () => clearTimeout(t);
  }, [state]);

  const setText = (key: TextField, text: string) => {
    pendingSeq.current = markInput();
    setState((s) => ({ ...s, [key]: text }));
  };
  const setChoice = (patch: Partial<ViewState>) => {
    pendingSeq.current = markInput();
    setState((s) => ({ ...s, ...patch }));
  };

  const positions = sliderPositions(computed ?? lastGood.current);
  const needUniform = parsed.cases.includes('uniform');
  const needHot = parsed.cases.some((c) => c !== 'uniform');

  return (
    <div class="app">
      <header>
        <h1>precopy explorer</h1>
        <p class="lede">
          Pre-copy live migration of a VM (Aldhalaan &amp; Menascé, EPEW 2013): move a slider and watch the downtime
          staircase, the gain and the traffic. Everything is computed in your browser with the precopy library.
        </p>
      </header>
      <main class="layout">
        <form class="inputs" aria-label="Model parameters" onSubmit={(e) => e.preventDefault()}>
          <fieldset>
            <legend>Case and accounting</legend>
            <label for="f-case">Case</label>
            <select
              id="f-case"
              name="case"
              value={state.case}
              onChange={(e) => setChoice({ case: (e.currentTarget as HTMLSelectElement).value as CaseChoice })}
            >
              {CASE_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
            <label for="f-accounting">Accounting</label>
            <select
              id="f-accounting"
              name="accounting"
              value={state.accounting}
              onChange={(e) =>
                setChoice({ accounting: (e.currentTarget as HTMLSelectElement).value as AccountingChoice })
              }
            >
              {ACCOUNTING_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </fieldset>
          <fieldset>
            <legend>Parameters</legend>
            {FIELDS.map((f) => (
              <FieldInput
                key={f.key}
                spec={f}
                value={state[f.key]}
                error={parsed.errors[f.key]}
                disabled={(f.usedBy === 'uniform' && !needUniform) || (f.usedBy === 'hot' && !needHot)}
                position={positions[f.key]}
                onText={setText}
              />
            ))}
          </fieldset>
          <div class="actions">
            <button type="button" onClick={() => setChoice(stateFromQuery(''))}>
              Reset to the paper’s Table 2
            </button>
          </div>
        </form>
        <section class="results" aria-label="Results">
          <div class="status" role="status" aria-live="polite">
            {errorCount > 0 ? (
              <p class="error-summary">
                {errorCount === 1 ? 'One input is invalid' : `${errorCount} inputs are invalid`}:{' '}
                {Object.values(parsed.errors).join('; ')}.{' '}
                {lastGood.current ? 'Charts and numbers show the last valid input.' : ''}
              </p>
            ) : null}
            {data && data.warnings.length > 0 ? (
              <ul class="warnings">
                {data.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </div>
          <div class={`charts${computed ? '' : ' stale'}`}>
            {visibleCharts.map((c) => (
              <ChartPanel
                key={c.id}
                id={c.id}
                board={board}
                data={() => lastGood.current}
                onReady={() => setReady((r) => r + 1)}
              />
            ))}
          </div>
          {data ? (
            <NumbersTable
              data={data}
              stale={!computed}
              alphaFrom={/[a-zA-Zµ]/.test(state.alpha) ? state.alpha : undefined}
            />
          ) : null}
          <div class="actions">
            <button
              type="button"
              disabled={!data}
              onClick={() => data && downloadText(numbersCsv(data), 'precopy-numbers.csv', 'text/csv')}
            >
              Numbers (CSV)
            </button>
            <button
              type="button"
              disabled={!data}
              onClick={() => data && downloadText(sweepCsv(data), 'precopy-sweep.csv', 'text/csv')}
            >
              Sweep over α (CSV)
            </button>
            <button
              type="button"
              onClick={() => {
                history.replaceState(null, '', queryFromState(state));
                navigator.clipboard?.writeText(location.href).catch(() => undefined);
              }}
            >
              Copy link to this view
            </button>
          </div>
        </section>
      </main>
      {data ? <Readout data={data} stale={!computed} /> : null}
    </div>
  );
}
