/**
 * The update rule's learning rates (InnerLoopRequest.update.rates): rates[j][i] is the rate of
 * parameter i at step j, with either one entry per step or one entry shared by every step. A
 * parameter freezes at step j when its rate there is exactly zero or it is not in `adapts`
 * (ANIL, CAVIA): the engine keeps t_j's handle instead of making a new one.
 */
import { ShapeError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';
import { isAllZero } from './handleMath.js';
import { broadcastsTo } from '../core/shape.js';

/** Checks the rates' counts (steps entries or 1, one rate per parameter) and that each broadcasts to its parameter; ShapeError naming `where`. */
export function validateRates(
  backend: Backend,
  where: string,
  request: { numParams: number; params: readonly Handle[]; steps: number; update: { rates: readonly (readonly Handle[])[] } },
): void {
  const { numParams, params, steps } = request;
  const rates = request.update.rates;
  if (steps > 0 && rates.length !== steps && rates.length !== 1) {
    throw new ShapeError(`${where}: innerLR has ${rates.length} steps; expected ${steps} or 1`);
  }
  rates.forEach((set, j) => {
    if (set.length !== numParams) {
      throw new ShapeError(`${where}: innerLR[${j}] has ${set.length} rates; expected one per parameter (${numParams})`);
    }
    set.forEach((rate, i) => {
      const lrShape = backend.shapeOf(rate);
      const pShape = backend.shapeOf(params[i]);
      if (!broadcastsTo(lrShape, pShape)) {
        throw new ShapeError(
          `${where}: innerLR[${j}][${i}] has shape [${lrShape}], which does not broadcast to parameter shape [${pShape}]`,
        );
      }
    });
  });
}

/** The rates looked up by step. */
export interface RateSchedule {
  /** rates(j)[i]: the rate of parameter i at step j. */
  rates: (j: number) => readonly Handle[];
  /** frozen(j)[i]: parameter i does not move at step j (zero rate, or not in `adapts`). */
  frozen: (j: number) => boolean[];
}

export function rateSchedule(backend: Backend, rates: readonly (readonly Handle[])[], adapts?: readonly number[]): RateSchedule {
  const shared = rates.length === 1;
  const adapting = (i: number) => adapts === undefined || adapts.includes(i);
  const frozenPerSet = rates.map((set) => set.map((r, i) => !adapting(i) || isAllZero(backend, r)));
  return {
    rates: (j) => rates[shared ? 0 : j],
    frozen: (j) => frozenPerSet[shared ? 0 : j],
  };
}
