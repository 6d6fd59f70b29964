/**
 * Renders a Vega-Lite spec to SVG and PNG in Node, without a browser: vega-lite compiles the spec, a headless
 * vega View (renderer `none`) writes the SVG, resvg rasterises it. Text is measured by vega's built-in width
 * estimate (no canvas), so the SVG bytes depend only on the spec and the library versions: deterministic.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Font files tried for the PNG, in order (Debian `fonts-dejavu-core`). When none exists, resvg falls back to
 * the system fonts it finds; with no font at all the PNG has no text, so the renderer says so.
 */
export const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/**
 * SVG text of a Vega-Lite spec. The output has no timestamps or random ids: the same spec gives the same bytes.
 * @example await renderSvg(curveChartSpec(rows, opts)) // '<svg xmlns="http://www.w3.org/2000/svg" ...'
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new View(parse(vgSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.endsWith('\n') ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}

/** Font files found on this machine from {@link FONT_FILES}. */
export function availableFontFiles(): string[] {
  return FONT_FILES.filter((f) => existsSync(f));
}

/**
 * PNG bytes of an SVG at `scale` times its size (default 2, crisp at 100 % on high-density screens).
 * Uses the DejaVu Sans files when present, else the system fonts.
 */
export function svgToPng(svg: string, scale = 2): Buffer {
  const fontFiles = availableFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles,
      loadSystemFonts: fontFiles.length === 0,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    background: 'white',
  });
  return Buffer.from(resvg.render().asPng());
}
