/**
 * The base of every optimization-based learner (MAML, Meta-SGD, ANIL, MAML++, CAVIA, and the
 * adaptation side of iMAML and Reptile): converting tasks to program data, recording the loss
 * program once per shape, running the shared inner-loop engine (lib/engine), adapting and
 * scoring one task. A subclass says only which parameters the loss program takes and which
 * inner learning rates apply to them.
 *
 * State inputs (MAML++'s per-step batch norm): a subclass may give the loss program a third data
 * input, [x, y, state], whose value depends on the parameter state t_j (stateInputs); the engine
 * then swaps in state j at every evaluation at t_j (MetaGradientRequest.stepData).
 */
import { groupIndicesBy } from './groupIndices.js';
import { disposeHandles, disposeTemporaries, type Borrowed, type Owned } from '../core/ownership.js';
import { ShapeError } from '../errors.js';
import { optionsRecord } from '../core/args.js';
import type { Backend, Handle, MetaGradientResult } from '../backend/types.js';
import type { RecordedProgram } from '../core/record.js';
import { Tensor } from '../core/tensor.js';
import type { DType } from '../backend/types.js';
import { runAdaptBatch } from './adaptBatch.js';
import { AdaptedModelPredictor, adaptedParams, requestedSteps, type AdaptedParams, type AdaptOptions, type PredictionPass } from './predictor.js';
import { adaptByGradientDescent, runMetaGradient, type EngineProgram, type StepData } from './innerLoop.js';
import { LossPrograms, accuracyFromLogits, lossKindFor, lossPass, toProgramData, type ProgramData } from './lossProgram.js';
import { paramsBytes, taskBytes, traceValueBytes, type TaskMemoryProfile } from './memoryProfile.js';
import {
  checkSteps,
  resolveInnerLoopOptions,
  type FunctionalModel,
  type InnerLoopOptions,
  type LossKind,
  type ResolvedInnerLoopOptions,
} from './options.js';
import type { LabeledSet, MetaLearner, MetaStepResult, Params, Task, TaskScore } from './types.js';
import { checkLabeledSet, checkLearnerParams, checkModel, checkTask, checkTasks, LR_PREFIX } from './inputChecks.js';
import { typedArrayFor } from '../core/typedArray.js';

/**
 * Inner learning rates: rates[set][i] for program parameter i (sorted order); one set, or one per
 * step. Each rate is either borrowed from the learner's params (MetaSGD's and MAML++'s learned
 * rates ARE params: never freed here) or owned by the call that asked for it (scalarLike rates):
 * the call frees exactly those not in params, once, before it returns (disposeTemporaries).
 */
export type InnerRates = (Borrowed<Tensor> | Owned<Tensor>)[][];

/** What one engine run over a meta-batch gives back, as Tensors keyed by program parameter name. */
export interface EngineOutcome {
  loss: number;
  grads: Params;
  /** dF/drates, shaped like the rates (when asked for). */
  lrGrads?: Tensor[][];
  queryLosses: number[];
  accuracy?: number;
  /** With keepOutputs: per task, the support program's outputs[1..] at t_0..t_{k-1} (the caller disposes). */
  supportOutputs?: Tensor[][][];
  /** With keepOutputs: per task, the query program's outputs[1..] at t_k (the caller disposes). */
  queryOutputs?: Tensor[][];
}

export interface EngineSetup {
  steps: number;
  order: 1 | 2;
  stepWeights?: number[];
  lrGrads?: boolean;
  /** Keep every program output of the run (EngineOutcome.supportOutputs / queryOutputs). */
  keepOutputs?: boolean;
}

/** Why a loss program is wanted: the meta-gradient (training) or adaptation and scoring (evaluation). */
export type ProgramUse = 'metaGradient' | 'evaluate';

/**
 * The inner optimiser's options beyond plain gradient descent (AdaptBatchRequest): Reptile's
 * Adam, iMAML's proximal pull. The MAML family uses none.
 */
export interface InnerOptimizerOptions {
  proximal?: number;
  adam?: { beta1: number; beta2: number; epsilon: number };
}

/** Position of the state input among a program's data inputs [x, y, state, constants...]. */
export const STATE_INPUT = 2;

/** One task, converted: its loss kind and its support/query sets as program data. */
export interface PreparedTask {
  kind: LossKind;
  support: ProgramData;
  query: ProgramData;
}

export abstract class InnerLoopLearner implements MetaLearner {
  abstract readonly name: string;
  protected readonly inner: ResolvedInnerLoopOptions;
  protected readonly programs: LossPrograms;

  constructor(
    readonly model: FunctionalModel,
    options: InnerLoopOptions,
    protected readonly label: string,
  ) {
    checkModel(`${label}: model`, model);
    this.inner = resolveInnerLoopOptions(label, options);
    this.programs = new LossPrograms(model, label);
  }

  init(seed: number, dtype: DType = 'float32'): Params {
    return this.model.init(seed, dtype);
  }

  /**
   * The one check of a caller's params (and tasks) at every public method: exactly init()'s
   * names, live Tensors; tasks an array of well-formed tasks (returned as read, once).
   */
  protected checkedParams(params: Params): Params {
    return checkLearnerParams(this.label, this, params);
  }

  protected checkedTasks(method: string, tasks: Task[]): Task[] {
    return checkTasks(`${this.label}.${method}`, tasks);
  }

  abstract metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult>;

  /** The loss program's parameters for the learner's params (default: params without 'lr/...' entries). */
  protected programParams(params: Params): Params {
    return withoutLearningRates(params);
  }

  /** Inner learning rates for the program parameters (sorted names) over `steps` steps. */
  protected abstract innerRates(params: Params, programParams: Params, steps: number): InnerRates;

  /**
   * The loss program for these params and data, pinned in the cache until the caller's
   * this.programs.release(program). A subclass with a state input records its own (state: an
   * example value); the default is the model's loss (lossProgram.ts).
   */
  protected lossProgram(programParams: Params, data: ProgramData, kind: LossKind, _use: ProgramUse, _state?: Tensor): RecordedProgram {
    return this.programs.acquire(programParams, data, kind);
  }

  /** Frees the recorded loss programs (the learner stays usable: they are recorded again). */
  dispose(): void {
    this.programs.dispose();
  }

  /**
   * The state input's value at t_0..t_{count-1}, on `like`'s backend and dtype, or undefined
   * when the loss program takes no state input (the default). The learner owns the tensors.
   */
  protected stateInputs(_count: number, _like: Tensor): Tensor[] | undefined {
    return undefined;
  }

  /**
   * Adapt, then predict (predictor.ts): the inner loop on the support set (adaptParams, the
   * learner's testInnerSteps unless options.steps says otherwise), then a predictor whose
   * predict(x) applies the model at the adapted weights, as evaluateTask scores the query set.
   * The result is also the fast weights themselves (AdaptedParams: a Params record).
   */
  async adapt(params: Params, support: LabeledSet, options: AdaptOptions = {}): Promise<AdaptedParams> {
    const steps = requestedSteps(optionsRecord(options, `${this.label}.adapt: options`)) ?? this.inner.testInnerSteps;
    const adapted = await this.adaptParams(params, support, { innerSteps: steps }); // adaptParams checks params and support
    return adaptedParams(new AdaptedModelPredictor(this.label, adapted, steps, this.predictionPass(steps)));
  }

  /** The forward pass predict() uses after `steps` inner steps (default: the model's apply). */
  protected predictionPass(_steps: number): PredictionPass {
    return (params, x) => this.model.apply(params, x);
  }

  /** Fast weights for one task: the inner loop on its support set (innerSteps: default testInnerSteps). The caller owns them. */
  async adaptParams(params: Borrowed<Params>, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Owned<Params>> {
    this.checkedParams(params);
    support = checkLabeledSet(`${this.label}.adapt: support`, support);
    const steps = callSteps(this.label, options, this.inner.testInnerSteps);
    const programParams = this.programParams(params);
    const kind = lossKindFor(support.y, this.inner.loss);
    const data = toProgramData(this.label, support, kind);
    const states = this.stateInputs(steps + 1, data.x);
    const program = this.lossProgram(programParams, data, kind, 'evaluate', states?.[0]);
    const rates = this.innerRates(params, programParams, steps);
    try {
      const adapted = adaptByGradientDescent(
        program.backend,
        engineProgram(program),
        program.paramNames.map((n) => programParams[n].handle),
        taskInputs(program, data, states?.[0]),
        rates.map((set) => set.map((r) => r.handle)),
        steps,
        stepDataOf(states),
      );
      return toParams(program.backend, program.paramNames, adapted);
    } finally {
      this.programs.release(program);
      disposeTemporaries([...Object.values(programParams), ...rates.flat(), data.y], [...Object.values(params), support.y]);
    }
  }

  /**
   * The sizes lib/train/memoryBudget.ts needs for one task of this shape, from a symbolic trace of
   * the model's loss on the support and on the query set (nothing is computed). Subclasses with
   * their own loss programs (MAML++'s per-step batch norm) are sized by the model's plain loss,
   * which has the same activations.
   */
  memoryProfile(params: Params, task: Task): TaskMemoryProfile {
    const programParams = this.programParams(params);
    const kind = lossKindFor(task.support.y, this.inner.loss);
    const pass = lossPass(this.model, this.label, kind);
    const trace = (set: LabeledSet) => {
      const y = set.y instanceof Tensor ? set.y : { shape: [set.y.length], dtype: set.x.dtype };
      return traceValueBytes(`${this.label}.memoryProfile`, set.x.backend, programParams, [set.x, y], pass);
    };
    const support = trace(task.support);
    const query = trace(task.query);
    return {
      episodeBytes: taskBytes(task),
      paramBytes: paramsBytes(programParams),
      supportForwardBytes: support.valueBytes,
      queryForwardBytes: query.valueBytes,
      queryOutputBytes: query.outputBytes.slice(1).reduce((a, b) => a + b, 0),
      hasInnerLoop: true,
      innerSteps: this.inner.innerSteps,
      testInnerSteps: this.inner.testInnerSteps,
    };
  }

  /** Adapt on the support set, then the query loss (and accuracy for classification). */
  async evaluateTask(params: Params, task: Task, options: { innerSteps?: number } = {}): Promise<TaskScore> {
    this.checkedParams(params);
    task = checkTask(`${this.label}.evaluateTask: task`, task);
    const steps = callSteps(this.label, options, this.inner.testInnerSteps);
    const adapted = await this.adaptParams(params, task.support, { innerSteps: steps });
    try {
      const state = this.stateInputs(steps + 1, task.query.x)?.[steps];
      return this.score(adapted, task.query, state);
    } finally {
      for (const t of Object.values(adapted)) t.dispose();
    }
  }

  /**
   * evaluateTask for many tasks, with the same scores, in task order: tasks grouped by shape,
   * each group adapted and scored in one batched call (runAdaptBatch: on the native core one
   * call with the tasks in parallel off the event loop; else its TypeScript twin). A loss
   * program with a per-step state input (MAML++'s per-step batch norm) passes the states as
   * the request's per-step data.
   */
  async evaluateTasks(params: Params, tasks: Task[], options: { innerSteps?: number } = {}): Promise<TaskScore[]> {
    this.checkedParams(params);
    tasks = this.checkedTasks('evaluateTasks', tasks);
    const steps = callSteps(this.label, options, this.inner.testInnerSteps);
    if (tasks.length === 0) return [];
    const programParams = this.programParams(params);
    const rates = this.innerRates(params, programParams, steps);
    const prepared = tasks.map((task) => this.prepareTask(task));
    const scores = new Array<TaskScore>(tasks.length);
    try {
      for (const indices of groupIndicesByShape(prepared)) {
        const group = indices.map((i) => prepared[i]);
        const states = this.stateInputs(steps + 1, group[0].support.x);
        const groupScores = await this.adaptAndScoreGroup(programParams, rates, group, steps, states);
        indices.forEach((taskIndex, k) => {
          scores[taskIndex] = groupScores[k];
        });
      }
      return scores;
    } finally {
      disposeTemporaries([...Object.values(programParams), ...rates.flat(), ...preparedTensors(prepared)], callerTensors(params, tasks));
    }
  }

  /** The inner optimiser's options for adaptBatch (default: plain gradient descent). Reptile and iMAML override. */
  protected innerOptimizerOptions(): InnerOptimizerOptions {
    return {};
  }

  /**
   * Tasks of one shape, one score each: one adaptBatch call adapts them all and gives the query
   * loss and logits at t_k. When query sets have another size than support sets (1-shot
   * classification), the query program goes along with the support program (runAdaptBatch).
   */
  private async adaptAndScoreGroup(
    programParams: Params,
    rates: InnerRates,
    group: PreparedTask[],
    steps: number,
    states: Tensor[] | undefined,
  ): Promise<TaskScore[]> {
    const { kind } = group[0];
    const support = this.lossProgram(programParams, group[0].support, kind, 'evaluate', states?.[0]);
    const query = this.lossProgram(programParams, group[0].query, kind, 'evaluate', states?.[0]);
    const stepData = stepDataOf(states);
    const backend = support.backend;
    const { proximal, adam } = this.innerOptimizerOptions();
    const result = await runAdaptBatch(
      backend,
      { support: engineProgram(support), query: engineProgram(query) },
      {
        numParams: support.paramNames.length,
        params: support.paramNames.map((n) => programParams[n].handle),
        tasks: group.map((t) => ({ support: taskInputs(support, t.support, states?.[0]), query: taskInputs(query, t.query, states?.[0]) })),
        steps,
        innerLR: rates.map((set) => set.map((r) => r.handle)),
        ...(proximal ? { proximal } : {}),
        ...(adam ? { adam } : {}),
        ...(stepData ? { stepData } : {}),
      },
      this.inner.engine,
    ).finally(() => {
      this.programs.release(support);
      this.programs.release(query);
    });
    const losses = result.queryLosses ?? [];
    const outputs = result.queryOutputs ?? [];
    const scores = group.map((t, i): TaskScore => {
      if (!t.query.labels) return { loss: losses[i] };
      const logits = outputs[i][0];
      return { loss: losses[i], accuracy: accuracyFromLogits(backend.toArray(logits), backend.shapeOf(logits), t.query.labels) };
    });
    disposeHandles(backend, [...result.adapted.flat(), ...result.meanAdapted, ...outputs.flat()]);
    return scores;
  }

  /** The loss (and accuracy) of the program at `programParams` on one set (state: the state input's value, if any). */
  protected score(programParams: Params, set: LabeledSet, state?: Tensor): TaskScore {
    const kind = lossKindFor(set.y, this.inner.loss);
    const data = toProgramData(this.label, set, kind);
    const program = this.lossProgram(programParams, data, kind, 'evaluate', state);
    let outputs: Tensor[];
    try {
      outputs = state ? program.run(programParams, data.x, data.y, state) : program.run(programParams, data.x, data.y);
    } finally {
      this.programs.release(program);
      disposeTemporaries([data.y], [set.y]);
    }
    const loss = outputs[0].item();
    const accuracy = data.labels ? accuracyFromLogits(outputs[1].toArray(), outputs[1].shape, data.labels) : undefined;
    for (const t of outputs) t.dispose();
    return accuracy === undefined ? { loss } : { loss, accuracy };
  }

  /** The shared engine over a meta-batch, for the program parameters and rates of `params`. */
  protected async runEngine(params: Params, tasks: Task[], setup: EngineSetup): Promise<EngineOutcome> {
    this.checkedParams(params);
    tasks = this.checkedTasks('metaGradient', tasks);
    const programParams = this.programParams(params);
    const prepared = this.prepareTasks(tasks);
    const first = prepared[0];
    const states = this.stateInputs(setup.steps + 1, first.support.x);
    const supportProgram = this.lossProgram(programParams, first.support, first.kind, 'metaGradient', states?.[0]);
    const queryProgram = this.lossProgram(programParams, first.query, first.kind, 'metaGradient', states?.[0]);
    const rates = this.innerRates(params, programParams, setup.steps);
    const stepData = stepDataOf(states);
    const names = supportProgram.paramNames;
    const backend = supportProgram.backend;
    const result = await runMetaGradient(
      backend,
      { support: engineProgram(supportProgram), query: engineProgram(queryProgram) },
      {
        numParams: names.length,
        params: names.map((n) => programParams[n].handle),
        tasks: prepared.map((t) => ({
          support: taskInputs(supportProgram, t.support, states?.[0]),
          query: taskInputs(queryProgram, t.query, states?.[0]),
        })),
        steps: setup.steps,
        innerLR: rates.map((set) => set.map((r) => r.handle)),
        order: setup.order,
        ...(setup.stepWeights ? { stepWeights: setup.stepWeights } : {}),
        ...(setup.lrGrads ? { lrGrads: true } : {}),
        ...(stepData ? { stepData } : {}),
        ...(setup.keepOutputs ? { supportOutputs: true } : {}),
      },
      this.inner.engine,
    ).finally(() => {
      this.programs.release(supportProgram);
      this.programs.release(queryProgram);
      disposeTemporaries([...Object.values(programParams), ...rates.flat(), ...preparedTensors(prepared)], callerTensors(params, tasks));
    });
    return this.outcome(backend, names, result, prepared, setup.keepOutputs === true);
  }

  /** Converts tasks; every task of a meta-batch must have the first task's shapes (one recorded program). */
  protected prepareTasks(tasks: Task[]): PreparedTask[] {
    if (tasks.length === 0) throw new ShapeError(`${this.label}: metaGradient needs at least one task`);
    const prepared = tasks.map((task) => this.prepareTask(task));
    const expected = shapeSignature(prepared[0]);
    prepared.forEach((t, i) => {
      if (shapeSignature(t) !== expected) {
        throw new ShapeError(`${this.label}: task ${i} has shapes ${shapeSignature(t)}, unlike task 0 (${expected}); a meta-batch needs one shape`);
      }
    });
    return prepared;
  }

  private prepareTask(task: Task): PreparedTask {
    const kind = lossKindFor(task.support.y, this.inner.loss);
    return { kind, support: toProgramData(this.label, task.support, kind), query: toProgramData(this.label, task.query, kind) };
  }

  private outcome(
    backend: Backend,
    names: readonly string[],
    result: MetaGradientResult,
    tasks: PreparedTask[],
    keepOutputs: boolean,
  ): EngineOutcome {
    let accuracy: number | undefined;
    if (tasks[0].query.labels) {
      let total = 0;
      result.queryOutputs.forEach((outs, t) => {
        total += accuracyFromLogits(backend.toArray(outs[0]), backend.shapeOf(outs[0]), tasks[t].query.labels as Int32Array);
      });
      accuracy = total / tasks.length;
    }
    const wrap = (h: Handle): Tensor => Tensor.fromHandle(backend, h);
    if (!keepOutputs) disposeHandles(backend, result.queryOutputs.flat());
    const kept = keepOutputs
      ? {
          queryOutputs: result.queryOutputs.map((outs) => outs.map(wrap)),
          supportOutputs: (result.supportOutputs ?? []).map((perStep) => perStep.map((outs) => outs.map(wrap))),
        }
      : {};
    return {
      loss: result.loss,
      grads: toParams(backend, names, result.grads),
      ...(result.lrGrads ? { lrGrads: result.lrGrads.map((set) => set.map(wrap)) } : {}),
      queryLosses: result.queryLosses,
      ...(accuracy === undefined ? {} : { accuracy }),
      ...kept,
    };
  }
}

/** Moved to lib/core/ownership.ts (the one copy); re-exported for existing importers. */
export { disposeTemporaries };

/** The tensors a call's prepared tasks hold (class ids as floats are the call's own; Tensor targets are the caller's). */
function preparedTensors(prepared: readonly PreparedTask[]): Tensor[] {
  return prepared.flatMap((t) => [t.support.y, t.query.y]);
}

/** The caller's tensors a call borrows: its params and its tasks' targets. */
function callerTensors(params: Params, tasks: readonly Task[]): unknown[] {
  return [...Object.values(params), ...tasks.flatMap((t) => [t.support.y, t.query.y])];
}

/** The inner steps of a call's options (default: the learner's), checked. */
export function callSteps(label: string, options: { innerSteps?: number } | undefined, fallback: number): number {
  const steps = optionsRecord(options, `${label}: options`).innerSteps ?? fallback;
  checkSteps(label, 'innerSteps', steps);
  return steps;
}

/** Loss kind and data shapes: tasks with equal signatures share one recorded program. */
export function shapeSignature(t: PreparedTask): string {
  return [t.kind, t.support.x.shape, t.support.y.shape, t.query.x.shape, t.query.y.shape].join('|');
}

/** Indices of tasks with equal shape signatures, groups in order of first appearance (a usual batch: one group). */
export function groupIndicesByShape(tasks: PreparedTask[]): number[][] {
  return groupIndicesBy(tasks, shapeSignature);
}

/** A task's data inputs for the program: [x, y, constants...], or [x, y, state, constants...]. */
function taskInputs(program: RecordedProgram, data: ProgramData, state: Tensor | undefined): Handle[] {
  return state ? program.dataHandles(data.x, data.y, state) : program.dataHandles(data.x, data.y);
}

/** The engine's per-step data for state values t_0..t_k (undefined without a state input). */
function stepDataOf(states: Tensor[] | undefined): StepData | undefined {
  return states ? { index: STATE_INPUT, values: states.map((s) => s.handle) } : undefined;
}

export function engineProgram(program: RecordedProgram): EngineProgram {
  return { compiled: program.compiled, numOutputs: program.numOutputs };
}

/** Wraps handles (taking ownership) into a Params record. */
export function toParams(backend: Backend, names: readonly string[], handles: Handle[]): Params {
  const out: Params = {};
  names.forEach((name, i) => {
    out[name] = Tensor.fromHandle(backend, handles[i]);
  });
  return out;
}

export { LR_PREFIX };

export function withoutLearningRates(params: Params): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(params)) if (!name.startsWith(LR_PREFIX)) out[name] = t;
  return out;
}

/** A rank-0 tensor on `like`'s backend and dtype. */
export function scalarLike(like: Tensor, value: number): Tensor {
  const data = typedArrayFor(like.dtype, [value]);
  return Tensor.fromHandle(like.backend, like.backend.fromArray(data, []), [], like.dtype);
}
