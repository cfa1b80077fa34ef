/**
 * Using a trained model: train a tiny run, loadLearner(checkpoint) -> adapt -> predict, and the
 * CLI `metalearn predict` on .npy files printing the same numbers as JSON; missing files and
 * inputs of the wrong shape are errors naming the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers.js';
import { setBackend } from '../../lib/backend/index.js';
import { tensor } from '../../lib/core/creation.js';
import { CheckpointError } from '../../lib/errors.js';
import { encodeNpy, type NpyArray } from '../../lib/data/npy.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { loadLearner } from '../../lib/index.js';

function writeNpy(path: string, array: NpyArray): void {
  writeFileSync(path, encodeNpy(array));
}

/** Sinusoid support/query points (float64 .npy) in `dir`: x.npy, y.npy, query.npy. */
function writeSinusoidFiles(dir: string): { sx: number[]; sy: number[]; qx: number[] } {
  mkdirSync(dir, { recursive: true });
  const sx = Array.from({ length: 10 }, (_, i) => -4.5 + i);
  const sy = sx.map((x) => 3 * Math.sin(x - 1));
  const qx = [-3.3, -1, 0.25, 2, 4.75];
  writeNpy(join(dir, 'x.npy'), { dtype: 'float64', shape: [10, 1], data: Float64Array.from(sx) });
  writeNpy(join(dir, 'y.npy'), { dtype: 'float64', shape: [10], data: Float64Array.from(sy) });
  writeNpy(join(dir, 'query.npy'), { dtype: 'float64', shape: [5, 1], data: Float64Array.from(qx) });
  return { sx, sy, qx };
}

describe('adapt and predict from a checkpoint: loadLearner and metalearn predict', () => {
  let dir: string;
  let checkpoint: string;
  beforeAll(async () => {
    setBackend('js');
    dir = mkdtempSync(join(tmpdir(), 'metalearn-predict-'));
    const out = join(dir, 'run');
    const run = await runCli('train', '--backend', 'js', '--dataset', 'sinusoid', '--iterations', '2', '--meta-batch', '2', '--hidden', '8', '--test-inner-steps', '3', '--val-episodes', '0', '--no-progress', '--out', out);
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    checkpoint = join(out, 'checkpoint.safetensors');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loadLearner rebuilds the learner and the checkpoint params; adapt then predict runs the test-time inner loop', async () => {
    const { learner, params, algorithm, iteration } = loadLearner(checkpoint);
    expect(algorithm).toBe('maml');
    expect(learner.name).toBe('maml');
    expect(iteration).toBe(2);
    const stored = loadCheckpoint(checkpoint).params;
    expect(Object.keys(params).sort()).toEqual(Object.keys(stored).sort());
    for (const [name, t] of Object.entries(params)) expect(Array.from(t.toArray())).toEqual(Array.from(stored[name].data));

    const { sx, sy, qx } = writeSinusoidFiles(join(dir, 'lib'));
    const support = { x: tensor(sx, [10, 1], 'float32'), y: tensor(sy, [10, 1], 'float32') };
    const predictor = await learner.adapt(params, support);
    const out = predictor.predict(tensor(qx, [5, 1], 'float32'));
    expect(out.shape).toEqual([5, 1]);
    // The checkpoint's test-inner-steps (3) by default: the same as asking for 3, unlike 0.
    const three = await learner.adapt(params, support, { steps: 3 });
    const zero = await learner.adapt(params, support, { steps: 0 });
    expect(Array.from(three.predict(tensor(qx, [5, 1], 'float32')).toArray())).toEqual(Array.from(out.toArray()));
    expect(Array.from(zero.predict(tensor(qx, [5, 1], 'float32')).toArray())).not.toEqual(Array.from(out.toArray()));
    for (const p of [predictor, three, zero]) p.dispose();
  });

  it('loadLearner on a missing file is a CheckpointError naming it', () => {
    const missing = join(dir, 'nope.safetensors');
    expect(() => loadLearner(missing)).toThrow(CheckpointError);
    expect(() => loadLearner(missing)).toThrow(missing);
  });

  it('metalearn predict prints the predictions of loadLearner -> adapt -> predict as JSON', async () => {
    const files = join(dir, 'cli');
    const { sx, sy, qx } = writeSinusoidFiles(files);
    const run = await runCli('predict', '--backend', 'js', '--checkpoint', checkpoint, '--support', files, '--query', join(files, 'query.npy'));
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.out) as { algorithm: string; innerSteps: number; predictions: number[]; outputs: number[][] };
    expect(printed).toMatchObject({ algorithm: 'maml', innerSteps: 3 });
    expect(printed.outputs).toHaveLength(5);

    const { learner, params } = loadLearner(checkpoint);
    const predictor = await learner.adapt(params, { x: tensor(sx, [10, 1], 'float32'), y: tensor(sy, [10, 1], 'float32') });
    const expected = predictor.predict(tensor(qx, [5, 1], 'float32')).toArray();
    printed.predictions.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    printed.outputs.forEach((row, i) => expect(row[0]).toBeCloseTo(expected[i], 6));
    predictor.dispose();

    // --support-x / --support-y and a query folder holding x.npy; --inner-steps 0 changes the outputs.
    const queryDir = join(dir, 'query');
    mkdirSync(queryDir);
    writeNpy(join(queryDir, 'x.npy'), { dtype: 'float32', shape: [5], data: Float32Array.from(qx) });
    const named = await runCli('predict', '--backend', 'js', '--checkpoint', checkpoint, '--support-x', join(files, 'x.npy'), '--support-y', join(files, 'y.npy'), '--query', queryDir, '--inner-steps', '0');
    expect(named.err).toBe('');
    const unadapted = JSON.parse(named.out) as { innerSteps: number; predictions: number[] };
    expect(unadapted.innerSteps).toBe(0);
    expect(unadapted.predictions).not.toEqual(printed.predictions);
  });

  it('missing files and inputs the model cannot take are errors naming the file', async () => {
    const files = join(dir, 'bad');
    writeSinusoidFiles(files);
    const noY = join(dir, 'noY');
    mkdirSync(noY);
    writeNpy(join(noY, 'x.npy'), { dtype: 'float64', shape: [2, 1], data: Float64Array.of(1, 2) });
    const base = ['predict', '--backend', 'js', '--checkpoint', checkpoint];

    const missingY = await runCli(...base, '--support', noY, '--query', join(files, 'query.npy'));
    expect(missingY.code).toBe(1);
    expect(missingY.err).toContain(join(noY, 'y.npy'));

    const missingQuery = await runCli(...base, '--support', files, '--query', join(dir, 'absent.npy'));
    expect(missingQuery.code).toBe(1);
    expect(missingQuery.err).toContain(join(dir, 'absent.npy'));

    const wide = join(dir, 'wide.npy');
    writeNpy(wide, { dtype: 'float64', shape: [2, 3], data: new Float64Array(6) });
    const wrongShape = await runCli(...base, '--support', files, '--query', wide);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.err).toMatch(/wide\.npy has shape \[2, 3\] but the maml model on sinusoid takes inputs \[n, 1\]/);

    const shortY = join(dir, 'shortY.npy');
    writeNpy(shortY, { dtype: 'float64', shape: [3], data: new Float64Array(3) });
    const rows = await runCli(...base, '--support-x', join(files, 'x.npy'), '--support-y', shortY, '--query', wide);
    expect(rows.code).toBe(1);
    expect(rows.err).toMatch(/has 10 examples but .*shortY\.npy has 3/);

    const noSupport = await runCli(...base, '--query', join(files, 'query.npy'));
    expect(noSupport.code).toBe(1);
    expect(noSupport.err).toContain('--support');

    const badCheckpoint = await runCli('predict', '--checkpoint', join(dir, 'none.safetensors'), '--support', files, '--query', wide);
    expect(badCheckpoint.code).toBe(1);
    expect(badCheckpoint.err).toContain(join(dir, 'none.safetensors'));
  });

  it('predict --help documents the file layout', async () => {
    const help = await runCli('predict', '--help');
    for (const text of ['--checkpoint', '--support', '--support-x', '--support-y', '--query', '--inner-steps', 'x.npy', 'y.npy', '"predictions"']) {
      expect(help.out).toContain(text);
    }
  });
});

const root = process.env.METALEARN_SHARED_DATA ?? '/work/shared/data';
const hasData = existsSync(join(root, 'omniglot', 'npz', 'images_background.npz'));
const noData = hasData ? '' : ` (skipped: no Omniglot npz under ${root})`;

describe('metalearn predict with a metric learner on Omniglot-shaped inputs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-predict-omniglot-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasData)(`protonet: class scores [queries, ways] whose argmax is the prediction, as loadLearner gives${noData}`, async () => {
    const out = join(dir, 'run');
    const data = ['--dataset', 'omniglot', '--data-root', root, '--cache-dir', join(dir, 'cache'), '--image-size', '16'];
    const tiny = ['--algo', 'protonet', '--iterations', '1', '--ways', '2', '--queries', '1', '--hidden', '4', '--val-episodes', '0', '--no-progress'];
    const train = await runCli('train', '--backend', 'js', ...data, ...tiny, '--out', out);
    expect(train.err).not.toContain('error');
    expect(train.code).toBe(0);
    const checkpoint = join(out, 'checkpoint.safetensors');

    // 3 classes (more than trained: a metric learner takes any number), 2 shots; 4 queries.
    const pixels = (n: number, seed: number) => Float32Array.from({ length: n * 256 }, (_, i) => ((i * 7919 + seed * 104729) % 13 < 3 ? 1 : 0));
    const files = join(dir, 'files');
    mkdirSync(files);
    writeNpy(join(files, 'x.npy'), { dtype: 'float32', shape: [6, 1, 16, 16], data: pixels(6, 1) });
    writeNpy(join(files, 'y.npy'), { dtype: 'int32', shape: [6], data: Int32Array.of(0, 0, 1, 1, 2, 2) });
    writeNpy(join(files, 'query.npy'), { dtype: 'float32', shape: [4, 1, 16, 16], data: pixels(4, 2) });
    const run = await runCli('predict', '--backend', 'js', '--checkpoint', checkpoint, '--support', files, '--query', join(files, 'query.npy'));
    expect(run.err).toBe('');
    const printed = JSON.parse(run.out) as { algorithm: string; predictions: number[]; logits: number[][]; innerSteps?: number };
    expect(printed.algorithm).toBe('protonet');
    expect(printed.innerSteps).toBeUndefined();
    expect(printed.logits.map((r) => r.length)).toEqual([3, 3, 3, 3]);
    printed.logits.forEach((row, i) => expect(printed.predictions[i]).toBe(row.indexOf(Math.max(...row))));

    const { learner, params } = loadLearner(checkpoint);
    const predictor = await learner.adapt(params, { x: tensor(pixels(6, 1), [6, 1, 16, 16], 'float32'), y: Int32Array.of(0, 0, 1, 1, 2, 2) });
    const logits = predictor.predict(tensor(pixels(4, 2), [4, 1, 16, 16], 'float32')).toArray();
    printed.logits.flat().forEach((v, i) => expect(v).toBeCloseTo(logits[i], 5));
    predictor.dispose();

    const flat = join(dir, 'flat.npy');
    writeNpy(flat, { dtype: 'float32', shape: [4, 256], data: pixels(4, 3) });
    const wrong = await runCli('predict', '--backend', 'js', '--checkpoint', checkpoint, '--support', files, '--query', flat);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/flat\.npy has shape \[4, 256\] but the protonet model on omniglot takes inputs \[n, 1, 16, 16\]/);
  });
});
