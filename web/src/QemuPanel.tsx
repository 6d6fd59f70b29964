import { useEffect, useRef, useState } from 'preact/hooks';
import type { ModelInput } from '../../src/model/predict.js';
import { human, humanBytes, humanRate, humanSeconds } from './human.js';
import { NO_EXTRAS, type QemuExtras, type QemuPanelData, extraFlags, qemuParams } from './qemu.js';

type Reply = { id: number; data?: QemuPanelData; error?: string };

/**
 * The operator's next step: QEMU's downtime-limit and max-bandwidth for the VM on screen, from the library's
 * planner (the function behind `precopy qemu plan`) run in a worker, with the predicted downtime and total time
 * under QEMU's stopping rule, the QMP and virsh commands, and what would make it converge when it never does.
 */
export function QemuPanel(props: { input: ModelInput; downtimeLimitSeconds: number | undefined }) {
  const [reply, setReply] = useState<Reply | undefined>(undefined);
  const worker = useRef<Worker | undefined>(undefined);
  const busy = useRef(false);
  const seq = useRef(0);
  const [extras, setExtras] = useState<QemuExtras>(NO_EXTRAS);
  const read = qemuParams(props.input, props.downtimeLimitSeconds, extras);
  // An input the schema refuses keeps the last good plan's request out: nothing is planned for it.
  const params = read.params ?? qemuParams(props.input, props.downtimeLimitSeconds).params!;
  const key = JSON.stringify(params);
  const start = () => {
    const w = new Worker(new URL('./qemu-worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<Reply>) => {
      busy.current = false;
      if (e.data.id === seq.current) setReply(e.data);
    };
    worker.current = w;
  };
  useEffect(() => {
    start();
    return () => worker.current?.terminate();
  }, []);
  useEffect(() => {
    // Debounced, and a plan still running for older input is abandoned (its worker terminated), so a slider
    // drag or typing never competes with a stale search for the CPU.
    if (read.error !== undefined) return;
    const t = setTimeout(() => {
      if (busy.current) {
        worker.current?.terminate();
        start();
      }
      seq.current += 1;
      busy.current = true;
      worker.current?.postMessage({ id: seq.current, params });
    }, 500);
    return () => clearTimeout(t);
  }, [key, read.error]);
  const current = reply?.data && JSON.stringify(reply.data.params) === key ? reply.data : undefined;
  const cli = [
    'precopy qemu plan',
    `--memory ${params.workload.memoryBytes}B`,
    `--page-size ${params.workload.pageSizeBytes}B`,
    `--link-bandwidth ${params.workload.linkBandwidthBytesPerSecond}B/s`,
    `--dirty-rate ${params.workload.dirtyPagesPerSecond}`,
    ...(params.downtimeLimitMs === undefined ? [] : [`--downtime-limit ${params.downtimeLimitMs}ms`]),
    ...extraFlags(extras),
  ].join(' ');
  const field = (k: keyof QemuExtras, label: string, hint: string) => (
    <label>
      {label}{' '}
      <input
        id={`qemu-${k}`}
        class="qemu-extra"
        type="text"
        inputMode="decimal"
        placeholder={hint}
        value={extras[k]}
        onInput={(e) => setExtras({ ...extras, [k]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  return (
    <section
      class="qemu"
      aria-labelledby="h-qemu"
      data-qemu-state={read.error !== undefined ? 'invalid' : current ? 'ready' : 'computing'}
    >
      <h2 id="h-qemu">Next step: QEMU settings for this VM</h2>
      <p class="help">
        From precopy’s QEMU planner (QEMU stops pre-copy once the pages left fit the downtime limit at the measured
        bandwidth), {params.downtimeLimitMs === undefined ? 'choosing' : 'with your'} downtime-limit
        {params.downtimeLimitMs === undefined ? ' and max-bandwidth' : ' and choosing max-bandwidth'}; one dirty rate of{' '}
        {human(params.workload.dirtyPagesPerSecond)} pages/s. Same as <code>{cli}</code>.
      </p>
      <fieldset class="qemu-extras">
        <legend>QEMU's first pass (optional; the paper's model has no zero pages)</legend>
        {field('zeroFraction', 'zero pages', '0 (a fraction)')}
        {field('zeroPageTime', 'time per zero page', '0 (e.g. 6us)')}
        {field('firstPassBandwidth', 'first-pass bandwidth', 'the link (e.g. 300MB/s)')}
      </fieldset>
      {read.error !== undefined ? (
        <p class="error" data-qemu="input-error">
          {read.error}
        </p>
      ) : null}
      {reply?.error ? <p class="error">{reply.error}</p> : null}
      {read.error !== undefined ? null : !current ? <p aria-live="polite">Planning…</p> : <QemuResult data={current} />}
    </section>
  );
}

function QemuResult(props: { data: QemuPanelData }) {
  const { plan, qmp, virsh } = props.data;
  const k = plan.parameters;
  const pr = plan.prediction;
  const r = plan.remedy;
  return (
    <div>
      <dl class="qemu-knobs">
        <dt>downtime-limit</dt>
        <dd data-qemu="downtimeLimitMs" data-value={k.downtimeLimitMs}>
          {k.downtimeLimitMs} ms
        </dd>
        <dt>max-bandwidth</dt>
        <dd data-qemu="maxBandwidthBytesPerSecond" data-value={k.maxBandwidthBytesPerSecond}>
          {humanRate(k.maxBandwidthBytesPerSecond)} ({k.maxBandwidthBytesPerSecond} B/s)
        </dd>
        {pr.converges ? (
          <>
            <dt>predicted downtime</dt>
            <dd data-qemu="downtimeSeconds" data-value={pr.downtimeSeconds}>
              {humanSeconds(pr.downtimeSeconds)}
            </dd>
            <dt>predicted total time</dt>
            <dd data-qemu="totalSeconds" data-value={pr.totalSeconds}>
              {humanSeconds(pr.totalSeconds)}
            </dd>
            <dt>bytes sent</dt>
            <dd data-qemu="bytesTransferred" data-value={pr.bytesTransferred}>
              {humanBytes(pr.bytesTransferred)}
            </dd>
          </>
        ) : (
          <>
            <dt>converges</dt>
            <dd data-qemu="converges" data-value="false">
              no: {pr.reason}
            </dd>
          </>
        )}
      </dl>
      {!plan.feasible && plan.reason ? <p class="limit-warning">{plan.reason}</p> : null}
      {plan.warnings.map((w) => (
        <p class="limit-warning" key={w}>
          {w}
        </p>
      ))}
      {r ? (
        <p class="remedy" data-qemu="remedy">
          It would converge with{' '}
          {r.bandwidthNeededBytesPerSecond === null
            ? 'no bandwidth below 1 PB/s'
            : `a bandwidth of at least ${humanRate(r.bandwidthNeededBytesPerSecond)}`}
          {r.throttleFractionNeeded === null
            ? ''
            : `, or the guest throttled by ${human(r.throttleFractionNeeded * 100)}%${r.autoConvergeThrottlePercent === null ? '' : ` (auto-converge with cpu-throttle-initial ${r.autoConvergeThrottlePercent})`}`}
          .
        </p>
      ) : null}
      <p>QMP:</p>
      <pre class="cmd" data-qemu="qmp">
        {qmp}
      </pre>
      <p>virsh:</p>
      <pre class="cmd" data-qemu="virsh">
        {virsh.join('\n')}
      </pre>
    </div>
  );
}
