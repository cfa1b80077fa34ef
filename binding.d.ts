/**
 * The exact type of the raw native binding (native/napi/), as loaded by node-gyp-build.
 * lib/backend/native.ts wraps it into the Backend interface of lib/backend/types.ts.
 *
 * Errors: every function throws a plain JS Error whose `code` is one of
 *   'ERR_SHAPE' | 'ERR_DTYPE' | 'ERR_VALUE' | 'ERR_DISPOSED' | 'ERR_OOM' | 'ERR_INTERNAL'
 * and whose message names the op and the shapes; the wrapper maps codes to typed errors.
 * Native code never aborts the process: C++ exceptions are converted at the boundary.
 */
import type { Handle, ProgramSpec } from './lib/backend/types.js';
import type { InnerLoopRequest, InnerLoopResult } from './lib/engine/request.js';

export type NativeDType = 'float32' | 'float64';

/** A tensor in native memory. Freed by dispose() or by the GC finalizer. */
export interface NativeTensor {
  readonly __nativeTensor: true;
}

/** T with every backend Handle in it a NativeTensor (the native backend's handles are its tensors). */
export type Native<T> = T extends Handle
  ? NativeTensor
  : T extends readonly (infer E)[]
    ? Native<E>[]
    : T extends object
      ? { [K in keyof T]: Native<T[K]> }
      : T;

export interface NativeProgram {
  run(inputs: NativeTensor[]): NativeTensor[];
  vjp(inputs: NativeTensor[], cotangents: (NativeTensor | null)[], wrt: number[]): { outputs: NativeTensor[]; grads: NativeTensor[] };
  jvp(inputs: NativeTensor[], tangents: (NativeTensor | null)[]): { outputs: NativeTensor[]; tangents: NativeTensor[] };
  hvp(
    inputs: NativeTensor[],
    tangents: (NativeTensor | null)[],
    cotangents: (NativeTensor | null)[],
    wrt: number[],
  ): { outputs: NativeTensor[]; grads: NativeTensor[]; gradTangents: NativeTensor[] };
  /**
   * The one inner-loop engine (native/engine/inner_loop.h): CompiledProgram.innerLoop
   * (lib/engine/request.ts) in one call; tasks run in parallel on numThreads() threads off the
   * event loop. Rejects with a coded error like the synchronous calls, its message prefixed with
   * request.label. queryProgram (optional): the query loss's own program when the query data has
   * other shapes (tasks[].query are its data inputs); it must take this program's parameter list
   * (ERR_SHAPE / ERR_DTYPE / ERR_VALUE otherwise). The result has the optional fields the
   * request asks for (lib/engine/request.ts InnerLoopResult).
   */
  innerLoop(request: Native<InnerLoopRequest>, queryProgram?: NativeProgram): Promise<Native<InnerLoopResult>>;
  dispose(): void;
}

export interface NativeBinding {
  /** Copies the typed array into native memory (Float32Array -> float32, Float64Array -> float64). */
  fromArray(data: Float32Array | Float64Array, shape: number[]): NativeTensor;
  /** Copies the elements out. */
  toArray(t: NativeTensor): Float32Array | Float64Array;
  shapeOf(t: NativeTensor): number[];
  dtypeOf(t: NativeTensor): NativeDType;
  dispose(t: NativeTensor): void;
  /** Applies one primitive (names and attributes: lib/backend/primitives.ts). */
  exec(op: string, inputs: NativeTensor[], attrs: Record<string, unknown>): NativeTensor;
  compile(spec: ProgramSpec): NativeProgram;
  liveTensors(): number;
  /**
   * Added for memory tests: bytes of live tensor storage now and at the peak since
   * resetPeakTensorBytes(), as tensors need them (live, peak) and as the allocator sized the
   * blocks (liveHeld, peakHeld: its rounding included). Counts, not timings.
   */
  tensorBytes?(): { live: number; peak: number; liveHeld: number; peakHeld: number };
  /** Added for memory tests: sets the peaks of tensorBytes() to the current live counts. */
  resetPeakTensorBytes?(): void;
  /** Threads used for batched work. */
  numThreads(): number;
  /** Build information. */
  buildInfo(): { version: string; cuda: boolean; simd: string; compiler: string };
}

declare const binding: NativeBinding;
export default binding;
