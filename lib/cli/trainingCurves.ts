/**
 * Training curves from metrics.jsonl (lib/train/metricsLog.ts): meta-loss, and accuracy or MSE,
 * against the meta-iteration, train (solid) and validation (dashed), one colour per run.
 * `metalearn train` rewrites <out>/curves.svg at each checkpoint (atomically, so a viewer never
 * sees half a file); `metalearn plot RUN_DIR...` draws several runs on one figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../train/atomicWrite.js';
import { fittedYRange, renderPlotSvg, type PlotCurve, type PlotPanel } from './svgPlot.js';

export interface RunCurves {
  /** Legend name (the run directory's name). */
  name: string;
  train: { iteration: number; loss: number; accuracy?: number }[];
  validation: { iteration: number; metric: 'accuracy' | 'mse'; mean: number; loss: number }[];
}

/** Train curves longer than this are averaged over windows, so the SVG stays small and readable. */
export const MAX_CURVE_POINTS = 500;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** The train and validation records of a metrics.jsonl (other events and unreadable lines skipped). */
export function readRunCurves(metricsPath: string, name: string): RunCurves {
  const run: RunCurves = { name, train: [], validation: [] };
  for (const line of readFileSync(metricsPath, 'utf8').split('\n')) {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a line being appended, or the empty last line
    }
    if (typeof r.iteration !== 'number') continue;
    if (r.event === 'train' && typeof r.loss === 'number') {
      run.train.push({ iteration: r.iteration, loss: r.loss, ...(typeof r.accuracy === 'number' ? { accuracy: r.accuracy } : {}) });
    } else if (r.event === 'validation' && typeof r.mean === 'number' && (r.metric === 'accuracy' || r.metric === 'mse')) {
      run.validation.push({ iteration: r.iteration, metric: r.metric, mean: r.mean, loss: typeof r.loss === 'number' ? r.loss : r.mean });
    }
  }
  return run;
}

/** The curves of a run directory (it must hold metrics.jsonl). */
export function readRunDir(dir: string): RunCurves {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) throw new DataError(`'${resolve(dir)}' holds no metrics.jsonl (expected a --out directory of 'metalearn train')`);
  return readRunCurves(path, basename(resolve(dir)));
}

/** Two panels: meta-loss; accuracy (%) for classification runs, else MSE. */
export function renderTrainingCurves(runs: RunCurves[]): string {
  const classification = runs.some((r) => r.train.some((t) => t.accuracy !== undefined) || r.validation.some((v) => v.metric === 'accuracy'));
  const single = runs.length === 1;
  const label = (run: RunCurves, part: string) => (single ? part : `${run.name} ${part}`);
  const lossCurves: PlotCurve[] = [];
  const metricCurves: PlotCurve[] = [];
  runs.forEach((run, i) => {
    const color = COLORS[i % COLORS.length];
    const train = windowed(run.train);
    if (train.length > 0) lossCurves.push({ label: label(run, 'train'), x: train.map((t) => t.iteration), y: train.map((t) => t.loss), color, width: 1.5 });
    if (run.validation.length > 0) {
      lossCurves.push({ label: label(run, 'validation'), x: run.validation.map((v) => v.iteration), y: run.validation.map((v) => v.loss), color, dash: 'dashed' });
    }
    const scale = classification ? 100 : 1;
    const trainMetric = classification ? train.filter((t) => t.accuracy !== undefined).map((t) => ({ x: t.iteration, y: t.accuracy! * 100 })) : train.map((t) => ({ x: t.iteration, y: t.loss }));
    if (trainMetric.length > 0) metricCurves.push({ label: label(run, 'train'), x: trainMetric.map((p) => p.x), y: trainMetric.map((p) => p.y), color, width: 1.5 });
    if (run.validation.length > 0) {
      metricCurves.push({ label: label(run, 'validation'), x: run.validation.map((v) => v.iteration), y: run.validation.map((v) => v.mean * scale), color, dash: 'dashed' });
    }
  });
  const xLabel = 'meta-iteration (count)';
  const loss: PlotPanel = { title: 'meta-loss', curves: lossCurves, xLabel, yLabel: 'loss (training objective, unitless)' };
  const metric: PlotPanel = classification
    ? { title: 'accuracy', curves: metricCurves, xLabel, yLabel: 'accuracy (% of queries)' }
    : { title: 'mean squared error', curves: metricCurves, xLabel, yLabel: 'MSE (squared output units)' };
  loss.yRange = fittedYRange(loss, 0);
  metric.yRange = classification ? [0, 100] : fittedYRange(metric, 0);
  const longest = Math.max(0, ...runs.map((r) => r.train.length));
  const caption = longest > MAX_CURVE_POINTS ? `train curves: mean over windows of ${Math.ceil(longest / MAX_CURVE_POINTS)} iterations` : undefined;
  return renderPlotSvg([loss, metric], { panelWidth: 520, ...(caption ? { caption } : {}) });
}

/** Rewrites <dir>/curves.svg from <dir>/metrics.jsonl (atomically). */
export function refreshCurves(dir: string): void {
  if (!existsSync(join(dir, 'metrics.jsonl'))) return;
  writeFileAtomic(join(dir, 'curves.svg'), Buffer.from(renderTrainingCurves([readRunDir(dir)])));
}

/** Train records averaged over consecutive windows when there are more than MAX_CURVE_POINTS (x = the window's last iteration). */
function windowed(train: RunCurves['train']): RunCurves['train'] {
  if (train.length <= MAX_CURVE_POINTS) return train;
  const size = Math.ceil(train.length / MAX_CURVE_POINTS);
  const out: RunCurves['train'] = [];
  for (let i = 0; i < train.length; i += size) {
    const w = train.slice(i, i + size);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const acc = w.filter((t) => t.accuracy !== undefined).map((t) => t.accuracy!);
    out.push({ iteration: w[w.length - 1].iteration, loss: mean(w.map((t) => t.loss)), ...(acc.length > 0 ? { accuracy: mean(acc) } : {}) });
  }
  return out;
}
