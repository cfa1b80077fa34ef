/**
 * What every task of one InnerLoopRequest shares while the TypeScript engine runs it: the
 * programs, the rate schedule, the loss cotangents and the step weights. startRun makes it
 * (one scalar tensor, freed by endRun).
 */
import type { Backend, Handle } from '../backend/types.js';
import { scalarHandle } from './handleMath.js';
import type { EnginePrograms } from './programs.js';
import { rateSchedule, type RateSchedule } from './rates.js';
import type { InnerLoopRequest } from './request.js';

export interface EngineRun {
  backend: Backend;
  programs: EnginePrograms;
  request: InnerLoopRequest;
  schedule: RateSchedule;
  /** Cotangents for the support / query program outputs: 1 on the loss, null on the extra outputs. */
  supportSeeds: (Handle | null)[];
  querySeeds: (Handle | null)[];
  /** w_0..w_k of the query losses. */
  weights: readonly number[];
  /** [0, 1, ..., numParams - 1]: differentiate w.r.t. every parameter. */
  allParams: number[];
  one: Handle;
}

export function startRun(backend: Backend, programs: EnginePrograms, request: InnerLoopRequest): EngineRun {
  const one = scalarHandle(backend, 1, backend.dtypeOf(request.params[0] ?? request.tasks[0].support[0]));
  return {
    backend,
    programs,
    request,
    schedule: rateSchedule(backend, request.update.rates, request.adapts),
    supportSeeds: lossSeeds(one, programs.support.numOutputs),
    querySeeds: lossSeeds(one, programs.query.numOutputs),
    weights: request.stepWeights ?? finalStepOnly(request.steps),
    allParams: Array.from({ length: request.numParams }, (_, i) => i),
    one,
  };
}

export function endRun(run: EngineRun): void {
  run.backend.dispose(run.one);
}

/** The default step weights: only the final query loss counts. */
export function finalStepOnly(steps: number): number[] {
  const w = new Array<number>(steps + 1).fill(0);
  w[steps] = 1;
  return w;
}

/** Cotangents [1, null, ...]: the gradient of the loss output alone. */
function lossSeeds(one: Handle, numOutputs: number): (Handle | null)[] {
  return [one, ...new Array<Handle | null>(Math.max(0, numOutputs - 1)).fill(null)];
}
