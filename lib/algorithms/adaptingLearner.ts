/**
 * The base of the learners whose meta-step is batched adaptation (adaptedMetaBatch.ts) rather
 * than a differentiated inner loop: Reptile and iMAML. A subclass says only how a task adapts
 * (settings: steps of SGD or Adam, optionally proximal) and what it makes of the adapted batch.
 */
import { sortedKeys } from '../core/params.js';
import type { Borrowed, Owned } from '../core/ownership.js';
import { adaptMetaBatch, adaptOne, type AdaptedMetaBatch, type AdaptSettings, type AdaptSource } from './adaptedMetaBatch.js';
import { checkLabeledSet } from './inputChecks.js';
import { callSteps, InnerLoopLearner, scalarLike, type InnerOptimizerOptions, type InnerRates } from './innerLoopLearner.js';
import type { LabeledSet, Params, Task } from './types.js';

export abstract class AdaptingLearner extends InnerLoopLearner {
  /** How each task adapts over `steps` steps. */
  protected abstract settings(steps: number): AdaptSettings;

  /** Fast weights: the learner's inner loop (settings) on the support set. The caller owns them. */
  override async adaptParams(params: Borrowed<Params>, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Owned<Params>> {
    this.checkedParams(params);
    support = checkLabeledSet(`${this.label}.adapt: support`, support);
    const steps = callSteps(this.label, options, this.inner.testInnerSteps);
    return adaptOne(this.source(), params, support, this.settings(steps));
  }

  /** A scalar innerLR for every parameter (the inner loops here take their rate from settings). */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], this.inner.innerLR))];
  }

  /** Batched evaluation (evaluateTasks) adapts with the same inner optimiser as training and adapt(). */
  protected override innerOptimizerOptions(): InnerOptimizerOptions {
    const { proximal, adam } = this.settings(0);
    return { ...(proximal ? { proximal } : {}), ...(adam ? { adam } : {}) };
  }

  /** Every task of a meta-batch adapted on its support set and scored on its query set (checked inputs). */
  protected async adaptedBatch(params: Params, tasks: Task[], settings: AdaptSettings): Promise<AdaptedMetaBatch> {
    this.checkedParams(params);
    tasks = this.checkedTasks('metaGradient', tasks);
    return adaptMetaBatch(this.source(), params, tasks, settings);
  }

  private source(): AdaptSource {
    return { programs: this.programs, label: this.label, loss: this.inner.loss, engine: this.inner.engine };
  }
}
