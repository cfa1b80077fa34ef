/**
 * What a CompiledProgram's methods are handed, read once and checked before any backend code
 * runs: the raw program API is public (RecordedProgram.compiled), and a request may come with
 * getters, proxies or wrong types. Each reader returns a fresh plain copy, so a getter runs here,
 * in JavaScript, exactly once, and the native core only ever reads plain data; errors are typed
 * and name the field ('metaGradient: request.tasks[1].query', ...).
 */
import { ValueError } from '../errors.js';
import { describeValue, expectArray, expectRecord } from '../core/args.js';
import type { AdaptBatchRequest, DType, Handle, MetaGradientRequest, ProgramSpec } from './types.js';
import { OUTER_GRADIENTS, type ImplicitSettings, type InnerLoopRequest, type OuterGradient, type UpdateRule } from '../engine/request.js';
import type { PrimitiveAttrs, PrimitiveName } from './primitives.js';
import type { StepData } from '../engine/stepData.js';

/**
 * The most inner steps one engine call takes (the learners' own cap, lib/algorithms/options.ts
 * MAX_STEPS, is the same): a larger count is a typo that would run for days.
 */
const MAX_ENGINE_STEPS = 100_000;

function handle(value: unknown, what: string): Handle {
  if (value === null || typeof value !== 'object') throw new ValueError(`${what} must be a tensor handle, got ${describeValue(value)}`);
  return value as Handle;
}

/** An array of handles (a plain copy). */
export function handleList(value: unknown, what: string): Handle[] {
  return expectArray(value, what).map((h, i) => handle(h, `${what}[${i}]`));
}

/** An array of handles or nulls (cotangents, tangents). */
export function optionalHandleList(value: unknown, what: string): (Handle | null)[] {
  return expectArray(value, what).map((h, i) => (h === null ? null : handle(h, `${what}[${i}]`)));
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValueError(`${what} must be an integer in [${min}, ${max}], got ${describeValue(value)}`);
  }
  return value;
}

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${what} must be a finite number, got ${describeValue(value)}`);
  return value;
}

function flag(value: unknown, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ValueError(`${what} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** Input indices to differentiate with respect to (vjp / hvp `wrt`). */
export function indexList(value: unknown, what: string): number[] {
  return expectArray(value, what).map((v, i) => integer(v, `${what}[${i}]`, 0, 2 ** 31 - 1));
}

/** A shape and dtype of a program value, read once. */
function valueType(value: unknown, what: string): { shape: number[]; dtype: DType } {
  const r = expectRecord(value, what);
  const shape = expectArray(r.shape, `${what}.shape`).map((d, i) => integer(d, `${what}.shape[${i}]`, 0, Number.MAX_SAFE_INTEGER));
  if (r.dtype !== 'float32' && r.dtype !== 'float64') throw new ValueError(`${what}.dtype must be 'float32' or 'float64', got ${describeValue(r.dtype)}`);
  return { shape, dtype: r.dtype };
}

/**
 * A ProgramSpec's structure (arrays, records, integer ids, shapes), read once into a plain copy;
 * the backend's own validation then checks what the ids refer to and the ops' rules.
 */
export function readProgramSpec(spec: unknown): ProgramSpec {
  const what = 'compile: spec';
  const r = expectRecord(spec, what);
  const id = (v: unknown, where: string): number => integer(v, where, 0, 2 ** 31 - 1);
  return {
    inputs: expectArray(r.inputs, `${what}.inputs`).map((input, i) => valueType(input, `${what}.inputs[${i}]`)),
    nodes: expectArray(r.nodes, `${what}.nodes`).map((node, j) => {
      const n = expectRecord(node, `${what}.nodes[${j}]`);
      if (typeof n.op !== 'string') throw new ValueError(`${what}.nodes[${j}].op must be a primitive name, got ${describeValue(n.op)}`);
      return {
        op: n.op as PrimitiveName,
        inputs: expectArray(n.inputs, `${what}.nodes[${j}].inputs`).map((v, k) => id(v, `${what}.nodes[${j}].inputs[${k}]`)),
        attrs: { ...expectRecord(n.attrs, `${what}.nodes[${j}].attrs`) } as PrimitiveAttrs,
        ...valueType(n, `${what}.nodes[${j}]`),
      };
    }),
    outputs: expectArray(r.outputs, `${what}.outputs`).map((v, k) => id(v, `${what}.outputs[${k}]`)),
  };
}

/** request.tasks: support for every task, query required (meta-gradient) or optional. */
function readTasks(value: unknown, what: string, queryRequired: boolean): { support: Handle[]; query?: Handle[] }[] {
  return expectArray(value, `${what}.tasks`).map((task, i) => {
    const t = expectRecord(task, `${what}.tasks[${i}]`);
    const support = handleList(t.support, `${what}.tasks[${i}].support`);
    return t.query === undefined && !queryRequired ? { support } : { support, query: handleList(t.query, `${what}.tasks[${i}].query`) };
  });
}

function readStepData(value: unknown, what: string): StepData | undefined {
  if (value === undefined) return undefined;
  const s = expectRecord(value, what);
  return { index: integer(s.index, `${what}.index`, 0, 2 ** 31 - 1), values: handleList(s.values, `${what}.values`) };
}

/** The fields both legacy request kinds share. */
function commonFields(request: unknown, what: string) {
  const r = expectRecord(request, what);
  const numParams = integer(r.numParams, `${what}.numParams`, 0, 2 ** 31 - 1);
  const params = handleList(r.params, `${what}.params`);
  const steps = integer(r.steps, `${what}.steps`, 0, MAX_ENGINE_STEPS);
  const innerLR = expectArray(r.innerLR, `${what}.innerLR`).map((set, j) => handleList(set, `${what}.innerLR[${j}]`));
  const stepData = readStepData(r.stepData, `${what}.stepData`);
  return { r, numParams, params, steps, innerLR, stepData };
}

/** A MetaGradientRequest, read once into a plain copy. */
export function readMetaGradientRequest(request: unknown, method = 'metaGradient'): MetaGradientRequest {
  const what = `${method}: request`;
  const { r, numParams, params, steps, innerLR, stepData } = commonFields(request, what);
  const tasks = readTasks(r.tasks, what, true) as MetaGradientRequest['tasks'];
  const order = r.order;
  if (order !== 1 && order !== 2) throw new ValueError(`${what}.order must be 1 or 2, got ${describeValue(order)}`);
  const out: MetaGradientRequest = { numParams, params, tasks, steps, innerLR, order };
  if (r.stepWeights !== undefined) out.stepWeights = expectArray(r.stepWeights, `${what}.stepWeights`).map((w, j) => finite(w, `${what}.stepWeights[${j}]`));
  const lrGrads = flag(r.lrGrads, `${what}.lrGrads`);
  if (lrGrads !== undefined) out.lrGrads = lrGrads;
  const supportOutputs = flag(r.supportOutputs, `${what}.supportOutputs`);
  if (supportOutputs !== undefined) out.supportOutputs = supportOutputs;
  if (stepData) out.stepData = stepData;
  return out;
}

/** iMAML's implicit-gradient settings (AdaptBatchRequest.implicitGradient, InnerLoopRequest.implicit). */
function readImplicitSettings(value: unknown, what: string): ImplicitSettings {
  const g = expectRecord(value, what);
  return { lambda: finite(g.lambda, `${what}.lambda`), cgSteps: integer(g.cgSteps, `${what}.cgSteps`, 0, MAX_ENGINE_STEPS), tolerance: finite(g.tolerance, `${what}.tolerance`) };
}

/** An AdaptBatchRequest, read once into a plain copy. */
export function readAdaptBatchRequest(request: unknown, method = 'adaptBatch'): AdaptBatchRequest {
  const what = `${method}: request`;
  const { r, numParams, params, steps, innerLR, stepData } = commonFields(request, what);
  const tasks = readTasks(r.tasks, what, false);
  const out: AdaptBatchRequest = { numParams, params, tasks, steps, innerLR };
  if (r.proximal !== undefined) out.proximal = finite(r.proximal, `${what}.proximal`);
  if (r.adam !== undefined) {
    const a = expectRecord(r.adam, `${what}.adam`);
    out.adam = { beta1: finite(a.beta1, `${what}.adam.beta1`), beta2: finite(a.beta2, `${what}.adam.beta2`), epsilon: finite(a.epsilon, `${what}.adam.epsilon`) };
  }
  if (r.implicitGradient !== undefined) out.implicitGradient = readImplicitSettings(r.implicitGradient, `${what}.implicitGradient`);
  if (stepData) out.stepData = stepData;
  return out;
}

function readUpdateRule(value: unknown, what: string): UpdateRule {
  const u = expectRecord(value, what);
  const rates = expectArray(u.rates, `${what}.rates`).map((set, j) => handleList(set, `${what}.rates[${j}]`));
  if (u.kind === 'sgd') return { kind: 'sgd', rates };
  if (u.kind !== 'adam') throw new ValueError(`${what}.kind must be 'sgd' or 'adam', got ${describeValue(u.kind)}`);
  return { kind: 'adam', rates, beta1: finite(u.beta1, `${what}.beta1`), beta2: finite(u.beta2, `${what}.beta2`), epsilon: finite(u.epsilon, `${what}.epsilon`) };
}

/**
 * An InnerLoopRequest (lib/engine/request.ts), read once into a plain copy; messages name the
 * field after the request's label ('metaGradient: request.update.rates[0]', ...).
 */
export function readInnerLoopRequest(request: unknown): InnerLoopRequest {
  const r = expectRecord(request, 'innerLoop: request');
  const label = r.label;
  if (label !== undefined && typeof label !== 'string') throw new ValueError(`innerLoop: request.label must be a string, got ${describeValue(label)}`);
  const what = `${label ?? 'innerLoop'}: request`;
  const tasks = readTasks(r.tasks, what, false);
  const outerGradient = r.outerGradient;
  if (!OUTER_GRADIENTS.includes(outerGradient as OuterGradient)) {
    throw new ValueError(`${what}.outerGradient must be one of ${OUTER_GRADIENTS.map((g) => `'${g}'`).join(', ')}, got ${describeValue(outerGradient)}`);
  }
  const out: InnerLoopRequest = {
    ...(label !== undefined ? { label } : {}),
    numParams: integer(r.numParams, `${what}.numParams`, 0, 2 ** 31 - 1),
    params: handleList(r.params, `${what}.params`),
    tasks,
    steps: integer(r.steps, `${what}.steps`, 0, MAX_ENGINE_STEPS),
    update: readUpdateRule(r.update, `${what}.update`),
    outerGradient: outerGradient as OuterGradient,
  };
  if (r.adapts !== undefined) out.adapts = indexList(r.adapts, `${what}.adapts`);
  if (r.proximal !== undefined) out.proximal = finite(r.proximal, `${what}.proximal`);
  if (r.implicit !== undefined) out.implicit = readImplicitSettings(r.implicit, `${what}.implicit`);
  if (r.stepWeights !== undefined) out.stepWeights = expectArray(r.stepWeights, `${what}.stepWeights`).map((w, j) => finite(w, `${what}.stepWeights[${j}]`));
  const stepData = readStepData(r.stepData, `${what}.stepData`);
  if (stepData) out.stepData = stepData;
  for (const key of ['lrGrads', 'returnAdapted', 'supportOutputs'] as const) {
    const value = flag(r[key], `${what}.${key}`);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
