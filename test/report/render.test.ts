import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { CHART_DATA_NAME, curveChartSpec } from '../../src/report/charts.js';
import { figure1, figure2a, figure3b } from '../../src/report/figures.js';
import { renderSvg, svgToPng } from '../../src/report/render.js';

/** Every text node of an SVG, in document order (legend labels, titles, tick labels). */
function texts(svg: string): string[] {
  const out: string[] = [];
  const doc = new XMLParser({ ignoreAttributes: true, preserveOrder: false }).parse(svg);
  const walk = (node: unknown, key = ''): void => {
    if (typeof node === 'string' || typeof node === 'number') {
      if (key === 'text' || key === '#text' || key === 'tspan') out.push(String(node));
      return;
    }
    if (Array.isArray(node)) {
      for (const n of node) walk(n, key);
      return;
    }
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, k === '#text' ? key : k);
  };
  walk(doc);
  return out;
}

describe('chart rendering in Node', () => {
  test('figure2a renders to well-formed SVG with its title, axis titles and one legend entry per Ps', async () => {
    const svg = await renderSvg(figure2a().spec);
    expect(XMLValidator.validate(svg)).toBe(true);
    const t = texts(svg);
    expect(t).toContain('Figure 2(a): Tdown vs. α, uniform dirtying');
    expect(t).toContain('Tdown: VM downtime (s)');
    expect(t).toContain('α (stop when ≤ α·Ps pages are dirty; fraction)');
    for (const ps of [4096, 8192, 16384, 32768]) expect(t).toContain(`Ps = ${ps}`);
    expect(t).toContain('Tdown = 500 s');
  });
  test('figure3b has a legend for the two hot-page cases and the two Ps', async () => {
    const svg = await renderSvg(figure3b().spec);
    expect(XMLValidator.validate(svg)).toBe(true);
    const t = texts(svg);
    for (const s of ['Hot I', 'Hot II', 'Ps = 4096', 'Ps = 16384', 'case', 'Ps (pages)']) expect(t).toContain(s);
    expect(t).not.toContain('Ps = 8192');
  });
  test('figure1 has one series per alpha and beta on the x axis', async () => {
    const svg = await renderSvg(figure1().spec);
    const t = texts(svg);
    for (const s of ['α = 10 %', 'α = 40 %', 'α = 70 %', 'β: fraction of hot pages', 'HG = 1']) expect(t).toContain(s);
  });
  test('one line path per series: figure2a draws 4 line marks', async () => {
    const svg = await renderSvg(figure2a().spec);
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(4);
  });
  test('rendering is deterministic: same SVG bytes and same PNG bytes twice', async () => {
    const spec = figure3b({ grid: 'fine' }).spec;
    const a = await renderSvg(spec);
    const b = await renderSvg(spec);
    expect(b).toBe(a);
    const pa = svgToPng(a);
    const pb = svgToPng(b);
    expect(Buffer.compare(pa, pb)).toBe(0);
    // PNG signature
    expect([...pa.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  });
  test('curveChartSpec embeds the rows as the named data set and is JSON-serialisable (browser reuse)', () => {
    const rows = [
      { x: 0.1, y: 2, series: 'a' },
      { x: 0.2, y: 3, series: 'a' },
    ];
    const spec = curveChartSpec(rows, { title: 'T', xTitle: 'x (fraction)', yTitle: 'y (s)', seriesTitle: 's' }) as {
      data: { name: string; values: unknown[] };
    };
    expect(spec.data.name).toBe(CHART_DATA_NAME);
    expect(spec.data.values).toEqual(rows);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });
});
