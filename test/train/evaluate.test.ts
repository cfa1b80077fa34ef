import { describe, expect, it } from 'vitest';
import { meanWithCI95 } from '../../lib/train/confidence.js';
import { evaluate, formatEvaluation } from '../../lib/train/evaluate.js';
import { deriveSeed, TEST_STREAM } from '../../lib/train/taskSource.js';
import { tensor } from '../../lib/core/creation.js';
import { ValueError } from '../../lib/errors.js';
import { LinearLearner, lineTasks } from './helpers/linearLearner.js';

describe('meanWithCI95', () => {
  it('mean +/- 1.96 * population std / sqrt(n) on known values', () => {
    // [1, 2, 3, 4]: mean 2.5; deviations^2 2.25 + 0.25 + 0.25 + 2.25 = 5, / 4 = 1.25
    const r = meanWithCI95([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.std).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(r.ci95).toBeCloseTo((1.96 * Math.sqrt(1.25)) / 2, 15);
    expect(r.n).toBe(4);
    // 600 accuracies of which 540 are 1 and 60 are 0: p = 0.9, std = sqrt(0.09) = 0.3
    const acc = meanWithCI95([...new Array(540).fill(1), ...new Array(60).fill(0)]);
    expect(acc.mean).toBeCloseTo(0.9, 15);
    expect(acc.ci95).toBeCloseTo((1.96 * 0.3) / Math.sqrt(600), 15);
    expect(meanWithCI95([5]).ci95).toBe(0);
  });

  it('refuses empty and non-finite input', () => {
    expect(() => meanWithCI95([])).toThrow(ValueError);
    expect(() => meanWithCI95([1, Number.NaN])).toThrow(/non-finite value NaN/);
  });
});

describe('evaluate', () => {
  it('averages the per-episode query loss over the test stream (regression: mse)', async () => {
    const learner = new LinearLearner();
    const params = { w: tensor([2], [1], 'float64') };
    const scores: number[] = [];
    const result = await evaluate(learner, params, lineTasks(), { episodes: 30, seed: 5, onEpisodeScore: (value) => scores.push(value) });
    // Independent recomputation: chunks of 25 tasks from seeds deriveSeed(5, TEST_STREAM, chunk).
    const tasks = [...lineTasks().sample(deriveSeed(5, TEST_STREAM, 0), 25), ...lineTasks().sample(deriveSeed(5, TEST_STREAM, 1), 5)];
    const losses = await Promise.all(tasks.map(async (t) => (await learner.evaluateTask(params, t)).loss));
    expect(result.metric).toBe('mse');
    expect(result.n).toBe(30);
    expect(result.mean).toBeCloseTo(meanWithCI95(losses).mean, 14);
    expect(result.ci95).toBeCloseTo(meanWithCI95(losses).ci95, 14);
    // onEpisodeScore: each episode's MSE, in episode order (eval's histogram).
    expect(scores).toHaveLength(30);
    scores.forEach((s, i) => expect(s).toBeCloseTo(losses[i], 14));
    expect(formatEvaluation(result)).toMatch(/^mse .* \+\/- .* \(30 episodes\)$/);
  });

  it('reports accuracy for classification tasks and refuses learners without one', async () => {
    const learner = new LinearLearner();
    const params = { w: tensor([2], [1], 'float64') };
    const classification = { ...lineTasks(), kind: 'classification' as const };
    await expect(evaluate(learner, params, classification, { episodes: 3 })).rejects.toThrow(/reported no accuracy/);
    const scored = Object.assign(new LinearLearner(), {
      evaluateTask: async () => ({ loss: 0.5, accuracy: 0.75 }),
    });
    const accuracies: number[] = [];
    const result = await evaluate(scored, params, classification, { episodes: 4, onEpisodeScore: (value) => accuracies.push(value) });
    expect(accuracies).toEqual([0.75, 0.75, 0.75, 0.75]);
    expect(result).toMatchObject({ metric: 'accuracy', mean: 0.75, ci95: 0, n: 4 });
    expect(result.loss.mean).toBe(0.5);
    expect(formatEvaluation(result)).toBe('accuracy 75.00% +/- 0.00% (4 episodes)');
    await expect(evaluate(learner, params, lineTasks(), { episodes: 0 })).rejects.toThrow(ValueError);
  });
});
