/**
 * What the four metric learners (ProtoNet, MatchingNet, RelationNet, SiameseNet) share:
 * each defines one differentiable episode forward pass, `forward(params, episode) ->
 * { loss, scores }`; this base class turns it into
 *   - lossAndGrad(params, episode): loss, query accuracy and d(loss)/d(params), in one program run;
 *   - metaGradient(params, tasks): the MetaLearner contract, the mean of lossAndGrad over tasks,
 *     a meta-batch in one batched engine call;
 *   - evaluateTask(params, task): one episode's loss and accuracy (forward only, eager);
 *   - evaluateTasks(params, tasks): the same for many episodes in one batched engine call;
 *   - evaluate(params, sampler, { episodes }): mean accuracy +/- 95% CI over sampled episodes
 *     (the CI as lib/train/confidence.ts computes it: 1.96 * population std / sqrt(episodes)).
 * The pass is recorded once per episode layout and replayed (lib/metric/episodePrograms.ts).
 */
import type { DType, Handle } from '../backend/types.js';
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/scope.js';
import { sortedKeys } from '../core/params.js';
import { runMetaGradient, type EnginePrograms } from '../algorithms/innerLoop.js';
import { runAdaptBatch } from '../algorithms/adaptBatch.js';
import { engineProgram } from '../algorithms/innerLoopLearner.js';
import { weightedSum } from '../engine/handleMath.js';
import { groupIndicesBy } from '../algorithms/groupIndices.js';
import type { LabeledSet, MetaLearner, MetaStepResult, Params, Task, TaskScore } from '../algorithms/types.js';
import type { AdaptOptions } from '../algorithms/predictor.js';
import { EpisodePredictor } from './episodePredictor.js';
import { ValueError } from '../errors.js';
import { checkEpisode, type CheckedEpisode, type Episode, type EpisodeSource } from './episode.js';
import { constantOn } from './constants.js';
import { argmaxRows, fractionCorrect } from '../ops/labels.js';
import { episodeBackend } from './episodeBackend.js';
import { meanWithCI95 } from '../train/confidence.js';
import { disposeTasks, yieldToEventLoop } from '../train/taskSource.js';
import { describeValue, expectArray, expectFunction, expectRecord, optionsRecord } from '../core/args.js';
import { checkLearnerParams } from '../algorithms/inputChecks.js';
import { EpisodePrograms, layoutKey } from './episodePrograms.js';
import { paramsBytes, taskBytes, traceValueBytes, type TaskMemoryProfile } from '../algorithms/memoryProfile.js';
import { chooseEvaluationChunk, engineThreads, memoryLimit, type MemoryLimit } from '../train/memoryBudget.js';
import { disposeHandles } from '../core/ownership.js';

/** Episodes evaluate() scores per batched call (as lib/train/evaluate.ts's chunks). */
const EVALUATION_CHUNK = 25;

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
  /**
   * Memory limit in bytes for a chunk's estimated peak; default: 80% of the free memory
   * (lib/train/memoryBudget.ts). Chunks are made smaller to fit (the same episodes, the same
   * numbers); an episode that does not fit on its own is an OutOfMemoryError.
   */
  maxMemoryBytes?: number;
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
  /** The episode pass, recorded per episode layout and replayed. */
  private readonly programs = new EpisodePrograms((params, episode) => this.forward(params, episode));

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
   * episode, whatever the current backend is (a mix of backends is a BackendError). The program
   * is recorded once per episode layout and replayed (lib/metric/episodePrograms.ts).
   */
  async lossAndGrad(params: Params, episode: Episode | Task): Promise<LossAndGrad> {
    const checked = this.checked(params, episode);
    return this.programs.use(params, checked, (program) => {
      const { shape, dtype } = program.outputTypes[0];
      const seed = constantOn(program.backend, dtype, [1], shape);
      const { outputs, grads } = program.vjp(params, [seed, null], checked.support.x, checked.query.x);
      const loss = outputs[0].item();
      const accuracy = this.accuracyOf(outputs[1].toArray(), checked);
      for (const t of [seed, ...outputs]) t.dispose();
      return { loss, accuracy, grads };
    });
  }

  /**
   * The MetaLearner contract: mean loss, accuracy and gradient over the tasks. Episodes of one
   * layout run in one batched engine call (native: tasks in parallel across threads, off the
   * event loop): the MAML engine with 0 inner steps is exactly the mean query-loss gradient.
   */
  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    if (expectArray(tasks, `${this.name}.metaGradient: tasks`).length === 0) throw new ValueError(`${this.name}.metaGradient: no tasks`);
    const checked = expectArray(tasks, `${this.name}.metaGradient: tasks`).map((task) => this.checked(params, task as Task));
    const backend = checked[0].support.x.backend;
    let loss = 0;
    let accuracy = 0;
    const groupGrads: Handle[][] = [];
    const weights: number[] = [];
    await this.forEachLayout(params, checked, async ({ episodes, programs, request }) => {
      const result = await runMetaGradient(backend, programs, { ...request, order: 1 });
      episodes.forEach((e, k) => {
        loss += result.queryLosses[k];
        accuracy += this.accuracyOf(backend.toArray(result.queryOutputs[k][0]), e);
      });
      disposeHandles(backend, result.queryOutputs.flat());
      groupGrads.push(result.grads);
      weights.push(episodes.length / tasks.length);
    });
    const grads = weightedSum(backend, groupGrads, weights);
    const out: Params = {};
    sortedKeys(params).forEach((name, i) => {
      out[name] = Tensor.fromHandle(backend, grads[i]);
    });
    return { loss: loss / tasks.length, accuracy: accuracy / tasks.length, grads: out };
  }

  /**
   * The sizes lib/train/memoryBudget.ts needs for one episode of this layout, from a symbolic
   * trace of the episode pass (nothing is computed; label constants such as one-hot matrices
   * are made and freed). The pass has no inner loop: its whole program is the "query" pass.
   */
  memoryProfile(params: Params, task: Task | Episode): TaskMemoryProfile {
    const checked = this.checked(params, task);
    const pass = traceValueBytes(`${this.name}.memoryProfile`, checked.support.x.backend, params, [checked.support.x, checked.query.x], (p, supportX, queryX) => {
      const { loss, scores } = this.forward(p, { ...checked, support: { x: supportX, y: checked.support.y }, query: { x: queryX, y: checked.query.y } });
      return [loss, scores];
    });
    return {
      episodeBytes: taskBytes(checked),
      paramBytes: paramsBytes(params),
      supportForwardBytes: 0,
      queryForwardBytes: pass.valueBytes,
      queryOutputBytes: pass.outputBytes[1],
      hasInnerLoop: false,
      innerSteps: 0,
      testInnerSteps: 0,
    };
  }

  /**
   * Adapt, then predict (lib/algorithms/predictor.ts): keeps a copy of the support set (class
   * ids 0..ways-1); predict(x) gives the class scores [m, ways] the evaluation counts for
   * queries x (episodePredictor.ts). No inner loop: options.steps does not apply.
   */
  async adapt(params: Params, support: LabeledSet, _options: AdaptOptions = {}): Promise<EpisodePredictor> {
    return EpisodePredictor.create(this.name, params, support, (p, episode) => this.queryScores(p, episode));
  }

  /** Class scores [queries, ways] of an episode, argmax = predictClasses (default: the pass's scores). */
  protected queryScores(params: Params, episode: CheckedEpisode): Tensor {
    return this.forward(params, episode).scores;
  }

  /** One episode's query loss and accuracy, forward only. */
  async evaluateTask(params: Params, task: Task | Episode): Promise<TaskScore> {
    const checked = this.checked(params, task);
    // tidy: the forward's intermediates (conv activations of the whole episode) are freed now,
    // not whenever the garbage collector gets to them.
    return tidy(() => {
      const { loss, scores } = this.forward(params, checked);
      return { loss: loss.item(), accuracy: this.accuracyOf(scores.toArray(), checked) };
    });
  }

  /**
   * evaluateTask over many episodes, one score each in task order (the same numbers): episodes
   * of one layout are scored in one batched call (adaptBatch with 0 inner steps: native, tasks
   * in parallel across threads, off the event loop). evaluate() and lib/train's evaluate use it.
   */
  async evaluateTasks(params: Params, tasks: (Task | Episode)[]): Promise<TaskScore[]> {
    const checked = expectArray(tasks, `${this.name}.evaluateTasks: tasks`).map((task) => this.checked(params, task as Task));
    const scores = new Array<TaskScore>(tasks.length);
    if (tasks.length === 0) return scores;
    const backend = checked[0].support.x.backend;
    await this.forEachLayout(params, checked, async ({ indices, episodes, programs, request }) => {
      const result = await runAdaptBatch(backend, programs, request);
      const losses = result.queryLosses ?? [];
      const outputs = result.queryOutputs ?? [];
      indices.forEach((taskIndex, k) => {
        scores[taskIndex] = { loss: losses[k], accuracy: this.accuracyOf(backend.toArray(outputs[k][0]), episodes[k]) };
      });
      disposeHandles(backend, [...result.adapted.flat(), ...result.meanAdapted, ...outputs.flat()]);
    });
    return scores;
  }

  /**
   * Mean query accuracy +/- 95% CI over `episodes` episodes drawn from the sampler, scored in
   * chunks. The episodes it samples are its own: their tensors are disposed once scored (a
   * sampler makes fresh ones per call; a source that hands out the same tensors again must
   * copy them).
   */
  async evaluate(params: Params, sampler: EpisodeSource, options: EvaluateOptions = {}): Promise<EvaluationResult> {
    const checkedOptions = optionsRecord(options, `${this.name}.evaluate: options`);
    const episodes = checkedOptions.episodes ?? 600;
    const sample = expectFunction(expectRecord(sampler, `${this.name}.evaluate: sampler`).sample, `${this.name}.evaluate: sampler.sample`);
    if (!Number.isInteger(episodes) || episodes < 1) {
      throw new ValueError(`${this.name}.evaluate: episodes must be an integer >= 1, got ${describeValue(episodes)}`);
    }
    const limit = memoryLimit(`${this.name}.evaluate`, checkedOptions.maxMemoryBytes);
    const accuracies: number[] = [];
    let loss = 0;
    // Episodes per batched call: decided on the first episode, from its memory profile.
    let chunkSize: number | undefined;
    while (accuracies.length < episodes) {
      // Each episode is checked as it comes: the chunk holds only well-formed ones, so disposing them cannot fail.
      const chunk: CheckedEpisode[] = [];
      let scores: TaskScore[];
      try {
        do {
          chunk.push(checkEpisode(this.name, sample.call(sampler) as Episode | Task));
          chunkSize ??= this.evaluationChunk(params, chunk[0], limit);
        } while (chunk.length < Math.min(chunkSize, episodes - accuracies.length));
        scores = await this.evaluateTasks(params, chunk);
      } finally {
        disposeTasks(chunk);
      }
      for (const score of scores) {
        accuracies.push(score.accuracy ?? 0);
        loss += score.loss;
      }
      await yieldToEventLoop();
    }
    const { mean, ci95 } = meanWithCI95(accuracies);
    return { mean, ci95, loss: loss / episodes, episodes };
  }

  /** The largest chunk up to EVALUATION_CHUNK whose estimated peak fits the limit (lib/train/memoryBudget.ts). */
  private evaluationChunk(params: Params, episode: Episode | Task, limit: MemoryLimit): number {
    const profile = this.memoryProfile(params, episode);
    return chooseEvaluationChunk({
      where: `${this.name}.evaluate`,
      work: `${this.name} on ${checkEpisode(this.name, episode).ways}-way episodes`,
      profile,
      innerSteps: 0,
      maxChunk: EVALUATION_CHUNK,
      threads: engineThreads(episode.support.x.backend),
      limit,
    });
  }

  /** Frees the recorded episode programs (they are recorded again on the next use). */
  dispose(): void {
    this.programs.dispose();
  }

  /**
   * Runs body once per episode layout (groups in order of first appearance) with the group's
   * task indices, its episodes, the layout's program for both engine slots, and the engine
   * request's common part over its episodes: 0 inner steps, i.e. the episode pass alone.
   */
  private async forEachLayout(params: Params, episodes: CheckedEpisode[], body: (group: LayoutGroup) => Promise<void>): Promise<void> {
    const names = sortedKeys(params);
    for (const indices of groupIndicesBy(episodes, (e) => layoutKey(params, e))) {
      const members = indices.map((i) => episodes[i]);
      await this.programs.use(params, members[0], (program) => {
        const engine = engineProgram(program);
        const tasks = members.map((e) => {
          const data = program.dataHandles(e.support.x, e.query.x);
          return { support: data, query: data };
        });
        const request = { numParams: names.length, params: names.map((n) => params[n].handle), tasks, steps: 0, innerLR: [] };
        return body({ indices, episodes: members, programs: { support: engine, query: engine }, request });
      });
    }
  }

  /** Validates an episode and that it lives on the params' backend. */
  private checked(params: Params, episode: Episode | Task): CheckedEpisode {
    checkLearnerParams(this.name, this, params);
    const checked = checkEpisode(this.name, episode);
    episodeBackend(this.name, params, checked);
    return checked;
  }

  private accuracyOf(scores: ArrayLike<number>, episode: CheckedEpisode): number {
    const truth = episode.query.y;
    if (truth.length === 0) return 0;
    return fractionCorrect(this.predictClasses(scores, episode), truth);
  }
}

export { argmaxRows };

/** One layout's share of a batch (MetricLearner.forEachLayout). */
interface LayoutGroup {
  indices: number[];
  episodes: CheckedEpisode[];
  programs: EnginePrograms;
  request: { numParams: number; params: Handle[]; tasks: { support: Handle[]; query: Handle[] }[]; steps: number; innerLR: Handle[][] };
}

