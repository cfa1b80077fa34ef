/**
 * The exact type of the raw native binding (native/napi/), as loaded by node-gyp-build.
 * lib/backend/native.ts wraps it into the Backend interface of lib/backend/types.ts.
 *
 * Errors: every function throws a plain JS Error whose `code` is one of
 *   'ERR_SHAPE' | 'ERR_DTYPE' | 'ERR_VALUE' | 'ERR_DISPOSED' | 'ERR_OOM' | 'ERR_INTERNAL'
 * and whose message names the op and the shapes; the wrapper maps codes to typed errors.
 * Native code never aborts the process: C++ exceptions are converted at the boundary.
 */
import type { ProgramSpec } from './lib/backend/types.js';

export type NativeDType = 'float32' | 'float64';

/** A tensor in native memory. Freed by dispose() or by the GC finalizer. */
export interface NativeTensor {
  readonly __nativeTensor: true;
}

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
   * Added with the native meta-batch engine: CompiledProgram.metaGradient (lib/backend/types.ts) in
   * one call; tasks run in parallel on numThreads() threads off the event loop. Rejects with a
   * coded error like the synchronous calls. Added: queryProgram (optional), the query loss's own
   * program when the query data has other shapes (tasks[].query are its data inputs); it must
   * take this program's parameter list (ERR_SHAPE / ERR_DTYPE / ERR_VALUE otherwise). Added:
   * stepData (MAML++'s per-step batch norm: data input `index` takes values[j] at state t_j) and
   * supportOutputs (per task, per step j < k, the support outputs[1..] at t_j).
   */
  metaGradient?(request: {
    numParams: number;
    params: NativeTensor[];
    tasks: { support: NativeTensor[]; query: NativeTensor[] }[];
    steps: number;
    innerLR: NativeTensor[][];
    order: 1 | 2;
    stepWeights?: number[];
    lrGrads?: boolean;
    stepData?: { index: number; values: NativeTensor[] };
    supportOutputs?: boolean;
  }, queryProgram?: NativeProgram): Promise<{
    loss: number;
    queryLosses: number[];
    grads: NativeTensor[];
    lrGrads?: NativeTensor[][];
    queryOutputs: NativeTensor[][];
    supportOutputs?: NativeTensor[][][];
  }>;
  /**
   * Added with batched adaptation: CompiledProgram.adaptBatch (lib/backend/types.ts
   * AdaptBatchRequest) in one call; tasks run in parallel on numThreads() threads off the event
   * loop. Rejects with a coded error like the synchronous calls. Added: queryProgram (optional),
   * as for metaGradient: the program of the query loss and outputs (tasks[].query its data).
   */
  adaptBatch?(request: {
    numParams: number;
    params: NativeTensor[];
    tasks: { support: NativeTensor[]; query?: NativeTensor[] }[];
    steps: number;
    innerLR: NativeTensor[][];
    proximal?: number;
    adam?: { beta1: number; beta2: number; epsilon: number };
    implicitGradient?: { lambda: number; cgSteps: number; tolerance: number };
    stepData?: { index: number; values: NativeTensor[] };
  }, queryProgram?: NativeProgram): Promise<{
    adapted: NativeTensor[][];
    meanAdapted: NativeTensor[];
    supportLosses: number[][];
    queryLosses?: number[];
    queryOutputs?: NativeTensor[][];
    implicitGrads?: NativeTensor[];
  }>;
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
