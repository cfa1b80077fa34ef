/**
 * iMAML (Rajeswaran et al., 2019, "Meta-Learning with Implicit Gradients").
 *
 * Inner problem (proximal): phi = argmin L_s(phi) + lambda/2 |phi - theta|^2, approximated by
 * k steps of gradient descent from phi = theta with step innerLR on
 *   grad = grad L_s(phi) + lambda (phi - theta).
 * Implicit meta-gradient: at the solution, d phi / d theta = (I + H_s(phi)/lambda)^-1, so
 *   dL_q(phi)/dtheta = x  with  (I + H_s(phi)/lambda) x = grad L_q(phi),
 * solved by conjugate gradient on Hessian-vector products of the support loss at phi.
 * Memory is independent of k: no inner-loop state is kept.
 *
 * Both stages run in one batched adaptation call per meta-batch (AdaptBatchRequest with
 * `proximal` and `implicitGradient`): natively, tasks in parallel with the CG loop in C++;
 * on the pure-TS core, the TypeScript twin (lib/engine over lib/engine/conjugateGradient.ts). The
 * proximal term is an option of the inner optimiser, not a second recorded loss program, so
 * one program serves the inner loop and the HVPs.
 */
import { describeValue } from '../core/args.js';
import { ValueError } from '../errors.js';
import type { AdaptSettings } from './adaptedMetaBatch.js';
import { AdaptingLearner } from './adaptingLearner.js';
import { toParams } from './innerLoopLearner.js';
import { checkSteps, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { MetaStepResult, Params, Task } from './types.js';
import { LEARNER_DEFAULTS } from './defaults.js';
import { disposeHandles } from '../core/ownership.js';

export interface IMAMLOptions extends InnerLoopOptions {
  /** Proximal regularisation strength lambda > 0. Default 1. */
  lambda?: number;
  /** Conjugate-gradient iterations. Default 5. */
  cgSteps?: number;
  /** CG stops early when |residual| <= cgTolerance |grad L_q|. Default 1e-10. */
  cgTolerance?: number;
}

export class IMAML extends AdaptingLearner {
  readonly name = 'imaml';
  readonly lambda: number;
  readonly cgSteps: number;
  readonly cgTolerance: number;

  constructor(model: FunctionalModel, options: IMAMLOptions = {}) {
    super(model, options, 'IMAML');
    this.lambda = options.lambda ?? LEARNER_DEFAULTS.imaml.lambda;
    this.cgSteps = options.cgSteps ?? LEARNER_DEFAULTS.imaml.cgSteps;
    this.cgTolerance = options.cgTolerance ?? LEARNER_DEFAULTS.imaml.cgTolerance;
    if (typeof this.lambda !== 'number' || !(this.lambda > 0)) throw new ValueError(`IMAML: lambda must be > 0, got ${describeValue(this.lambda)}`);
    checkSteps('IMAML', 'cgSteps', this.cgSteps);
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const batch = await this.adaptedBatch(params, tasks, {
      ...this.settings(this.inner.innerSteps),
      implicitGradient: { lambda: this.lambda, cgSteps: this.cgSteps, tolerance: this.cgTolerance },
    });
    const { backend, names } = batch;
    disposeHandles(backend, batch.meanAdapted);
    const grads = toParams(backend, names, batch.implicitGrads ?? []);
    return { loss: batch.loss, grads, ...(batch.accuracy === undefined ? {} : { accuracy: batch.accuracy }) };
  }

  /** phi_{j+1} = phi_j - innerLR (grad L_s(phi_j) + lambda (phi_j - theta)), phi_0 = theta. */
  protected settings(steps: number): AdaptSettings {
    return { steps, innerLR: this.inner.innerLR, proximal: this.lambda };
  }
}
