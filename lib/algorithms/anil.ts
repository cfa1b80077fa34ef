/**
 * ANIL (Raghu et al., 2020, "Almost No Inner Loop"): only the head adapts in the inner loop;
 * the body's inner rate is zero. The body still gets its exact meta-gradient: the query loss
 * depends on it directly and through the head's inner steps (the engine's H_s v includes the
 * body-head block of the Hessian).
 */
import { sortedKeys } from '../core/params.js';
import { selectHead, type HeadSpec } from './headSelection.js';
import { InnerLoopLearner, scalarLike, type InnerRates } from './innerLoopLearner.js';
import { checkOrder, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { LEARNER_DEFAULTS } from './defaults.js';

export interface ANILOptions extends InnerLoopOptions {
  order?: 1 | 2;
  /** Which parameters adapt: names, a name prefix, or a predicate. Default: 'head.*', else the last layer. */
  head?: HeadSpec;
}

export class ANIL extends InnerLoopLearner {
  readonly name = 'anil';
  readonly order: 1 | 2;
  private readonly head: HeadSpec | undefined;

  constructor(model: FunctionalModel, options: ANILOptions = {}) {
    super(model, options, 'ANIL');
    this.order = checkOrder('ANIL', options.order ?? LEARNER_DEFAULTS.order);
    this.head = options.head;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const out = await this.runEngine(params, tasks, { steps: this.inner.innerSteps, order: this.order });
    return { loss: out.loss, grads: out.grads, ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }) };
  }

  /** innerLR on the head, exactly 0 on the body (the engine then never moves or copies the body). */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    const names = sortedKeys(programParams);
    const head = new Set(selectHead(names, this.head));
    return [names.map((n) => scalarLike(programParams[n], head.has(n) ? this.inner.innerLR : 0))];
  }
}
