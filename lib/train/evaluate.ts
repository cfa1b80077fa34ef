/**
 * The papers' evaluation protocol: adapt on each test task's support set and score its query
 * set, over N episodes (600 by default), reporting mean +/- 95% confidence interval. The
 * metric is accuracy for classification and the query MSE (the learner's loss) for regression.
 * Episodes come from the TEST stream of the task source, in chunks of EVAL_CHUNK tasks seeded
 * deriveSeed(seed, stream, chunk), so results do not depend on memory or batch settings.
 * A learner with evaluateTasks (the MAML family) scores each chunk in one batched call; others
 * task by task. Both give the same scores.
 */
import type { MetaLearner, Params, Task, TaskScore } from '../algorithms/types.js';
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
  /** Called after each episode (progress display); with a batched learner, once per episode after its chunk. */
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
      for await (const score of scoreChunk(learner, params, sampled, options.innerSteps)) {
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

/** One chunk's scores in task order: one evaluateTasks call when the learner has it, else evaluateTask per task. */
async function* scoreChunk(learner: MetaLearner, params: Params, tasks: Task[], innerSteps: number | undefined): AsyncGenerator<TaskScore> {
  if (!learner.evaluateTasks) {
    for (const task of tasks) yield await learner.evaluateTask(params, task, { innerSteps });
    return;
  }
  const scores = await learner.evaluateTasks(params, tasks, { innerSteps });
  if (scores.length !== tasks.length) {
    throw new ValueError(`evaluate: learner '${learner.name}' returned ${scores.length} scores for ${tasks.length} tasks`);
  }
  yield* scores;
}

/** 'accuracy 98.70% +/- 0.40% (600 episodes)' or 'mse 0.0123 +/- 0.0010 (600 episodes)'. */
export function formatEvaluation(result: EvaluationResult): string {
  if (result.metric === 'accuracy') {
    return `accuracy ${(100 * result.mean).toFixed(2)}% +/- ${(100 * result.ci95).toFixed(2)}% (${result.n} episodes)`;
  }
  return `mse ${result.mean.toPrecision(4)} +/- ${result.ci95.toPrecision(2)} (${result.n} episodes)`;
}
