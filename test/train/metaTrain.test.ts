import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metaTrain } from '../../lib/train/metaTrain.js';
import { Adam, SGD } from '../../lib/train/optimizers.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { DivergenceError } from '../../lib/train/divergenceError.js';
import { CheckpointError } from '../../lib/errors.js';
import { LinearLearner, lineTasks } from './helpers/linearLearner.js';

describe('metaTrain with a hand-written learner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-train-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one SGD iteration applies exactly w - lr * mean query gradient', async () => {
    const learner = new LinearLearner();
    const tasks = lineTasks();
    const initial = learner.init(3, 'float64').w.toArray()[0]; // 0.3
    const batch = tasks.sample(12345, 2);
    const expected = await learner.metaGradient(learner.init(3), batch);
    const g = expected.grads.w.toArray()[0];
    // Feed the same batch: a task source that ignores the seed.
    const result = await metaTrain({
      learner,
      tasks: { ...tasks, sample: () => batch },
      iterations: 1,
      metaBatch: 2,
      optimizer: new SGD({ lr: 0.5 }),
      seed: 3,
      dtype: 'float64',
      progress: false,
    });
    expect(result.params.w.toArray()[0]).toBeCloseTo(initial - 0.5 * g, 14);
    expect(result.history[0].loss).toBeCloseTo(expected.loss, 14);
  });

  it('signal: stops after the step in flight, writes a checkpoint of it, reports stopped; onCheckpoint follows each checkpoint', async () => {
    const ckpt = join(dir, 'checkpoint.safetensors');
    const controller = new AbortController();
    const checkpoints: number[] = [];
    const result = await metaTrain({
      learner: new LinearLearner(),
      tasks: lineTasks(),
      iterations: 100,
      metaBatch: 2,
      optimizer: new SGD({ lr: 0.1 }),
      dtype: 'float64',
      checkpoint: { path: ckpt, every: 2, model: 'w' },
      // Due at iteration 3, but a stop request skips it: only the checkpoint matters then.
      validation: { tasks: lineTasks(), every: 3, episodes: 2 },
      progress: false,
      // Abort during iteration 3: iterations 3 completes, then the run stops.
      onIteration: (record) => {
        if (record.iteration === 3) controller.abort();
      },
      signal: controller.signal,
      onCheckpoint: (iteration, path) => {
        expect(path).toBe(ckpt);
        checkpoints.push(iteration);
      },
    });
    expect(result.stopped).toBe(true);
    expect(result.iteration).toBe(3);
    expect(result.history.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(checkpoints).toEqual([2, 3]);
    expect(result.validations).toEqual([]);
    expect(loadCheckpoint(ckpt).iteration).toBe(3);
    const finished = await metaTrain({ learner: new LinearLearner(), tasks: lineTasks(), iterations: 2, metaBatch: 2, optimizer: new SGD({ lr: 0.1 }), progress: false });
    expect(finished.stopped).toBeUndefined();
  });

  it('learns the mean slope, logs JSON lines, validates and checkpoints', async () => {
    const metricsPath = join(dir, 'metrics.jsonl');
    const ckpt = join(dir, 'checkpoint.safetensors');
    const result = await metaTrain({
      learner: new LinearLearner(),
      tasks: lineTasks(),
      iterations: 200,
      metaBatch: 8,
      optimizer: new Adam({ lr: 0.05 }),
      dtype: 'float64',
      validation: { tasks: lineTasks(), every: 100, episodes: 20 },
      checkpoint: { path: ckpt, every: 50, model: 'w', config: { note: 'test' } },
      metricsPath,
      progress: false,
    });
    // Minimiser of E[(w x - a x)^2] over a ~ U[1, 3) is w = E[a] = 2.
    expect(result.params.w.toArray()[0]).toBeGreaterThan(1.6);
    expect(result.params.w.toArray()[0]).toBeLessThan(2.4);
    const lines = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === 'train')).toHaveLength(200);
    expect(lines.filter((l) => l.event === 'validation').map((l) => l.iteration)).toEqual([100, 200]);
    expect(lines[0]).toMatchObject({ event: 'train', iteration: 1 });
    expect(typeof lines[0].tasksPerSecond).toBe('number');
    const saved = loadCheckpoint(ckpt);
    expect(saved.iteration).toBe(200);
    expect(saved.optimizer.step).toBe(200);
    expect(saved.learner).toBe('linear-test');
    expect(saved.config).toEqual({ note: 'test' });
    expect(Array.from(saved.params.w.data)).toEqual(Array.from(result.params.w.toArray()));
    expect(result.validations[1].result.metric).toBe('mse');
  });

  it('resume continues the same trajectory (same numbers as an uninterrupted run)', async () => {
    const common = {
      tasks: lineTasks(),
      metaBatch: 4,
      seed: 11,
      dtype: 'float64' as const,
      progress: false,
    };
    const straight = await metaTrain({
      ...common,
      learner: new LinearLearner(),
      iterations: 30,
      optimizer: new Adam({ lr: 0.02 }),
    });

    const ckpt = join(dir, 'c.safetensors');
    const metricsPath = join(dir, 'm.jsonl');
    const first = await metaTrain({
      ...common,
      learner: new LinearLearner(),
      iterations: 30,
      optimizer: new Adam({ lr: 0.02 }),
      checkpoint: { path: ckpt, every: 10, model: 'w' },
      metricsPath,
      // Simulate a crash after iteration 17: the last checkpoint is from iteration 10.
      onIteration: (r) => {
        if (r.iteration === 17) throw new Error('simulated crash');
      },
    }).catch((e: Error) => e);
    expect(first).toBeInstanceOf(Error);
    expect(loadCheckpoint(ckpt).iteration).toBe(10);

    const resumed = await metaTrain({
      ...common,
      seed: 999, // ignored: the checkpoint's seed wins
      learner: new LinearLearner(),
      iterations: 30,
      optimizer: new Adam({ lr: 0.02 }),
      checkpoint: { path: ckpt, every: 10, model: 'w' },
      metricsPath,
      resumeFrom: ckpt,
    });
    expect(resumed.history.map((r) => r.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.slice(10).map((r) => r.loss));
    expect(resumed.params.w.toArray()[0]).toBe(straight.params.w.toArray()[0]);
    // The metrics file reads as one run: iterations 1..30 once each.
    const iterations = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).iteration);
    expect(iterations).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('a NaN loss stops training with DivergenceError and keeps the last good checkpoint', async () => {
    const ckpt = join(dir, 'c.safetensors');
    const learner = new LinearLearner();
    learner.nanAtCall = 8;
    const error = await metaTrain({
      learner,
      tasks: lineTasks(),
      iterations: 20,
      metaBatch: 2,
      optimizer: new SGD({ lr: 0.1 }),
      dtype: 'float64',
      checkpoint: { path: ckpt, every: 5, model: 'w' },
      progress: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as DivergenceError).message).toMatch(/diverged at iteration 8 .*meta-loss is NaN.*last good checkpoint is '.*c\.safetensors'/);
    expect((error as DivergenceError).iteration).toBe(8);
    const kept = loadCheckpoint(ckpt);
    expect(kept.iteration).toBe(5);
    expect(Number.isFinite(kept.params.w.data[0])).toBe(true);
  });

  it('a non-finite gradient also stops training, naming the parameter, with no checkpoint written', async () => {
    const learner = new LinearLearner();
    learner.infiniteGradAtCall = 2;
    const metricsPath = join(dir, 'm.jsonl');
    const error = await metaTrain({
      learner,
      tasks: lineTasks(),
      iterations: 5,
      metaBatch: 1,
      optimizer: new Adam({ lr: 0.1 }),
      checkpoint: { path: join(dir, 'c.safetensors'), every: 5, model: 'w' },
      metricsPath,
      progress: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toMatch(/iteration 2 .*meta-gradient w\[0\] = Infinity.*no checkpoint had been written/);
    expect(existsSync(join(dir, 'c.safetensors'))).toBe(false);
    const last = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).pop();
    expect(last).toMatchObject({ event: 'diverged', iteration: 2 });
  });

  it('refuses to resume from a checkpoint of another learner', async () => {
    const ckpt = join(dir, 'c.safetensors');
    await metaTrain({
      learner: new LinearLearner(),
      tasks: lineTasks(),
      iterations: 2,
      metaBatch: 1,
      optimizer: new SGD({ lr: 0.1 }),
      checkpoint: { path: ckpt, every: 1, model: 'w' },
      progress: false,
    });
    const other = new LinearLearner();
    Object.defineProperty(other, 'name', { value: 'other' });
    await expect(
      metaTrain({ learner: other, tasks: lineTasks(), iterations: 4, metaBatch: 1, optimizer: new SGD({ lr: 0.1 }), resumeFrom: ckpt, progress: false }),
    ).rejects.toThrow(CheckpointError);
    expect(existsSync(ckpt)).toBe(true);
  });
});
