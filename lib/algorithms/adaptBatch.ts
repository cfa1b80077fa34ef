/**
 * Batched adaptation (lib/backend/types.ts AdaptBatchRequest): the inner loop of every task of a
 * meta-batch, for the learners that need the adapted weights rather than the MAML meta-gradient
 * (Reptile with SGD or Adam; iMAML's proximal inner loop and implicit gradient). Per task, with
 * t_0 = params and d_j = grad L_s(t_j) + proximal (t_j - t_0):
 *
 *   SGD:  t_{j+1} = t_j - lr_j d_j
 *   Adam: m = b1 m + (1-b1) d_j,  v = b2 v + (1-b2) d_j^2,
 *         t_{j+1} = t_j - lr_j (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
 *   then, with query data: L_q(t_k) and outputs[1..]; with implicitGradient:
 *         x = (I + H_s(t_k)/lambda)^-1 grad L_q(t_k) by conjugate gradient, averaged over tasks.
 *
 * runAdaptBatch uses the backend's own engine (native: one call, tasks in parallel) when the
 * compiled program has one; this file's TypeScript twin runs the same arithmetic in the same
 * order over compiled.vjp / compiled.hvp, so both give the same numbers. When the query data
 * has other shapes than the support data (two programs), the native engine takes the query
 * program as its second argument.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { AdaptBatchRequest, AdaptBatchResult, Backend, DType, Handle } from '../backend/types.js';
import { addScaled, conjugateGradient } from './conjugateGradient.js';
import { addHandles, mulHandles, readScalar, scalarHandle, scaleHandle, subHandles, zerosHandle } from './handleMath.js';
import { dataAtStep, validateStepData, type EnginePrograms } from './innerLoop.js';
import { meanOverTasks } from './meanOverTasks.js';
import { rateSchedule, validateInnerRates, type RateSchedule } from './innerRates.js';

/** Runs the request on the backend's own engine when it has one, else on the TypeScript twin. */
export async function runAdaptBatch(
  backend: Backend,
  programs: EnginePrograms,
  request: AdaptBatchRequest,
  engine: 'auto' | 'typescript' = 'auto',
): Promise<AdaptBatchResult> {
  validateAdaptRequest(backend, request);
  const native = programs.support.compiled.adaptBatch?.bind(programs.support.compiled);
  const withQuery = request.tasks[0].query !== undefined;
  // Query data of other shapes (two programs) runs natively when the query program is native too.
  const queryProgram = withQuery && programs.support.compiled !== programs.query.compiled ? programs.query.compiled : undefined;
  const nativeQuery = !queryProgram || queryProgram.adaptBatch !== undefined;
  if (engine === 'typescript' || !native || !nativeQuery) return adaptBatchInTypeScript(backend, programs, request);
  return native(request, queryProgram);
}

/** Checks counts, shapes and settings, throwing ShapeError/ValueError that name adaptBatch and the numbers. */
export function validateAdaptRequest(backend: Backend, request: AdaptBatchRequest): void {
  const { numParams, params, tasks, steps } = request;
  const where = 'adaptBatch';
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`${where}: steps must be an integer >= 0, got ${steps}`);
  if (!Number.isInteger(numParams) || numParams < 1 || params.length !== numParams) {
    throw new ShapeError(`${where}: expected numParams (${numParams}) >= 1 parameter tensors, got ${params.length}`);
  }
  if (tasks.length === 0) throw new ValueError(`${where}: the meta-batch has no tasks`);
  validateInnerRates(backend, where, request, 'scalarOrSame');
  const withQuery = tasks[0].query !== undefined;
  tasks.forEach((task, t) => {
    if (task.support.length !== tasks[0].support.length || (task.query !== undefined) !== withQuery) {
      throw new ShapeError(`${where}: task ${t} gives ${task.support.length} support inputs${task.query ? ' and query data' : ''}, unlike task 0`);
    }
  });
  validateSettings(request, withQuery);
  if (request.stepData) validateStepData(backend, where, request.stepData, steps, tasks[0].support, tasks[0].query);
}

function validateSettings(request: AdaptBatchRequest, withQuery: boolean): void {
  const where = 'adaptBatch';
  const { proximal, adam, implicitGradient } = request;
  if (proximal !== undefined && !(Number.isFinite(proximal) && proximal >= 0)) {
    throw new ValueError(`${where}: proximal must be a finite number >= 0, got ${proximal}`);
  }
  if (adam) {
    const inUnit = (b: number) => b >= 0 && b < 1;
    if (!inUnit(adam.beta1) || !inUnit(adam.beta2)) throw new ValueError(`${where}: adam betas must be in [0, 1), got ${adam.beta1} and ${adam.beta2}`);
    if (!(adam.epsilon > 0) || !Number.isFinite(adam.epsilon)) throw new ValueError(`${where}: adam epsilon must be > 0, got ${adam.epsilon}`);
  }
  if (implicitGradient) {
    const { lambda, cgSteps, tolerance } = implicitGradient;
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new ValueError(`${where}: implicitGradient.lambda must be > 0, got ${lambda}`);
    if (!Number.isInteger(cgSteps) || cgSteps < 0) throw new ValueError(`${where}: implicitGradient.cgSteps must be an integer >= 0, got ${cgSteps}`);
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new ValueError(`${where}: implicitGradient.tolerance must be >= 0, got ${tolerance}`);
    if (!withQuery) throw new ValueError(`${where}: implicitGradient needs every task's query data`);
  }
}

/** Everything one task's run needs, fixed for the whole meta-batch. */
interface AdaptContext extends RateSchedule {
  backend: Backend;
  programs: EnginePrograms;
  request: AdaptBatchRequest;
  one: Handle;
  allParams: number[];
}

interface QueryOutcome {
  loss: number;
  outputs: Handle[];
  implicitGrad?: Handle[];
}

/** The same loop as the native engine (native/autodiff/adapt_batch.cpp), in TypeScript. */
export async function adaptBatchInTypeScript(backend: Backend, programs: EnginePrograms, request: AdaptBatchRequest): Promise<AdaptBatchResult> {
  validateAdaptRequest(backend, request);
  const ctx = makeContext(backend, programs, request);
  const adapted: Handle[][] = [];
  const supportLosses: number[][] = [];
  const queries: QueryOutcome[] = [];
  const { stepData, steps } = request;
  for (const task of request.tasks) {
    const { theta, losses } = innerLoop(ctx, task.support);
    adapted.push(theta);
    supportLosses.push(losses);
    // The query stage (and iMAML's HVPs) evaluate at t_k: the per-step input takes values[k].
    if (task.query) queries.push(queryStage(ctx, theta, dataAtStep(task.support, stepData, steps), dataAtStep(task.query, stepData, steps)));
  }
  backend.dispose(ctx.one);
  const withQuery = request.tasks[0].query !== undefined;
  return {
    adapted,
    meanAdapted: meanOverTasks(backend, adapted),
    supportLosses,
    ...(withQuery ? combineQueries(backend, queries, request.implicitGradient !== undefined) : {}),
  };
}

function makeContext(backend: Backend, programs: EnginePrograms, request: AdaptBatchRequest): AdaptContext {
  const dtype: DType = backend.dtypeOf(request.params[0]);
  return {
    backend,
    programs,
    request,
    ...rateSchedule(backend, request.innerLR),
    one: scalarHandle(backend, 1, dtype),
    allParams: request.params.map((_, i) => i),
  };
}

/** Cotangents [1, null, ...]: the gradient of the loss output alone. */
function lossSeeds(ctx: AdaptContext, numOutputs: number): (Handle | null)[] {
  return [ctx.one, ...new Array<Handle | null>(Math.max(0, numOutputs - 1)).fill(null)];
}

/** The k steps of SGD or Adam on one task's support data: t_k as new handles, and L_s(t_j) for j < k. */
function innerLoop(ctx: AdaptContext, support: Handle[]): { theta: Handle[]; losses: number[] } {
  const { backend, request } = ctx;
  const params = request.params;
  const program = ctx.programs.support;
  const seeds = lossSeeds(ctx, program.numOutputs);
  const adam = request.adam ? { m: params.map((p) => zerosLike(backend, p)), v: params.map((p) => zerosLike(backend, p)) } : null;
  const losses: number[] = [];
  let theta = params;
  for (let j = 0; j < request.steps; j++) {
    const res = program.compiled.vjp([...theta, ...dataAtStep(support, request.stepData, j)], seeds, ctx.allParams);
    losses.push(readScalar(backend, res.outputs[0]));
    disposeAll(backend, res.outputs);
    const next = theta.map((t, i) => {
      if (ctx.frozen(j)[i]) return t;
      const d = proximalDirection(ctx, t, i, res.grads[i]);
      const direction = adam ? adamDirection(ctx, j, d, adam, i) : d;
      const stepVec = mulHandles(backend, ctx.rates(j)[i], direction);
      const out = subHandles(backend, t, stepVec);
      // d is the gradient itself without a proximal term, and direction is d itself for SGD:
      // free each temporary once, and the gradients below with the rest.
      for (const h of new Set([d, direction, stepVec])) if (h !== res.grads[i]) backend.dispose(h);
      return out;
    });
    disposeAll(backend, res.grads);
    theta.forEach((t, i) => {
      if (t !== next[i] && t !== params[i]) backend.dispose(t);
    });
    theta = next;
  }
  if (adam) disposeAll(backend, [...adam.m, ...adam.v]);
  return { theta: theta.map((t, i) => (t === params[i] ? scaleHandle(backend, t, 1) : t)), losses };
}

/** d = g + proximal (t - t_0), or g itself without a proximal term. */
function proximalDirection(ctx: AdaptContext, t: Handle, i: number, g: Handle): Handle {
  const { backend, request } = ctx;
  const lambda = request.proximal ?? 0;
  if (lambda === 0) return g;
  const drift = subHandles(backend, t, request.params[i]);
  const pull = scaleHandle(backend, drift, lambda);
  const d = addHandles(backend, g, pull);
  backend.dispose(drift);
  backend.dispose(pull);
  return d;
}

/** Updates Adam's m[i], v[i] with d at step j (t = j + 1); returns m_hat / (sqrt(v_hat) + eps). */
function adamDirection(ctx: AdaptContext, j: number, d: Handle, state: { m: Handle[]; v: Handle[] }, i: number): Handle {
  const { backend } = ctx;
  const { beta1, beta2, epsilon } = ctx.request.adam as { beta1: number; beta2: number; epsilon: number };
  const ex = <P extends 'square' | 'sqrt' | 'div' | 'addScalar'>(op: P, inputs: Handle[], value?: number): Handle =>
    backend.exec(op, inputs, (value === undefined ? {} : { value }) as never);
  const t = j + 1;
  const blend = (old: Handle, beta: number, fresh: Handle): Handle => {
    const kept = scaleHandle(backend, old, beta);
    const out = addHandles(backend, kept, fresh);
    disposeAll(backend, [kept, fresh, old]);
    return out;
  };
  const mFresh = scaleHandle(backend, d, 1 - beta1);
  const dSquared = ex('square', [d]);
  const vFresh = scaleHandle(backend, dSquared, 1 - beta2);
  backend.dispose(dSquared);
  state.m[i] = blend(state.m[i], beta1, mFresh);
  state.v[i] = blend(state.v[i], beta2, vFresh);
  const mHat = scaleHandle(backend, state.m[i], 1 / (1 - beta1 ** t));
  const vHat = scaleHandle(backend, state.v[i], 1 / (1 - beta2 ** t));
  const root = ex('sqrt', [vHat]);
  const denominator = ex('addScalar', [root], epsilon);
  const out = ex('div', [mHat, denominator]);
  disposeAll(backend, [mHat, vHat, root, denominator]);
  return out;
}

/** The query loss and outputs[1..] at the adapted t_k, and the implicit gradient when asked. */
function queryStage(ctx: AdaptContext, theta: Handle[], support: Handle[], query: Handle[]): QueryOutcome {
  const { backend, request } = ctx;
  const program = ctx.programs.query;
  const implicit = request.implicitGradient;
  if (!implicit) {
    const outputs = program.compiled.run([...theta, ...query]);
    const loss = readScalar(backend, outputs[0]);
    backend.dispose(outputs[0]);
    return { loss, outputs: outputs.slice(1) };
  }
  const q = program.compiled.vjp([...theta, ...query], lossSeeds(ctx, program.numOutputs), ctx.allParams);
  const loss = readScalar(backend, q.outputs[0]);
  backend.dispose(q.outputs[0]);
  const implicitGrad = implicitGradient(ctx, theta, support, q.grads, implicit);
  disposeAll(backend, q.grads);
  return { loss, outputs: q.outputs.slice(1), implicitGrad };
}

/** x with (I + H_s(phi)/lambda) x = gq, by conjugate gradient on HVPs of the support loss at phi. */
function implicitGradient(
  ctx: AdaptContext,
  phi: Handle[],
  support: Handle[],
  gq: Handle[],
  settings: { lambda: number; cgSteps: number; tolerance: number },
): Handle[] {
  const { backend } = ctx;
  const program = ctx.programs.support;
  const seeds = lossSeeds(ctx, program.numOutputs);
  const applyA = (v: Handle[]): Handle[] => {
    const res = program.compiled.hvp([...phi, ...support], [...v, ...support.map(() => null)], seeds, ctx.allParams);
    const out = addScaled(backend, v, 1 / settings.lambda, res.gradTangents);
    disposeAll(backend, [...res.outputs, ...res.grads, ...res.gradTangents]);
    return out;
  };
  return conjugateGradient(backend, applyA, gq, { maxSteps: settings.cgSteps, tolerance: settings.tolerance }).x;
}

/** Per-task query results into the result's fields (the implicit gradients averaged and freed). */
function combineQueries(
  backend: Backend,
  queries: QueryOutcome[],
  implicit: boolean,
): Pick<AdaptBatchResult, 'queryLosses' | 'queryOutputs' | 'implicitGrads'> {
  const out: Pick<AdaptBatchResult, 'queryLosses' | 'queryOutputs' | 'implicitGrads'> = {
    queryLosses: queries.map((q) => q.loss),
    queryOutputs: queries.map((q) => q.outputs),
  };
  if (implicit) {
    const perTask = queries.map((q) => q.implicitGrad as Handle[]);
    out.implicitGrads = meanOverTasks(backend, perTask);
    for (const x of perTask) disposeAll(backend, x);
  }
  return out;
}

function zerosLike(backend: Backend, h: Handle): Handle {
  return zerosHandle(backend, backend.shapeOf(h), backend.dtypeOf(h));
}

function disposeAll(backend: Backend, hs: Handle[]): void {
  for (const h of hs) backend.dispose(h);
}
