/**
 * The one inner-loop engine shared by every MAML-family algorithm.
 *
 * It evaluates a MetaGradientRequest (lib/backend/types.ts) over a compiled loss program
 * whose inputs are [params..., data...] and whose outputs[0] is the scalar loss. For each
 * task, with t_0 = params and k = request.steps:
 *
 *   forward:   t_{j+1} = t_j - lr_j * grad L_s(t_j)                       j = 0 .. k-1
 *              F       = sum_j w_j L_q(t_j)
 *   backward:  g_k = w_k grad L_q(t_k)
 *              g_j = g_{j+1} - H_s(t_j) (lr_j * g_{j+1}) + w_j grad L_q(t_j)   (order 1: no H term)
 *              dF/dt_0 = g_0,   dF/dlr_j = -sum_to_lr_shape(grad L_s(t_j) * g_{j+1})
 *
 * One Hessian-vector product per step (compiled.hvp, forward-over-reverse), never a Hessian
 * and never the unrolled graph: the only state kept across steps is the k parameter copies
 * t_1..t_k. When the backend's compiled program offers its own metaGradient (the native core:
 * the whole meta-batch in one call, tasks in parallel), runMetaGradient uses it instead;
 * both give the same numbers.
 *
 * Per-step data (request.stepData, MAML++'s per-step batch norm): one data input takes a
 * different value at each state t_j (a one-hot of j); both engines take it.
 */
import { ShapeError, ValueError } from '../errors.js';
import type {
  Backend,
  CompiledProgram,
  DType,
  Handle,
  MetaGradientRequest,
  MetaGradientResult,
} from '../backend/types.js';
import {
  addHandles,
  mulHandles,
  readScalar,
  scalarHandle,
  scaleHandle,
  subHandles,
  sumToShape,
  zerosHandle,
} from './handleMath.js';
import { meanOverTasks } from './meanOverTasks.js';
import { rateSchedule, validateInnerRates, type RateSchedule } from './innerRates.js';

/** Runs the request on the backend's own engine when it has one, else on the TypeScript one. */
export async function runMetaGradient(
  backend: Backend,
  programs: EnginePrograms,
  request: MetaGradientRequest,
  engine: 'auto' | 'typescript' = 'auto',
): Promise<MetaGradientResult> {
  validateRequest(backend, request);
  const { support, query } = programs;
  const native = support.compiled.metaGradient?.bind(support.compiled);
  // Two programs (query data of other shapes) run natively when the query program is native too.
  const queryProgram = support.compiled === query.compiled ? undefined : query.compiled;
  const nativeQuery = !queryProgram || queryProgram.metaGradient !== undefined;
  if (engine === 'auto' && native && nativeQuery) return native(request, queryProgram);
  return metaGradientInTypeScript(backend, programs, request);
}

/** A compiled loss program and its output count (outputs[0] is the loss). */
export interface EngineProgram {
  compiled: CompiledProgram;
  numOutputs: number;
}

/**
 * The support loss drives the inner loop, the query loss the objective. They are the same
 * program when support and query sets have the same shapes; otherwise two recordings of one
 * loss function (the native engine takes the query program as its second argument).
 */
export interface EnginePrograms {
  support: EngineProgram;
  query: EngineProgram;
}

/** The default step weights: only the final query loss counts. */
export function finalStepOnly(steps: number): number[] {
  const w = new Array<number>(steps + 1).fill(0);
  w[steps] = 1;
  return w;
}

/** Checks counts and shapes, throwing ShapeError/ValueError that name the engine and the numbers. */
export function validateRequest(backend: Backend, request: MetaGradientRequest): void {
  const { numParams, params, tasks, steps } = request;
  const where = 'metaGradient';
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`${where}: steps must be an integer >= 0, got ${steps}`);
  if (params.length !== numParams) {
    throw new ShapeError(`${where}: expected ${numParams} parameter tensors, got ${params.length}`);
  }
  if (tasks.length === 0) throw new ValueError(`${where}: the meta-batch has no tasks`);
  if (request.order !== 1 && request.order !== 2) throw new ValueError(`${where}: order must be 1 or 2, got ${String(request.order)}`);
  validateInnerRates(backend, where, request, 'broadcast');
  if (request.stepWeights && request.stepWeights.length !== steps + 1) {
    throw new ShapeError(`${where}: stepWeights has ${request.stepWeights.length} entries; expected steps + 1 = ${steps + 1}`);
  }
  tasks.forEach((task, t) => {
    if (task.support.length !== tasks[0].support.length || task.query.length !== tasks[0].query.length) {
      throw new ShapeError(
        `${where}: task ${t} has ${task.support.length} support and ${task.query.length} query inputs; ` +
          `task 0 has ${tasks[0].support.length} and ${tasks[0].query.length}`,
      );
    }
  });
  if (request.stepData) validateStepData(backend, where, request.stepData, steps, tasks[0].support, tasks[0].query);
}

/** A data input that takes values[j] at state t_j (MetaGradientRequest.stepData). */
export interface StepData {
  index: number;
  values: Handle[];
}

/** Checks per-step data against a task's data inputs (query: undefined when the request has none); errors name `where`. */
export function validateStepData(backend: Backend, where: string, stepData: StepData, steps: number, support: Handle[], query: Handle[] | undefined): void {
  const { index, values } = stepData;
  const count = query ? Math.min(support.length, query.length) : support.length;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ValueError(`${where}: stepData.index must name one of the ${count} data inputs, got ${index}`);
  }
  if (values.length !== steps + 1) {
    throw new ShapeError(`${where}: stepData has ${values.length} values; expected one per state t_0..t_k, steps + 1 = ${steps + 1}`);
  }
  const expected = backend.shapeOf(support[index]);
  values.forEach((v, j) => {
    const shape = backend.shapeOf(v);
    if (shape.join(',') !== expected.join(',')) {
      throw new ShapeError(`${where}: stepData.values[${j}] has shape [${shape}]; data input ${index} has shape [${expected}]`);
    }
  });
}

/** A task's data at state t_j: the step-dependent input swapped in (unchanged without stepData). */
export function dataAtStep(data: Handle[], stepData: StepData | undefined, j: number): Handle[] {
  if (!stepData) return data;
  const out = [...data];
  out[stepData.index] = stepData.values[j];
  return out;
}

/** Everything one task's run needs, fixed for the whole meta-batch. */
interface EngineContext extends RateSchedule {
  backend: Backend;
  support: EngineProgram;
  query: EngineProgram;
  numParams: number;
  steps: number;
  order: 1 | 2;
  /** innerLR.length: dF/dlr has one entry per set of rates (1 when shared by every step). */
  rateSets: number;
  /** Cotangents for the support / query program outputs: 1 on the loss, null on the extra outputs. */
  supportCotangents: (Handle | null)[];
  queryCotangents: (Handle | null)[];
  weights: number[];
  wantLrGrads: boolean;
  stepData: StepData | undefined;
  wantSupportOutputs: boolean;
  one: Handle;
  allParams: number[];
}

interface TaskResult {
  loss: number;
  queryLoss: number;
  grads: Handle[];
  /** dF/dlr per step j (or one entry when rates are shared), per parameter. */
  lrGrads: Handle[][] | undefined;
  queryOutputs: Handle[];
  /** Support outputs[1..] at t_0..t_{k-1} (when asked for). */
  supportOutputs: Handle[][] | undefined;
}

/** The same recursion as the native engine, in TypeScript over compiled.vjp / compiled.hvp. */
export async function metaGradientInTypeScript(
  backend: Backend,
  programs: EnginePrograms,
  request: MetaGradientRequest,
): Promise<MetaGradientResult> {
  validateRequest(backend, request);
  const ctx = makeContext(backend, programs, request);
  const taskResults: TaskResult[] = [];
  for (const task of request.tasks) taskResults.push(runTask(ctx, request.params, task.support, task.query));
  backend.dispose(ctx.one);
  return averageOverTasks(backend, taskResults);
}

function makeContext(backend: Backend, programs: EnginePrograms, request: MetaGradientRequest): EngineContext {
  const dtype: DType = backend.dtypeOf(request.params[0] ?? request.tasks[0].support[0]);
  const one = scalarHandle(backend, 1, dtype);
  return {
    backend,
    support: programs.support,
    query: programs.query,
    numParams: request.numParams,
    steps: request.steps,
    order: request.order,
    ...rateSchedule(backend, request.innerLR),
    rateSets: request.innerLR.length,
    supportCotangents: lossSeeds(one, programs.support.numOutputs),
    queryCotangents: lossSeeds(one, programs.query.numOutputs),
    weights: request.stepWeights ?? finalStepOnly(request.steps),
    wantLrGrads: request.lrGrads === true,
    stepData: request.stepData,
    wantSupportOutputs: request.supportOutputs === true,
    one,
    allParams: Array.from({ length: request.numParams }, (_, i) => i),
  };
}

function runTask(ctx: EngineContext, params: Handle[], support: Handle[], query: Handle[]): TaskResult {
  const { backend, steps } = ctx;
  const supportAt = (j: number): Handle[] => dataAtStep(support, ctx.stepData, j);
  const queryAt = (j: number): Handle[] => dataAtStep(query, ctx.stepData, j);
  const supportOutputs: Handle[][] | undefined = ctx.wantSupportOutputs ? [] : undefined;
  const thetas = innerLoopStates(backend, ctx.support, params, supportAt, ctx.rates, ctx.frozen, steps, supportOutputs);

  // g_k = w_k grad L_q(t_k); the query outputs are reported at t_k.
  const atEnd = ctx.query.compiled.vjp([...thetas[steps], ...queryAt(steps)], ctx.queryCotangents, ctx.allParams);
  if (steps > 0) disposeNewEntries(backend, thetas[steps], thetas[steps - 1]);
  const queryLoss = readScalar(backend, atEnd.outputs[0]);
  const wk = ctx.weights[steps];
  let loss = wk * queryLoss;
  let g = atEnd.grads.map((gi) => scaleOwned(backend, gi, wk));
  backend.dispose(atEnd.outputs[0]);
  const queryOutputs = atEnd.outputs.slice(1);

  const lrGrads = ctx.wantLrGrads ? newLrGradSlots(ctx) : undefined;
  for (let j = steps - 1; j >= 0; j--) {
    const gj = backwardStep(ctx, thetas[j], supportAt(j), g, lrGrads, j);
    disposeAll(backend, g);
    g = gj;
    if (ctx.weights[j] !== 0) {
      const q = ctx.query.compiled.vjp([...thetas[j], ...queryAt(j)], ctx.queryCotangents, ctx.allParams);
      loss += ctx.weights[j] * readScalar(backend, q.outputs[0]);
      g = g.map((gi, i) => {
        const scaled = scaleOwned(backend, q.grads[i], ctx.weights[j]);
        const sum = addHandles(backend, gi, scaled);
        backend.dispose(gi);
        backend.dispose(scaled);
        return sum;
      });
      disposeAll(backend, q.outputs);
    }
    if (j > 0) disposeNewEntries(backend, thetas[j], thetas[j - 1]);
  }
  return { loss, queryLoss, grads: g, lrGrads: finishLrGrads(ctx, lrGrads, params), queryOutputs, supportOutputs };
}

/**
 * Plain gradient descent on the support loss: t_{j+1} = t_j - lr_j * grad L_s(t_j).
 * Returns every state t_0 .. t_k; t_0 is `params` itself, and a parameter whose rate is zero
 * keeps the previous state's handle (it is never copied). dataAt(j): the data at state t_j.
 * With `keepOutputs`, the program's outputs[1..] at each t_j (j < k) are pushed there.
 */
function innerLoopStates(
  backend: Backend,
  program: EngineProgram,
  params: Handle[],
  dataAt: (j: number) => Handle[],
  rates: (j: number) => Handle[],
  frozen: (j: number) => boolean[],
  steps: number,
  keepOutputs?: Handle[][],
): Handle[][] {
  const seeds = lossSeeds(scalarHandle(backend, 1, backend.dtypeOf(params[0])), program.numOutputs);
  const thetas: Handle[][] = [params];
  for (let j = 0; j < steps; j++) {
    const t = thetas[j];
    const moving = t.map((_, i) => i).filter((i) => !frozen(j)[i]);
    const next = [...t];
    if (moving.length === 0 && keepOutputs) {
      const outputs = program.compiled.run([...t, ...dataAt(j)]);
      backend.dispose(outputs[0]);
      keepOutputs.push(outputs.slice(1));
    }
    if (moving.length > 0) {
      const res = program.compiled.vjp([...t, ...dataAt(j)], seeds, moving);
      if (keepOutputs) {
        backend.dispose(res.outputs[0]);
        keepOutputs.push(res.outputs.slice(1));
      } else {
        disposeAll(backend, res.outputs);
      }
      moving.forEach((i, n) => {
        const stepVec = mulHandles(backend, rates(j)[i], res.grads[n]);
        next[i] = subHandles(backend, t[i], stepVec);
        backend.dispose(stepVec);
        backend.dispose(res.grads[n]);
      });
    }
    thetas.push(next);
  }
  backend.dispose(seeds[0] as Handle);
  return thetas;
}

/**
 * Adaptation alone (no meta-gradient): k steps of gradient descent on `data` with rates
 * rates[j][i] (rates.length is k, or 1 to reuse). Returns the final parameters as new handles
 * (a parameter whose rate is zero at every step comes back as a copy). stepData: as in
 * MetaGradientRequest (values[j] used at step j; only the first k are read).
 */
export function adaptByGradientDescent(
  backend: Backend,
  program: EngineProgram,
  params: Handle[],
  data: Handle[],
  rates: Handle[][],
  steps: number,
  stepData?: StepData,
): Handle[] {
  const schedule = rateSchedule(backend, rates);
  const dataAt = (j: number): Handle[] => dataAtStep(data, stepData, j);
  const thetas = innerLoopStates(backend, program, params, dataAt, schedule.rates, schedule.frozen, steps);
  for (let j = 1; j < steps; j++) disposeNewEntries(backend, thetas[j], thetas[j - 1]);
  return thetas[steps].map((h) => (params.includes(h) ? copyHandle(backend, h) : h));
}

/**
 * One step of the backward recursion at t_j:
 *   g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1})   and   dF/dlr_j += -(grad L_s(t_j) * g_{j+1}).
 * Returns g_j as new handles (g_{j+1} is left for the caller to free).
 */
function backwardStep(
  ctx: EngineContext,
  theta: Handle[],
  support: Handle[],
  gNext: Handle[],
  lrGrads: (Handle | null)[][] | undefined,
  j: number,
): Handle[] {
  const { backend } = ctx;
  const program = ctx.support.compiled;
  const frozen = ctx.frozen(j);
  const rates = ctx.rates(j);
  const anyMoving = frozen.some((f) => !f);
  let hv: Handle[] | null = null;
  let supportGrads: Handle[] | null = null;
  const inputs = [...theta, ...support];
  if (ctx.order === 2 && anyMoving) {
    // v = lr_j * g_{j+1} (zero on frozen parameters); one forward-over-reverse pass gives H_s v and grad L_s.
    const tangents: (Handle | null)[] = theta.map((_, i) => (frozen[i] ? null : mulHandles(backend, rates[i], gNext[i])));
    const res = program.hvp(inputs, [...tangents, ...support.map(() => null)], ctx.supportCotangents, ctx.allParams);
    hv = res.gradTangents;
    supportGrads = res.grads;
    disposeAll(backend, res.outputs);
    tangents.forEach((v) => v && backend.dispose(v));
  } else if (lrGrads) {
    const res = program.vjp(inputs, ctx.supportCotangents, ctx.allParams);
    supportGrads = res.grads;
    disposeAll(backend, res.outputs);
  }
  if (lrGrads && supportGrads) accumulateLrGrads(ctx, lrGrads, j, supportGrads, gNext);
  const g = gNext.map((gi, i) => (hv ? subHandles(backend, gi, hv[i]) : copyHandle(backend, gi)));
  if (hv) disposeAll(backend, hv);
  if (supportGrads) disposeAll(backend, supportGrads);
  return g;
}

/** dF/dlr_j[i] += -sum_to_shape(grad L_s(t_j)[i] * g_{j+1}[i]); frozen rates still get their gradient. */
function accumulateLrGrads(
  ctx: EngineContext,
  lrGrads: (Handle | null)[][],
  j: number,
  supportGrads: Handle[],
  gNext: Handle[],
): void {
  const { backend } = ctx;
  const slot = ctx.rateSets === 1 ? lrGrads[0] : lrGrads[j];
  const rates = ctx.rates(j);
  for (let i = 0; i < ctx.numParams; i++) {
    const prod = mulHandles(backend, supportGrads[i], gNext[i]);
    const reduced = sumToShape(backend, prod, backend.shapeOf(rates[i]));
    const negated = scaleHandle(backend, reduced, -1);
    backend.dispose(prod);
    backend.dispose(reduced);
    const prev = slot[i];
    if (prev) {
      slot[i] = addHandles(backend, prev, negated);
      backend.dispose(prev);
      backend.dispose(negated);
    } else {
      slot[i] = negated;
    }
  }
}

function newLrGradSlots(ctx: EngineContext): (Handle | null)[][] {
  return Array.from({ length: ctx.rateSets }, () => new Array<Handle | null>(ctx.numParams).fill(null));
}

/** Slots never reached (no inner steps) have gradient zero. */
function finishLrGrads(ctx: EngineContext, slots: (Handle | null)[][] | undefined, params: Handle[]): Handle[][] | undefined {
  if (!slots) return undefined;
  const { backend } = ctx;
  return slots.map((set, j) =>
    set.map((h, i) => h ?? zerosHandle(backend, backend.shapeOf(ctx.rates(j)[i]), backend.dtypeOf(params[i]))),
  );
}

/** Means over tasks of the per-task results (summing handles, then one scale). */
function averageOverTasks(backend: Backend, results: TaskResult[]): MetaGradientResult {
  const n = results.length;
  const grads = meanOverTasks(backend, results.map((r) => r.grads));
  let lrGrads: Handle[][] | undefined;
  if (results[0].lrGrads) {
    lrGrads = results[0].lrGrads.map((_, j) => meanOverTasks(backend, results.map((r) => (r.lrGrads as Handle[][])[j])));
  }
  for (const r of results) {
    disposeAll(backend, r.grads);
    r.lrGrads?.forEach((set) => disposeAll(backend, set));
  }
  return {
    loss: results.reduce((s, r) => s + r.loss, 0) / n,
    queryLosses: results.map((r) => r.queryLoss),
    grads,
    ...(lrGrads ? { lrGrads } : {}),
    queryOutputs: results.map((r) => r.queryOutputs),
    ...(results[0].supportOutputs ? { supportOutputs: results.map((r) => r.supportOutputs as Handle[][]) } : {}),
  };
}

// ---- small helpers -------------------------------------------------------------------------

/** Cotangents [1, null, ...]: the gradient of the loss output alone. */
function lossSeeds(one: Handle, numOutputs: number): (Handle | null)[] {
  return [one, ...new Array<Handle | null>(Math.max(0, numOutputs - 1)).fill(null)];
}

function scaleOwned(backend: Backend, h: Handle, factor: number): Handle {
  if (factor === 1) return h;
  const out = scaleHandle(backend, h, factor);
  backend.dispose(h);
  return out;
}

function copyHandle(backend: Backend, h: Handle): Handle {
  return backend.exec('reshape', [h], { shape: backend.shapeOf(h) });
}

/**
 * Frees the entries of t_j that step j-1 created. A frozen parameter's entry is the very
 * handle of t_{j-1} (and ultimately of t_0, the caller's), so it is left alone.
 */
function disposeNewEntries(backend: Backend, theta: Handle[], previous: Handle[]): void {
  theta.forEach((h, i) => {
    if (h !== previous[i]) backend.dispose(h);
  });
}

function disposeAll(backend: Backend, hs: Handle[]): void {
  for (const h of hs) backend.dispose(h);
}
