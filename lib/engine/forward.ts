/**
 * The forward half of one task's inner loop: k steps of the update rule on the support loss,
 * from t_0 = params. A parameter frozen at step j (zero rate, or not in `adapts`) keeps t_j's
 * very handle and is not differentiated (the vjp is taken w.r.t. the moving parameters only;
 * a step where none moves is a plain run for its loss and outputs).
 */
import type { Handle } from '../backend/types.js';
import { mulHandles, readScalar, subHandles } from './handleMath.js';
import { dataAtStep } from './stepData.js';
import type { EngineRun } from './engineRun.js';
import { disposeMoments, newMoments, updateDirection } from './updateRule.js';
import { disposeHandles } from '../core/ownership.js';

/** What the forward pass keeps, as the chosen backward needs it. */
export interface ForwardNeeds {
  /** Every state t_0..t_k (the gradient recursions), or only the current one. */
  states: boolean;
  /** Each step's direction u_j per moving parameter (dF/dlr when u_j is not grad L_s(t_j)). */
  directions: boolean;
}

export interface ForwardPass {
  /** t_0..t_k with needs.states, else [t_k]. t_0 is params itself; entries repeat where a parameter froze. */
  states: Handle[][];
  /** t_k (the last entry of states). */
  final: Handle[];
  /** L_s(t_j), j = 0 .. k-1. */
  losses: number[];
  /** The support outputs[1..] at t_j, j < k (request.supportOutputs). */
  outputs: Handle[][] | undefined;
  /** u_j[i] (null where parameter i froze at step j), with needs.directions. */
  directions: (Handle | null)[][] | undefined;
}

export function forwardPass(run: EngineRun, support: readonly Handle[], needs: ForwardNeeds): ForwardPass {
  const { backend, request, schedule } = run;
  const { params, update, stepData } = request;
  const proximal = request.proximal ?? 0;
  const program = run.programs.support.compiled;
  const moments = newMoments(backend, update, params);
  const states: Handle[][] = [[...params]];
  const losses: number[] = [];
  const outputs: Handle[][] | undefined = request.supportOutputs ? [] : undefined;
  const directions: (Handle | null)[][] | undefined = needs.directions ? [] : undefined;
  let theta: Handle[] = states[0];
  for (let j = 0; j < request.steps; j++) {
    const moving = theta.map((_, i) => i).filter((i) => !schedule.frozen(j)[i]);
    const inputs = [...theta, ...dataAtStep(support, stepData, j)];
    const res = moving.length > 0 ? program.vjp(inputs, run.supportSeeds, moving) : { outputs: program.run(inputs), grads: [] };
    losses.push(readScalar(backend, res.outputs[0]));
    backend.dispose(res.outputs[0]);
    if (outputs) outputs.push(res.outputs.slice(1));
    else disposeHandles(backend, res.outputs.slice(1));
    const next = [...theta];
    const kept: (Handle | null)[] = theta.map(() => null);
    moving.forEach((i, n) => {
      const u = updateDirection(backend, update, proximal, moments, { j, i, theta: theta[i], initial: params[i], grad: res.grads[n] });
      const stepVec = mulHandles(backend, schedule.rates(j)[i], u);
      next[i] = subHandles(backend, theta[i], stepVec);
      backend.dispose(stepVec);
      if (directions) kept[i] = u;
      else backend.dispose(u);
    });
    directions?.push(kept);
    if (needs.states) states.push(next);
    else disposeReplaced(run, theta, next);
    theta = next;
  }
  disposeMoments(backend, moments);
  return { states: needs.states ? states : [theta], final: theta, losses, outputs, directions };
}

/** Frees the entries of `theta` that `next` replaced, except the caller's params. */
function disposeReplaced(run: EngineRun, theta: Handle[], next: Handle[]): void {
  theta.forEach((t, i) => {
    if (t !== next[i] && t !== run.request.params[i]) run.backend.dispose(t);
  });
}
