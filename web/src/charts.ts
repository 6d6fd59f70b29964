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
    const datasets = Object.fromEntries(SOURCE_NAMES.map((n) => [n, (src?.[n] ?? []) as object[]]));
    const spec = { ...def.spec, datasets } as typeof def.spec;
    const result = await embed(el, spec, {
      actions: false,
      renderer: 'canvas',
      hover: false,
      logLevel: LOG_ERRORS_ONLY,
    });
    if (src) for (const n of SOURCE_NAMES) this.last.set(`${id}:${n}`, src[n]!);
    this.views[id] = result.view;
    this.names.set(
      id,
      SOURCE_NAMES.filter((name) => hasData(result.view, name)),
    );
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

  view(id: ChartId): View | undefined {
    return this.views[id];
  }

  mounted(): ChartId[] {
    return Object.keys(this.views) as ChartId[];
  }
}

function hasData(view: View, name: string): boolean {
  try {
    view.data(name);
    return true;
  } catch {
    return false;
  }
}

/** Same data: the same array, or a short array with the same content (marks, limit). */
function same(a: readonly object[] | undefined, b: readonly object[]): boolean {
  if (a === b) return true;
  if (a === undefined || a.length !== b.length || b.length > 8) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
