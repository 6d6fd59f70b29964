/**
 * Live charts: each chart is embedded once (vega-embed, canvas renderer) and then only its named data sources
 * change, which keeps an input-to-chart update within a frame.
 *
 * Charts on screen are re-rendered at once; charts scrolled out of view get their new data at once too, but are
 * re-rendered when the browser is idle (or when they scroll into view, whichever comes first), so a slider move
 * pays only for what the user can see.
 */
import type { View } from 'vega';
import { Error as LOG_ERRORS_ONLY } from 'vega';
import embed from 'vega-embed';
import type { ExplorerData } from './compute.js';
import type { ChartDef, ChartId } from './specs.js';
import { CHARTS } from './specs.js';

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
  private readonly last = new Map<string, readonly object[]>();
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
    const datasets = Object.fromEntries(names.map((n) => [n, (src?.[n] ?? []) as object[]]));
    const spec = { ...def.spec, datasets } as typeof def.spec;
    const result = await embed(el, spec, {
      actions: false,
      renderer: 'canvas',
      hover: false,
      tooltip: true,
      logLevel: LOG_ERRORS_ONLY,
    });
    if (!el.isConnected) {
      result.finalize(); // the panel left the page while its chart was being built
      return;
    }
    if (src) for (const n of names) this.last.set(`${id}:${n}`, src[n]!);
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
        if (same(this.last.get(`${id}:${name}`), values)) continue;
        c.view.data(name, values as object[]);
        this.last.set(`${id}:${name}`, values);
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

/** Same data: the same array, or a short array with the same content (marks, limit). */
function same(a: readonly object[] | undefined, b: readonly object[]): boolean {
  if (a === b) return true;
  if (a === undefined || a.length !== b.length || b.length > 8) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
