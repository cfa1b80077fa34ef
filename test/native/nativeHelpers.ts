/** Shared by the native backend's tests: loading (or the reason it cannot load), random data. */
import type { Backend, DType, Handle, TypedArray } from '../../lib/backend/types.js';
import { loadNativeBackend } from '../../lib/backend/native.js';

function tryLoad(): { backend: Backend | null; reason: string } {
  try {
    return { backend: loadNativeBackend(), reason: '' };
  } catch (err) {
    return { backend: null, reason: err instanceof Error ? err.message : String(err) };
  }
}

const loaded = tryLoad();
/** The native backend, or null when no binary loads (tests then skip, naming the reason). */
export const native: Backend | null = loaded.backend;
export const nativeSkipReason = `skipped: native binary not built (${loaded.reason})`;

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function randomArray(shape: readonly number[], dtype: DType, next: () => number, lo = -1, hi = 1): TypedArray {
  const n = sizeOf(shape);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

export function handle(b: Backend, data: number[] | TypedArray, shape: number[], dtype: DType = 'float64'): Handle {
  const typed = dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data);
  return b.fromArray(typed, shape);
}

export function values(b: Backend, h: Handle): number[] {
  return Array.from(b.toArray(h));
}

/** Largest |a_i - b_i| / (1 + |b_i|). */
export function maxRelativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i]));
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** Runs f with METALEARN_THREADS set to `threads` (the native engines read it per call), then restores it. */
export async function withThreads<T>(threads: number, f: () => Promise<T>): Promise<T> {
  const saved = process.env.METALEARN_THREADS;
  process.env.METALEARN_THREADS = String(threads);
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.METALEARN_THREADS;
    else process.env.METALEARN_THREADS = saved;
  }
}
