/**
 * Pictures (issue 13, item 5): curves.svg beside metrics.jsonl, `metalearn plot RUN_DIR...`, eval's
 * per-episode histogram with the 95% CI, and labelled axes (with units) everywhere, the demo's
 * y axis included. The SVG text is parsed: axis labels, series, legend entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDemoFigure } from '../../lib/cli/demoFigure.js';
import { histogramBins, renderEvalHistogram } from '../../lib/cli/evalHistogram.js';
import { renderTrainingCurves } from '../../lib/cli/trainingCurves.js';
import { runCli } from './helpers.js';

interface ParsedSvg {
  xLabels: string[];
  yLabels: string[];
  /** data-series of every polyline, histogram group and marker line, in document order. */
  series: string[];
  polylinePoints: number[];
  legend: string[];
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

function parseSvg(svg: string): ParsedSvg {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  expect((svg.match(/<g[ >]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  const texts = (cls: string) => [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => unescape(m[1]));
  return {
    xLabels: texts('x-label'),
    yLabels: texts('y-label'),
    series: [...svg.matchAll(/data-series="([^"]*)"/g)].map((m) => unescape(m[1])),
    polylinePoints: [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1].trim().split(/\s+/).length),
    legend: texts('legend-entry'),
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'metalearn-plots-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = (out: string, ...extra: string[]) =>
  runCli('train', '--backend', 'js', '--hidden', '8', '--meta-batch', '2', '--iterations', '4', '--checkpoint-every', '2', '--val-every', '2', '--val-episodes', '2', '--out', out, '--no-progress', ...extra);

describe('curves.svg and metalearn plot', () => {
  it('training writes curves.svg beside metrics.jsonl: loss and MSE vs meta-iteration, train and validation, labelled axes', async () => {
    const out = join(dir, 'a');
    expect((await tiny(out)).code).toBe(0);
    const svg = parseSvg(readFileSync(join(out, 'curves.svg'), 'utf8'));
    expect(svg.xLabels).toEqual(['meta-iteration (count)', 'meta-iteration (count)']);
    expect(svg.yLabels).toEqual(['loss (training objective, unitless)', 'MSE (squared output units)']);
    expect(svg.series).toEqual(['train', 'validation', 'train', 'validation']);
    // Written at the last checkpoint: every iteration (1..4) and both validations (2, 4) are in it.
    expect(svg.polylinePoints).toEqual([4, 2, 4, 2]);
    expect(svg.legend).toEqual(['train', 'validation', 'train', 'validation']);
  });

  it('plot draws several runs on one figure, with the run names in the legend', async () => {
    const b = join(dir, 'b');
    expect((await tiny(b, '--seed', '1')).code).toBe(0);
    const file = join(dir, 'both.svg');
    const { code, out } = await runCli('plot', join(dir, 'a'), b, '--out', file);
    expect(code).toBe(0);
    expect(out).toContain(`wrote ${file} (2 runs: a, b)`);
    const svg = parseSvg(readFileSync(file, 'utf8'));
    const perPanel = ['a train', 'a validation', 'b train', 'b validation'];
    expect(svg.series).toEqual([...perPanel, ...perPanel]);
    expect(svg.legend).toEqual([...perPanel, ...perPanel]);
    expect(svg.xLabels).toHaveLength(2);
    expect(svg.yLabels).toHaveLength(2);
  });

  it('plot of a folder without metrics.jsonl is an error naming it', async () => {
    const empty = join(dir, 'not-a-run');
    mkdirSync(empty);
    const { code, err } = await runCli('plot', empty);
    expect(code).toBe(1);
    expect(err).toContain(`'${empty}' holds no metrics.jsonl`);
    expect(existsSync(join(empty, 'curves.svg'))).toBe(false);
  });

  it('classification runs get an accuracy panel in % (0 to 100)', () => {
    const svgText = renderTrainingCurves([
      {
        name: 'proto',
        train: [1, 2, 3].map((iteration) => ({ iteration, loss: 1 / iteration, accuracy: 0.2 * iteration })),
        validation: [{ iteration: 3, metric: 'accuracy', mean: 0.5, loss: 0.4 }],
      },
    ]);
    const svg = parseSvg(svgText);
    expect(svg.yLabels).toEqual(['loss (training objective, unitless)', 'accuracy (% of queries)']);
    expect(svg.series).toEqual(['train', 'validation', 'train', 'validation']);
    expect(svgText).toMatch(/>100<\/text>/);
  });

  it('a metrics.jsonl with a half-written last line still plots', async () => {
    const out = join(dir, 'partial');
    mkdirSync(out);
    writeFileSync(join(out, 'metrics.jsonl'), '{"event":"train","iteration":1,"loss":2}\n{"event":"train","iteration":2,"loss":1}\n{"event":"tr');
    expect((await runCli('plot', out)).code).toBe(0);
    expect(parseSvg(readFileSync(join(out, 'curves.svg'), 'utf8')).polylinePoints).toEqual([2, 2]);
  });
});

describe('eval histogram', () => {
  it('eval writes the per-episode histogram beside the checkpoint, with the mean and 95% CI marked', async () => {
    const out = join(dir, 'a');
    const { code, out: printed } = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '12');
    expect(code).toBe(0);
    const file = join(out, 'eval-test-histogram.svg');
    expect(printed).toContain(`histogram: ${file}`);
    const svg = parseSvg(readFileSync(file, 'utf8'));
    expect(svg.xLabels).toEqual(['episode MSE (squared output units)']);
    expect(svg.yLabels).toEqual(['episodes (count)']);
    expect(svg.series[0]).toBe('episodes (n = 12)');
    expect(svg.series.filter((s) => s.startsWith('95% CI of the mean'))).toHaveLength(2);
    expect(svg.legend[0]).toBe('episodes (n = 12)');
    expect(svg.legend[1]).toMatch(/^mean MSE \S+$/);
    expect(svg.legend[2]).toMatch(/^95% CI of the mean \(\+\/- \S+\)$/);
  });

  it('--no-histogram writes none; --histogram into a missing folder fails before the episodes', async () => {
    const out = join(dir, 'b');
    expect((await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '2', '--no-histogram')).code).toBe(0);
    expect(existsSync(join(out, 'eval-test-histogram.svg'))).toBe(false);
    const { code, err } = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--histogram', join(dir, 'nope', 'h.svg'));
    expect(code).toBe(1);
    expect(err).toContain(`folder ${join(dir, 'nope')} does not exist`);
  });

  it('accuracy in %: bins hold every episode; mean 40% +/- 13.86% for episodes at 20, 40, 40, 60%', () => {
    // Population std of (0.2, 0.4, 0.4, 0.6) is sqrt(0.02); 1.96 * sqrt(0.02) / sqrt(4) = 0.13859.
    const values = [0.2, 0.4, 0.4, 0.6];
    const result = { metric: 'accuracy' as const, mean: 0.4, ci95: 0.13859, std: Math.sqrt(0.02), n: 4, loss: { mean: 1, ci95: 0, std: 0, n: 4 } };
    const svg = parseSvg(renderEvalHistogram(values, result, 'protonet'));
    expect(svg.xLabels).toEqual(['episode accuracy (% of queries correct)']);
    expect(svg.legend).toEqual(['episodes (n = 4)', 'mean accuracy 40.00%', '95% CI of the mean (+/- 13.86%)']);
    const { edges, counts } = histogramBins([20, 40, 40, 60]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(edges[0]).toBeLessThanOrEqual(20);
    expect(edges[edges.length - 1]).toBeGreaterThan(60);
    expect(counts.length).toBe(edges.length - 1);
  });
});

describe('the demo figure', () => {
  it('labels both axes of every panel, with units (the y axis had none)', () => {
    const grid = [-5, 0, 5];
    const svg = parseSvg(
      renderDemoFigure({
        grid,
        truth: [0, 1, 0],
        support: { x: [1], y: [0.5] },
        panels: ['MAML', 'pretrained'].map((title) => ({ title, predictions: new Map([[0, [0, 0, 0]], [1, [0, 1, 0]]]) })),
        caption: 'test',
      }),
    );
    expect(svg.xLabels).toEqual(['input x (radians)', 'input x (radians)']);
    expect(svg.yLabels).toEqual(['output y = A sin(x - phase) (unitless)', 'output y = A sin(x - phase) (unitless)']);
  });
});
