/**
 * Metric learners run meta-batches and evaluation chunks as replays of one recorded episode
 * program per episode layout, in one batched engine call (native: tasks in parallel across
 * threads). The reference here is the eager, one-episode-at-a-time path: evaluateTask (eager
 * forward, no recording) and a sum of lossAndGrad results. Mixed layouts in one batch (other
 * ways, shuffled labels) exercise the grouping and the weighted combination of groups.
 */
import { expect, it } from 'vitest';
import { currentBackend } from '../../lib/backend/index.js';
import { tensor } from '../../lib/core/creation.js';
import { Tensor } from '../../lib/core/tensor.js';
import { createJsBackend } from '../../lib/backend/js/index.js';
import * as nn from '../../lib/nn/index.js';
import type { Params, Task } from '../../lib/algorithms/types.js';
import { MatchingNet, ProtoNet, type Episode } from '../../lib/metric/index.js';
import * as ops from '../../lib/ops/index.js';
import { checkEpisode } from '../../lib/metric/episode.js';
import { EpisodePrograms, layoutKey } from '../../lib/metric/episodePrograms.js';
import { describeEachBackend } from '../helpers/backends.js';
import { learnerVariants, randomValues } from './helpers.js';


/** An episode of 4-D inputs with these labels; seed varies the inputs. */
function episode(supportY: number[], queryY: number[], seed: number): Episode {
  return {
    support: { x: tensor(randomValues(4 * supportY.length, seed), [supportY.length, 4], 'float64'), y: Int32Array.from(supportY) },
    query: { x: tensor(randomValues(4 * queryY.length, seed + 1), [queryY.length, 4], 'float64'), y: Int32Array.from(queryY) },
  };
}

/** Three episodes of one 3-way layout, one shuffled 3-way layout, one 2-way layout. */
function mixedBatch(): Episode[] {
  const layout = [0, 0, 1, 2, 2];
  const queries = [0, 1, 1, 2];
  return [
    episode(layout, queries, 10),
    episode([1, 0, 2, 0], [2, 0, 1], 20),
    episode(layout, queries, 30),
    episode([0, 1], [1, 0, 0], 40),
    episode(layout, queries, 50),
  ];
}

const arrays = (params: Params): Record<string, number[]> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.toArray())]));

function expectClose(actual: number[], expected: number[], tolerance: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `${label}[${i}]`).toBeLessThan(tolerance));
}

describeEachBackend('metric learners: batched episode programs', () => {
  it('evaluateTasks gives evaluateTask\'s loss and accuracy for every episode of a mixed batch', async () => {
    for (const learner of learnerVariants()) {
      const params = learner.init(3, 'float64');
      const batch = mixedBatch();
      const batched = await learner.evaluateTasks(params, batch);
      expect(batched.length).toBe(batch.length);
      for (const [i, task] of batch.entries()) {
        const one = await learner.evaluateTask(params, task);
        expect(Math.abs(batched[i].loss - one.loss), `${learner.name} loss of episode ${i}`).toBeLessThan(1e-12);
        expect(batched[i].accuracy, `${learner.name} accuracy of episode ${i}`).toBe(one.accuracy);
      }
    }
  });

  it('metaGradient is the mean of lossAndGrad over a mixed batch (loss, accuracy, every gradient entry)', async () => {
    for (const learner of learnerVariants()) {
      const params = learner.init(4, 'float64');
      const batch = mixedBatch();
      const meta = await learner.metaGradient(params, batch as Task[]);
      let loss = 0;
      let accuracy = 0;
      const sum: Record<string, number[]> = {};
      for (const task of batch) {
        const one = await learner.lossAndGrad(params, task);
        loss += one.loss / batch.length;
        accuracy += one.accuracy / batch.length;
        for (const [name, values] of Object.entries(arrays(one.grads))) {
          sum[name] = (sum[name] ?? new Array<number>(values.length).fill(0)).map((s, i) => s + values[i] / batch.length);
        }
      }
      expect(Math.abs(meta.loss - loss), `${learner.name} loss`).toBeLessThan(1e-12);
      expect(Math.abs((meta.accuracy ?? -1) - accuracy), `${learner.name} accuracy`).toBeLessThan(1e-12);
      expect(Object.keys(meta.grads).sort()).toEqual(Object.keys(params).sort());
      for (const [name, values] of Object.entries(arrays(meta.grads))) expectClose(values, sum[name], 1e-12, `${learner.name} ${name}`);
    }
  });

  it('lossAndGrad replays one program per layout: same numbers on a repeat, other inputs give other numbers', async () => {
    const learner = new ProtoNet(nn.mlp([4, 3]));
    const params = learner.init(5, 'float64');
    const first = await learner.lossAndGrad(params, episode([0, 1, 1], [1, 0], 60));
    const again = await learner.lossAndGrad(params, episode([0, 1, 1], [1, 0], 60));
    const other = await learner.lossAndGrad(params, episode([0, 1, 1], [1, 0], 70));
    expect(again.loss).toBe(first.loss);
    expect(arrays(again.grads)).toEqual(arrays(first.grads));
    expect(other.loss).not.toBe(first.loss);
    // The replayed loss equals the eager forward's on the new inputs.
    const eager = await learner.evaluateTask(params, episode([0, 1, 1], [1, 0], 70));
    expect(Math.abs(other.loss - eager.loss)).toBeLessThan(1e-12);
  });

  it('evaluate(params, sampler) scores the sampled episodes as evaluateTask does, in chunks', async () => {
    const learner = new MatchingNet(nn.mlp([4, 3]));
    const params = learner.init(6, 'float64');
    const sampler = (): { sample(): Episode } => {
      let n = 0;
      return { sample: () => episode([0, 0, 1, 1, 2], [0, 1, 2, 2], 100 + 2 * n++) };
    };
    const result = await learner.evaluate(params, sampler(), { episodes: 31 });
    const reference = sampler();
    const accuracies: number[] = [];
    let loss = 0;
    for (let i = 0; i < 31; i++) {
      const score = await learner.evaluateTask(params, reference.sample());
      accuracies.push(score.accuracy ?? NaN);
      loss += score.loss / 31;
    }
    const mean = accuracies.reduce((a, b) => a + b, 0) / 31;
    const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / 31);
    expect(result.episodes).toBe(31);
    expect(Math.abs(result.mean - mean)).toBeLessThan(1e-12);
    expect(Math.abs(result.ci95 - (1.96 * std) / Math.sqrt(31))).toBeLessThan(1e-12);
    expect(Math.abs(result.loss - loss)).toBeLessThan(1e-12);
  });

  it('keeps a bounded number of programs over many layouts, frees them on dispose, and leaks no tensors', async () => {
    const learner = new ProtoNet(nn.mlp([4, 3]));
    const params = learner.init(7, 'float64');
    const backend = currentBackend();
    const before = backend.liveTensors();
    for (let layout = 0; layout < 20; layout++) {
      // 20 layouts: the query label order differs in each.
      const queryY = Array.from({ length: 5 }, (_, i) => (layout >> i) & 1);
      const task = episode([0, 1], queryY, 200 + layout);
      const scores = await learner.evaluateTasks(params, [task, task]);
      expect(scores.length).toBe(2);
      const { grads } = await learner.metaGradient(params, [task]);
      for (const g of Object.values(grads)) g.dispose();
      for (const t of [task.support.x, task.query.x]) t.dispose();
    }
    learner.dispose();
    // What is left: nothing beyond the params made above (programs and their constants freed).
    expect(backend.liveTensors()).toBe(before);
  });
});

describeEachBackend('EpisodePrograms: the recorded-program cache', () => {
  it('holds at most 8 programs, keeps one in use alive past eviction, and frees all on dispose', async () => {
    const model = nn.mlp([4, 3]);
    const params = model.init(8, 'float64');
    let recordings = 0;
    const programs = new EpisodePrograms((p, e) => {
      recordings++;
      const emb = model.apply(p, e.query.x);
      const loss = ops.sum(ops.mul(emb, emb));
      return { loss, scores: emb };
    });
    const checkedEpisode = (layout: number) => checkEpisode('test', episode([0, 1], [layout & 1, (layout >> 1) & 1, (layout >> 2) & 1, (layout >> 3) & 1], 300));
    const value = async (layout: number) =>
      programs.use(params, checkedEpisode(layout), (program) => {
        const [loss, scores] = program.run(params, checkedEpisode(layout).support.x, checkedEpisode(layout).query.x);
        scores.dispose();
        return loss.item();
      });
    const firstValue = await value(0);
    // Layout 0 stays in use while 12 other layouts fill the cache and evict it.
    const held = programs.use(params, checkedEpisode(0), async (program) => {
      for (let layout = 1; layout <= 12; layout++) await value(layout);
      expect(programs.size).toBe(8);
      const [loss, scores] = program.run(params, checkedEpisode(0).support.x, checkedEpisode(0).query.x);
      scores.dispose();
      return loss.item();
    });
    expect(await held).toBe(firstValue);
    expect(recordings).toBe(13);
    await value(12); // a hit: no new recording
    expect(recordings).toBe(13);
    programs.dispose();
    expect(programs.size).toBe(0);
    await value(12); // recorded again after dispose
    expect(recordings).toBe(14);
    programs.dispose();
  });

  it('the layout key tells apart label order, dtype and shapes', () => {
    const params = nn.mlp([4, 3]).init(9, 'float64');
    const key = (e: Episode) => layoutKey(params, checkEpisode('test', e));
    const base = key(episode([0, 1], [0, 1], 1));
    expect(key(episode([0, 1], [0, 1], 2))).toBe(base); // other values, same layout
    expect(key(episode([0, 1], [1, 0], 1))).not.toBe(base);
    expect(key(episode([1, 0], [0, 1], 1))).not.toBe(base);
    const single = episode([0, 1], [0, 1], 1);
    const asFloat32 = (t: Tensor) => tensor(Array.from(t.toArray()), t.shape, 'float32');
    const float32 = { support: { x: asFloat32(single.support.x), y: single.support.y }, query: { x: asFloat32(single.query.x), y: single.query.y } };
    expect(key(float32)).not.toBe(base);
    expect(key(episode([0, 1, 1], [0, 1], 1))).not.toBe(base);
    // Another backend instance of the same kind: its own programs.
    const other = createJsBackend();
    const on = (t: Tensor) => Tensor.fromHandle(other, other.fromArray(Float64Array.from(t.toArray()), t.shape));
    const elsewhere = { support: { x: on(single.support.x), y: single.support.y }, query: { x: on(single.query.x), y: single.query.y } };
    expect(key(elsewhere)).not.toBe(key(single));
  });
});
