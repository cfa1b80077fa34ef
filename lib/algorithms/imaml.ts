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
 * on the pure-TS core, the TypeScript twin (adaptBatch.ts over conjugateGradient.ts). The
 * proximal term is an option of the inner optimiser, not a second recorded loss program, so
 * one program serves the inner loop and the HVPs.
 */
import { describeValue } from '../core/args.js';
import { ValueError } from '../errors.js';
import { sortedKeys } from '../core/params.js';
import { adaptMetaBatch, adaptOne, type AdaptSettings, type AdaptSource } from './adaptedMetaBatch.js';
import { checkLabeledSet } from './inputChecks.js';
import { callSteps, InnerLoopLearner, scalarLike, toParams, type InnerOptimizerOptions, type InnerRates } from './innerLoopLearner.js';
import { checkSteps, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { LabeledSet, MetaStepResult, Params, Task } from './types.js';

export interface IMAMLOptions extends InnerLoopOptions {
  /** Proximal regularisation strength lambda > 0. Default 1. */
  lambda?: number;
  /** Conjugate-gradient iterations. Default 5. */
  cgSteps?: number;
  /** CG stops early when |residual| <= cgTolerance |grad L_q|. Default 1e-10. */
  cgTolerance?: number;
}

export class IMAML extends InnerLoopLearner {
  readonly name = 'imaml';
  readonly lambda: number;
  readonly cgSteps: number;
  readonly cgTolerance: number;

  constructor(model: FunctionalModel, options: IMAMLOptions = {}) {
    super(model, options, 'IMAML');
    this.lambda = options.lambda ?? 1;
    this.cgSteps = options.cgSteps ?? 5;
    this.cgTolerance = options.cgTolerance ?? 1e-10;
    if (typeof this.lambda !== 'number' || !(this.lambda > 0)) throw new ValueError(`IMAML: lambda must be > 0, got ${describeValue(this.lambda)}`);
    checkSteps('IMAML', 'cgSteps', this.cgSteps);
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    this.checkedParams(params);
    tasks = this.checkedTasks('metaGradient', tasks);
    const batch = await adaptMetaBatch(this.source(), params, tasks, {
      ...this.settings(this.inner.innerSteps),
      implicitGradient: { lambda: this.lambda, cgSteps: this.cgSteps, tolerance: this.cgTolerance },
    });
    const { backend, names } = batch;
    for (const h of batch.meanAdapted) backend.dispose(h);
    const grads = toParams(backend, names, batch.implicitGrads ?? []);
    return { loss: batch.loss, grads, ...(batch.accuracy === undefined ? {} : { accuracy: batch.accuracy }) };
  }

  /** Fast weights: the proximal inner loop on the support set. */
  override async adaptParams(params: Params, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Params> {
    this.checkedParams(params);
    support = checkLabeledSet(`${this.label}.adapt: support`, support);
    const steps = callSteps(this.label, options, this.inner.testInnerSteps);
    return adaptOne(this.source(), params, support, this.settings(steps));
  }

  /** Not used by iMAML's own inner loop; a scalar innerLR for completeness. */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], this.inner.innerLR))];
  }

  /** Batched evaluation (evaluateTasks) adapts by the same proximal inner loop as adapt(). */
  protected override innerOptimizerOptions(): InnerOptimizerOptions {
    return { proximal: this.lambda };
  }

  private source(): AdaptSource {
    return { programs: this.programs, label: this.label, loss: this.inner.loss, engine: this.inner.engine };
  }

  /** phi_{j+1} = phi_j - innerLR (grad L_s(phi_j) + lambda (phi_j - theta)), phi_0 = theta. */
  private settings(steps: number): AdaptSettings {
    return { steps, innerLR: this.inner.innerLR, proximal: this.lambda };
  }
}
