/**
 * tidy(fn): frees every concrete tensor created while fn runs, except those fn returns.
 *
 * Why: tensors also free themselves when garbage collected, but a FinalizationRegistry
 * callback only runs between macrotasks. A loop of eager ops inside one async function that
 * awaits already-resolved promises never gives it that chance, so native memory piles up
 * (an evaluation loop over 600 conv4 episodes held gigabytes). Wrapping each episode's eager
 * work in tidy makes its memory use flat and independent of the garbage collector.
 *
 * Like tf.tidy: fn must be synchronous; tensors in the returned value (a tensor, an array of
 * tensors, or an object whose values are tensors, nested) survive and move to the enclosing
 * scope; everything else created inside is disposed. Tensors created before the call are never
 * touched. `keep(t)` exempts a tensor from the innermost scope.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from './tensor.js';
import { expectFunction, expectTensor } from './args.js';

const scopes: Set<Tensor>[] = [];

/** Called by the Tensor constructor for every concrete tensor. */
export function trackTensor(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Exempts `t` from disposal by the innermost tidy scope (it is kept by the outer one, if any). */
export function keep<T extends Tensor>(t: T): T {
  expectTensor(t, 'keep: t');
  if (scopes.length > 0) {
    scopes[scopes.length - 1].delete(t);
    if (scopes.length > 1) scopes[scopes.length - 2].add(t);
  }
  return t;
}

export function tidy<T>(fn: () => T): T {
  expectFunction(fn, 'tidy: fn');
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    disposeAll(scope, new Set());
    throw err;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(scope, new Set());
    throw new ValueError('tidy: the function must be synchronous (it returned a Promise); await outside tidy');
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept, 0);
  disposeAll(scope, kept);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
  return result;
}

/**
 * Runs fn (synchronous) and returns the concrete tensors created while it ran, disposing none:
 * for owners of tensors made during a trace (a recorded program's captured constants), which
 * must live exactly as long as the program. The caller owns them: no enclosing tidy scope
 * frees them (a program cached beyond one tidy call keeps working).
 */
export function collectCreated<T>(fn: () => T): { result: T; created: Tensor[] } {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  try {
    return { result: fn(), created: [...scope] };
  } finally {
    scopes.pop();
  }
}

function disposeAll(scope: Set<Tensor>, kept: Set<Tensor>): void {
  for (const t of scope) if (!kept.has(t)) t.dispose();
}

// Duck-typed walk so this file needs no runtime import of Tensor (tensor.ts imports us).
function collectTensors(value: unknown, out: Set<Tensor>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 8 || ArrayBuffer.isView(value)) return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const child of children) collectTensors(child, out, depth + 1);
}

function isTensor(value: object): value is Tensor {
  const v = value as Partial<Tensor>;
  return typeof v.dispose === 'function' && Array.isArray(v.shape) && typeof v.dtype === 'string' && 'backend' in v;
}
