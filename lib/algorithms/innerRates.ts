/**
 * innerLR of the inner-loop engines (MetaGradientRequest and AdaptBatchRequest in
 * lib/backend/types.ts): innerLR[j][i] is the rate of parameter i at step j, with either one
 * entry per step or one entry shared by every step. A rate that is exactly zero freezes its
 * parameter at that step (ANIL, CAVIA): the engines keep t_j's handle instead of a new one.
 */
import { ShapeError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';
import { isAllZero } from './handleMath.js';

/**
 * Which rate shapes an engine takes: 'scalarOrSame', [] or the parameter's shape (as the native
 * engines); 'broadcast', any shape that broadcasts to the parameter's.
 */
export type RateShapeRule = 'scalarOrSame' | 'broadcast';

/** Checks innerLR's counts (steps entries or 1, one rate per parameter) and each rate's shape; ShapeError naming `where`. */
export function validateInnerRates(
  backend: Backend,
  where: string,
  request: { numParams: number; params: Handle[]; steps: number; innerLR: Handle[][] },
  rule: RateShapeRule,
): void {
  const { numParams, params, steps, innerLR } = request;
  if (steps > 0 && innerLR.length !== steps && innerLR.length !== 1) {
    throw new ShapeError(`${where}: innerLR has ${innerLR.length} steps; expected ${steps} or 1`);
  }
  innerLR.forEach((rates, j) => {
    if (rates.length !== numParams) {
      throw new ShapeError(`${where}: innerLR[${j}] has ${rates.length} rates; expected one per parameter (${numParams})`);
    }
    rates.forEach((rate, i) => {
      const lrShape = backend.shapeOf(rate);
      const pShape = backend.shapeOf(params[i]);
      if (rule === 'scalarOrSame' && lrShape.length !== 0 && lrShape.join(',') !== pShape.join(',')) {
        throw new ShapeError(`${where}: innerLR[${j}][${i}] has shape [${lrShape}], expected [] or the parameter's [${pShape}]`);
      }
      if (rule === 'broadcast' && !broadcastsTo(lrShape, pShape)) {
        throw new ShapeError(
          `${where}: innerLR[${j}][${i}] has shape [${lrShape}], which does not broadcast to parameter shape [${pShape}]`,
        );
      }
    });
  });
}

/** innerLR looked up by step. */
export interface RateSchedule {
  /** rates(j)[i]: the rate of parameter i at step j. */
  rates: (j: number) => Handle[];
  /** frozen(j)[i]: that rate is exactly zero, so t_j[i] never moves. */
  frozen: (j: number) => boolean[];
}

export function rateSchedule(backend: Backend, innerLR: Handle[][]): RateSchedule {
  const shared = innerLR.length === 1;
  const frozenPerSet = innerLR.map((rates) => rates.map((r) => isAllZero(backend, r)));
  return {
    rates: (j) => innerLR[shared ? 0 : j],
    frozen: (j) => frozenPerSet[shared ? 0 : j],
  };
}

function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((d, a) => d === 1 || d === to[a + lead]);
}
