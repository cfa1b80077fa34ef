/**
 * CAVIA (Zintgraf et al., 2019, "Fast Context Adaptation via Meta-Learning"): only a small
 * context vector adapts in the inner loop; it starts at zero for every task and enters the
 * network as extra input features (contextModel.ts). The shared weights are meta-learned with
 * the exact second-order meta-gradient through the context's inner steps (the engine with
 * rate 0 on the shared weights and innerLR on the context).
 *
 * The model passed in must take contextSize extra input features.
 */
import type { DType } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import { optionsRecord } from '../core/args.js';
import { Tensor } from '../core/tensor.js';
import { CONTEXT_PARAM, contextModel } from './contextModel.js';
import { InnerLoopLearner, scalarLike, type InnerRates } from './innerLoopLearner.js';
import { checkOrder, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { typedArrayFor } from '../core/typedArray.js';
import { LEARNER_DEFAULTS } from './defaults.js';

export interface CAVIAOptions extends InnerLoopOptions {
  order?: 1 | 2;
  /** Number of context parameters. Default 4 (the paper's sinusoid setting). */
  contextSize?: number;
}

export class CAVIA extends InnerLoopLearner {
  readonly name = 'cavia';
  readonly order: 1 | 2;
  readonly contextSize: number;

  constructor(model: FunctionalModel, options: CAVIAOptions = {}) {
    const contextSize = optionsRecord(options, 'CAVIA: options').contextSize ?? LEARNER_DEFAULTS.cavia.contextSize;
    super(contextModel(model, contextSize), options, 'CAVIA');
    this.contextSize = contextSize;
    this.order = checkOrder('CAVIA', options.order ?? LEARNER_DEFAULTS.order);
  }

  /** The shared weights only: the context is not meta-learned (it is reset per task). */
  override init(seed: number, dtype: DType = 'float32'): Params {
    return this.model.init(seed, dtype);
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const out = await this.runEngine(params, tasks, { steps: this.inner.innerSteps, order: this.order });
    const { [CONTEXT_PARAM]: contextGrad, ...grads } = out.grads;
    contextGrad?.dispose();
    return { loss: out.loss, grads, ...(out.accuracy === undefined ? {} : { accuracy: out.accuracy }) };
  }

  /** The shared weights plus a zero context vector. */
  protected override programParams(params: Params): Params {
    const like = Object.values(params)[0];
    const zeros = typedArrayFor(like.dtype, this.contextSize);
    const context = Tensor.fromHandle(like.backend, like.backend.fromArray(zeros, [this.contextSize]), [this.contextSize], like.dtype);
    return { ...params, [CONTEXT_PARAM]: context };
  }

  /** innerLR on the context, exactly 0 on the shared weights. */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], n === CONTEXT_PARAM ? this.inner.innerLR : 0))];
  }
}
