/**
 * The papers' evaluation protocol: adapt on each test task's support set and score its query
 * set, over N episodes (600 by default), reporting mean +/- 95% confidence interval. The
 * metric is accuracy for classification and the query MSE (the learner's loss) for regression.
 * Episodes come from the TEST stream of the task source, in chunks of EVAL_CHUNK tasks seeded
 * deriveSeed(seed, stream, chunk), so results do not depend on memory or batch settings.
 */
import type { MetaLearner, Params } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import { meanWithCI95, type MeanWithCI } from './confidence.js';
import { deriveSeed, disposeTasks, TEST_STREAM, yieldToEventLoop, type TaskSource } from './taskSource.js';

export interface EvaluateOptions {
  /** Number of test episodes; default 600. */
  episodes?: number;
  /** Inner steps at test time (optimization-based learners); default: the learner's own. */
  innerSteps?: number;
  /** Seed of the episode stream; default 0. */
  seed?: number;
  /** Which counter stream to draw from; default TEST_STREAM (validation uses VALIDATION_STREAM). */
  stream?: number;
  /** Called after each episode (progress display). */
  onEpisode?: (done: number, total: number) => void;
}

export interface EvaluationResult extends MeanWithCI {
  /** What mean/ci95 measure: 'accuracy' (fraction in [0, 1]) or 'mse'. */
  metric: 'accuracy' | 'mse';
  /** Mean and CI of the query loss (equal to the main figures for regression). */
  loss: MeanWithCI;
}

const EVAL_CHUNK = 25;

export async function evaluate(
  learner: MetaLearner,
  params: Params,
  tasks: TaskSource,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const episodes = options.episodes ?? 600;
  if (!Number.isInteger(episodes) || episodes < 1) throw new ValueError(`evaluate: episodes must be a positive integer, got ${episodes}`);
  const seed = options.seed ?? 0;
  const stream = options.stream ?? TEST_STREAM;
  const losses: number[] = [];
  const accuracies: number[] = [];
  for (let chunk = 0; losses.length < episodes; chunk++) {
    const count = Math.min(EVAL_CHUNK, episodes - losses.length);
    const sampled = tasks.sample(deriveSeed(seed, stream, chunk), count);
    try {
      for (const task of sampled) {
        const score = await learner.evaluateTask(params, task, { innerSteps: options.innerSteps });
        losses.push(score.loss);
        if (score.accuracy !== undefined) accuracies.push(score.accuracy);
        options.onEpisode?.(losses.length, episodes);
      }
    } finally {
      disposeTasks(sampled);
    }
    await yieldToEventLoop();
  }
  const loss = meanWithCI95(losses);
  if (tasks.kind === 'classification') {
    if (accuracies.length !== losses.length) {
      throw new ValueError(`evaluate: learner '${learner.name}' reported no accuracy on classification tasks (${tasks.description})`);
    }
    return { metric: 'accuracy', ...meanWithCI95(accuracies), loss };
  }
  return { metric: 'mse', ...loss, loss };
}

/** 'accuracy 98.70% +/- 0.40% (600 episodes)' or 'mse 0.0123 +/- 0.0010 (600 episodes)'. */
export function formatEvaluation(result: EvaluationResult): string {
  if (result.metric === 'accuracy') {
    return `accuracy ${(100 * result.mean).toFixed(2)}% +/- ${(100 * result.ci95).toFixed(2)}% (${result.n} episodes)`;
  }
  return `mse ${result.mean.toPrecision(4)} +/- ${result.ci95.toPrecision(2)} (${result.n} episodes)`;
}
