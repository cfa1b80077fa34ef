/**
 * Training-time schedules of MAML++ (Antoniou et al., "How to train your MAML", 2019).
 * Pure functions of the meta-iteration, so the trainer and MAMLpp agree and resume exactly.
 */
import { describeValue } from '../core/args.js';
import { ValueError } from '../errors.js';
import { MAX_STEPS } from './options.js';

/** A number (NaN included: the arithmetic below is defined for it, a symbol or bigint is not). */
function expectNumber(value: unknown, what: string): void {
  if (typeof value !== 'number') throw new ValueError(`${what} must be a number, got ${describeValue(value)}`);
}

/**
 * Multi-step loss weights w_0..w_k for the k + 1 parameter states t_0..t_k (w_0 is always 0:
 * the loss before any adaptation is not part of MAML++'s objective).
 *
 * At iteration 0 the k per-step query losses weigh 1/k each; over `annealIterations` the
 * weights of steps 1..k-1 decay linearly to a floor of 0.03/k and the last step's weight
 * grows to take up the rest, so the weights always sum to 1 and the objective ends as plain
 * MAML's final-step loss. (The paper anneals per epoch; here the unit is whatever the
 * caller counts, meta-iterations by default.)
 */
export function multiStepLossWeights(steps: number, iteration: number, annealIterations: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    throw new ValueError(`multiStepLossWeights: steps must be >= 1, got ${describeValue(steps)} (at most ${MAX_STEPS})`);
  }
  expectNumber(iteration, 'multiStepLossWeights: iteration');
  if (typeof annealIterations !== 'number' || !(annealIterations > 0)) {
    throw new ValueError(`multiStepLossWeights: annealIterations must be > 0, got ${describeValue(annealIterations)}`);
  }
  const weights = new Array<number>(steps + 1).fill(0);
  if (steps === 1) {
    weights[1] = 1;
    return weights;
  }
  const start = 1 / steps;
  const floor = 0.03 / steps;
  const progress = Math.min(Math.max(iteration, 0) / annealIterations, 1);
  const early = start - (start - floor) * progress;
  for (let j = 1; j < steps; j++) weights[j] = early;
  weights[steps] = 1 - (steps - 1) * early;
  return weights;
}

/**
 * Cosine annealing of the meta learning rate (SGDR without restarts), as MAML++ uses:
 * lr(i) = minLR + (baseLR - minLR) * (1 + cos(pi * i / total)) / 2, held at minLR after `total`.
 */
export function cosineAnnealing(baseLR: number, iteration: number, totalIterations: number, minLR = 0): number {
  expectNumber(baseLR, 'cosineAnnealing: baseLR');
  expectNumber(iteration, 'cosineAnnealing: iteration');
  expectNumber(minLR, 'cosineAnnealing: minLR');
  if (typeof totalIterations !== 'number' || !(totalIterations > 0)) {
    throw new ValueError(`cosineAnnealing: totalIterations must be > 0, got ${describeValue(totalIterations)}`);
  }
  const progress = Math.min(Math.max(iteration, 0) / totalIterations, 1);
  return minLR + ((baseLR - minLR) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** First-to-second-order annealing: first order for the first `firstOrderIterations` iterations. */
export function orderAt(iteration: number, firstOrderIterations: number): 1 | 2 {
  return iteration < firstOrderIterations ? 1 : 2;
}
