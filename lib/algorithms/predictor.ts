/**
 * Adapt, then predict: what `learner.adapt(params, support)` gives back on every learner.
 *
 *   const predictor = await learner.adapt(params, support);   // support: { x [n, ...], y }
 *   const logits = predictor.predict(x);                       // [m, classes] or [m, outputs]
 *   predictor.dispose();
 *
 * The MAML family adapts once (the inner loop on the support set, the learner's test-time
 * steps) and predicts with the adapted weights (AdaptedModelPredictor below); metric learners
 * keep the support set and score queries against it (lib/metric/episodePredictor.ts). A
 * predictor owns what it made (adapted weights, its copy of the support set); it never owns
 * the params it was given. Using it after dispose() is a DisposedError.
 */
import { BackendError, DisposedError, ValueError } from '../errors.js';
import { tidy } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import type { LabeledSet, Params } from './types.js';

export interface Predictor {
  /**
   * Outputs for inputs x [m, ...] (the model's input shape): class scores [m, classes] for
   * classifiers (argmax = the predicted class, as the learner's evaluation counts it), the
   * model's outputs [m, ...] for regression. The caller owns the returned Tensor.
   */
  predict(x: Tensor): Tensor;
  /** Frees the predictor's tensors; predict() afterwards is a DisposedError. Idempotent. */
  dispose(): void;
  readonly isDisposed: boolean;
}

export interface AdaptOptions {
  /** MAML family: inner-loop steps on the support set. Default: the learner's testInnerSteps. */
  steps?: number;
  /** Same as steps (the name evaluateTask uses); steps wins when both are given. */
  innerSteps?: number;
}

/** A learner that can adapt to a support set and predict (every built-in learner). */
export interface AdaptiveLearner {
  adapt(params: Params, support: LabeledSet, options?: AdaptOptions): Promise<Predictor>;
}

/** The step count an AdaptOptions asks for, or undefined for the learner's default. */
export function requestedSteps(options: AdaptOptions): number | undefined {
  return options.steps ?? options.innerSteps;
}

/** Checks what predict() was given: a live Tensor with an example axis, on the predictor's backend. */
export function checkPredictInput(where: string, x: unknown, like: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: x must be a Tensor [n, ...], got ${describe(x)}`);
  if (x.isDisposed) throw new DisposedError(`${where}: x was disposed`);
  if (x.rank < 1) throw new ValueError(`${where}: x must have an example axis [n, ...], got a scalar`);
  if (x.backend !== like.backend) {
    throw new BackendError(
      `${where}: x lives on the ${x.backend.name} backend but the adapted model on the ${like.backend.name} backend; make x on the same backend`,
    );
  }
  return x;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (make a Tensor with tensor(values, shape))';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  return typeof x;
}

/** Base of the predictors: the disposed guard and the one place that frees owned tensors. */
export abstract class OwningPredictor implements Predictor {
  private disposed = false;

  constructor(
    protected readonly where: string,
    private readonly owned: Tensor[],
  ) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  predict(x: Tensor): Tensor {
    if (this.disposed) throw new DisposedError(`${this.where}: the predictor was disposed`);
    return this.run(x);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) if (!t.isDisposed) t.dispose();
  }

  protected abstract run(x: Tensor): Tensor;
}

/** The model's forward pass at given weights: (params, x) -> outputs. */
export type PredictionPass = (params: Params, x: Tensor) => Tensor;

/**
 * MAML family: the adapted weights and the forward pass the learner's evaluation scores with
 * (plain apply; CAVIA: with the adapted context; MAML++: at the final state's batch-norm row).
 */
export class AdaptedModelPredictor extends OwningPredictor {
  constructor(
    where: string,
    /** The adapted weights (fast weights); owned by the predictor. */
    readonly params: Params,
    /** Inner steps that produced them. */
    readonly steps: number,
    private readonly pass: PredictionPass,
  ) {
    super(where, Object.values(params));
  }

  protected run(x: Tensor): Tensor {
    const first = Object.values(this.params)[0];
    checkPredictInput(`${this.where}.predict`, x, first);
    return tidy(() => this.pass(this.params, x));
  }
}

/**
 * What the MAML family's `adapt` returns. Two contracts meet here: `await maml.adapt(params,
 * support)` is the task's fast weights (a Params record: its enumerable keys are exactly the
 * adapted tensors, so `model.apply(adapted, x)` and `Object.values(adapted)` work as before), and
 * it is a predictor (`predict`, `dispose`, `isDisposed`, `params`, `steps` are non-enumerable, so
 * they never show up as parameters).
 */
export type AdaptedParams = Params & Predictor & { readonly params: Params; readonly steps: number };

export function adaptedParams(predictor: AdaptedModelPredictor): AdaptedParams {
  const record: Record<string, unknown> = { ...predictor.params };
  Object.defineProperties(record, {
    predict: { value: (x: Tensor) => predictor.predict(x) },
    dispose: { value: () => predictor.dispose() },
    isDisposed: { get: () => predictor.isDisposed },
    params: { value: predictor.params },
    steps: { value: predictor.steps },
  });
  return record as AdaptedParams;
}
