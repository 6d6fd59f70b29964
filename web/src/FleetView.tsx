/**
 * The fleet view (`#fleet`): paste or upload an inventory (prefilled with examples/drain.yaml), and the page plans
 * the drain in the browser with the library's `fleetPlan` (in a worker), shows the Gantt chart (the shared spec
 * of src/fleet/gantt.ts, embedded with vega-embed), the plan next to the six baselines, the commands per
 * migration in the order to run them, and downloads of the plan as JSON (`fleet plan --format json`) and CSV.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Error as LOG_ERRORS_ONLY } from 'vega';
import embed, { type Result } from 'vega-embed';
import exampleInventory from '../../examples/drain.yaml?raw';
import type { FleetObjective } from '../../src/fleet/planner.js';
import { downloadText } from './export.js';
import type { FleetAnswer, FleetRequest } from './fleet.js';
import { humanBytes, humanSeconds } from './human.js';

const OBJECTIVES: readonly [FleetObjective, string][] = [
  ['makespan', 'makespan (the drain ends soonest)'],
  ['meanCompletion', 'mean completion time'],
  ['totalDowntime', 'total downtime'],
  ['bytes', 'bytes sent'],
  ['energy', 'energy'],
];

/** The objective's value in words. */
function objectiveText(objective: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'unbounded';
  if (objective === 'bytes') return humanBytes(v);
  if (objective === 'energy') return `${v.toPrecision(4)} J`;
  return humanSeconds(v);
}

export function FleetView() {
  const [text, setText] = useState(exampleInventory);
  const [objective, setObjective] = useState<FleetObjective>('makespan');
  const [answer, setAnswer] = useState<FleetAnswer | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const worker = useRef<Worker | undefined>(undefined);
  const seq = useRef(0);
  const chart = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const w = new Worker(new URL('./fleet-worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    w.onmessage = (e: MessageEvent<FleetAnswer>) => {
      if (e.data.id !== seq.current) return; // an older request: a newer one is on its way
      setAnswer(e.data);
      setBusy(false);
    };
    return () => w.terminate();
  }, []);

  // Plan on load and when typing pauses (600 ms, as the single-VM view).
  useEffect(() => {
    const t = setTimeout(() => {
      seq.current += 1;
      setBusy(true);
      const req: FleetRequest = { id: seq.current, text, objective };
      worker.current?.postMessage(req);
    }, 600);
    return () => clearTimeout(t);
  }, [text, objective]);

  useEffect(() => {
    if (!answer?.ok || !chart.current) return;
    let result: Result | undefined;
    let live = true;
    embed(chart.current, answer.gantt as Parameters<typeof embed>[1], {
      actions: false,
      renderer: 'svg',
      tooltip: true,
      logLevel: LOG_ERRORS_ONLY,
    }).then((r) => {
      if (!live) return r.finalize();
      result = r;
      (window as unknown as { precopyFleetGantt?: unknown }).precopyFleetGantt = r.view;
      document.documentElement.dataset.fleetGantt = String(answer.id);
    });
    return () => {
      live = false;
      result?.finalize();
    };
  }, [answer]);

  const upload = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };

  const plan = answer?.ok ? answer.plan : undefined;
  return (
    <div class="app fleet">
      <header>
        <h1>precopy explorer: drain a host</h1>
        <p class="lede">
          Many migrations at once: the order, the concurrency and each migration’s downtime-limit and max-bandwidth for
          a host drain, next to what six production stacks would do (docs/fleet.md). Computed in your browser with the
          precopy library. <a href="#vm">Back to one VM</a>
        </p>
      </header>
      <main class="fleet-layout">
        <section class="fleet-input" aria-labelledby="fleet-input-h">
          <h2 id="fleet-input-h">Inventory</h2>
          <label for="fleet-inventory">Inventory (YAML or JSON: hosts, links, VMs, policy)</label>
          <textarea
            id="fleet-inventory"
            spellcheck={false}
            rows={24}
            value={text}
            aria-invalid={answer && !answer.ok ? 'true' : 'false'}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <div class="actions">
            <label for="fleet-upload">Upload an inventory file</label>
            <input
              id="fleet-upload"
              type="file"
              accept=".yaml,.yml,.json,text/yaml,application/json"
              onChange={upload}
            />
            <button type="button" id="fleet-example" onClick={() => setText(exampleInventory)}>
              Load the example (examples/drain.yaml)
            </button>
          </div>
          <label for="fleet-objective">Objective</label>
          <select
            id="fleet-objective"
            value={objective}
            onChange={(e) => setObjective((e.currentTarget as HTMLSelectElement).value as FleetObjective)}
          >
            {OBJECTIVES.map(([v, l]) => (
              <option value={v} key={v}>
                {l}
              </option>
            ))}
          </select>
          <p role="status" id="fleet-status">
            {busy ? 'Planning…' : answer?.ok ? 'Planned.' : answer ? 'The inventory has problems.' : ''}
          </p>
          {answer && !answer.ok ? (
            <ul class="fleet-problems warn" id="fleet-problems" role="alert">
              {answer.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          ) : null}
        </section>
        {plan && answer?.ok ? (
          <section class={`fleet-result${busy || !answer.ok ? ' stale' : ''}`} aria-labelledby="fleet-plan-h">
            <h2 id="fleet-plan-h">The plan</h2>
            <p class="fleet-headline">
              Makespan{' '}
              <strong id="fleet-makespan" data-value={String(plan.plan.summary.makespanSeconds)}>
                {humanSeconds(plan.plan.summary.makespanSeconds)}
              </strong>
              , {plan.plan.description}.{' '}
              {plan.feasible ? 'Every constraint holds.' : 'Some constraints cannot be met (below).'}{' '}
              {plan.planIsBaseline
                ? `No candidate beats the best baseline (${plan.bestBaseline}): the plan is that baseline.`
                : `${((plan.improvementFraction ?? 0) * 100).toFixed(1)}% better than the best baseline (${plan.bestBaseline}) on ${plan.objective}.`}
            </p>
            <div class="actions">
              <button
                type="button"
                id="fleet-json"
                onClick={() =>
                  downloadText(`${JSON.stringify(plan, null, 2)}\n`, 'precopy-fleet-plan.json', 'application/json')
                }
              >
                Plan (JSON)
              </button>
              <button
                type="button"
                id="fleet-csv"
                onClick={() => downloadText(answer.csv, 'precopy-fleet-plan.csv', 'text/csv')}
              >
                Plan (CSV)
              </button>
            </div>
            <figure class="fleet-gantt">
              <div ref={chart} id="fleet-gantt" role="img" aria-label="Gantt chart of the plan: one bar per VM" />
              <figcaption>
                One row per VM: pre-copy (blue) then the stop-and-copy (orange tick: the downtime), in seconds since the
                drain starts.
              </figcaption>
            </figure>
            <h2>Plan and baselines, side by side</h2>
            <div class="table-wrap">
              <table class="numbers" id="fleet-baselines">
                <caption>The same inventory through the same engine</caption>
                <thead>
                  <tr>
                    <th scope="col">schedule</th>
                    <th scope="col">makespan</th>
                    <th scope="col">max downtime</th>
                    <th scope="col">total downtime</th>
                    <th scope="col">{plan.objective}</th>
                    <th scope="col">feasible</th>
                  </tr>
                </thead>
                <tbody>
                  {[{ ...plan.plan, feasible: plan.feasible, name: 'plan' }, ...plan.baselines].map((b) => (
                    <tr key={b.name} data-name={b.name}>
                      <th scope="row" title={b.description}>
                        {b.name}
                      </th>
                      <td data-value={String(b.summary.makespanSeconds)}>{humanSeconds(b.summary.makespanSeconds)}</td>
                      <td data-value={String(b.summary.maxDowntimeSeconds)}>
                        {humanSeconds(b.summary.maxDowntimeSeconds)}
                      </td>
                      <td data-value={String(b.summary.sumDowntimeSeconds)}>
                        {humanSeconds(b.summary.sumDowntimeSeconds)}
                      </td>
                      <td data-value={String(b.objectiveValue)}>{objectiveText(plan.objective, b.objectiveValue)}</td>
                      <td>{b.feasible ? 'yes' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {plan.violations.length || plan.remedies.length ? (
              <ul class="warn" id="fleet-violations">
                {plan.violations.map((v) => (
                  <li key={`${v.vm}-${v.constraint}`}>
                    {v.vm}: {v.detail}
                  </li>
                ))}
                {plan.remedies.map((r) => (
                  <li key={`r-${r.vm}`}>
                    {r.vm}: {r.advice}
                  </li>
                ))}
              </ul>
            ) : null}
            <h2>Commands, in the order to run them</h2>
            <ol class="fleet-commands" id="fleet-commands">
              {plan.plan.migrations.map((m) => (
                <li key={m.vm} data-vm={m.vm}>
                  <p>
                    <strong>{m.vm}</strong> {m.source} → {m.target}, {m.commands?.when}: downtime{' '}
                    {humanSeconds(m.downtimeSeconds)}, {humanBytes(m.bytesSent)} sent, ends at{' '}
                    {humanSeconds(m.endSeconds)}.
                  </p>
                  <pre class="qmp">{m.commands?.qmp.join('\n')}</pre>
                  <pre class="virsh">{m.commands?.virsh.join('\n')}</pre>
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </main>
    </div>
  );
}
