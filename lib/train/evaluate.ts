/**
 * The papers' evaluation protocol: adapt on each test task's support set and score its query
 * set, over N episodes (600 by default), reporting mean +/- 95% confidence interval. The
 * metric is accuracy for classification and the query MSE (the learner's loss) for regression.
 * Episodes come from the TEST stream of the task source, in chunks of EVAL_CHUNK tasks seeded
 * deriveSeed(seed, stream, chunk), so results do not depend on memory or batch settings.
 * A learner with evaluateTasks (the MAML family) scores each chunk in one batched call; others
 * task by task. Both give the same scores.
 * Memory: before the first chunk runs, its peak is estimated (lib/train/memoryBudget.ts) for a
 * learner with memoryProfile; a chunk that would not fit the limit (maxMemoryBytes, else the free
 * memory) is scored in smaller pieces (the same episodes in the same order, so the same
 * numbers), and an OutOfMemoryError says what to reduce when not even one episode fits.
 */
import type { MetaLearner, Params, Task, TaskScore } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import { meanWithCI95, type MeanWithCI } from './confidence.js';
import { chooseEvaluationChunk, engineThreads, memoryLimit, type MemoryLimit } from './memoryBudget.js';
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
  /** Called with each episode's score in episode order: its accuracy (classification) or MSE, and its loss (histograms). */
  onEpisodeScore?: (value: number, loss: number) => void;
  /**
   * Memory limit in bytes for a chunk's estimated peak; default: 80% of the free memory
   * (lib/train/memoryBudget.ts). Chunks are made smaller to fit; one episode that does not fit
   * is an OutOfMemoryError.
   */
  maxMemoryBytes?: number;
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
  const limit = memoryLimit('evaluate', options.maxMemoryBytes);
  const losses: number[] = [];
  const accuracies: number[] = [];
  const score = async (chunk: Task[]): Promise<void> => {
    for await (const one of scoreChunk(learner, params, chunk, options.innerSteps)) {
      losses.push(one.loss);
      if (one.accuracy !== undefined) accuracies.push(one.accuracy);
      options.onEpisodeScore?.(one.accuracy ?? one.loss, one.loss);
      options.onEpisode?.(losses.length, episodes);
    }
  };
  // Tasks per scoring call: decided on the first task, from its memory profile.
  let chunkSize: number | undefined;
  for (let block = 0; losses.length < episodes; block++) {
    const count = Math.min(EVAL_CHUNK, episodes - losses.length);
    const pending: Task[] = [];
    try {
      for (const task of blockTasks(tasks, deriveSeed(seed, stream, block), count)) {
        pending.push(task);
        chunkSize ??= evaluationChunkSize(learner, params, tasks, task, options.innerSteps, limit);
        if (pending.length < chunkSize) continue;
        await score(pending);
        disposeTasks(pending.splice(0));
      }
      if (pending.length > 0) await score(pending);
    } finally {
      disposeTasks(pending);
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

/**
 * The tasks of one block (seeded as always, so chunking never changes which episodes are drawn),
 * made one at a time when the source can (sampleEach). A source without it makes the whole block
 * up front; the tasks not yet handed out are freed if the caller stops early.
 */
function* blockTasks(source: TaskSource, seed: number, count: number): Generator<Task> {
  if (source.sampleEach) {
    yield* source.sampleEach(seed, count);
    return;
  }
  const tasks = source.sample(seed, count);
  let next = 0;
  try {
    for (; next < tasks.length; next++) yield tasks[next];
  } finally {
    disposeTasks(tasks.slice(next + 1));
  }
}

/**
 * Tasks per scoring call: EVAL_CHUNK, or fewer where the estimate for EVAL_CHUNK tasks like
 * `first` exceeds the limit (an OutOfMemoryError when one does not fit). Learners without
 * memoryProfile are not checked.
 */
function evaluationChunkSize(learner: MetaLearner, params: Params, source: TaskSource, first: Task, innerSteps: number | undefined, limit: MemoryLimit): number {
  if (!learner.memoryProfile) return EVAL_CHUNK;
  const profile = learner.memoryProfile(params, first);
  // A source without sampleEach holds a whole block of episodes while its chunks run.
  const held = source.sampleEach ? 0 : (EVAL_CHUNK - 1) * profile.episodeBytes;
  return chooseEvaluationChunk({
    where: 'evaluate',
    work: `${learner.name} on ${source.description}`,
    profile,
    innerSteps: profile.hasInnerLoop ? (innerSteps ?? profile.testInnerSteps) : 0,
    maxChunk: EVAL_CHUNK,
    threads: learner.evaluateTasks ? engineThreads(first.support.x.backend) : 1,
    limit: { ...limit, bytes: limit.bytes - held },
  });
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
