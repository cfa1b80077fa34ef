/**
 * A small hand-written SVG plot renderer (no dependency) for every figure metalearn draws: the
 * demo's figure in the style of the MAML paper's Figure 2, training curves (curves.svg,
 * `metalearn plot`) and eval's per-episode histogram. One or more panels side by side, each with
 * curves (solid / dashed / dotted), scattered points (triangles), histogram bars, vertical
 * markers, axes with ticks and labels (units named), a title and a legend.
 *
 * Why no library: the npm chart libraries either need a DOM (Chart.js needs a canvas; d3 and
 * d3-node draw through jsdom) or are large runtimes for four chart types (vega renders SVG
 * headless via View.toSVG, but is ~27 packages of dataflow runtime, checked with
 * `npm view vega dependencies`, for a tool whose figures are lines, bars and text). The SVG
 * written here is plain text a test can parse: axis labels carry class="x-label" / "y-label",
 * each series a data-series attribute, legend rows class="legend-entry".
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

/** A histogram: counts[i] of values in [edges[i], edges[i + 1]). */
export interface PlotBars {
  label: string;
  edges: readonly number[];
  counts: readonly number[];
  color: string;
}

/** A vertical line across the panel at x (e.g. a mean, a confidence bound). */
export interface PlotMarker {
  label: string;
  x: number;
  color: string;
  dash?: 'solid' | 'dashed' | 'dotted';
}

export interface PlotPanel {
  title: string;
  curves: PlotCurve[];
  points?: PlotPoints;
  bars?: PlotBars;
  markers?: PlotMarker[];
  /** Axis labels, with units, e.g. 'meta-iteration (count)', 'accuracy (%)'. */
  xLabel?: string;
  yLabel?: string;
  /** This panel's own y range (panels measuring different things); default: the shared one. */
  yRange?: [number, number];
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

const MARGIN = { left: 64, right: 16, top: 34, bottom: 44 };
const DASHES = { solid: '', dashed: '8 5', dotted: '2 4' } as const;

export function renderPlotSvg(panels: PlotPanel[], options: PlotOptions = {}): string {
  const width = options.panelWidth ?? 480;
  const height = options.panelHeight ?? 360;
  const captionHeight = (options.caption ? 24 : 0) + (options.sharedLegend ? 26 : 0);
  const xRange = options.xRange ?? niceRange(extent(panels.flatMap(panelXs)));
  const yRange = options.yRange ?? niceRange(padded(extent(panels.flatMap(panelYs))));
  const body = panels.map((panel, i) => renderPanel(panel, i * width, width, height, xRange, panel.yRange ?? yRange, !options.sharedLegend)).join('\n');
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

function panelXs(p: PlotPanel): number[] {
  return [...p.curves.flatMap((c) => c.x), ...(p.points?.x ?? []), ...(p.bars?.edges ?? []), ...(p.markers ?? []).map((m) => m.x)];
}

/** The y values a panel shows (bars from 0 up to their counts). */
export function panelYs(p: PlotPanel): number[] {
  return [...p.curves.flatMap((c) => c.y), ...(p.points?.y ?? []), ...(p.bars ? [0, ...p.bars.counts] : [])];
}

/** A y range fitted to one panel's data (for PlotPanel.yRange), from `floor` when given (e.g. 0). */
export function fittedYRange(panel: PlotPanel, floor?: number): [number, number] {
  const [lo, hi] = niceRange(padded(extent(panelYs(panel))));
  return [floor === undefined ? lo : Math.max(floor, lo), hi];
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
  parts.push(...axisLabels(panel, plotLeft, plotRight, plotTop, plotBottom));
  parts.push(`<clipPath id="clip${left}"><rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}"/></clipPath>`);
  parts.push(`<g clip-path="url(#clip${left})">`);
  if (panel.bars) parts.push(histogramBars(panel.bars, sx, sy));
  for (const curve of panel.curves) parts.push(polyline(curve, sx, sy));
  if (panel.points) parts.push(...triangles(panel.points, sx, sy));
  for (const marker of panel.markers ?? []) parts.push(verticalLine(marker, sx, plotTop, plotBottom));
  parts.push('</g>');
  if (withLegend) parts.push(legend(panel, plotRight - legendWidth(panel) - 4, plotTop + 6));
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
  return out;
}

/** The x label under the ticks, the y label rotated left of them. */
function axisLabels(panel: PlotPanel, plotLeft: number, plotRight: number, plotTop: number, plotBottom: number): string[] {
  const x = panel.xLabel ?? 'x';
  const y = panel.yLabel ?? 'y';
  const cx = (plotLeft + plotRight) / 2;
  const cy = (plotTop + plotBottom) / 2;
  const ly = plotLeft - 48;
  return [
    `<text class="x-label" x="${cx}" y="${plotBottom + 34}" text-anchor="middle" font-size="12">${escapeXml(x)}</text>`,
    `<text class="y-label" x="${ly}" y="${cy}" text-anchor="middle" font-size="12" transform="rotate(-90 ${ly} ${cy})">${escapeXml(y)}</text>`,
  ];
}

function histogramBars(bars: PlotBars, sx: (x: number) => number, sy: (y: number) => number): string {
  const rects = bars.counts.map((count, i) => {
    const x0 = sx(bars.edges[i]);
    const x1 = sx(bars.edges[i + 1]);
    const top = sy(count);
    return `<rect x="${f(x0)}" y="${f(top)}" width="${f(Math.max(0, x1 - x0 - 1))}" height="${f(Math.max(0, sy(0) - top))}" fill="${bars.color}" fill-opacity="0.6"/>`;
  });
  return `<g data-series="${escapeXml(bars.label)}">\n${rects.join('\n')}\n</g>`;
}

function verticalLine(marker: PlotMarker, sx: (x: number) => number, plotTop: number, plotBottom: number): string {
  const dash = DASHES[marker.dash ?? 'solid'];
  const x = f(sx(marker.x));
  return `<line data-series="${escapeXml(marker.label)}" x1="${x}" y1="${plotTop}" x2="${x}" y2="${plotBottom}" stroke="${marker.color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

function polyline(curve: PlotCurve, sx: (x: number) => number, sy: (y: number) => number): string {
  const points = curve.x.map((x, i) => `${f(sx(x))},${f(sy(curve.y[i]))}`).join(' ');
  const dash = DASHES[curve.dash ?? 'solid'];
  return `<polyline data-series="${escapeXml(curve.label)}" points="${points}" fill="none" stroke="${curve.color}" stroke-width="${curve.width ?? 2}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`;
}

function triangles(points: PlotPoints, sx: (x: number) => number, sy: (y: number) => number): string[] {
  return points.x.map((x, i) => {
    const cx = sx(x);
    const cy = sy(points.y[i]);
    return `<polygon points="${f(cx)},${f(cy - 6)} ${f(cx - 5.5)},${f(cy + 4)} ${f(cx + 5.5)},${f(cy + 4)}" fill="${points.color}"/>`;
  });
}

/** Legend box width: symbol, gap and the longest label (about 6.2 px per 11 px character). */
function legendWidth(panel: PlotPanel): number {
  return Math.max(120, 40 + Math.max(0, ...legendEntries(panel).map((e) => e.label.length)) * 6.2);
}

function legend(panel: PlotPanel, x: number, y: number): string {
  const entries = legendEntries(panel);
  const out = [`<g class="legend">`, `<rect x="${f(x - 6)}" y="${y}" width="${f(legendWidth(panel))}" height="${entries.length * 16 + 8}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`];
  entries.forEach((entry, i) => {
    const rowY = y + 10 + i * 16;
    out.push(legendSymbol(entry, x, rowY));
    out.push(`<text class="legend-entry" x="${f(x + 30)}" y="${rowY + 4}" font-size="11">${escapeXml(entry.label)}</text>`);
  });
  out.push('</g>');
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
    out.push(`<text class="legend-entry" x="${f(x + 30)}" y="${y + 4}" font-size="12">${escapeXml(entry.label)}</text>`);
    x += widths[i];
  });
  return out.join('\n');
}

interface LegendEntry {
  label: string;
  color: string;
  curve?: PlotCurve;
  marker?: PlotMarker;
  bars?: boolean;
}

function legendEntries(panel: PlotPanel): LegendEntry[] {
  const rows: LegendEntry[] = [];
  if (panel.bars) rows.push({ label: panel.bars.label, color: panel.bars.color, bars: true });
  rows.push(...panel.curves.map((c) => ({ label: c.label, color: c.color, curve: c })));
  if (panel.points) rows.push({ label: panel.points.label, color: panel.points.color });
  // Markers sharing a label (the two ends of an interval) get one row.
  const seen = new Set<string>();
  for (const m of panel.markers ?? []) {
    if (!seen.has(m.label)) rows.push({ label: m.label, color: m.color, marker: m });
    seen.add(m.label);
  }
  return rows;
}

/** A short line in the curve's style, or a triangle for points; (x, y) is the left end, vertically centred. */
function legendSymbol(entry: LegendEntry, x: number, y: number): string {
  if (entry.curve || entry.marker) {
    const dash = DASHES[(entry.curve ?? entry.marker)?.dash ?? 'solid'];
    return `<line x1="${f(x)}" y1="${y}" x2="${f(x + 24)}" y2="${y}" stroke="${entry.color}" stroke-width="${entry.curve?.width ?? 2}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  }
  if (entry.bars) return `<rect x="${f(x + 4)}" y="${y - 5}" width="16" height="10" fill="${entry.color}" fill-opacity="0.6"/>`;
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
