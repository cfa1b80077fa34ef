/**
 * Meta-SGD (Li et al., 2017): MAML with a learned inner learning rate per parameter element.
 * The rates live in Params next to the weights, under 'lr/<param name>' (parameter-shaped,
 * initialised to innerLR), so the outer optimiser and checkpoints treat them like weights.
 * Their meta-gradient is the engine's dF/dlr = -sum_j grad L_s(t_j) * g_{j+1}.
 */
import { ValueError } from '../errors.js';
import type { DType } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import { Tensor } from '../core/tensor.js';
import { InnerLoopLearner, LR_PREFIX, type InnerRates } from './innerLoopLearner.js';
import { checkOrder, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { typedArrayFor } from '../core/typedArray.js';
import { LEARNER_DEFAULTS } from './defaults.js';

export interface MetaSGDOptions extends InnerLoopOptions {
  order?: 1 | 2;
}

export class MetaSGD extends InnerLoopLearner {
  readonly name = 'metasgd';
  readonly order: 1 | 2;

  constructor(model: FunctionalModel, options: MetaSGDOptions = {}) {
    super(model, options, 'MetaSGD');
    this.order = checkOrder('MetaSGD', options.order ?? LEARNER_DEFAULTS.order);
  }

  /** Model weights plus 'lr/<name>' rates filled with innerLR. */
  override init(seed: number, dtype: DType = 'float32'): Params {
    const weights = this.model.init(seed, dtype);
    const params: Params = { ...weights };
    for (const [name, w] of Object.entries(weights)) {
      const rate = typedArrayFor(dtype, w.size).fill(this.inner.innerLR);
      params[LR_PREFIX + name] = Tensor.fromHandle(w.backend, w.backend.fromArray(rate, w.shape), w.shape, dtype);
    }
    return params;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const out = await this.runEngine(params, tasks, { steps: this.inner.innerSteps, order: this.order, lrGrads: true });
    const grads: Params = { ...out.grads };
    const names = sortedKeys(out.grads);
    const lrGrads = out.lrGrads as Tensor[][];
    names.forEach((name, i) => {
      grads[LR_PREFIX + name] = lrGrads[0][i];
    });
    return { loss: out.loss, grads, ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }) };
  }

  protected innerRates(params: Params, programParams: Params, _steps: number): InnerRates {
    return [
      sortedKeys(programParams).map((name) => {
        const rate = params[LR_PREFIX + name];
        if (!rate) throw new ValueError(`MetaSGD: params has no learned rate '${LR_PREFIX}${name}' (create params with MetaSGD.init)`);
        return rate;
      }),
    ];
  }
}
