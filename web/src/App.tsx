import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CaseName } from '../../src/model/types.js';
import { ChartBoard } from './charts.js';
import { CASE_LABEL, type ExplorerData, computeExplorer } from './compute.js';
import { downloadPng, downloadSvg, downloadText, numbersCsv, sweepCsv } from './export.js';
import {
  ACCOUNTING_CHOICES,
  type AccountingChoice,
  CASE_CHOICES,
  type CaseChoice,
  DEFAULT_STATE,
  FIELDS,
  type FieldSpec,
  OPERATOR_STATE,
  type TextField,
  type ViewState,
  queryFromState,
  stateFromQuery,
} from './fields.js';
import { count, human, humanBytes, humanSeconds } from './human.js';
import { type ParsedView, parseView } from './parse.js';
import { QemuPanel } from './QemuPanel.js';
import { CHARTS, type ChartId } from './specs.js';

/** Sequence number of the last input event, for the performance marks `input-N` / `charts-N`. */
let inputSeq = 0;

function markInput(): number {
  inputSeq += 1;
  performance.mark(`input-${inputSeq}`);
  document.documentElement.dataset.inputSeq = String(inputSeq);
  return inputSeq;
}

/** Props of a field: all primitives but the (constant) spec and the (stable) handler, so equal props mean the same field. */
interface FieldProps {
  spec: FieldSpec;
  value: string;
  error: string | undefined;
  understood: string | undefined;
  disabled: boolean;
  readOnly: boolean;
  position: number | undefined;
  onText: (key: TextField, text: string) => void;
}

/**
 * A field that re-renders only when its own props change: an edit to one field re-renders that field and those
 * whose readings it changes, not all nine (Preact's diff of the form was a visible share of an edit).
 */
class FieldInput extends Component<FieldProps> {
  override shouldComponentUpdate(next: FieldProps): boolean {
    const p = this.props as FieldProps;
    return (Object.keys(next) as (keyof FieldProps)[]).some((k) => !Object.is(p[k], next[k]));
  }
  override render(props: FieldProps) {
    return fieldInput(props);
  }
}

/** Renders children once and never again (static content: the glossary). */
class Once extends Component<{ children: ComponentChildren }> {
  override shouldComponentUpdate(): boolean {
    return false;
  }
  override render(props: { children: ComponentChildren }) {
    return props.children;
  }
}

function fieldInput(props: FieldProps) {
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
          inputMode="text"
          autoComplete="off"
          spellcheck={false}
          value={value}
          readOnly={props.readOnly}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={`${id}-understood ${id}-help${error ? ` ${id}-error` : ''}`}
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
        aria-valuetext={`${value}${props.understood ? ` ${props.understood}` : ''}`}
        min={s.min}
        max={s.max}
        step={s.step}
        value={pos ?? s.min}
        disabled={props.readOnly}
        onInput={(e) => props.onText(spec.key, s.toText(Number((e.currentTarget as HTMLInputElement).value)))}
      />
      <p id={`${id}-understood`} class="understood" data-understood={spec.key}>
        {props.understood ?? ''}
      </p>
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
  format: (x: number, data: ExplorerData) => string;
}

const pct = (x: number) => `${human(x * 100)}%`;
const QUANTITIES: readonly Quantity[] = [
  {
    key: 'rho',
    label: 'ρ = D·τ (dirtying over sending)',
    value: (d, n) => d.prediction[n]?.rho,
    format: (x) => human(x),
  },
  {
    key: 'iterations',
    label: 'n (last pre-copy round)',
    value: (d, n) => conv(d, n)?.iterations,
    format: (x) => count(x),
  },
  { key: 'precopySeconds', label: 'Tpre-copy', value: (d, n) => conv(d, n)?.precopySeconds, format: humanSeconds },
  {
    key: 'downtimeSeconds',
    label: 'Tdown (downtime)',
    value: (d, n) => conv(d, n)?.downtimeSeconds,
    format: humanSeconds,
  },
  { key: 'totalSeconds', label: 'Ttotal', value: (d, n) => conv(d, n)?.totalSeconds, format: humanSeconds },
  {
    key: 'pagesTransferred',
    label: 'PTotalMig (pages migrated)',
    value: (d, n) => conv(d, n)?.pagesTransferred,
    format: (x, d) => `${count(x)} (${humanBytes(x * d.input.pageSizeBytes)})`,
  },
  {
    key: 'downtimePages',
    label: 'Pages copied at downtime',
    value: (d, n) => conv(d, n)?.downtimePages,
    format: (x) => count(x),
  },
  { key: 'gain', label: 'G (gain)', value: (d, n) => conv(d, n)?.gain, format: (x) => human(x) },
  {
    key: 'networkUtilization',
    label: 'Unet (paper Eq. 15)',
    value: (d, n) => conv(d, n)?.networkUtilization,
    format: pct,
  },
  {
    key: 'optimumAlpha',
    label: 'Best α with Unet ≤ Umax',
    value: (d, n) => {
      const o = d.optimum[n];
      return o?.feasible ? o.alpha : undefined;
    },
    format: (x) => human(x),
  },
  {
    key: 'optimumDowntimeSeconds',
    label: 'Tdown at best α',
    value: (d, n) => {
      const o = d.optimum[n];
      return o?.feasible ? o.downtimeSeconds : undefined;
    },
    format: humanSeconds,
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
          Results at α = {human(data.input.alpha)}
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
                  text = q.format(v, data);
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
                {Number.isFinite(data.prediction.hotGain) ? human(data.prediction.hotGain) : 'unbounded'}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The headline answer per case (downtime, total time, traffic, converges), first on every screen size, with
 * tau and rho, a warning when a typed downtime limit is exceeded, and "use the best alpha".
 */
function Headline(props: {
  data: ExplorerData;
  parsed: ParsedView;
  stale: boolean;
  onUseAlpha: (alpha: number) => void;
  onSetUmax: (text: string) => void;
}) {
  const { data, parsed } = props;
  const limit = parsed.downtimeLimitSeconds;
  return (
    <section class={`headline${props.stale ? ' stale' : ''}`} aria-labelledby="h-answer">
      <h2 id="h-answer">The answer</h2>
      <p class="tau">
        τ = S/B ={' '}
        <b data-headline="tau">{humanSeconds(data.input.pageSizeBytes / data.input.bandwidthBytesPerSecond)}</b> per
        page · memory {humanBytes(data.input.pages * data.input.pageSizeBytes)} = {count(data.input.pages)} pages
      </p>
      <div class="cards">
        {data.cases.map((n) => {
          const o = data.prediction[n]!;
          const opt = data.optimum[n];
          const exceeded = o.converged && limit !== undefined && o.downtimeSeconds > limit * (1 + 1e-9);
          return (
            <div class="card" key={n} data-headline-case={n}>
              <h3>{CASE_LABEL[n]}</h3>
              <p class="rho">
                ρ = <span data-headline="rho">{human(o.rho)}</span>
              </p>
              {o.converged ? (
                <dl>
                  <dt>Downtime</dt>
                  <dd data-headline="downtime">{humanSeconds(o.downtimeSeconds)}</dd>
                  <dt>Total time</dt>
                  <dd data-headline="total">{humanSeconds(o.totalSeconds)}</dd>
                  <dt>Traffic</dt>
                  <dd data-headline="traffic">{humanBytes(o.pagesTransferred * data.input.pageSizeBytes)}</dd>
                  <dt>Converges</dt>
                  <dd>yes, after {count(o.iterations)} rounds</dd>
                </dl>
              ) : (
                <p class="never" data-headline="never">
                  Never converges: {o.reason}. It would converge with ρ &lt; 1: a bandwidth above{' '}
                  {humanBytes(o.rho * data.input.bandwidthBytesPerSecond)}/s, or the guest throttled below{' '}
                  {human(100 / o.rho)}% of its dirty rate (see the QEMU panel for auto-converge).
                </p>
              )}
              {exceeded ? (
                <p class="limit-warning" role="alert" data-headline="limit-exceeded">
                  Predicted downtime {humanSeconds(o.downtimeSeconds)} exceeds the downtime limit {humanSeconds(limit!)}
                  : the model stops at α = limit·B/(Ps·S) pages left, then sends the pages dirtied meanwhile (paper
                  accounting counts αPs).
                </p>
              ) : null}
              {opt && !opt.feasible && opt.leastUtilization !== undefined ? (
                <Infeasible
                  rho={o.rho}
                  least={opt.leastUtilization}
                  maxUtilization={data.maxUtilization}
                  caseName={n}
                  onSetUmax={props.onSetUmax}
                />
              ) : null}
              {opt?.feasible && Math.abs(opt.alpha - data.input.alpha) > 1e-12 ? (
                <button type="button" class="use-best" data-use-best={n} onClick={() => props.onUseAlpha(opt.alpha)}>
                  Use the best α = {human(opt.alpha)} ({humanSeconds(opt.downtimeSeconds)} downtime)
                </button>
              ) : null}
            </div>
          );
        })}
      </div>
    </section>
  );
}

/**
 * Why no alpha meets the utilisation limit, and the next step: the smallest limit that any alpha meets (the
 * least Unet, rounded up to a tenth of a percent), one click away. With the paper's Table 2 (Umax = 40 %) this
 * is the first screen: Unet never falls much below rho (Eq. 16 averages rho over the live phase).
 */
function Infeasible(props: {
  rho: number;
  least: number;
  maxUtilization: number;
  caseName: CaseName;
  onSetUmax: (text: string) => void;
}) {
  const up = Math.ceil(props.least * 1000 - 1e-9) / 10; // percent, rounded up to 0.1: Unet at that limit is met
  const suggest = up <= 100 ? `${up}%` : undefined;
  return (
    <div class="infeasible" data-headline="infeasible">
      <p>
        No α keeps Unet ≤ Umax = {human(props.maxUtilization * 100)}%: the least is {human(props.least * 100)}%. Unet
        stays near ρ = {human(props.rho)} whatever α (Eq. 16).{' '}
        {suggest ? (
          <button
            type="button"
            class="set-umax"
            data-set-umax={props.caseName}
            onClick={() => props.onSetUmax(suggest)}
          >
            Allow Umax = {suggest}
          </button>
        ) : null}{' '}
        Or lower ρ: more bandwidth, less dirtying.
      </p>
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
            : `Tdown ${humanSeconds(o.downtimeSeconds)} · total ${humanSeconds(o.totalSeconds)} · G ${human(o.gain)}`;
        return (
          <div key={n}>
            <b>{CASE_LABEL[n]}</b> {text}
          </div>
        );
      })}
    </div>
  );
}

/** What the symbols mean, and the two accountings. */
function Glossary() {
  return (
    <section class="glossary" aria-labelledby="h-glossary">
      <h2 id="h-glossary">What the numbers mean</h2>
      <dl>
        <dt>τ = S/B</dt>
        <dd>seconds to send one page over the link.</dd>
        <dt>ρ = D·τ</dt>
        <dd>
          pages dirtied per page sent. Below 1 each round is shorter than the last (round i sends ρ^i of memory); at 1
          or above pre-copy never catches up.
        </dd>
        <dt>n</dt>
        <dd>the last pre-copy round: the first with at most α·Ps pages left.</dd>
        <dt>G (gain)</dt>
        <dd>downtime of a plain stop-and-copy over the downtime with pre-copy (Eq. 14).</dd>
        <dt>Unet</dt>
        <dd>
          the paper’s network utilisation due to migration (Eqs. 15–16): ρ while copying live, α·Ps·τ/Tdown while the VM
          is down, averaged over time. It is not how busy the link is: during a migration the link sends at B the whole
          time (100%); Unet measures the share of that work caused by the guest’s dirtying.
        </dd>
        <dt>HG</dt>
        <dd>Tdown of Hot I over Tdown of Hot II: below 1, pre-copying the hot pages gives the shorter downtime.</dd>
        <dt>Paper accounting</dt>
        <dd>
          Table 1 as printed: α·Ps pages at downtime. Use it to reproduce the paper’s figures. It can show many pages
          copied in a tiny downtime, because Tdown counts only the pages actually left.
        </dd>
        <dt>Consistent accounting</dt>
        <dd>counts the pages actually left (ρ^(n+1)·Ps): use it to compare with a real migration.</dd>
      </dl>
      <p>
        Model: Aldhalaan &amp; Menascé, “Analytic Performance Modeling and Optimization of Live VM Migration”, EPEW 2013
        (
        <a href="https://scholar.google.com/scholar?q=Analytic+Performance+Modeling+and+Optimization+of+Live+VM+Migration">
          find the paper
        </a>
        ). In the precopy repository: docs/explorer.md (this page), docs/model.md (the equations and deviations),
        docs/qemu.md (the QEMU planner), and <code>precopy qemu plan --help</code>.
      </p>
    </section>
  );
}

/** The parameters as one line, for exports. */
export function parameterLine(state: ViewState): string {
  return (
    FIELDS.map((f) => `${f.symbol}=${state[f.key]}`).join(' ') + ` case=${state.case} accounting=${state.accounting}`
  );
}

function ChartPanel(props: {
  id: ChartId;
  board: ChartBoard;
  data: () => ExplorerData | undefined;
  subtitle: () => string;
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
            if (v) await downloadSvg(v, `${file}.svg`, props.subtitle());
          }}
        >
          SVG<span class="sr-only"> of {def.title}</span>
        </button>
        <button
          type="button"
          onClick={async () => {
            const v = await props.board.view(props.id);
            if (v) await downloadPng(v, `${file}.png`, props.subtitle());
          }}
        >
          PNG<span class="sr-only"> of {def.title}</span>
        </button>
      </figcaption>
    </figure>
  );
}

/** The explorer page: inputs, warnings, charts, numbers table and exports, with the view state in the URL. */
/** The explorer page: the answer first, inputs, the QEMU panel, charts, numbers, exports and a glossary. */
export function App() {
  const [state, setState] = useState<ViewState>(() => stateFromQuery(location.search));
  const [settled, setSettled] = useState<ViewState>(state);
  const [copied, setCopied] = useState<string>('');
  const board = useMemo(() => {
    const b = new ChartBoard();
    // The chart views, for the browser tests' layout checks (read-only use).
    (window as unknown as { precopyCharts?: ChartBoard }).precopyCharts = b;
    return b;
  }, []);
  const [ready, setReady] = useState(0);
  const lastGood = useRef<ExplorerData | undefined>(undefined);
  const pendingSeq = useRef(0);

  const parsed = useMemo(() => parseView(state), [state]);
  const computed = useMemo(() => {
    if (!parsed.resolved) return undefined;
    return computeExplorer(parsed.resolved);
  }, [parsed]);
  if (computed) lastGood.current = computed;
  const data = computed ?? lastGood.current;
  // Errors show once a field has been left alone for a moment, not on every keystroke.
  const errors: ParsedView['errors'] = {};
  for (const [k, v] of Object.entries(parsed.errors)) {
    if (state[k as TextField] === settled[k as TextField]) errors[k as TextField] = v;
  }
  const errorCount = Object.keys(errors).length;
  useEffect(() => {
    const t = setTimeout(() => setSettled(state), 600);
    return () => clearTimeout(t);
  }, [state]);

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

  // Stable (no dependencies: it only uses the ref and the functional update), so the fields can skip re-renders.
  const setText = useCallback((key: TextField, text: string) => {
    pendingSeq.current = markInput();
    setState((s) => ({ ...s, [key]: text }));
  }, []);
  const setChoice = (patch: Partial<ViewState>) => {
    pendingSeq.current = markInput();
    setState((s) => ({ ...s, ...patch }));
    setSettled((s) => ({ ...s, ...patch }));
  };

  const positions = sliderPositions(computed ?? lastGood.current);
  const needUniform = parsed.cases.includes('uniform');
  const needHot = parsed.cases.some((c) => c !== 'uniform');
  const derived = state.hotRates === 'derived';
  const shareUrl = () => new URL(queryFromState(state), location.href).href;

  return (
    <div class="app">
      <header>
        <h1>precopy explorer</h1>
        <p class="lede">
          Pre-copy live migration of a VM (Aldhalaan &amp; Menascé, EPEW 2013): downtime, total time and traffic for
          your VM, and the QEMU settings to use. Everything is computed in your browser with the precopy library.{' '}
          <a href="#fleet">Many VMs at once: plan a host drain</a>
        </p>
        <div class="actions presets">
          <button type="button" data-preset="operator" onClick={() => setChoice({ ...OPERATOR_STATE })}>
            Operator VM: 64 GiB, 4 KiB pages, 10 Gbit/s, 200 MB/s, QEMU’s 300 ms
          </button>
          <button type="button" data-preset="paper" onClick={() => setChoice({ ...DEFAULT_STATE })}>
            The paper’s Table 2
          </button>
        </div>
      </header>
      <main class="layout">
        {data ? (
          <div class="answer-area">
            <Headline
              data={data}
              parsed={parsed}
              stale={!computed}
              onUseAlpha={(a) => setText('alpha', String(a))}
              onSetUmax={(t) => setChoice({ maxUtilization: t })}
            />
          </div>
        ) : null}
        <form class="inputs" aria-labelledby="h-inputs" onSubmit={(e) => e.preventDefault()}>
          <h2 id="h-inputs">Your VM</h2>
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
            {FIELDS.map((f) => {
              const hotRate = f.key === 'hotRate' || f.key === 'coldRate';
              const field = (
                <FieldInput
                  key={f.key}
                  spec={f}
                  value={
                    hotRate && derived && parsed.understood[f.key] && data ? derivedText(f.key, data) : state[f.key]
                  }
                  error={errors[f.key]}
                  understood={parsed.understood[f.key]}
                  disabled={
                    (f.usedBy === 'uniform' && !needUniform && !(needHot && derived)) ||
                    (f.usedBy === 'hot' && !needHot)
                  }
                  readOnly={hotRate && derived}
                  position={positions[f.key]}
                  onText={setText}
                />
              );
              if (f.key !== 'hotRate') return field;
              return [
                <label class="check" key="hotRates">
                  <input
                    type="checkbox"
                    id="f-hotRates"
                    checked={!derived}
                    onChange={(e) => {
                      const own = (e.currentTarget as HTMLInputElement).checked;
                      const patch: Partial<ViewState> = { hotRates: own ? 'own' : 'derived' };
                      // Switching to own rates starts from the derived ones, so no case jumps.
                      if (own && data?.input.hotDirtyPagesPerSecond !== undefined) {
                        patch.hotRate = String(Number(data.input.hotDirtyPagesPerSecond.toPrecision(6)));
                        patch.coldRate = String(Number(data.input.coldDirtyPagesPerSecond!.toPrecision(6)));
                      }
                      setChoice(patch);
                    }}
                  />{' '}
                  Hot cases use their own rates (otherwise Dh = 2·D and Dnh = 0.9·D, the paper’s proportions)
                </label>,
                field,
              ];
            })}
          </fieldset>
        </form>
        <div class="results">
          <div class="status" role="status" aria-live="polite">
            {errorCount > 0 ? (
              <p class="error-summary">
                {errorCount === 1 ? 'One input is invalid' : `${errorCount} inputs are invalid`}:{' '}
                {Object.values(errors).join('; ')}.{' '}
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
          {data ? (
            <QemuPanel input={data.input} downtimeLimitSeconds={computed ? parsed.downtimeLimitSeconds : undefined} />
          ) : null}
          <section aria-labelledby="h-charts">
            <h2 id="h-charts">Charts</h2>
            <p class="legend-note" id="marks-legend">
              <span class="key dashed" aria-hidden="true" /> chosen α <span class="key diamond" aria-hidden="true" />{' '}
              best α under Umax <span class="key red" aria-hidden="true" /> Umax (utilisation limit). Hover a chart for
              values.
            </p>
            <div class={`charts${computed ? '' : ' stale'}`}>
              {visibleCharts.map((c) => (
                <ChartPanel
                  key={c.id}
                  id={c.id}
                  board={board}
                  data={() => lastGood.current}
                  subtitle={() => parameterLine(state)}
                  onReady={() => setReady((r) => r + 1)}
                />
              ))}
            </div>
          </section>
          <section aria-labelledby="h-numbers">
            <h2 id="h-numbers">All numbers</h2>
            {data ? (
              <NumbersTable
                data={data}
                stale={!computed}
                alphaFrom={parsed.downtimeLimitSeconds !== undefined ? state.alpha : undefined}
              />
            ) : null}
          </section>
          <section aria-labelledby="h-share">
            <h2 id="h-share">Share and export</h2>
            <div class="actions">
              <button
                type="button"
                disabled={!data}
                onClick={() => data && downloadText(numbersCsv(data, state), 'precopy-numbers.csv', 'text/csv')}
              >
                Numbers (CSV)
              </button>
              <button
                type="button"
                disabled={!data}
                onClick={() => data && downloadText(sweepCsv(data, state), 'precopy-sweep.csv', 'text/csv')}
              >
                Sweep over α (CSV)
              </button>
              <button
                type="button"
                id="copy-link"
                onClick={async () => {
                  history.replaceState(null, '', queryFromState(state));
                  const url = shareUrl();
                  try {
                    if (!navigator.clipboard) throw new Error('no clipboard');
                    await navigator.clipboard.writeText(url);
                    setCopied('Link copied to the clipboard.');
                  } catch {
                    setCopied('The clipboard is not available here: copy the link below.');
                  }
                }}
              >
                Copy link to this view
              </button>
            </div>
            {copied ? (
              <div class="copied" role="status">
                <p>{copied}</p>
                <input
                  id="share-url"
                  type="text"
                  readOnly
                  value={shareUrl()}
                  aria-label="Link to this view"
                  onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
                />
              </div>
            ) : null}
          </section>
          <Once>
            <Glossary />
          </Once>
        </div>
      </main>
      {data ? <Readout data={data} stale={!computed} /> : null}
    </div>
  );
}

/** The text a derived hot-rate field shows: its value in pages/s. */
function derivedText(key: TextField, data: ExplorerData): string {
  const v = key === 'hotRate' ? data.input.hotDirtyPagesPerSecond : data.input.coldDirtyPagesPerSecond;
  // Full precision, so the text reads back as exactly the rate the model uses.
  return v === undefined ? '' : String(v);
}
