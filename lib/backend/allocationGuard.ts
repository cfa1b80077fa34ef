/**
 * The pure-TypeScript core allocates with typed arrays; when one cannot be had, V8 throws a
 * RangeError ("Array buffer allocation failed", "Invalid typed array length: ..."). This wraps
 * the backend object once, at its creation, so every such failure of any of its methods, or of
 * any method of a program it compiled, reaches the caller as an OutOfMemoryError naming the call.
 */
import { isAllocationFailure } from '../core/allocation.js';
import { OutOfMemoryError } from '../errors.js';
import type { Backend, CompiledProgram } from './types.js';

function converted(where: string, err: unknown): unknown {
  return isAllocationFailure(err) ? new OutOfMemoryError(`${where}: out of memory (${(err as Error).message})`) : err;
}

/** Replaces each listed method of `target` (an own property shadowing the prototype's) with one that converts allocation failures. */
function guardMethods<T extends object>(target: T, label: string, names: readonly string[], after?: (name: string, result: unknown) => unknown): T {
  const methods = target as unknown as Record<string, unknown>;
  for (const name of names) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = function guarded(this: unknown, ...args: unknown[]): unknown {
      let result: unknown;
      try {
        result = (original as (...a: unknown[]) => unknown).apply(target, args);
      } catch (err) {
        throw converted(`${label}.${name}`, err);
      }
      if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(converted(`${label}.${name}`, err)));
      return after ? after(name, result) : result;
    };
  }
  return target;
}

const PROGRAM_METHODS = ['run', 'vjp', 'jvp', 'hvp', 'metaGradient', 'adaptBatch'] as const;
const BACKEND_METHODS = ['fromArray', 'toArray', 'exec', 'compile'] as const;

/** The same backend object, its allocation failures (and its programs') turned into OutOfMemoryError. */
export function guardAllocations(backend: Backend): Backend {
  return guardMethods(backend, `${backend.name} backend`, BACKEND_METHODS, (name, result) =>
    name === 'compile' ? guardMethods(result as CompiledProgram, `${backend.name} program`, PROGRAM_METHODS) : result,
  );
}
