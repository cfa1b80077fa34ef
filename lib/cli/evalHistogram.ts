/**
 * `metalearn eval`'s figure: the histogram of per-episode accuracy (in % of an episode's queries)
 * or MSE, with the mean and its 95% confidence interval (mean +/- 1.96 std / sqrt(n), the
 * figure eval prints) marked by vertical lines.
 */
import type { EvaluationResult } from '../train/evaluate.js';
import { renderPlotSvg, type PlotPanel } from './svgPlot.js';

/** Bins for values in [lo, hi]: about `target` bins of a 1-2-5 width, edges on multiples of it. */
export function histogramBins(values: readonly number[], target = 20): { edges: number[]; counts: number[] } {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const width = (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
  const start = Math.floor(lo / width) * width;
  const n = Math.max(1, Math.floor((hi - start) / width) + 1);
  const edges = Array.from({ length: n + 1 }, (_, i) => start + i * width);
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - start) / width))]++;
  return { edges, counts };
}

/** values: per-episode accuracy as a fraction, or MSE (result.metric says which). */
export function renderEvalHistogram(values: readonly number[], result: EvaluationResult, title: string): string {
  const accuracy = result.metric === 'accuracy';
  const scale = accuracy ? 100 : 1;
  const { edges, counts } = histogramBins(values.map((v) => v * scale));
  const mean = result.mean * scale;
  const ci = result.ci95 * scale;
  const what = accuracy ? 'accuracy' : 'MSE';
  const panel: PlotPanel = {
    title,
    curves: [],
    bars: { label: `episodes (n = ${result.n})`, edges, counts, color: '#1f77b4' },
    markers: [
      { label: `mean ${what} ${fmt(mean)}${accuracy ? '%' : ''}`, x: mean, color: '#d62728' },
      { label: `95% CI of the mean (+/- ${fmt(ci)}${accuracy ? '%' : ''})`, x: mean - ci, color: '#2ca02c', dash: 'dashed' },
      { label: `95% CI of the mean (+/- ${fmt(ci)}${accuracy ? '%' : ''})`, x: mean + ci, color: '#2ca02c', dash: 'dashed' },
    ],
    xLabel: accuracy ? 'episode accuracy (% of queries correct)' : 'episode MSE (squared output units)',
    yLabel: 'episodes (count)',
  };
  return renderPlotSvg([panel], { panelWidth: 640, panelHeight: 400, yRange: [0, niceCeil(Math.max(...counts) * 1.1)] });
}

function fmt(v: number): string {
  return Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function niceCeil(v: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  return Math.ceil(v / power) * power;
}
