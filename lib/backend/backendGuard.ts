/**
 * The one wrapper every backend object gets when it is loaded (lib/backend/index.ts), for what
 * callers of the raw Backend / CompiledProgram API may hand in or run into:
 *   - arguments of a compiled program's methods are read once and checked (requestChecks.ts):
 *     a typed error names the field, and the backend only sees plain copies (no getters left
 *     to run while native code reads them);
 *   - a JavaScript allocation failure (a RangeError from an ArrayBuffer or typed array, which the
 *     pure-TypeScript core can meet anywhere) becomes an OutOfMemoryError naming the call.
 * Methods are replaced on the object itself, so identity and instanceof are unchanged.
 */
import { isAllocationFailure } from '../core/allocation.js';
import { OutOfMemoryError } from '../errors.js';
import { expectArray, expectRecord } from '../core/args.js';
import type { Backend, CompiledProgram } from './types.js';
import { handleList, indexList, optionalHandleList, readAdaptBatchRequest, readInnerLoopRequest, readMetaGradientRequest, readProgramSpec } from './requestChecks.js';

type Method = (...args: unknown[]) => unknown;

function converted(where: string, err: unknown): unknown {
  return isAllocationFailure(err) ? new OutOfMemoryError(`${where}: out of memory (${(err as Error).message})`) : err;
}

/**
 * Replaces method `name` of `target` with one that checks its arguments (`check`, returning
 * the arguments to pass on), converts allocation failures, and post-processes the result.
 */
function guard(
  target: object,
  label: string,
  name: string,
  check: (args: unknown[]) => unknown[],
  after?: (result: unknown) => unknown,
  isAsync = false,
): void {
  const methods = target as Record<string, unknown>;
  if (typeof methods[name] !== 'function') return;
  // A class method is looked up on the prototype at each call (so a spy put there later still sees the calls).
  const own = Object.prototype.hasOwnProperty.call(target, name) ? (methods[name] as Method) : undefined;
  const prototype = Object.getPrototypeOf(target) as Record<string, unknown>;
  methods[name] = function guarded(...args: unknown[]): unknown {
    let result: unknown;
    try {
      const original = own ?? (prototype[name] as Method);
      result = original.apply(target, check(args));
    } catch (err) {
      // An async method reports a bad argument as a rejection, as its callers (await) expect.
      if (isAsync) return Promise.reject(converted(`${label}.${name}`, err));
      throw converted(`${label}.${name}`, err);
    }
    if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(converted(`${label}.${name}`, err)));
    return after ? after(result) : result;
  };
}

const asIs = (args: unknown[]): unknown[] => args;

/** Checks of each CompiledProgram method's arguments (positional, as the interface declares them). */
const PROGRAM_CHECKS: Record<string, (args: unknown[]) => unknown[]> = {
  run: ([inputs]) => [handleList(inputs, 'run: inputs')],
  vjp: ([inputs, cotangents, wrt]) => [handleList(inputs, 'vjp: inputs'), optionalHandleList(cotangents, 'vjp: cotangents'), indexList(wrt, 'vjp: wrt')],
  jvp: ([inputs, tangents]) => [handleList(inputs, 'jvp: inputs'), optionalHandleList(tangents, 'jvp: tangents')],
  hvp: ([inputs, tangents, cotangents, wrt]) => [
    handleList(inputs, 'hvp: inputs'),
    optionalHandleList(tangents, 'hvp: tangents'),
    optionalHandleList(cotangents, 'hvp: cotangents'),
    indexList(wrt, 'hvp: wrt'),
  ],
  metaGradient: ([request, query]) => [readMetaGradientRequest(request), query],
  adaptBatch: ([request, query]) => [readAdaptBatchRequest(request), query],
  innerLoop: ([request, query]) => [readInnerLoopRequest(request), query],
};

const ASYNC_METHODS = new Set(['metaGradient', 'adaptBatch', 'innerLoop']);

function guardProgram(program: CompiledProgram, label: string): CompiledProgram {
  for (const [name, check] of Object.entries(PROGRAM_CHECKS)) guard(program, label, name, check, undefined, ASYNC_METHODS.has(name));
  return program;
}

/** The same backend object, its programs' arguments checked and allocation failures typed. */
export function guardBackend(backend: Backend): Backend {
  const label = `${backend.name} backend`;
  guard(backend, label, 'toArray', asIs);
  guard(backend, label, 'fromArray', ([data, shape]) => [data, expectArray(shape, 'fromArray: shape')]);
  guard(backend, label, 'exec', ([op, inputs, attrs]) => [op, handleList(inputs, `exec ${String(op)}: inputs`), expectRecord(attrs, `exec ${String(op)}: attrs`)]);
  guard(backend, label, 'compile', ([spec]) => [readProgramSpec(spec)], (program) => guardProgram(program as CompiledProgram, `${backend.name} program`));
  return backend;
}
