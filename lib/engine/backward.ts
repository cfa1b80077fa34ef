/**
 * The backward recursion of one task ('first-order' and 'exact'), over the states t_0..t_k the
 * forward pass kept:
 *   g_k = w_k grad L_q(t_k)
 *   g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1}) + w_j grad L_q(t_j)     ('first-order': no H term)
 *   dF/dparams = g_0,   dF/dlr_j = -sum_to_lr_shape(u_j * g_{j+1})
 * with u_j the direction lr_j multiplies (grad L_s(t_j) for SGD, recomputed here at t_j; the
 * forward pass's kept u_j for Adam or a proximal term). One Hessian-vector product per step
 * (compiled.hvp, forward-over-reverse), never a Hessian and never the unrolled graph.
 */
import type { Handle } from '../backend/types.js';
import { addAndFree, copyHandle, mulHandles, readScalar, scaleHandle, subHandles, sumToShape, zerosHandle } from './handleMath.js';
import type { EngineRun } from './engineRun.js';
import type { ForwardPass } from './forward.js';
import { dataAtStep } from './stepData.js';
import type { InnerLoopTask } from './request.js';
import { disposeHandles } from '../core/ownership.js';

export interface GradientOutcome {
  /** F = sum_j w_j L_q(t_j). */
  loss: number;
  queryLoss: number;
  queryOutputs: Handle[];
  grads: Handle[];
  /** dF/dlr per rate set, per parameter (when request.lrGrads). */
  lrGrads: Handle[][] | undefined;
  /** Copies of t_k (when request.returnAdapted). */
  adapted: Handle[] | undefined;
}

/** dF/dlr_j needs u_j from the forward pass unless u_j is grad L_s(t_j) (plain SGD). */
export function keepsDirections(run: EngineRun): boolean {
  const { request } = run;
  return request.lrGrads === true && (request.update.kind !== 'sgd' || (request.proximal ?? 0) !== 0);
}

/** Runs the recursion down from t_k, freeing the states t_1..t_k (and the forward's directions) as it goes. */
export function backwardPass(run: EngineRun, forward: ForwardPass, task: InnerLoopTask): GradientOutcome {
  const { backend, request, weights } = run;
  const { steps, stepData } = request;
  const thetas = forward.states;
  const query = task.query as readonly Handle[];
  const queryAt = (j: number): Handle[] => dataAtStep(query, stepData, j);

  // g_k = w_k grad L_q(t_k); the query outputs are reported at t_k.
  const atEnd = run.programs.query.compiled.vjp([...thetas[steps], ...queryAt(steps)], run.querySeeds, run.allParams);
  const adapted = request.returnAdapted ? thetas[steps].map((h) => copyHandle(backend, h)) : undefined;
  if (steps > 0) disposeNewEntries(run, thetas[steps], thetas[steps - 1]);
  const queryLoss = readScalar(backend, atEnd.outputs[0]);
  const wk = weights[steps];
  let loss = wk * queryLoss;
  let g = atEnd.grads.map((gi) => scaleOwned(run, gi, wk));
  backend.dispose(atEnd.outputs[0]);
  const queryOutputs = atEnd.outputs.slice(1);

  const lrGrads = request.lrGrads ? newLrGradSlots(run) : undefined;
  for (let j = steps - 1; j >= 0; j--) {
    const gj = backwardStep(run, forward, dataAtStep(task.support, stepData, j), g, lrGrads, j);
    disposeHandles(backend, g);
    g = gj;
    if (weights[j] !== 0) {
      const q = run.programs.query.compiled.vjp([...thetas[j], ...queryAt(j)], run.querySeeds, run.allParams);
      loss += weights[j] * readScalar(backend, q.outputs[0]);
      g = g.map((gi, i) => addAndFree(backend, gi, scaleOwned(run, q.grads[i], weights[j])));
      disposeHandles(backend, q.outputs);
    }
    if (j > 0) disposeNewEntries(run, thetas[j], thetas[j - 1]);
  }
  return { loss, queryLoss, queryOutputs, grads: g, lrGrads: finishLrGrads(run, lrGrads), adapted };
}

/**
 * One step of the recursion at t_j:
 *   g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1})   and   dF/dlr_j += -(u_j * g_{j+1}).
 * Returns g_j as new handles (g_{j+1} is left for the caller to free).
 */
function backwardStep(
  run: EngineRun,
  forward: ForwardPass,
  support: Handle[],
  gNext: Handle[],
  lrGrads: (Handle | null)[][] | undefined,
  j: number,
): Handle[] {
  const { backend, schedule } = run;
  const program = run.programs.support.compiled;
  const frozen = schedule.frozen(j);
  const rates = schedule.rates(j);
  const theta = forward.states[j];
  const anyMoving = frozen.some((f) => !f);
  const kept = forward.directions?.[j];
  let hv: Handle[] | null = null;
  let supportGrads: Handle[] | null = null;
  const inputs = [...theta, ...support];
  if (run.request.outerGradient === 'exact' && anyMoving) {
    // v = lr_j * g_{j+1} (zero on frozen parameters); one forward-over-reverse pass gives H_s v and grad L_s.
    const tangents: (Handle | null)[] = theta.map((_, i) => (frozen[i] ? null : mulHandles(backend, rates[i], gNext[i])));
    const res = program.hvp(inputs, [...tangents, ...support.map(() => null)], run.supportSeeds, run.allParams);
    hv = res.gradTangents;
    supportGrads = res.grads;
    disposeHandles(backend, res.outputs);
    tangents.forEach((v) => v && backend.dispose(v));
  } else if (lrGrads && !kept) {
    const res = program.vjp(inputs, run.supportSeeds, run.allParams);
    supportGrads = res.grads;
    disposeHandles(backend, res.outputs);
  }
  if (lrGrads) accumulateLrGrads(run, lrGrads, j, kept ?? (supportGrads as Handle[]), gNext);
  const g = gNext.map((gi, i) => (hv ? subHandles(backend, gi, hv[i]) : copyHandle(backend, gi)));
  if (hv) disposeHandles(backend, hv);
  if (supportGrads) disposeHandles(backend, supportGrads);
  kept?.forEach((u) => u && backend.dispose(u));
  return g;
}

/** dF/dlr_j[i] += -sum_to_shape(u_j[i] * g_{j+1}[i]); a zero rate still gets its gradient where u_j is known. */
function accumulateLrGrads(run: EngineRun, lrGrads: (Handle | null)[][], j: number, directions: readonly (Handle | null)[], gNext: Handle[]): void {
  const { backend } = run;
  const slot = lrGrads.length === 1 ? lrGrads[0] : lrGrads[j];
  const rates = run.schedule.rates(j);
  for (let i = 0; i < run.request.numParams; i++) {
    const u = directions[i];
    if (!u) continue;
    const prod = mulHandles(backend, u, gNext[i]);
    const reduced = sumToShape(backend, prod, backend.shapeOf(rates[i]));
    const negated = scaleHandle(backend, reduced, -1);
    backend.dispose(prod);
    backend.dispose(reduced);
    const prev = slot[i];
    slot[i] = prev ? addAndFree(backend, prev, negated) : negated;
  }
}

/** One slot per rate set (update.rates.length), per parameter. */
function newLrGradSlots(run: EngineRun): (Handle | null)[][] {
  return run.request.update.rates.map(() => new Array<Handle | null>(run.request.numParams).fill(null));
}

/** Slots never reached (no inner steps, or always frozen under Adam) have gradient zero. */
function finishLrGrads(run: EngineRun, slots: (Handle | null)[][] | undefined): Handle[][] | undefined {
  if (!slots) return undefined;
  const { backend, request } = run;
  return slots.map((set, j) =>
    set.map((h, i) => h ?? zerosHandle(backend, backend.shapeOf(run.schedule.rates(j)[i]), backend.dtypeOf(request.params[i]))),
  );
}

/** h * factor as a new handle, freeing h; h itself when factor is 1 (no rounding step). */
function scaleOwned(run: EngineRun, h: Handle, factor: number): Handle {
  if (factor === 1) return h;
  const out = scaleHandle(run.backend, h, factor);
  run.backend.dispose(h);
  return out;
}

/**
 * Frees the entries of t_j that step j-1 created. A frozen parameter's entry is the very
 * handle of t_{j-1} (and ultimately of t_0, the caller's), so it is left alone.
 */
function disposeNewEntries(run: EngineRun, theta: Handle[], previous: Handle[]): void {
  theta.forEach((h, i) => {
    if (h !== previous[i]) run.backend.dispose(h);
  });
}
