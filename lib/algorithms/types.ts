/**
 * What every meta-learning algorithm offers the shared training loop, evaluation protocol,
 * checkpoints and CLI (lib/train, lib/cli). Optimization-based learners (MAML family) and
 * metric-based ones (ProtoNet family) both implement MetaLearner.
 */
import type { Tensor } from '../core/tensor.js';
import type { Borrowed, Owned } from '../core/ownership.js';
import type { DType } from '../backend/types.js';
import type { TaskMemoryProfile } from './memoryProfile.js';
import type { AdaptOptions, Predictor } from './predictor.js';

export type Params = Record<string, Tensor>;

/** Targets: a Tensor for regression ([n, out]), class ids 0..ways-1 for classification. */
export type Targets = Tensor | Int32Array;

export interface LabeledSet {
  x: Tensor;
  y: Targets;
}

/** One task (episode): adapt on support, score on query. EpisodeSampler episodes fit this. */
export interface Task {
  support: LabeledSet;
  query: LabeledSet;
}

export interface MetaStepResult {
  /** Mean meta-loss over the tasks. */
  loss: number;
  /** d(loss)/d(params) (for Reptile: the update direction params - adapted, averaged). The caller frees them. */
  grads: Owned<Params>;
  /** Mean query accuracy over the tasks, for classification. */
  accuracy?: number;
  /**
   * Added (optional): new values of buffers, entries of params that are not trained (e.g.
   * MAML++'s batch-norm running statistics 'bn_stats/...'). Their grads are zero; the trainer
   * stores these values in their place after the optimizer step, so checkpoints keep them.
   * The caller (the trainer) owns them.
   */
  buffers?: Owned<Params>;
}

export interface TaskScore {
  loss: number;
  accuracy?: number;
}

export interface MetaLearner {
  /** Registry name, e.g. 'maml', 'protonet'. */
  readonly name: string;
  /** Everything the outer loop optimises and a checkpoint stores (model weights plus learned extras). */
  init(seed: number, dtype?: DType): Params;
  /**
   * One meta-batch: loss and meta-gradient. Runs the whole batch in as few native calls as
   * possible. params and tasks are borrowed (never freed here, learned rates included).
   */
  metaGradient(params: Borrowed<Params>, tasks: Borrowed<Task[]>): Promise<MetaStepResult>;
  /** The paper's test protocol for one task: adapt (or embed) on support, score on query. */
  evaluateTask(params: Params, task: Task, options?: { innerSteps?: number }): Promise<TaskScore>;
  /**
   * Added (optional): evaluateTask over many tasks at once, one score per task in task order,
   * equal to evaluateTask's. The MAML family adapts the whole batch in one batched native call
   * (CompiledProgram.adaptBatch: tasks in parallel, off the event loop). evaluate() uses it
   * when present.
   */
  evaluateTasks?(params: Params, tasks: Task[], options?: { innerSteps?: number }): Promise<TaskScore[]>;
  /**
   * Added (optional; every built-in learner has it): adapt to a support set, then predict
   * (predictor.ts). The MAML family runs its inner loop (options.steps, default the test-time
   * steps); metric learners keep the support set. The caller disposes the predictor.
   */
  adapt?(params: Params, support: LabeledSet, options?: AdaptOptions): Promise<Predictor>;
  /**
   * Added (optional): the sizes of one task's tensors and passes, found without running it
   * (lib/algorithms/memoryProfile.ts). evaluate() and metaTrain() use it to refuse, or chunk,
   * work that would not fit in memory (lib/train/memoryBudget.ts); without it they do not check.
   */
  memoryProfile?(params: Params, task: Task): TaskMemoryProfile;
}
