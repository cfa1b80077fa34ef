/**
 * One task of an InnerLoopRequest, synchronously: the forward pass, then by request.outerGradient
 *   'none'                     the query loss and outputs at t_k (compiled.run);
 *   'implicit'                 the same by a vjp, and iMAML's x solving (I + H_s(t_k)/lambda) x = grad L_q(t_k);
 *   'first-order' / 'exact'    the backward recursion (backward.ts).
 */
import type { Handle } from '../backend/types.js';
import { addScaled, conjugateGradient } from './conjugateGradient.js';
import { copyHandle, readScalar } from './handleMath.js';
import { backwardPass, keepsDirections } from './backward.js';
import type { EngineRun } from './engineRun.js';
import { forwardPass, type ForwardPass } from './forward.js';
import type { ImplicitSettings, InnerLoopTask } from './request.js';
import { dataAtStep } from './stepData.js';
import { disposeHandles } from '../core/ownership.js';

/** One task's results; every handle is new and owned by the caller. */
export interface TaskOutcome {
  supportLosses: number[];
  supportOutputs?: Handle[][];
  /** F of this task (0 without query data). */
  loss: number;
  queryLoss?: number;
  queryOutputs?: Handle[];
  grads?: Handle[];
  lrGrads?: Handle[][];
  /** t_k (when request.returnAdapted). */
  adapted?: Handle[];
  implicitGrad?: Handle[];
}

export function runTask(run: EngineRun, task: InnerLoopTask): TaskOutcome {
  const mode = run.request.outerGradient;
  const recursion = mode === 'first-order' || mode === 'exact';
  const forward = forwardPass(run, task.support, { states: recursion, directions: recursion && keepsDirections(run) });
  const common = { supportLosses: forward.losses, supportOutputs: forward.outputs };
  if (recursion) return { ...common, ...backwardPass(run, forward, task) };
  const query = task.query ? queryStage(run, forward.final, task.support, task.query) : undefined;
  return {
    ...common,
    loss: query?.loss ?? 0,
    queryLoss: query?.loss,
    queryOutputs: query?.outputs,
    adapted: finalState(run, forward),
    implicitGrad: query?.implicitGrad,
  };
}

/** t_k for the caller (copies where it is still the caller's own params), or freed. */
function finalState(run: EngineRun, forward: ForwardPass): Handle[] | undefined {
  const { backend, request } = run;
  const ownParams = forward.final.map((h, i) => h === request.params[i]);
  if (!request.returnAdapted) {
    disposeHandles(backend, forward.final.filter((_, i) => !ownParams[i]));
    return undefined;
  }
  return forward.final.map((h, i) => (ownParams[i] ? copyHandle(backend, h) : h));
}

interface QueryOutcome {
  loss: number;
  outputs: Handle[];
  implicitGrad?: Handle[];
}

/** The query loss and outputs[1..] at t_k, and the implicit gradient when asked; the per-step input takes values[k]. */
function queryStage(run: EngineRun, theta: Handle[], support: readonly Handle[], query: readonly Handle[]): QueryOutcome {
  const { backend, request } = run;
  const program = run.programs.query.compiled;
  const queryInputs = [...theta, ...dataAtStep(query, request.stepData, request.steps)];
  if (!request.implicit) {
    const outputs = program.run(queryInputs);
    const loss = readScalar(backend, outputs[0]);
    backend.dispose(outputs[0]);
    return { loss, outputs: outputs.slice(1) };
  }
  const q = program.vjp(queryInputs, run.querySeeds, run.allParams);
  const loss = readScalar(backend, q.outputs[0]);
  backend.dispose(q.outputs[0]);
  const supportAtEnd = dataAtStep(support, request.stepData, request.steps);
  const implicitGrad = implicitGradient(run, theta, supportAtEnd, q.grads, request.implicit);
  disposeHandles(backend, q.grads);
  return { loss, outputs: q.outputs.slice(1), implicitGrad };
}

/** x with (I + H_s(phi)/lambda) x = gq, by conjugate gradient on HVPs of the support loss at phi. */
function implicitGradient(run: EngineRun, phi: Handle[], support: Handle[], gq: Handle[], settings: ImplicitSettings): Handle[] {
  const { backend } = run;
  const program = run.programs.support.compiled;
  const applyA = (v: Handle[]): Handle[] => {
    const res = program.hvp([...phi, ...support], [...v, ...support.map(() => null)], run.supportSeeds, run.allParams);
    const out = addScaled(backend, v, 1 / settings.lambda, res.gradTangents);
    disposeHandles(backend, [...res.outputs, ...res.grads, ...res.gradTangents]);
    return out;
  };
  return conjugateGradient(backend, applyA, gq, { maxSteps: settings.cgSteps, tolerance: settings.tolerance }).x;
}
