/**
 * Argument checks for public entry points. Each names the argument (`what`, e.g. 'matmul: a' or
 * 'MAML.metaGradient: tasks[2].support'), says what was expected and what was given, and throws
 * a typed error (lib/errors.ts) instead of letting a TypeError escape from deeper down.
 */
import { DisposedError, ValueError } from '../errors.js';
import { Tensor } from './tensor.js';

/** How a value looks in a message: '3', 'null', 'a string ("x")', 'an array of 2', 'a disposed Tensor [2,3]'. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Tensor.isTensor(value)) return `${value.isDisposed ? 'a disposed ' : 'a '}Tensor [${value.shape.join(',')}] ${value.dtype}`;
  if (value instanceof Tensor) return 'an object that only inherits Tensor.prototype';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  switch (typeof value) {
    case 'number':
      return String(value);
    case 'boolean':
    case 'bigint':
      return `a ${typeof value} (${String(value)})`;
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
    case 'object':
      return Object.getPrototypeOf(value) === Object.prototype ? 'a plain object' : `an object (${value.constructor?.name ?? 'no prototype'})`;
    default:
      return `a ${typeof value}`;
  }
}

/** A Tensor that is not disposed (symbolic tensors inside a transform pass). */
export function expectTensor(value: unknown, what: string): Tensor {
  if (!Tensor.isTensor(value)) {
    const fake = value instanceof Tensor ? 'an object that only inherits Tensor.prototype (a Proxy or Object.create)' : describeValue(value);
    throw new ValueError(`${what} must be a Tensor, got ${fake}`);
  }
  if (value.isDisposed) throw new DisposedError(`${what}: tensor of shape [${value.shape.join(',')}] was disposed`);
  return value;
}

/** A Tensor or undefined/null (an optional tensor argument such as a bias). */
export function expectOptionalTensor(value: unknown, what: string): Tensor | undefined {
  return value === undefined || value === null ? undefined : expectTensor(value, what);
}

export function expectArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new ValueError(`${what} must be an array, got ${describeValue(value)}`);
  return value;
}

/** An array whose items are all live Tensors. */
export function expectTensorArray(value: unknown, what: string): Tensor[] {
  return expectArray(value, what).map((item, i) => expectTensor(item, `${what}[${i}]`));
}

/** An object whose fields are read (a request, a task, a set); not null, an array or a Tensor. */
export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Tensor) {
    throw new ValueError(`${what} must be an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** An options argument: undefined means {} (every option at its default). */
export function optionsRecord<T extends object>(value: T | undefined | null, what: string): Partial<T> {
  if (value === undefined) return {};
  return expectRecord(value, what) as Partial<T>;
}

export function expectFunction(value: unknown, what: string): (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new ValueError(`${what} must be a function, got ${describeValue(value)}`);
  return value as (...args: never[]) => unknown;
}

/** An integer in [min, max] (a count, a size, a number of steps). */
export function expectInteger(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`${what} must be an integer ${range}, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number. */
export function expectFinite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(`${what} must be a finite number, got ${describeValue(value)}`);
  return value;
}
