/**
 * MAML++ (Antoniou et al., "How to train your MAML", 2019), on the shared engine:
 * - multi-step loss: F = sum_j w_j L_q(t_j) with weights annealed over training toward the
 *   last step (schedules.ts, multiStepLossWeights);
 * - learned per-layer, per-step inner learning rates: one scalar per parameter tensor and
 *   step, stored in Params as 'lr/<param name>/step<j>' (initialised to innerLR) and
 *   meta-learned through the engine's dF/dlr;
 * - per-step batch norm (lib/nn/perStepBatchNorm.ts), with a model built for it, e.g.
 *   nn.conv4({ ..., batchNormSteps: innerSteps }): batch-norm weight and bias [k + 1, C] whose
 *   row j serves state t_j (BNWB), meta-learned and frozen in the inner loop (rate 0, as the
 *   paper's default); and running mean/var buffers [k + 1, C] 'bn_stats/<layer>/{mean,var}'
 *   (BNRS), updated by momentum after every meta-batch (runningStatistics.ts) and returned as
 *   MetaStepResult.buffers. The state reaches the program as a one-hot data input, so one
 *   recorded program serves every step and the meta-gradient through every row is exact.
 *   Normalisation uses batch statistics (transductive, as the paper evaluates); option
 *   batchNormStatistics: 'running' evaluates with the running statistics instead.
 *   Per-step requests run on the native meta-batch engine like any other (one call, tasks in
 *   parallel; MetaGradientRequest.stepData and AdaptBatchRequest.stepData for evaluation), and
 *   on the TypeScript engine on the pure-TS core.
 * - derivative-order annealing: first order for the first `firstOrderIterations`
 *   meta-iterations, exact second order after;
 * - the cosine-annealed meta learning rate is the trainer's job: schedules.ts, cosineAnnealing.
 *
 * Row per state, not per step: the paper's code indexes its k rows by inner step and uses
 * row j both for the support pass at t_j and the query pass at t_{j+1}. Here every evaluation
 * at t_j (support or query) uses row j, k + 1 rows, so one state input per state suffices.
 * Adapting for more steps than trained (testInnerSteps > innerSteps) reuses the last row.
 *
 * Training progress: the trainer calls setIteration(i) (0-based) before each meta-batch;
 * without it the learner counts its own metaGradient calls.
 */
import { describeValue } from '../core/args.js';
import { ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import type { RecordedProgram } from '../core/record.js';
import type { Tensor } from '../core/tensor.js';
import {
  isBatchNormBuffer,
  isPerStepBatchNormModel,
  offersPerStepBatchNorm,
  stepOneHot,
  type BatchNormStatistics,
  type PerStepBatchNormModel,
} from '../nn/perStepBatchNorm.js';
import { InnerLoopLearner, LR_PREFIX, scalarLike, type EngineOutcome, type InnerRates, type ProgramUse } from './innerLoopLearner.js';
import { STATISTICS_OFFSET, type ProgramData } from './lossProgram.js';
import type { PredictionPass } from './predictor.js';
import type { FunctionalModel, InnerLoopOptions, LossKind } from './options.js';
import { updatedRunningStatistics, type StateStatistics } from './runningStatistics.js';
import { multiStepLossWeights, orderAt } from './schedules.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { LEARNER_DEFAULTS } from './defaults.js';

export interface MAMLppOptions extends InnerLoopOptions {
  /** Planned meta-iterations; sets the defaults below. Default 10000. */
  totalIterations?: number;
  /** Meta-iterations over which the multi-step loss anneals to the last step. Default 15% of totalIterations. */
  multiStepLossIterations?: number;
  /** Meta-iterations trained first order before switching to second order. Default 0 (always second order). */
  firstOrderIterations?: number;
  /** Use the multi-step loss at all. Default true. */
  multiStepLoss?: boolean;
  /**
   * Per-step batch-norm weights and running statistics. Needs a model built with them
   * (nn.conv4({ ..., batchNormSteps: innerSteps })). Default: true exactly when the model has them.
   */
  perStepBatchNorm?: boolean;
  /**
   * Statistics that normalise in adapt/evaluateTask: 'batch' (default; transductive, as the
   * papers evaluate) or 'running' (the per-step running statistics). Training always uses 'batch'.
   */
  batchNormStatistics?: BatchNormStatistics;
  /** Momentum of the running statistics, once per meta-batch: running = (1 - m) running + m batch. Default 0.1. */
  batchNormMomentum?: number;
}

/** The Params key of the learned rate of `param` at inner step `step`. */
export function stepRateName(param: string, step: number): string {
  return `${LR_PREFIX}${param}/step${step}`;
}

export class MAMLpp extends InnerLoopLearner {
  readonly name = 'mamlpp';
  private iteration = 0;
  private readonly annealIterations: number;
  private readonly firstOrderIterations: number;
  private readonly multiStepLoss: boolean;
  /** The model when per-step batch norm is on, else undefined. */
  private readonly perStepModel: PerStepBatchNormModel | undefined;
  private readonly evaluationStatistics: BatchNormStatistics;
  private readonly batchNormMomentum: number;
  /** Params keys never adapted in the inner loop (per-step batch-norm weights; rate 0, no learned rate). */
  private readonly frozenInInnerLoop: Set<string>;
  /** One-hot state inputs per backend and dtype (rows k + 1), made once. */
  private readonly oneHots = new Map<string, Tensor[]>();

  constructor(model: FunctionalModel, options: MAMLppOptions = {}) {
    super(model, options, 'MAMLpp');
    const total = options.totalIterations ?? LEARNER_DEFAULTS.mamlpp.totalIterations;
    if (typeof total !== 'number' || !(total > 0)) throw new ValueError(`MAMLpp: totalIterations must be > 0, got ${describeValue(total)}`);
    this.annealIterations = options.multiStepLossIterations ?? Math.max(1, Math.round(LEARNER_DEFAULTS.mamlpp.multiStepLossShare * total));
    this.firstOrderIterations = options.firstOrderIterations ?? LEARNER_DEFAULTS.mamlpp.firstOrderIterations;
    this.multiStepLoss = options.multiStepLoss ?? LEARNER_DEFAULTS.mamlpp.multiStepLoss;
    if (this.inner.innerSteps < 1) throw new ValueError('MAMLpp: innerSteps must be >= 1');
    this.perStepModel = perStepModelFor(model, options.perStepBatchNorm, this.inner.innerSteps);
    this.evaluationStatistics = options.batchNormStatistics ?? LEARNER_DEFAULTS.mamlpp.batchNormStatistics;
    if (this.evaluationStatistics !== 'batch' && this.evaluationStatistics !== 'running') {
      throw new ValueError(`MAMLpp: batchNormStatistics must be 'batch' or 'running', got '${String(options.batchNormStatistics)}'`);
    }
    this.batchNormMomentum = options.batchNormMomentum ?? LEARNER_DEFAULTS.mamlpp.batchNormMomentum;
    if (typeof this.batchNormMomentum !== 'number' || !(this.batchNormMomentum >= 0 && this.batchNormMomentum <= 1)) {
      throw new ValueError(`MAMLpp: batchNormMomentum must be in [0, 1], got ${describeValue(this.batchNormMomentum)}`);
    }
    this.frozenInInnerLoop = new Set((this.perStepModel?.batchNormLayers ?? []).flatMap((l) => [l.weight, l.bias]));
  }

  /**
   * `model` with per-step batch norm for `innerSteps` where it can build it (nn.conv4), else
   * `model` unchanged (e.g. an MLP, or a model that already has it).
   */
  static withPerStepBatchNorm(model: FunctionalModel, innerSteps: number): FunctionalModel {
    if (isPerStepBatchNormModel(model) || !offersPerStepBatchNorm(model)) return model;
    return model.withPerStepBatchNorm(innerSteps);
  }

  /** Whether this learner uses per-step batch-norm weights and running statistics. */
  get perStepBatchNorm(): boolean {
    return this.perStepModel !== undefined;
  }

  /** Training progress (0-based meta-iteration), for the annealing schedules. */
  setIteration(iteration: number): void {
    this.iteration = iteration;
  }

  /** The current step weights w_0..w_k and derivative order. */
  currentSchedule(): { stepWeights: number[]; order: 1 | 2 } {
    const k = this.inner.innerSteps;
    const stepWeights = this.multiStepLoss
      ? multiStepLossWeights(k, this.iteration, this.annealIterations)
      : [...new Array<number>(k).fill(0), 1];
    return { stepWeights, order: orderAt(this.iteration, this.firstOrderIterations) };
  }

  /**
   * Model weights plus one scalar rate per adapted parameter tensor and step, all innerLR
   * (with per-step batch norm, the model's weights include its per-step rows and buffers).
   */
  override init(seed: number, dtype: DType = 'float32'): Params {
    const weights = this.model.init(seed, dtype);
    const params: Params = { ...weights };
    for (const [name, w] of Object.entries(weights)) {
      if (!this.adaptsInInnerLoop(name)) continue;
      for (let j = 0; j < this.inner.innerSteps; j++) params[stepRateName(name, j)] = scalarLike(w, this.inner.innerLR);
    }
    return params;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const { stepWeights, order } = this.currentSchedule();
    const steps = this.inner.innerSteps;
    const keepOutputs = this.perStepModel !== undefined;
    const out = await this.runEngine(params, tasks, { steps, order, stepWeights, lrGrads: true, keepOutputs });
    this.iteration++;
    const grads: Params = { ...out.grads };
    const lrGrads = out.lrGrads as Tensor[][];
    sortedKeys(out.grads).forEach((name, i) => {
      for (let j = 0; j < steps; j++) {
        if (this.adaptsInInnerLoop(name)) grads[stepRateName(name, j)] = lrGrads[j][i];
        else lrGrads[j][i].dispose();
      }
    });
    const buffers = keepOutputs ? this.runningStatisticsAfter(params, out) : undefined;
    return {
      loss: out.loss,
      grads,
      ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }),
      ...(buffers ? { buffers } : {}),
    };
  }

  /** Whether `name` moves in the inner loop (and so has learned rates): not buffers, not per-step batch-norm rows. */
  private adaptsInInnerLoop(name: string): boolean {
    return !this.frozenInInnerLoop.has(name) && !isBatchNormBuffer(name);
  }

  /** The running statistics after this meta-batch (and frees the kept program outputs). */
  private runningStatisticsAfter(params: Params, out: EngineOutcome): Params {
    const model = this.perStepModel as PerStepBatchNormModel;
    const support = out.supportOutputs ?? [];
    const query = out.queryOutputs ?? [];
    // outputs[1..] = [model output, mean_0, var_0, ...]: statistics start at STATISTICS_OFFSET - 1.
    const statsOf = (outs: Tensor[]): StateStatistics => outs.slice(STATISTICS_OFFSET - 1);
    const perTask = query.map((atEnd, t) => [...support[t].map(statsOf), statsOf(atEnd)]);
    try {
      return updatedRunningStatistics(params, model.batchNormLayers, perTask, this.batchNormMomentum);
    } finally {
      for (const outs of [...support.flat(), ...query]) for (const h of outs) h.dispose();
    }
  }

  /** Frees the recorded programs and the state one-hots (both are made again on use). */
  override dispose(): void {
    super.dispose();
    for (const oneHots of this.oneHots.values()) for (const t of oneHots) t.dispose();
    this.oneHots.clear();
  }

  /** Per-step batch norm: the state one-hots t_0..t_{count-1} (states past k use row k). */
  protected override stateInputs(count: number, like: Tensor): Tensor[] | undefined {
    if (!this.perStepModel) return undefined;
    const rows = this.perStepModel.batchNormSteps + 1;
    const key = `${like.backend.name}:${like.dtype}`;
    let oneHots = this.oneHots.get(key);
    if (!oneHots) {
      oneHots = Array.from({ length: rows }, (_, j) => stepOneHot(like, j, rows));
      this.oneHots.set(key, oneHots);
    }
    const table = oneHots;
    return Array.from({ length: count }, (_, j) => table[Math.min(j, rows - 1)]);
  }

  /**
   * predict() after `steps` inner steps: with per-step batch norm, the model at state t_steps
   * (its batch-norm row and statistics mode, as evaluateTask scores the query set).
   */
  protected override predictionPass(steps: number): PredictionPass {
    const model = this.perStepModel;
    if (!model) return super.predictionPass(steps);
    return (params, x) => {
      const state = (this.stateInputs(steps + 1, x) as Tensor[])[steps];
      return model.applyAtStep(params, x, state, this.evaluationStatistics).output;
    };
  }

  protected override lossProgram(programParams: Params, data: ProgramData, kind: LossKind, use: ProgramUse, state?: Tensor): RecordedProgram {
    const model = this.perStepModel;
    if (!model || !state) return super.lossProgram(programParams, data, kind, use, state);
    const statistics = use === 'evaluate' ? this.evaluationStatistics : 'batch';
    return this.programs.acquire(programParams, data, kind, { model, step: state, statistics });
  }

  /**
   * Step j's learned rates; steps beyond the trained ones (test time) reuse the last learned rate.
   * Parameters that do not adapt (per-step batch-norm rows, buffers) get rate 0.
   */
  protected innerRates(params: Params, programParams: Params, steps: number): InnerRates {
    const names = sortedKeys(programParams);
    const learned = this.inner.innerSteps;
    return Array.from({ length: Math.max(steps, 1) }, (_, j) =>
      names.map((name) => {
        if (!this.adaptsInInnerLoop(name)) return scalarLike(programParams[name], 0);
        const key = stepRateName(name, Math.min(j, learned - 1));
        const rate = params[key];
        if (!rate) throw new ValueError(`MAMLpp: params has no learned rate '${key}' (create params with MAMLpp.init)`);
        return rate;
      }),
    );
  }
}

/** The per-step model when per-step batch norm is on (checking the model supports it), else undefined. */
function perStepModelFor(model: FunctionalModel, wanted: boolean | undefined, innerSteps: number): PerStepBatchNormModel | undefined {
  const has = isPerStepBatchNormModel(model);
  if (wanted === true && !has) {
    throw new ValueError(
      'MAMLpp: perStepBatchNorm needs a model with per-step batch norm, e.g. nn.conv4({ ..., batchNormSteps: innerSteps }); this model has none',
    );
  }
  if (wanted === false && has) {
    throw new ValueError('MAMLpp: perStepBatchNorm is false but the model has per-step batch norm; build it without batchNormSteps');
  }
  if (!has) return undefined;
  if (model.batchNormSteps !== innerSteps) {
    throw new ValueError(
      `MAMLpp: the model's per-step batch norm serves ${model.batchNormSteps} inner steps (${model.batchNormSteps + 1} rows) but innerSteps is ${innerSteps}`,
    );
  }
  return model;
}
