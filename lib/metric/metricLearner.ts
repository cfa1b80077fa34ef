/**
 * What the four metric learners (ProtoNet, MatchingNet, RelationNet, SiameseNet) share:
 * each defines one differentiable episode forward pass, `forward(params, episode) ->
 * { loss, scores }`; this base class turns it into
 *   - lossAndGrad(params, episode): loss, query accuracy and d(loss)/d(params), in one traced pass;
 *   - metaGradient(params, tasks): the MetaLearner contract, the mean of lossAndGrad over tasks;
 *   - evaluateTask(params, task): one episode's loss and accuracy (forward only);
 *   - evaluate(params, sampler, { episodes }): mean accuracy +/- 95% CI over sampled episodes
 *     (the CI as lib/train/confidence.ts computes it: 1.96 * population std / sqrt(episodes)).
 */
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import { record } from '../core/transforms.js';
import { tidy } from '../core/scope.js';
import * as ops from '../ops/index.js';
import type { MetaLearner, MetaStepResult, Params, Task, TaskScore } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import { checkEpisode, type CheckedEpisode, type Episode, type EpisodeSource } from './episode.js';
import { constantOn } from './constants.js';
import { episodeBackend } from './episodeBackend.js';
import { meanWithCI95 } from '../train/confidence.js';
import { disposeTasks, yieldToEventLoop } from '../train/taskSource.js';

/** A functional model (lib/nn models fit): seeded init, and apply(params, x [n, ...]) -> [n, ...]. */
export interface EmbeddingModel {
  init(seed: number, dtype?: DType): Params;
  apply(params: Params, x: Tensor): Tensor;
}

/** One episode's differentiable outputs. */
export interface EpisodeForward {
  /** Scalar loss. */
  loss: Tensor;
  /**
   * Query scores, higher = more likely: [queries, ways] class scores for most learners;
   * SiameseNet gives [queries, supports] pair scores (see predictClasses).
   */
  scores: Tensor;
}

export interface LossAndGrad {
  loss: number;
  /** Fraction of query examples classified correctly, in [0, 1]. */
  accuracy: number;
  grads: Params;
}

export interface EvaluateOptions {
  /** Episodes to average over (the papers use 600 or more). Default 600. */
  episodes?: number;
}

export interface EvaluationResult {
  /** Mean query accuracy over the episodes, in [0, 1]. */
  mean: number;
  /** Half-width of the 95% confidence interval of the mean accuracy. */
  ci95: number;
  /** Mean query loss over the episodes. */
  loss: number;
  episodes: number;
}

export abstract class MetricLearner implements MetaLearner {
  abstract readonly name: string;

  abstract init(seed: number, dtype?: DType): Params;

  /** The differentiable episode pass; `episode` is already validated. */
  protected abstract forward(params: Params, episode: CheckedEpisode): EpisodeForward;

  /** Predicted class per query from the scores (default: argmax over the ways). */
  protected predictClasses(scores: ArrayLike<number>, episode: CheckedEpisode): Int32Array {
    return argmaxRows(scores, episode.query.y.length, episode.ways);
  }

  /**
   * Loss, accuracy and gradient in one recorded program run: it outputs [loss, scores] and the
   * cotangents (1, none) pick the loss's gradient. Runs on the backend that owns params and
   * episode, whatever the current backend is (a mix of backends is a BackendError).
   */
  async lossAndGrad(params: Params, episode: Episode | Task): Promise<LossAndGrad> {
    const checked = checkEpisode(this.name, episode);
    episodeBackend(this.name, params, checked);
    const program = record((p: Params) => {
      const { loss, scores } = this.forward(p, checked);
      return [loss, scores];
    }, params);
    try {
      const { shape, dtype } = program.outputTypes[0];
      const seed = constantOn(program.backend, dtype, [1], shape);
      const { outputs, grads } = program.vjp(params, [seed, null]);
      const loss = outputs[0].item();
      const accuracy = this.accuracyOf(outputs[1].toArray(), checked);
      for (const t of [seed, ...outputs]) t.dispose();
      return { loss, accuracy, grads };
    } finally {
      program.dispose();
    }
  }

  /** The MetaLearner contract: mean loss, accuracy and gradient over the tasks. */
  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    if (tasks.length === 0) throw new ValueError(`${this.name}.metaGradient: no tasks`);
    let loss = 0;
    let accuracy = 0;
    let grads: Params | undefined;
    for (const task of tasks) {
      const one = await this.lossAndGrad(params, task);
      loss += one.loss;
      accuracy += one.accuracy;
      grads = grads === undefined ? one.grads : addParams(grads, one.grads);
    }
    const scale = 1 / tasks.length;
    return { loss: loss * scale, accuracy: accuracy * scale, grads: scaleParams(grads as Params, scale) };
  }

  /** One episode's query loss and accuracy, forward only. */
  async evaluateTask(params: Params, task: Task | Episode): Promise<TaskScore> {
    const checked = checkEpisode(this.name, task);
    episodeBackend(this.name, params, checked);
    // tidy: the forward's intermediates (conv activations of the whole episode) are freed now,
    // not whenever the garbage collector gets to them.
    return tidy(() => {
      const { loss, scores } = this.forward(params, checked);
      return { loss: loss.item(), accuracy: this.accuracyOf(scores.toArray(), checked) };
    });
  }

  /** Mean query accuracy +/- 95% CI over `episodes` episodes drawn from the sampler. */
  async evaluate(params: Params, sampler: EpisodeSource, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    const episodes = options.episodes ?? 600;
    if (!Number.isInteger(episodes) || episodes < 1) {
      throw new ValueError(`${this.name}.evaluate: episodes must be an integer >= 1, got ${episodes}`);
    }
    const accuracies: number[] = [];
    let loss = 0;
    for (let i = 0; i < episodes; i++) {
      const episode = sampler.sample();
      const score = await this.evaluateTask(params, episode).finally(() => disposeTasks([episode]));
      if (i % 25 === 24) await yieldToEventLoop();
      accuracies.push(score.accuracy ?? 0);
      loss += score.loss;
    }
    const { mean, ci95 } = meanWithCI95(accuracies);
    return { mean, ci95, loss: loss / episodes, episodes };
  }

  private accuracyOf(scores: ArrayLike<number>, episode: CheckedEpisode): number {
    const predicted = this.predictClasses(scores, episode);
    const truth = episode.query.y;
    if (truth.length === 0) return 0;
    let correct = 0;
    for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
    return correct / truth.length;
  }
}

/** Index of the largest entry of each row of a row-major [rows, cols] array (first wins on ties). */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

function addParams(a: Params, b: Params): Params {
  const out: Params = {};
  for (const key of Object.keys(a)) out[key] = ops.add(a[key], b[key]);
  return out;
}

function scaleParams(a: Params, scale: number): Params {
  const out: Params = {};
  for (const key of Object.keys(a)) out[key] = ops.mul(a[key], scale);
  return out;
}
