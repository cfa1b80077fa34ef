/**
 * Reptile (Nichol, Achiam & Schulman, 2018). For each task: k steps of SGD or Adam on the
 * task's support set from the current initialisation, giving phi. The batched update moves
 * the initialisation toward the mean of the phis:
 *   theta <- theta + epsilon * mean_tasks(phi - theta)
 * metaGradient returns grads = theta - mean_tasks(phi), so an outer SGD step with learning
 * rate epsilon is exactly Reptile's update. loss/accuracy: the query set after adaptation.
 * The whole meta-batch adapts in one batched call (adaptedMetaBatch.ts: native, tasks in
 * parallel; or the TypeScript twin), Adam included (its state m, v is kept per task).
 */
import { ValueError } from '../errors.js';
import { subHandles } from './handleMath.js';
import type { AdaptSettings } from './adaptedMetaBatch.js';
import { AdaptingLearner } from './adaptingLearner.js';
import { toParams } from './innerLoopLearner.js';
import type { FunctionalModel, InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { LEARNER_DEFAULTS } from './defaults.js';
import { disposeHandles } from '../core/ownership.js';

export interface ReptileOptions extends InnerLoopOptions {
  /** The task optimiser. Default 'sgd'. */
  innerOptimizer?: 'sgd' | 'adam';
  /** Adam's betas. Default [0, 0.999] (the Reptile paper's beta1 = 0). */
  adamBetas?: [number, number];
  /** Adam's epsilon. Default 1e-8. */
  adamEpsilon?: number;
}

export class Reptile extends AdaptingLearner {
  readonly name = 'reptile';
  readonly innerOptimizer: 'sgd' | 'adam';
  private readonly betas: [number, number];
  private readonly epsilon: number;

  constructor(model: FunctionalModel, options: ReptileOptions = {}) {
    super(model, options, 'Reptile');
    this.innerOptimizer = options.innerOptimizer ?? LEARNER_DEFAULTS.reptile.innerOptimizer;
    if (this.innerOptimizer !== 'sgd' && this.innerOptimizer !== 'adam') {
      throw new ValueError(`Reptile: innerOptimizer must be 'sgd' or 'adam', got '${String(this.innerOptimizer)}'`);
    }
    this.betas = options.adamBetas ?? [...LEARNER_DEFAULTS.reptile.adamBetas];
    this.epsilon = options.adamEpsilon ?? LEARNER_DEFAULTS.reptile.adamEpsilon;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const batch = await this.adaptedBatch(params, tasks, this.settings(this.inner.innerSteps));
    const { backend, names } = batch;
    const delta = names.map((n, i) => subHandles(backend, params[n].handle, batch.meanAdapted[i]));
    disposeHandles(backend, batch.meanAdapted);
    const grads = toParams(backend, names, delta);
    return { loss: batch.loss, grads, ...(batch.accuracy === undefined ? {} : { accuracy: batch.accuracy }) };
  }

  /**
   * Adam on the support loss (Kingma & Ba, bias-corrected):
   *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
   */
  protected settings(steps: number): AdaptSettings {
    const [beta1, beta2] = this.betas;
    return {
      steps,
      innerLR: this.inner.innerLR,
      ...(this.innerOptimizer === 'adam' ? { adam: { beta1, beta2, epsilon: this.epsilon } } : {}),
    };
  }
}
