/**
 * What every optimization-based learner shares: the model it adapts and the inner-loop options.
 */
import { ValueError } from '../errors.js';
import { describeValue, optionsRecord } from '../core/args.js';
import type { Model } from '../nn/model.js';
import { LEARNER_DEFAULTS } from './defaults.js';

/** The functional model a learner adapts (lib/nn): init(seed, dtype?) -> Params, apply(params, x) -> Tensor. */
export type FunctionalModel = Model;

/** 'mse' for regression (targets a Tensor), 'crossEntropy' for classification (class ids). */
export type LossKind = 'mse' | 'crossEntropy';

export interface InnerLoopOptions {
  /** Inner (task-adaptation) learning rate. Default 0.4 (MAML's Omniglot setting). */
  innerLR?: number;
  /** Inner steps k during meta-training. Default 1. */
  innerSteps?: number;
  /** Inner steps when adapting at test time (evaluateTask/adapt). Default: innerSteps. */
  testInnerSteps?: number;
  /** Loss; default chosen per task by the targets (Tensor -> mse, Int32Array -> crossEntropy). */
  loss?: LossKind;
  /**
   * 'auto' (default): the backend's own meta-batch engine where it has one (native), else the
   * TypeScript engine; 'typescript': always the TypeScript engine (differential tests).
   */
  engine?: EngineChoice;
}

export type { EngineChoice } from '../engine/runInnerLoop.js';
import type { EngineChoice } from '../engine/runInnerLoop.js';

export interface ResolvedInnerLoopOptions {
  innerLR: number;
  innerSteps: number;
  testInnerSteps: number;
  loss: LossKind | undefined;
  engine: EngineChoice;
}

export function resolveInnerLoopOptions(algorithm: string, options: InnerLoopOptions): ResolvedInnerLoopOptions {
  optionsRecord(options, `${algorithm}: options`);
  const innerLR = options.innerLR ?? LEARNER_DEFAULTS.inner.innerLR;
  const innerSteps = options.innerSteps ?? LEARNER_DEFAULTS.inner.innerSteps;
  const testInnerSteps = options.testInnerSteps ?? innerSteps;
  if (!Number.isFinite(innerLR)) throw new ValueError(`${algorithm}: innerLR must be a finite number, got ${describeValue(innerLR)}`);
  checkSteps(algorithm, 'innerSteps', innerSteps);
  checkSteps(algorithm, 'testInnerSteps', testInnerSteps);
  if (options.loss !== undefined && options.loss !== 'mse' && options.loss !== 'crossEntropy') {
    throw new ValueError(`${algorithm}: loss must be 'mse' or 'crossEntropy', got ${describeValue(options.loss)}`);
  }
  const engine = options.engine ?? LEARNER_DEFAULTS.inner.engine;
  if (engine !== 'auto' && engine !== 'typescript') {
    throw new ValueError(`${algorithm}: engine must be 'auto' or 'typescript', got ${describeValue(engine)}`);
  }
  return { innerLR, innerSteps, testInnerSteps, loss: options.loss, engine };
}

/**
 * The most inner steps (or CG steps) a learner takes: far past any published setting (MAML uses
 * 1-10, iMAML's CG 5-20), and low enough that a mistyped count fails now instead of running for
 * days or asking for a per-step array no machine holds.
 */
export const MAX_STEPS = 100_000;

export function checkSteps(algorithm: string, name: string, steps: number): void {
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_STEPS) {
    throw new ValueError(`${algorithm}: ${name} must be an integer >= 0, got ${describeValue(steps)} (at most ${MAX_STEPS})`);
  }
}

export function checkOrder(algorithm: string, order: number): 1 | 2 {
  if (order !== 1 && order !== 2) throw new ValueError(`${algorithm}: order must be 1 or 2, got ${describeValue(order)}`);
  return order;
}
