/**
 * The checks every learner's public methods run on what the caller hands in, before anything is
 * read from it: the params record (exactly the learner's parameter names, each a live Tensor)
 * and the tasks (an array of { support: { x, y }, query: { x, y } } with Tensor inputs and Tensor
 * or Int32Array targets). Errors name the learner, the method and the offending entry.
 */
import { DisposedError, ValueError } from '../errors.js';
import { describeValue, expectArray, expectRecord, expectTensor } from '../core/args.js';
import { checkParams, disposeParams, sortedKeys } from '../core/params.js';
import type { DType } from '../backend/types.js';
import { Tensor } from '../core/tensor.js';
import type { LabeledSet, Params, Task } from './types.js';

/** Prefix of learned inner learning rates stored in Params (Meta-SGD, MAML++). */
export const LR_PREFIX = 'lr/';

/**
 * `params` as a record with exactly `expected` names (sorted), every value a live Tensor.
 * what: e.g. 'MAML.metaGradient'.
 */
export function checkParamsRecord(what: string, params: unknown, expected: readonly string[]): Params {
  const names = checkParams(what, params);
  const record = params as Params;
  const missing = expected.find((n) => !Object.prototype.hasOwnProperty.call(record, n));
  if (missing !== undefined) {
    const kind = missing.startsWith(LR_PREFIX) ? 'learned rate' : 'parameter';
    throw new ValueError(`${what}: params has no ${kind} '${missing}' (create params with ${what}.init; it gives [${expected.join(', ')}])`);
  }
  const extra = names.find((n) => !expected.includes(n));
  if (extra !== undefined) {
    throw new ValueError(`${what}: params has an unexpected key '${extra}' (create params with ${what}.init; it gives [${expected.join(', ')}])`);
  }
  for (const name of names) {
    if (record[name].isDisposed) throw new DisposedError(`${what}: params['${name}'] was disposed`);
  }
  return record;
}

/** A functional model: an object with init(seed, dtype) and apply(params, x). */
export function checkModel<M>(what: string, model: M): M {
  const record = expectRecord(model, what);
  if (typeof record.init !== 'function' || typeof record.apply !== 'function') {
    throw new ValueError(`${what} must be a model with init(seed, dtype) and apply(params, x) functions, got ${describeValue(model)}`);
  }
  return model;
}

/** init()'s parameter names per learner, read once from a throwaway init. */
const initNames = new WeakMap<object, readonly string[]>();

/** The one params check of every learner's public methods: the keys init() gives, each a live Tensor. */
export function checkLearnerParams(what: string, learner: { init(seed: number, dtype?: DType): Params }, params: unknown): Params {
  let names = initNames.get(learner);
  if (!names) {
    const example = learner.init(0);
    names = sortedKeys(example);
    disposeParams(example);
    initNames.set(learner, names);
  }
  return checkParamsRecord(what, params, names);
}

/** A support or query set: { x: Tensor, y: Tensor | Int32Array }. */
export function checkLabeledSet(what: string, set: unknown): LabeledSet {
  const record = expectRecord(set, what);
  const x = expectTensor(record.x, `${what}.x`);
  const y = record.y;
  if (Tensor.isTensor(y)) expectTensor(y, `${what}.y`);
  else if (!(y instanceof Int32Array)) throw new ValueError(`${what}.y must be a Tensor of targets or an Int32Array of class ids, got ${describeValue(y)}`);
  return { x, y };
}

/** One task: support and query sets. */
export function checkTask(what: string, task: unknown): Task {
  const record = expectRecord(task, what);
  return { support: checkLabeledSet(`${what}.support`, record.support), query: checkLabeledSet(`${what}.query`, record.query) };
}

/** An array of tasks (copied: the caller's objects are read once, here). */
export function checkTasks(what: string, tasks: unknown): Task[] {
  return expectArray(tasks, `${what}: tasks`).map((task, i) => checkTask(`${what}: tasks[${i}]`, task));
}
