/**
 * MAML++ (Antoniou et al., "How to train your MAML", 2019), on the shared engine:
 * - multi-step loss: F = sum_j w_j L_q(t_j) with weights annealed over training toward the
 *   last step (schedules.ts, multiStepLossWeights);
 * - learned per-layer, per-step inner learning rates: one scalar per parameter tensor and
 *   step, stored in Params as 'lr/<param name>/step<j>' (initialised to innerLR) and
 *   meta-learned through the engine's dF/dlr;
 * - derivative-order annealing: first order for the first `firstOrderIterations`
 *   meta-iterations, exact second order after;
 * - the cosine-annealed meta learning rate is the trainer's job: schedules.ts, cosineAnnealing.
 * Not implemented yet: per-step batch-norm running statistics and per-step batch-norm
 * weights (the batch norm here uses the batch's statistics at every step, as MAML does).
 *
 * Training progress: the trainer calls setIteration(i) (0-based) before each meta-batch;
 * without it the learner counts its own metaGradient calls.
 */
import { ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import type { Tensor } from '../core/tensor.js';
import { InnerLoopLearner, LR_PREFIX, scalarLike, type InnerRates } from './innerLoopLearner.js';
import type { FunctionalModel, InnerLoopOptions } from './options.js';
import { multiStepLossWeights, orderAt } from './schedules.js';
import type { MetaStepResult, Params, Task } from './types.js';

export interface MAMLppOptions extends InnerLoopOptions {
  /** Planned meta-iterations; sets the defaults below. Default 10000. */
  totalIterations?: number;
  /** Meta-iterations over which the multi-step loss anneals to the last step. Default 15% of totalIterations. */
  multiStepLossIterations?: number;
  /** Meta-iterations trained first order before switching to second order. Default 0 (always second order). */
  firstOrderIterations?: number;
  /** Use the multi-step loss at all. Default true. */
  multiStepLoss?: boolean;
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

  constructor(model: FunctionalModel, options: MAMLppOptions = {}) {
    super(model, options, 'MAMLpp');
    const total = options.totalIterations ?? 10000;
    if (!(total > 0)) throw new ValueError(`MAMLpp: totalIterations must be > 0, got ${total}`);
    this.annealIterations = options.multiStepLossIterations ?? Math.max(1, Math.round(0.15 * total));
    this.firstOrderIterations = options.firstOrderIterations ?? 0;
    this.multiStepLoss = options.multiStepLoss ?? true;
    if (this.inner.innerSteps < 1) throw new ValueError('MAMLpp: innerSteps must be >= 1');
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

  /** Model weights plus one scalar rate per parameter tensor and step, all innerLR. */
  override init(seed: number, dtype: DType = 'float32'): Params {
    const weights = this.model.init(seed, dtype);
    const params: Params = { ...weights };
    for (const [name, w] of Object.entries(weights)) {
      for (let j = 0; j < this.inner.innerSteps; j++) params[stepRateName(name, j)] = scalarLike(w, this.inner.innerLR);
    }
    return params;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const { stepWeights, order } = this.currentSchedule();
    const steps = this.inner.innerSteps;
    const out = await this.runEngine(params, tasks, { steps, order, stepWeights, lrGrads: true });
    this.iteration++;
    const grads: Params = { ...out.grads };
    const lrGrads = out.lrGrads as Tensor[][];
    sortedKeys(out.grads).forEach((name, i) => {
      for (let j = 0; j < steps; j++) grads[stepRateName(name, j)] = lrGrads[j][i];
    });
    return { loss: out.loss, grads, ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }) };
  }

  /** Step j's learned rates; steps beyond the trained ones (test time) reuse the last learned rate. */
  protected innerRates(params: Params, programParams: Params, steps: number): InnerRates {
    const names = sortedKeys(programParams);
    const learned = this.inner.innerSteps;
    return Array.from({ length: Math.max(steps, 1) }, (_, j) =>
      names.map((name) => {
        const key = stepRateName(name, Math.min(j, learned - 1));
        const rate = params[key];
        if (!rate) throw new ValueError(`MAMLpp: params has no learned rate '${key}' (create params with MAMLpp.init)`);
        return rate;
      }),
    );
  }
}
