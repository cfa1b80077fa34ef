/**
 * The demo's figure, after Figure 2 of the MAML paper (Finn et al., 2017): for one fresh
 * sinusoid task, the true curve, the K support points, and the network's prediction before
 * adaptation and after 1 and 10 gradient steps, one panel per initialisation (MAML,
 * pretrained, from scratch).
 */
import { renderPlotSvg, type PlotPanel } from './svgPlot.js';

export interface DemoPanel {
  title: string;
  /** Predictions on the grid, by number of inner steps taken: e.g. { 0: [...], 1: [...], 10: [...] }. */
  predictions: Map<number, number[]>;
}

export interface DemoFigure {
  grid: number[];
  truth: number[];
  support: { x: number[]; y: number[] };
  panels: DemoPanel[];
  caption: string;
}

const STEP_STYLES: Record<number, { dash: 'dotted' | 'dashed' | 'solid'; color: string }> = {
  0: { dash: 'dotted', color: '#2ca02c' },
  1: { dash: 'dashed', color: '#2ca02c' },
};
const LAST_STEP_STYLE = { dash: 'solid' as const, color: '#1f77b4' };

export function renderDemoFigure(figure: DemoFigure): string {
  const panels: PlotPanel[] = figure.panels.map((panel) => ({
    title: panel.title,
    // Sinusoid tasks (Finn et al.): y = A sin(x - phase), x in [-5, 5] radians, A in [0.1, 5].
    xLabel: 'input x (radians)',
    yLabel: 'output y = A sin(x - phase) (unitless)',
    curves: [
      { label: 'ground truth', x: figure.grid, y: figure.truth, color: '#d62728', width: 2.5 },
      ...[...panel.predictions.entries()].map(([steps, y]) => ({
        label: steps === 0 ? 'pre-update' : `${steps} grad step${steps === 1 ? '' : 's'}`,
        x: figure.grid,
        y,
        ...(STEP_STYLES[steps] ?? LAST_STEP_STYLE),
      })),
    ],
    points: { label: `${figure.support.x.length} points used for grad`, x: figure.support.x, y: figure.support.y, color: '#9467bd' },
  }));
  // Fit the truth and the predictions, but let a wild prediction leave the frame rather than
  // squash the curves that matter.
  const amplitude = Math.max(...figure.truth.map(Math.abs), ...figure.support.y.map(Math.abs));
  const predicted = figure.panels.flatMap((p) => [...p.predictions.values()].flat().map(Math.abs));
  const limit = Math.ceil(1.15 * Math.max(1, Math.min(Math.max(amplitude, ...predicted), 2 * amplitude)));
  return renderPlotSvg(panels, { xRange: [-5, 5], yRange: [-limit, limit], caption: figure.caption, sharedLegend: true });
}
