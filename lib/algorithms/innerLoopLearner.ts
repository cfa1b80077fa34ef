/**
 * The base of every optimization-based learner (MAML, Meta-SGD, ANIL, MAML++, CAVIA, and the
 * adaptation side of iMAML and Reptile): converting tasks to program data, recording the loss
 * program once per shape, running the shared inner-loop engine (innerLoop.ts), adapting and
 * scoring one task. A subclass says only which parameters the loss program takes and which
 * inner learning rates apply to them.
 */
import { ShapeError } from '../errors.js';
import type { Backend, Handle, MetaGradientResult } from '../backend/types.js';
import type { RecordedProgram } from '../core/record.js';
import { Tensor } from '../core/tensor.js';
import type { DType } from '../backend/types.js';
import { adaptByGradientDescent, runMetaGradient, type EngineProgram } from './innerLoop.js';
import { LossPrograms, accuracyFromLogits, lossKindFor, toProgramData, type ProgramData } from './lossProgram.js';
import {
  checkSteps,
  resolveInnerLoopOptions,
  type FunctionalModel,
  type InnerLoopOptions,
  type LossKind,
  type ResolvedInnerLoopOptions,
} from './options.js';
import type { LabeledSet, MetaLearner, MetaStepResult, Params, Task, TaskScore } from './types.js';

/** Inner learning rates: rates[set][i] for program parameter i (sorted order); one set, or one per step. */
export type InnerRates = Tensor[][];

/** What one engine run over a meta-batch gives back, as Tensors keyed by program parameter name. */
export interface EngineOutcome {
  loss: number;
  grads: Params;
  /** dF/drates, shaped like the rates (when asked for). */
  lrGrads?: Tensor[][];
  queryLosses: number[];
  accuracy?: number;
}

export interface EngineSetup {
  steps: number;
  order: 1 | 2;
  stepWeights?: number[];
  lrGrads?: boolean;
}

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
    this.inner = resolveInnerLoopOptions(label, options);
    this.programs = new LossPrograms(model, label);
  }

  init(seed: number, dtype: DType = 'float32'): Params {
    return this.model.init(seed, dtype);
  }

  abstract metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult>;

  /** The loss program's parameters for the learner's params (default: params without 'lr/...' entries). */
  protected programParams(params: Params): Params {
    return withoutLearningRates(params);
  }

  /** Inner learning rates for the program parameters (sorted names) over `steps` steps. */
  protected abstract innerRates(params: Params, programParams: Params, steps: number): InnerRates;

  /** Fast weights for one task: the inner loop on its support set (innerSteps: default testInnerSteps). */
  async adapt(params: Params, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Params> {
    const steps = options.innerSteps ?? this.inner.testInnerSteps;
    checkSteps(this.label, 'innerSteps', steps);
    const programParams = this.programParams(params);
    const data = toProgramData(this.label, support, lossKindFor(support.y, this.inner.loss));
    const program = this.programs.get(programParams, data, lossKindFor(support.y, this.inner.loss));
    const rates = this.innerRates(params, programParams, steps);
    const adapted = adaptByGradientDescent(
      program.backend,
      engineProgram(program),
      program.paramNames.map((n) => programParams[n].handle),
      program.dataHandles(data.x, data.y),
      rates.map((set) => set.map((r) => r.handle)),
      steps,
    );
    return toParams(program.backend, program.paramNames, adapted);
  }

  /** Adapt on the support set, then the query loss (and accuracy for classification). */
  async evaluateTask(params: Params, task: Task, options: { innerSteps?: number } = {}): Promise<TaskScore> {
    const adapted = await this.adapt(params, task.support, options);
    try {
      return this.score(adapted, task.query);
    } finally {
      for (const t of Object.values(adapted)) t.dispose();
    }
  }

  /** The loss (and accuracy) of the program at `programParams` on one set. */
  protected score(programParams: Params, set: LabeledSet): TaskScore {
    const kind = lossKindFor(set.y, this.inner.loss);
    const data = toProgramData(this.label, set, kind);
    const program = this.programs.get(programParams, data, kind);
    const outputs = program.run(programParams, data.x, data.y);
    const loss = outputs[0].item();
    const accuracy = data.labels ? accuracyFromLogits(outputs[1].toArray(), outputs[1].shape, data.labels) : undefined;
    for (const t of outputs) t.dispose();
    return accuracy === undefined ? { loss } : { loss, accuracy };
  }

  /** The shared engine over a meta-batch, for the program parameters and rates of `params`. */
  protected async runEngine(params: Params, tasks: Task[], setup: EngineSetup): Promise<EngineOutcome> {
    const programParams = this.programParams(params);
    const prepared = this.prepareTasks(tasks);
    const first = prepared[0];
    const supportProgram = this.programs.get(programParams, first.support, first.kind);
    const queryProgram = this.programs.get(programParams, first.query, first.kind);
    const rates = this.innerRates(params, programParams, setup.steps);
    const names = supportProgram.paramNames;
    const backend = supportProgram.backend;
    const result = await runMetaGradient(
      backend,
      { support: engineProgram(supportProgram), query: engineProgram(queryProgram) },
      {
        numParams: names.length,
        params: names.map((n) => programParams[n].handle),
        tasks: prepared.map((t) => ({
          support: supportProgram.dataHandles(t.support.x, t.support.y),
          query: queryProgram.dataHandles(t.query.x, t.query.y),
        })),
        steps: setup.steps,
        innerLR: rates.map((set) => set.map((r) => r.handle)),
        order: setup.order,
        ...(setup.stepWeights ? { stepWeights: setup.stepWeights } : {}),
        ...(setup.lrGrads ? { lrGrads: true } : {}),
      },
      this.inner.engine,
    );
    return this.outcome(backend, names, result, prepared);
  }

  /** Converts tasks; every task of a meta-batch must have the first task's shapes (one recorded program). */
  protected prepareTasks(tasks: Task[]): PreparedTask[] {
    if (tasks.length === 0) throw new ShapeError(`${this.label}: metaGradient needs at least one task`);
    const prepared = tasks.map((task) => {
      const kind = lossKindFor(task.support.y, this.inner.loss);
      return { kind, support: toProgramData(this.label, task.support, kind), query: toProgramData(this.label, task.query, kind) };
    });
    const signature = (t: PreparedTask): string =>
      [t.kind, t.support.x.shape, t.support.y.shape, t.query.x.shape, t.query.y.shape].join('|');
    const expected = signature(prepared[0]);
    prepared.forEach((t, i) => {
      if (signature(t) !== expected) {
        throw new ShapeError(`${this.label}: task ${i} has shapes ${signature(t)}, unlike task 0 (${expected}); a meta-batch needs one shape`);
      }
    });
    return prepared;
  }

  private outcome(backend: Backend, names: readonly string[], result: MetaGradientResult, tasks: PreparedTask[]): EngineOutcome {
    let accuracy: number | undefined;
    if (tasks[0].query.labels) {
      let total = 0;
      result.queryOutputs.forEach((outs, t) => {
        total += accuracyFromLogits(backend.toArray(outs[0]), backend.shapeOf(outs[0]), tasks[t].query.labels as Int32Array);
      });
      accuracy = total / tasks.length;
    }
    for (const outs of result.queryOutputs) for (const h of outs) backend.dispose(h);
    const wrap = (h: Handle): Tensor => Tensor.fromHandle(backend, h);
    return {
      loss: result.loss,
      grads: toParams(backend, names, result.grads),
      ...(result.lrGrads ? { lrGrads: result.lrGrads.map((set) => set.map(wrap)) } : {}),
      queryLosses: result.queryLosses,
      ...(accuracy === undefined ? {} : { accuracy }),
    };
  }
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

/** Prefix of learned inner learning rates stored in Params (Meta-SGD, MAML++). */
export const LR_PREFIX = 'lr/';

export function withoutLearningRates(params: Params): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(params)) if (!name.startsWith(LR_PREFIX)) out[name] = t;
  return out;
}

/** A rank-0 tensor on `like`'s backend and dtype. */
export function scalarLike(like: Tensor, value: number): Tensor {
  const data = like.dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value);
  return Tensor.fromHandle(like.backend, like.backend.fromArray(data, []), [], like.dtype);
}
