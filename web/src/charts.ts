/**
 * Live charts: each chart is embedded once (vega-embed, canvas renderer) and then only its named data sources
 * change, which keeps an input-to-chart update within a frame.
 */
import embed from 'vega-embed';
import { Error as LOG_ERRORS_ONLY } from 'vega';
import type { View } from 'vega';
import type { ExplorerData } from './compute.js';
import type { ChartId } from './specs.js';
import { CHARTS } from './specs.js';

type Views = Partial<Record<ChartId, View>>;
const SOURCE_NAMES = ['rows', 'marks', 'limit', 'rounds', 'hotGain'];

/** The data sources of every chart for one computed view. */
function sources(data: ExplorerData): Record<string, readonly object[]> {
  return {
    rows: data.alphaRows,
    marks: data.marks,
    limit: [{ maxUtilization: data.maxUtilization }],
    rounds: data.roundRows,
    hotGain: data.hotGainRows,
  };
}

export class ChartBoard {
  private readonly views: Views = {};
  private readonly names = new Map<ChartId, string[]>();
  private readonly last = new Map<string, readonly object[]>();

  /**
   * Embeds one chart into `el` with the current data inlined (so no scale is ever computed over empty data);
   * resolves when drawn.
   */
  async mount(id: ChartId, el: HTMLElement, data: ExplorerData | undefined): Promise<void> {
    const def = CHARTS.find((c) => c.id === id)!;
    const src = data ? sources(data) : undefined;
    // Only the sources this chart reads: vega-lite keeps every dataset it is given, and replacing one a chart
    // does not use has broken other transforms of that view (a formula ran on a removed tuple).
    const names = SOURCE_NAMES.filter((n) => usesData(def.spec, n));
    const datasets = Object.fromEntries(names.map((n) => [n, (src?.[n] ?? []) as object[]]));
    const spec = { ...def.spec, datasets } as typeof def.spec;
    const result = await embed(el, spec, {
      actions: false,
      renderer: 'canvas',
      hover: false,
      logLevel: LOG_ERRORS_ONLY,
    });
    if (!el.isConnected) {
      result.finalize(); // the panel left the page while its chart was being built
      return;
    }
    if (src) for (const n of names) this.last.set(`${id}:${n}`, src[n]!);
    this.views[id] = result.view;
    this.names.set(id, names);
  }

  /** Replaces the data of every mounted chart whose data changed and re-renders; resolves when drawn. */
  async update(data: ExplorerData): Promise<void> {
    const src = sources(data);
    const pending: Promise<unknown>[] = [];
    for (const [id, view] of Object.entries(this.views) as [ChartId, View][]) {
      let changed = false;
      for (const name of this.names.get(id) ?? []) {
        const values = src[name]!;
        if (same(this.last.get(`${id}:${name}`), values)) continue;
        view.data(name, values as object[]);
        this.last.set(`${id}:${name}`, values);
        changed = true;
      }
      if (changed) pending.push(view.runAsync());
    }
    await Promise.all(pending);
  }

  /** Releases a chart whose panel left the page. */
  unmount(id: ChartId): void {
    this.views[id]?.finalize();
    delete this.views[id];
    this.names.delete(id);
    for (const key of [...this.last.keys()]) if (key.startsWith(`${id}:`)) this.last.delete(key);
  }

  view(id: ChartId): View | undefined {
    return this.views[id];
  }

  mounted(): ChartId[] {
    return Object.keys(this.views) as ChartId[];
  }
}

/** True when the spec (or one of its layers) reads the named data source. */
function usesData(spec: unknown, name: string): boolean {
  if (typeof spec !== 'object' || spec === null) return false;
  const o = spec as { data?: { name?: string }; layer?: unknown[] };
  if (o.data?.name === name) return true;
  return (o.layer ?? []).some((l) => usesData(l, name));
}

/** Same data: the same array, or a short array with the same content (marks, limit). */
function same(a: readonly object[] | undefined, b: readonly object[]): boolean {
  if (a === b) return true;
  if (a === undefined || a.length !== b.length || b.length > 8) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
