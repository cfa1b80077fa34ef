/**
 * A small hand-written SVG line-plot renderer (no dependency) for the demo's figure in the
 * style of the MAML paper's Figure 2: one or more panels side by side, each with curves
 * (solid / dashed / dotted), scattered points (triangles), axes with ticks, a title and a
 * legend.
 */

export interface PlotCurve {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  dash?: 'solid' | 'dashed' | 'dotted';
  width?: number;
}

export interface PlotPoints {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
}

export interface PlotPanel {
  title: string;
  curves: PlotCurve[];
  points?: PlotPoints;
}

export interface PlotOptions {
  panelWidth?: number;
  panelHeight?: number;
  /** Shared x range; default: fitted to all panels' data. */
  xRange?: [number, number];
  /** Shared y range; default: fitted to all panels' data plus 10%. */
  yRange?: [number, number];
  caption?: string;
  /** One legend row under all panels (they must share labels) instead of one box per panel. */
  sharedLegend?: boolean;
}

const MARGIN = { left: 48, right: 16, top: 34, bottom: 40 };
const DASHES = { solid: '', dashed: '8 5', dotted: '2 4' } as const;

export function renderPlotSvg(panels: PlotPanel[], options: PlotOptions = {}): string {
  const width = options.panelWidth ?? 480;
  const height = options.panelHeight ?? 360;
  const captionHeight = (options.caption ? 24 : 0) + (options.sharedLegend ? 26 : 0);
  const xRange = options.xRange ?? niceRange(extent(panels.flatMap((p) => [...p.curves.flatMap((c) => c.x), ...(p.points?.x ?? [])])));
  const yRange = options.yRange ?? niceRange(padded(extent(panels.flatMap((p) => [...p.curves.flatMap((c) => c.y), ...(p.points?.y ?? [])]))));
  const body = panels.map((panel, i) => renderPanel(panel, i * width, width, height, xRange, yRange, !options.sharedLegend)).join('\n');
  const legendRow = options.sharedLegend && panels.length > 0 ? horizontalLegend(panels[0], (width * panels.length) / 2, height + 12) : '';
  const captionY = height + (options.sharedLegend ? 26 : 0) + 17;
  const caption = options.caption
    ? `<text x="${(width * panels.length) / 2}" y="${captionY}" text-anchor="middle" font-size="13">${escapeXml(options.caption)}</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height + captionHeight}" viewBox="0 0 ${width * panels.length} ${height + captionHeight}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    legendRow,
    caption,
    '</svg>',
    '',
  ].join('\n');
}

function renderPanel(
  panel: PlotPanel,
  left: number,
  width: number,
  height: number,
  xRange: [number, number],
  yRange: [number, number],
  withLegend: boolean,
): string {
  const plotLeft = left + MARGIN.left;
  const plotRight = left + width - MARGIN.right;
  const plotTop = MARGIN.top;
  const plotBottom = height - MARGIN.bottom;
  const sx = (x: number) => plotLeft + ((x - xRange[0]) / (xRange[1] - xRange[0])) * (plotRight - plotLeft);
  const sy = (y: number) => plotBottom - ((y - yRange[0]) / (yRange[1] - yRange[0])) * (plotBottom - plotTop);
  const parts: string[] = [`<g>`];
  parts.push(`<text x="${(plotLeft + plotRight) / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`);
  parts.push(...axes(sx, sy, xRange, yRange, plotLeft, plotRight, plotTop, plotBottom));
  parts.push(`<clipPath id="clip${left}"><rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}"/></clipPath>`);
  parts.push(`<g clip-path="url(#clip${left})">`);
  for (const curve of panel.curves) parts.push(polyline(curve, sx, sy));
  if (panel.points) parts.push(...triangles(panel.points, sx, sy));
  parts.push('</g>');
  if (withLegend) parts.push(legend(panel, plotRight - 176, plotTop + 6));
  parts.push('</g>');
  return parts.join('\n');
}

function axes(
  sx: (x: number) => number,
  sy: (y: number) => number,
  xRange: [number, number],
  yRange: [number, number],
  plotLeft: number,
  plotRight: number,
  plotTop: number,
  plotBottom: number,
): string[] {
  const out = [`<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#444"/>`];
  for (const x of ticks(xRange)) {
    out.push(`<line x1="${f(sx(x))}" y1="${plotBottom}" x2="${f(sx(x))}" y2="${plotBottom + 4}" stroke="#444"/>`);
    out.push(`<text x="${f(sx(x))}" y="${plotBottom + 17}" text-anchor="middle" font-size="11">${formatTick(x)}</text>`);
  }
  for (const y of ticks(yRange)) {
    out.push(`<line x1="${plotLeft - 4}" y1="${f(sy(y))}" x2="${plotLeft}" y2="${f(sy(y))}" stroke="#444"/>`);
    out.push(`<line x1="${plotLeft}" y1="${f(sy(y))}" x2="${plotRight}" y2="${f(sy(y))}" stroke="#eee"/>`);
    out.push(`<text x="${plotLeft - 7}" y="${f(sy(y) + 4)}" text-anchor="end" font-size="11">${formatTick(y)}</text>`);
  }
  out.push(`<text x="${(plotLeft + plotRight) / 2}" y="${plotBottom + 33}" text-anchor="middle" font-size="12">x</text>`);
  return out;
}

function polyline(curve: PlotCurve, sx: (x: number) => number, sy: (y: number) => number): string {
  const points = curve.x.map((x, i) => `${f(sx(x))},${f(sy(curve.y[i]))}`).join(' ');
  const dash = DASHES[curve.dash ?? 'solid'];
  return `<polyline points="${points}" fill="none" stroke="${curve.color}" stroke-width="${curve.width ?? 2}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`;
}

function triangles(points: PlotPoints, sx: (x: number) => number, sy: (y: number) => number): string[] {
  return points.x.map((x, i) => {
    const cx = sx(x);
    const cy = sy(points.y[i]);
    return `<polygon points="${f(cx)},${f(cy - 6)} ${f(cx - 5.5)},${f(cy + 4)} ${f(cx + 5.5)},${f(cy + 4)}" fill="${points.color}"/>`;
  });
}

function legend(panel: PlotPanel, x: number, y: number): string {
  const entries = legendEntries(panel);
  const out = [`<rect x="${x - 6}" y="${y}" width="176" height="${entries.length * 16 + 8}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`];
  entries.forEach((entry, i) => {
    const rowY = y + 10 + i * 16;
    out.push(legendSymbol(entry, x, rowY));
    out.push(`<text x="${x + 30}" y="${rowY + 4}" font-size="11">${escapeXml(entry.label)}</text>`);
  });
  return out.join('\n');
}

/** The legend entries side by side, centred on centerX. */
function horizontalLegend(panel: PlotPanel, centerX: number, y: number): string {
  const entries = legendEntries(panel);
  const widths = entries.map((e) => 48 + 6.8 * e.label.length);
  let x = centerX - widths.reduce((a, b) => a + b, 0) / 2;
  const out: string[] = [];
  entries.forEach((entry, i) => {
    out.push(legendSymbol(entry, x, y));
    out.push(`<text x="${f(x + 30)}" y="${y + 4}" font-size="12">${escapeXml(entry.label)}</text>`);
    x += widths[i];
  });
  return out.join('\n');
}

interface LegendEntry {
  label: string;
  color: string;
  curve?: PlotCurve;
}

function legendEntries(panel: PlotPanel): LegendEntry[] {
  const rows: LegendEntry[] = panel.curves.map((c) => ({ label: c.label, color: c.color, curve: c }));
  if (panel.points) rows.push({ label: panel.points.label, color: panel.points.color });
  return rows;
}

/** A short line in the curve's style, or a triangle for points; (x, y) is the left end, vertically centred. */
function legendSymbol(entry: LegendEntry, x: number, y: number): string {
  if (entry.curve) {
    const dash = DASHES[entry.curve.dash ?? 'solid'];
    return `<line x1="${f(x)}" y1="${y}" x2="${f(x + 24)}" y2="${y}" stroke="${entry.color}" stroke-width="${entry.curve.width ?? 2}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  }
  return `<polygon points="${f(x + 12)},${y - 6} ${f(x + 6.5)},${y + 4} ${f(x + 17.5)},${y + 4}" fill="${entry.color}"/>`;
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [-1, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function padded([lo, hi]: [number, number]): [number, number] {
  const pad = 0.1 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Widens [lo, hi] outward to multiples of a 1-2-5 step. */
function niceRange([lo, hi]: [number, number]): [number, number] {
  const step = tickStep(hi - lo);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

function tickStep(span: number): number {
  const raw = span / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function ticks([lo, hi]: [number, number]): number[] {
  const step = tickStep(hi - lo);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
}

function f(v: number): string {
  return v.toFixed(1);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
