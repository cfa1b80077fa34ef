/**
 * The meta-training loop shared by every MetaLearner:
 *
 *   for i = start+1 .. iterations:
 *     tasks  = taskSource.sample(deriveSeed(seed, TRAIN_STREAM, i), metaBatch)
 *     loss, grads = learner.metaGradient(params, tasks)
 *     params = optimizer.step(params, grads)        (stop on NaN / Inf, see below)
 *     every validation.every:  mean +/- CI on a fixed set of validation tasks
 *     every checkpoint.every and at the end: atomic safetensors checkpoint
 *
 * Resume: params, optimiser state and the iteration come from the checkpoint, and since tasks
 * are a pure function of (seed, iteration) the resumed run repeats the uninterrupted one's
 * numbers exactly. Divergence: a non-finite loss, gradient or updated parameter stops training
 * with a DivergenceError naming the last good checkpoint; no checkpoint is written from the bad
 * state, so that file stays good.
 */
import type { DType } from '../backend/types.js';
import type { MetaLearner, Params } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint, type JsonValue } from './checkpoint.js';
import { DivergenceError } from './divergenceError.js';
import { evaluate, type EvaluationResult } from './evaluate.js';
import { checkMetaBatchFits, engineThreads, memoryLimit, type MemoryLimit } from './memoryBudget.js';
import { MetricsLog } from './metricsLog.js';
import { cloneArrays, type NamedArrays } from './namedArrays.js';
import type { Optimizer } from './optimizers.js';
import { arraysToParams, disposeParams, findNonFinite, paramsToArrays } from './paramArrays.js';
import { TrainingProgress } from './progress.js';
import { deriveSeed, disposeTasks, TRAIN_STREAM, VALIDATION_STREAM, yieldToEventLoop, type TaskSource } from './taskSource.js';

export interface ValidationOptions {
  tasks: TaskSource;
  /** Validate every this many iterations (and after the last). */
  every: number;
  /** Validation episodes (the same fixed set every time); default 100. */
  episodes?: number;
  innerSteps?: number;
}

export interface CheckpointOptions {
  /** File to write (and overwrite atomically), e.g. out/checkpoint.safetensors. */
  path: string;
  /** Write every this many iterations (and after the last). */
  every: number;
  /** Model description stored in the checkpoint, e.g. 'mlp 1-40-40-1'. */
  model: string;
  /** Run configuration stored in the checkpoint (what `metalearn eval` needs to rebuild the run). */
  config?: { [key: string]: JsonValue };
}

export interface MetaTrainOptions {
  learner: MetaLearner;
  tasks: TaskSource;
  /** Total meta-iterations (a resumed run continues up to this). */
  iterations: number;
  /** Tasks per meta-iteration. */
  metaBatch: number;
  optimizer: Optimizer;
  /** Seeds the initial parameters and the task streams. Default 0. */
  seed?: number;
  /** dtype of the initial parameters (learner.init). Default float32. */
  dtype?: DType;
  /** Start from these instead of learner.init(seed, dtype) (they are not disposed). */
  params?: Params;
  validation?: ValidationOptions;
  checkpoint?: CheckpointOptions;
  /** Continue from this checkpoint (params, optimiser state, iteration, seed). */
  resumeFrom?: string;
  /** Append metrics as JSON lines to this file. */
  metricsPath?: string;
  /** Progress bar on stderr; default: only when stderr is a TTY. */
  progress?: boolean;
  /** Meta learning rate per iteration (1-based), e.g. MAML++'s cosine annealing. */
  lrSchedule?: (iteration: number) => number;
  /** Called after every iteration with its record. */
  onIteration?: (record: IterationRecord) => void;
  /**
   * Memory limit in bytes for a meta-batch's estimated peak (and validation chunks); default: 80%
   * of the free memory (lib/train/memoryBudget.ts). A meta-batch that does not fit is an
   * OutOfMemoryError before the first iteration; it is never made smaller (that would change
   * the training).
   */
  maxMemoryBytes?: number;
  /**
   * Stops the run early (the CLI's Ctrl-C): checked after each iteration completes; once aborted,
   * a checkpoint of that iteration is written (when `checkpoint` is set, atomically as always)
   * and metaTrain returns with `stopped: true`. The step in flight is never abandoned half-way.
   */
  signal?: AbortSignal;
  /** Called after each checkpoint is written (e.g. to refresh a plot at the checkpoint cadence). */
  onCheckpoint?: (iteration: number, path: string) => void;
}

export interface IterationRecord {
  iteration: number;
  loss: number;
  accuracy?: number;
  gradNorm: number;
  lr: number;
  tasksPerSecond: number;
}

export interface ValidationRecord {
  iteration: number;
  result: EvaluationResult;
}

export interface MetaTrainResult {
  params: Params;
  /** Iterations completed in total (including those before a resume). */
  iteration: number;
  history: IterationRecord[];
  validations: ValidationRecord[];
  /** Path of the last checkpoint written, if any. */
  checkpointPath?: string;
  /** True when `signal` stopped the run before options.iterations. */
  stopped?: boolean;
}

/** Learners whose behaviour depends on training progress (MAML++ annealing) may implement this. */
export interface IterationAware {
  setIteration(iteration: number): void;
}

function isIterationAware(learner: MetaLearner): learner is MetaLearner & IterationAware {
  return typeof (learner as Partial<IterationAware>).setIteration === 'function';
}

export async function metaTrain(options: MetaTrainOptions): Promise<MetaTrainResult> {
  checkOptions(options);
  const limit = memoryLimit('metaTrain', options.maxMemoryBytes);
  const { learner, optimizer } = options;
  const start = initialState(options);
  const seed = start.seed;
  if (start.iteration < options.iterations) {
    try {
      checkMetaBatchMemory(options, start.params, deriveSeed(seed, TRAIN_STREAM, start.iteration + 1), limit);
    } catch (err) {
      if (start.ownsParams) disposeParams(start.params);
      throw err;
    }
  }
  const metrics = options.metricsPath === undefined ? undefined : new MetricsLog(options.metricsPath);
  if (options.resumeFrom !== undefined) metrics?.truncateAfter(start.iteration);

  let arrays = start.arrays;
  let params = start.params;
  let ownsParams = start.ownsParams;
  let lastCheckpoint = options.resumeFrom;
  let lastGoodIteration = start.iteration;
  const history: IterationRecord[] = [];
  const validations: ValidationRecord[] = [];
  const progress = new TrainingProgress(options.progress ?? process.stderr.isTTY === true, start.iteration, options.iterations);
  const startedAt = performance.now();
  let stoppedAt: number | undefined;

  try {
    for (let iteration = start.iteration + 1; iteration <= options.iterations; iteration++) {
      if (options.lrSchedule) optimizer.lr = options.lrSchedule(iteration);
      if (isIterationAware(learner)) learner.setIteration(iteration - 1);
      const tasks = options.tasks.sample(deriveSeed(seed, TRAIN_STREAM, iteration), options.metaBatch);
      const step = await learner.metaGradient(params, tasks).finally(() => disposeTasks(tasks));
      await yieldToEventLoop();
      const grads = paramsToArrays(step.grads);
      disposeParams(step.grads);
      const buffers = step.buffers ? paramsToArrays(step.buffers) : undefined;
      if (step.buffers) disposeParams(step.buffers);

      // The update goes to a copy: on divergence the last good arrays stay untouched.
      const next = cloneArrays(arrays);
      let gradNorm = Number.NaN;
      let problem = describeDivergence(step.loss, grads);
      if (problem === undefined) {
        gradNorm = optimizer.step(next, grads).gradNorm;
        if (buffers) storeBuffers(learner.name, next, buffers);
        const badParam = findNonFinite(next);
        if (badParam !== undefined) problem = `updated parameter ${badParam}`;
      }
      if (problem !== undefined) {
        metrics?.write({ event: 'diverged', iteration, reason: problem });
        throw divergenceError(learner.name, iteration, problem, lastCheckpoint, lastGoodIteration);
      }

      arrays = next;
      if (ownsParams) disposeParams(params);
      params = arraysToParams(arrays);
      ownsParams = true;
      lastGoodIteration = iteration;

      const elapsed = (performance.now() - startedAt) / 1000;
      const record: IterationRecord = {
        iteration,
        loss: step.loss,
        ...(step.accuracy === undefined ? {} : { accuracy: step.accuracy }),
        gradNorm,
        lr: optimizer.lr,
        tasksPerSecond: ((iteration - start.iteration) * options.metaBatch) / Math.max(elapsed, 1e-9),
      };
      history.push(record);
      metrics?.write({ event: 'train', ...record, seconds: elapsed });
      progress.update(iteration, record);
      options.onIteration?.(record);

      const last = iteration === options.iterations;
      // A stop request skips this iteration's validation (minutes, possibly): only the checkpoint matters then.
      const stopping = options.signal?.aborted === true && !last;
      if (options.validation && !stopping && (iteration % options.validation.every === 0 || last)) {
        const result = await validate(learner, params, options.validation, seed, options.maxMemoryBytes);
        validations.push({ iteration, result });
        metrics?.write({
          event: 'validation',
          iteration,
          metric: result.metric,
          mean: result.mean,
          ci95: result.ci95,
          loss: result.loss.mean,
          episodes: result.n,
        });
      }
      // A signal that came during the validation stops here too.
      const stopNow = stopping || (options.signal?.aborted === true && !last);
      if (options.checkpoint && (iteration % options.checkpoint.every === 0 || last || stopNow)) {
        saveCheckpoint(options.checkpoint.path, checkpointOf(options, options.checkpoint, arrays, iteration, seed));
        lastCheckpoint = options.checkpoint.path;
        options.onCheckpoint?.(iteration, options.checkpoint.path);
      }
      if (stopNow) {
        stoppedAt = iteration;
        break;
      }
    }
  } finally {
    progress.stop();
  }
  return {
    params,
    iteration: stoppedAt ?? Math.max(start.iteration, options.iterations),
    history,
    validations,
    ...(lastCheckpoint === undefined ? {} : { checkpointPath: lastCheckpoint }),
    ...(stoppedAt === undefined ? {} : { stopped: true }),
  };
}

interface StartState {
  arrays: NamedArrays;
  params: Params;
  ownsParams: boolean;
  iteration: number;
  seed: number;
}

function initialState(options: MetaTrainOptions): StartState {
  const seed = options.seed ?? 0;
  if (options.resumeFrom === undefined) {
    const ownsParams = options.params === undefined;
    const params = options.params ?? options.learner.init(seed, options.dtype ?? 'float32');
    return { arrays: paramsToArrays(params), params, ownsParams, iteration: 0, seed };
  }
  // The model being trained fixes the names, shapes and dtypes a resumable checkpoint must have.
  const template = options.params ?? options.learner.init(seed, options.dtype ?? 'float32');
  const expected = paramsToArrays(template);
  if (options.params === undefined) disposeParams(template);
  const checkpoint = loadCheckpoint(options.resumeFrom, { params: expected, learner: options.learner.name });
  options.optimizer.loadState(checkpoint.optimizer);
  return {
    arrays: checkpoint.params,
    params: arraysToParams(checkpoint.params),
    ownsParams: true,
    iteration: checkpoint.iteration,
    seed: checkpoint.seed,
  };
}

function validate(learner: MetaLearner, params: Params, validation: ValidationOptions, seed: number, maxMemoryBytes: number | undefined): Promise<EvaluationResult> {
  return evaluate(learner, params, validation.tasks, {
    episodes: validation.episodes ?? 100,
    innerSteps: validation.innerSteps,
    seed,
    stream: VALIDATION_STREAM,
    ...(maxMemoryBytes === undefined ? {} : { maxMemoryBytes }),
  });
}

/**
 * The first meta-batch's estimated peak against the limit (lib/train/memoryBudget.ts), from one
 * task of it (the batch's tasks share its shapes); OutOfMemoryError when it does not fit.
 * Learners without memoryProfile are not checked.
 */
function checkMetaBatchMemory(options: MetaTrainOptions, params: Params, seed: number, limit: MemoryLimit): void {
  const { learner, tasks } = options;
  if (!learner.memoryProfile) return;
  const [first] = tasks.sampleEach ? [...takeOne(tasks.sampleEach(seed, options.metaBatch))] : tasks.sample(seed, 1);
  try {
    checkMetaBatchFits({
      where: 'metaTrain',
      work: `${learner.name} on ${tasks.description}`,
      profile: learner.memoryProfile(params, first),
      metaBatch: options.metaBatch,
      threads: engineThreads(first.support.x.backend),
      limit,
    });
  } finally {
    disposeTasks([first]);
  }
}

/** The first item of an iterable, without making the rest. */
function* takeOne<T>(items: Iterable<T>): Generator<T> {
  for (const item of items) {
    yield item;
    return;
  }
}

function checkpointOf(
  options: MetaTrainOptions,
  checkpoint: CheckpointOptions,
  arrays: NamedArrays,
  iteration: number,
  seed: number,
): Checkpoint {
  return {
    params: arrays,
    optimizer: options.optimizer.state(),
    iteration,
    seed,
    learner: options.learner.name,
    model: checkpoint.model,
    config: checkpoint.config ?? {},
    rng: { scheme: 'counter', stream: TRAIN_STREAM, nextIteration: iteration + 1, tasks: options.tasks.description },
  };
}

/** Buffers (MetaStepResult.buffers, e.g. batch-norm running statistics) replace their entries after the optimizer step. */
function storeBuffers(learner: string, params: NamedArrays, buffers: NamedArrays): void {
  for (const [name, value] of Object.entries(buffers)) {
    const current = params[name];
    if (!current || current.data.length !== value.data.length) {
      throw new ValueError(`metaTrain: learner ${learner} returned buffer '${name}' [${value.shape}], which params ${current ? `hold as [${current.shape}]` : 'do not have'}`);
    }
    params[name] = value;
  }
}

/** Why this step must not be applied, or undefined when loss and gradients are finite. */
function describeDivergence(loss: number, grads: NamedArrays): string | undefined {
  if (!Number.isFinite(loss)) return `meta-loss is ${loss}`;
  const bad = findNonFinite(grads);
  return bad === undefined ? undefined : `meta-gradient ${bad}`;
}

function divergenceError(
  learner: string,
  iteration: number,
  reason: string,
  lastCheckpoint: string | undefined,
  lastGoodIteration: number,
): DivergenceError {
  const kept =
    lastCheckpoint === undefined
      ? 'no checkpoint had been written'
      : `the last good checkpoint is '${lastCheckpoint}' (it was not overwritten)`;
  return new DivergenceError(
    `metaTrain: training diverged at iteration ${iteration} (learner ${learner}): ${reason}; stopped after ${lastGoodIteration} good iterations; ${kept}. Try a lower --meta-lr or --inner-lr, or gradient clipping.`,
    iteration,
    lastCheckpoint,
  );
}

function checkOptions(options: MetaTrainOptions): void {
  const positive: [string, number][] = [
    ['iterations', options.iterations],
    ['metaBatch', options.metaBatch],
  ];
  if (options.validation) positive.push(['validation.every', options.validation.every]);
  if (options.checkpoint) positive.push(['checkpoint.every', options.checkpoint.every]);
  for (const [key, value] of positive) {
    if (!Number.isInteger(value) || value < 1) throw new ValueError(`metaTrain: ${key} must be a positive integer, got ${value}`);
  }
}
