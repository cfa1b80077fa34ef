/**
 * MAML (Finn et al., 2017): the meta-gradient of the query loss after k steps of gradient
 * descent on the support loss, exact through every step (order 2, the HVP recursion of
 * lib/engine) or first order (order 1: FOMAML, the Hessian term dropped).
 */
import { InnerLoopLearner, scalarLike, type InnerRates } from './innerLoopLearner.js';
import { checkOrder, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { sortedKeys } from '../core/params.js';
import { LEARNER_DEFAULTS } from './defaults.js';

export interface MAMLOptions extends InnerLoopOptions {
  /** 2: exact second order (default); 1: first-order MAML. */
  order?: 1 | 2;
}

export class MAML extends InnerLoopLearner {
  readonly name: string;
  readonly order: 1 | 2;

  constructor(model: FunctionalModel, options: MAMLOptions = {}) {
    super(model, options, 'MAML');
    this.order = checkOrder('MAML', options.order ?? LEARNER_DEFAULTS.order);
    this.name = this.order === 2 ? 'maml' : 'fomaml';
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const out = await this.runEngine(params, tasks, { steps: this.inner.innerSteps, order: this.order });
    return { loss: out.loss, grads: out.grads, ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }) };
  }

  /** One scalar rate, innerLR, shared by every parameter and step. */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], this.inner.innerLR))];
  }
}
