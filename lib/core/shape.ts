/**
 * Shape arithmetic shared by the front end and the pure-TypeScript core. Shapes are
 * row-major (C order) arrays of non-negative integers; [] is a scalar.
 */
import { ShapeError } from '../errors.js';

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, e.g. [2,3,4] -> [12,4,1]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** '[2,3]' for messages (and a readable word for something that is not a shape at all). */
export function formatShape(shape: readonly number[]): string {
  if (!Array.isArray(shape)) return shape === null ? 'null' : typeof shape === 'object' ? 'an object' : `${typeof shape} ${String(shape)}`;
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : typeof d)).join(',')}]`;
}

/** Throws ShapeError unless `shape` is an array whose every entry is a non-negative integer. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: shape must be an array of non-negative integers, got ${formatShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${formatShape(shape)} (entries must be non-negative integers)`);
    }
  }
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return null;
  }
  return out;
}

/** True when `from` broadcasts to exactly `to`. */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const offset = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    if (from[i] !== 1 && from[i] !== to[offset + i]) return false;
  }
  return true;
}

/**
 * The axes of `to` that a broadcast from `from` stretched (leading new axes and size-1 axes
 * that became larger): summing a gradient shaped `to` over them and reshaping gives `from`.
 */
export function broadcastAxes(from: readonly number[], to: readonly number[]): number[] {
  const offset = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < offset || (from[i - offset] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalises a possibly negative axis against a rank; ShapeError when out of range. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${String(axis)} out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}
