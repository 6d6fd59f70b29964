/**
 * Live charts: each chart is embedded once (vega-embed, canvas renderer) and then only its named data sources
 * change, which keeps an input-to-chart update within a frame.
 *
 * Charts on screen are re-rendered at once; charts scrolled out of view get their new data at once too, but are
 * re-rendered when the browser is idle (or when they scroll into view, whichever comes first), so a slider move
 * pays only for what the user can see.
 */
import type { Changeset, View } from 'vega';
import * as vega from 'vega';
import { CanvasHandler, Error as LOG_ERRORS_ONLY, Renderer, changeset, renderModule } from 'vega';
import embed from 'vega-embed';
import type { ExplorerData } from './compute.js';
import type { ChartDef, ChartId } from './specs.js';
import { CHARTS } from './specs.js';

/**
 * The canvas renderer, except that a re-layout which keeps the canvas's size (only the plot's origin moved, as
 * when the y labels get wider) re-targets the drawing transform instead of re-allocating the canvas: vega's
 * renderer sets `canvas.width`, which allocates and clears a new backing store on every such edit. The next
 * render is a full redraw either way (`_redraw`, as vega's own resize sets it), so what is drawn is the same.
 */
interface CanvasRendererLike {
  canvas(): HTMLCanvasElement | null;
  resize(width: number, height: number, origin: readonly number[], scaleFactor?: number): this;
}
/** vega's canvas renderer (exported by vega, missing from its typings). */
const CanvasRenderer = (vega as unknown as { CanvasRenderer: new (...args: unknown[]) => CanvasRendererLike })
  .CanvasRenderer;
class KeepCanvasRenderer extends CanvasRenderer {
  override resize(width: number, height: number, origin: readonly number[], scaleFactor?: number): this {
    const canvas = this.canvas();
    const ctx = canvas?.getContext('2d') as (CanvasRenderingContext2D & { pixelRatio?: number }) | null | undefined;
    const ratio = ctx?.pixelRatio;
    if (
      canvas &&
      ctx &&
      ratio !== undefined &&
      canvas.parentNode !== null &&
      ratio === (typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1) &&
      // The size vega set last (style in CSS pixels; the backing store truncated to whole device pixels).
      canvas.style.width === `${width}px` &&
      canvas.style.height === `${height}px` &&
      canvas.width === Math.trunc(width * ratio) &&
      canvas.height === Math.trunc(height * ratio)
    ) {
      (Renderer.prototype.resize as unknown as CanvasRendererLike['resize']).call(
        this,
        width,
        height,
        origin,
        scaleFactor,
      );
      ctx.setTransform(ratio, 0, 0, ratio, ratio * origin[0]!, ratio * origin[1]!);
      (this as unknown as { _redraw: boolean })._redraw = true;
      return this;
    }
    return super.resize(width, height, origin, scaleFactor);
  }
}
/** The renderer name the page's views use (registered once; exports still render with vega's own). */
const RENDERER = 'canvas-keep';
renderModule(RENDERER, {
  handler: CanvasHandler,
  renderer: KeepCanvasRenderer as unknown as typeof Renderer,
  headless: CanvasRenderer as unknown as Renderer, // (vega's typings say an instance; it is the class)
});

interface Mounted {
  readonly def: ChartDef;
  readonly view: View;
  readonly el: HTMLElement;
  /** Data sources the chart reads. */
  readonly names: readonly string[];
  /** Has data not yet rendered. */
  dirty: boolean;
}

/** Resolves when the updated charts are drawn: `visible` those on screen, `all` every chart. */
export interface UpdateDone {
  readonly visible: Promise<void>;
  readonly all: Promise<void>;
}

const idle: (f: () => void) => void =
  typeof requestIdleCallback === 'function'
    ? (f) => requestIdleCallback(f, { timeout: 200 })
    : (f) => setTimeout(f, 16);

/** The page's charts: one vega View per chart, embedded once, fed new data on every input change. */
export class ChartBoard {
  private readonly charts = new Map<ChartId, Mounted>();
  /** Per chart and source: the rows last given (to skip unchanged ones) and vega's tuples for them. */
  private readonly last = new Map<string, readonly object[]>();
  private readonly tuples = new Map<string, Record<string, unknown>[]>();
  private readonly onScreen = new Set<Element>();
  private readonly observer: IntersectionObserver | undefined =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
          for (const e of entries) {
            if (e.isIntersecting) this.onScreen.add(e.target);
            else this.onScreen.delete(e.target);
          }
          for (const c of this.charts.values()) {
            if (c.dirty && this.onScreen.has(c.el)) this.render(c);
          }
        })
      : undefined;

  /**
   * Embeds one chart into `el` with the current data inlined (so no scale is ever computed over empty data);
   * resolves when drawn.
   */
  async mount(id: ChartId, el: HTMLElement, data: ExplorerData | undefined): Promise<void> {
    const def = CHARTS.find((c) => c.id === id)!;
    const src = data ? def.data(data) : undefined;
    // Only the sources this chart reads: vega-lite keeps every dataset it is given, and replacing one a chart
    // does not use has broken other transforms of that view (a formula ran on a removed tuple).
    const names = def.sources;
    // Copies: each view owns its tuples, which later edits modify in place (see update).
    const datasets = Object.fromEntries(names.map((n) => [n, (src?.[n] ?? []).map((r) => ({ ...r }))]));
    const spec = { ...def.spec, datasets } as typeof def.spec;
    const result = await embed(el, spec, {
      actions: false,
      renderer: RENDERER as 'canvas',
      hover: false,
      tooltip: true,
      logLevel: LOG_ERRORS_ONLY,
    });
    if (!el.isConnected) {
      result.finalize(); // the panel left the page while its chart was being built
      return;
    }
    for (const n of names) {
      if (src) this.last.set(`${id}:${n}`, src[n]!);
      this.tuples.set(`${id}:${n}`, result.view.data(n) as Record<string, unknown>[]);
    }
    this.charts.set(id, { def, view: result.view, el, names, dirty: false });
    this.observer?.observe(el);
  }

  /** Gives every chart whose data changed its new data; renders those on screen now and the rest when idle. */
  update(data: ExplorerData): UpdateDone {
    const now: Promise<void>[] = [];
    const later: Promise<void>[] = [];
    for (const [id, c] of this.charts) {
      const src = c.def.data(data);
      for (const name of c.names) {
        const values = src[name]!;
        const key = `${id}:${name}`;
        if (same(this.last.get(key), values)) continue;
        // Changed rows are modified in place and only the difference in length is inserted or removed: vega
        // keeps the scenegraph items of kept tuples (no exit/enter, no new items), where `view.data(name,
        // values)` would remove every tuple and insert new ones.
        const cs = changeset();
        this.tuples.set(key, diff(this.tuples.get(key) ?? [], values, cs));
        c.view.change(name, cs);
        this.last.set(key, values);
        c.dirty = true;
      }
      if (!c.dirty) continue;
      if (!this.observer || this.onScreen.has(c.el)) now.push(this.render(c));
      else later.push(new Promise<void>((done) => idle(() => this.render(c).then(done, done))));
    }
    const visible = Promise.all(now).then(() => undefined);
    return { visible, all: Promise.all([visible, ...later]).then(() => undefined) };
  }

  private render(c: Mounted): Promise<void> {
    if (!c.dirty) return Promise.resolve();
    c.dirty = false;
    // The specs' autosize has `resize: true`, so every run recomputes the layout (axis and legend extents,
    // title room) for the new data: no title or label is clipped after an edit.
    return c.view.runAsync().then(() => undefined);
  }

  /** Releases a chart whose panel left the page. */
  unmount(id: ChartId): void {
    const c = this.charts.get(id);
    if (!c) return;
    this.observer?.unobserve(c.el);
    this.onScreen.delete(c.el);
    c.view.finalize();
    this.charts.delete(id);
    for (const key of [...this.last.keys()]) if (key.startsWith(`${id}:`)) this.last.delete(key);
    for (const key of [...this.tuples.keys()]) if (key.startsWith(`${id}:`)) this.tuples.delete(key);
  }

  /** The chart's view, rendered with its latest data (for export). */
  async view(id: ChartId): Promise<View | undefined> {
    const c = this.charts.get(id);
    if (c) await this.render(c);
    return c?.view;
  }

  /** The mounted views, for layout checks. */
  views(): View[] {
    return [...this.charts.values()].map((c) => c.view);
  }

  mounted(): ChartId[] {
    return [...this.charts.keys()];
  }
}

/**
 * Same data: the same array, or the same rows field by field (a memory edit leaves gain, Unet and HG as they
 * were, and the comparison costs far less than a vega run).
 */
function same(a: readonly object[] | undefined, b: readonly object[]): boolean {
  if (a === b) return true;
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const x = a[i] as Record<string, unknown>;
    const y = b[i] as Record<string, unknown>;
    for (const k in y) if (!Object.is(x[k], y[k])) return false;
  }
  return true;
}

/**
 * Records in `cs` the change from vega's `tuples` to `rows`: row i modifies tuple i field by field, extra tuples
 * are removed, extra rows inserted (as copies, so the page's arrays never become vega's tuples). Returns the new
 * tuple list, in the rows' order.
 */
function diff(
  tuples: readonly Record<string, unknown>[],
  rows: readonly object[],
  cs: Changeset,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const kept = Math.min(tuples.length, rows.length);
  for (let i = 0; i < kept; i++) {
    const t = tuples[i]!;
    const r = rows[i] as Record<string, unknown>;
    for (const k in r) if (!Object.is(t[k], r[k])) cs.modify(t, k, r[k]);
    out.push(t);
  }
  for (let i = kept; i < tuples.length; i++) cs.remove(tuples[i]!);
  for (let i = kept; i < rows.length; i++) {
    const t = { ...(rows[i] as Record<string, unknown>) };
    cs.insert(t);
    out.push(t);
  }
  return out;
}
