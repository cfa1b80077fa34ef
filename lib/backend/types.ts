/**
 * The one interface both cores implement: the native binding (lib/backend/native.ts wraps
 * binding.d.ts) and the pure-TypeScript twin (lib/backend/js/). The front end (lib/core)
 * talks only to this.
 */
import type { PrimitiveAttrs, PrimitiveName } from './primitives.js';
import type { InnerLoopRequest, InnerLoopResult } from '../engine/request.js';

export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

/** An opaque tensor owned by a backend (native memory or a JS typed array). */
export interface Handle {
  readonly __backendHandle: true;
}

/** One primitive application inside a program. Value ids: program inputs first, then nodes in order. */
export interface ProgramNode {
  op: PrimitiveName;
  inputs: number[];
  attrs: PrimitiveAttrs;
  /** Output shape and dtype, inferred by the front end. */
  shape: number[];
  dtype: DType;
}

/**
 * A recorded computation: a straight-line list of primitives over its inputs.
 * Value id i < inputs.length is input i; value id inputs.length + j is node j's output.
 * Constants captured while tracing are ordinary inputs.
 */
export interface ProgramSpec {
  inputs: { shape: number[]; dtype: DType }[];
  nodes: ProgramNode[];
  outputs: number[];
}

/** A program compiled by a backend; evaluated and differentiated with no call back into JS. */
export interface CompiledProgram {
  /** Outputs for the given inputs. */
  run(inputs: Handle[]): Handle[];
  /**
   * Reverse mode. cotangents: one per output (null = zeros). Returns the outputs and the
   * gradient of sum_o <cotangent_o, output_o> with respect to each input listed in wrt.
   */
  vjp(inputs: Handle[], cotangents: (Handle | null)[], wrt: number[]): { outputs: Handle[]; grads: Handle[] };
  /** Forward mode. tangents: one per input (null = zero). Returns outputs and their tangents. */
  jvp(inputs: Handle[], tangents: (Handle | null)[]): { outputs: Handle[]; tangents: Handle[] };
  /**
   * Forward-over-reverse. Same as vjp, plus the directional derivative of those gradients
   * along the input tangents: for a scalar output with cotangent 1 this is H v.
   */
  hvp(
    inputs: Handle[],
    tangents: (Handle | null)[],
    cotangents: (Handle | null)[],
    wrt: number[],
  ): { outputs: Handle[]; grads: Handle[]; gradTangents: Handle[] };
  /**
   * Optional accelerated MAML-family meta-gradient for a whole meta-batch (native: tasks in
   * parallel across threads, off the event loop). Where absent, lib/engine (via lib/algorithms/innerLoop.ts)
   * runs the same recursion in TypeScript over vjp/hvp. Both must give the same numbers.
   * Added (optional): queryProgram, the query loss's own program, a program of the same backend
   * with the same parameter inputs, when query data has other shapes than support data
   * (tasks[].query are then its data inputs); this program still drives the inner loop.
   */
  metaGradient?(request: MetaGradientRequest, queryProgram?: CompiledProgram): Promise<MetaGradientResult>;
  /**
   * Added (optional): batched adaptation for a whole meta-batch (native: tasks in parallel
   * across threads, off the event loop). Where absent, lib/engine (via lib/algorithms/adaptBatch.ts) runs the
   * same loop in TypeScript over vjp/hvp. Both must give the same numbers.
   * Added (optional): queryProgram, as for metaGradient (query loss, outputs and its gradient).
   */
  adaptBatch?(request: AdaptBatchRequest, queryProgram?: CompiledProgram): Promise<AdaptBatchResult>;
  /**
   * Added (optional; issue 14): the one inner-loop engine (lib/engine/request.ts) for a whole
   * meta-batch (native: tasks in parallel across threads, off the event loop). Where absent,
   * lib/engine runs the same loop in TypeScript over vjp/hvp. metaGradient and adaptBatch are
   * InnerLoopRequests too (lib/engine/legacyRequests.ts). queryProgram: as for metaGradient.
   */
  innerLoop?(request: InnerLoopRequest, queryProgram?: CompiledProgram): Promise<InnerLoopResult>;
  dispose(): void;
}

/**
 * A meta-batch for the inner-loop engine (DESIGN.md, "The one idea that makes exact MAML cheap").
 * The program's inputs are [params (numParams of them)..., data...]; outputs[0] is the scalar
 * loss, outputs[1..] are extra values (e.g. logits) reported for the query set after adaptation.
 * For each task, with t_0 = params:
 *   t_{j+1} = t_j - lr_j * grad_t L(t_j; support)            j = 0 .. steps-1
 *   F = sum_j w_j L(t_j; query),   w = stepWeights (default: w_steps = 1, others 0)
 * and the exact meta-gradient by the backward recursion (order 2), or with the Hessian term
 * dropped (order 1, first-order MAML):
 *   g_k = w_k grad L_q(t_k);   g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1}) + w_j grad L_q(t_j)
 *   dF/dparams = g_0;          dF/dlr_j = -grad L_s(t_j) * g_{j+1}  (summed to lr_j's shape)
 * Results are means over tasks.
 */
export interface MetaGradientRequest {
  /** How many leading program inputs are parameters; the rest are a task's data inputs. */
  numParams: number;
  /** Initial parameters, one per parameter input. */
  params: Handle[];
  /**
   * Per task: data inputs for the support and the query loss (same count and shapes as the program's data inputs;
   * the query's as queryProgram's when metaGradient is given one).
   */
  tasks: { support: Handle[]; query: Handle[] }[];
  /** Inner steps k >= 0. */
  steps: number;
  /**
   * innerLR[j][i]: learning rate of step j for parameter i, shape [] (scalar) or the parameter's
   * shape (Meta-SGD). innerLR.length is steps, or 1 to reuse the same rates at every step.
   * A zero rate freezes that parameter in the inner loop (ANIL, CAVIA).
   */
  innerLR: Handle[][];
  order: 1 | 2;
  /** Weights w_0..w_k of the query losses (MAML++ multi-step loss). Default: [0, ..., 0, 1]. */
  stepWeights?: number[];
  /** Also return dF/dinnerLR (Meta-SGD, MAML++). */
  lrGrads?: boolean;
  /**
   * Added for MAML++'s per-step batch norm (optional): a data input that depends on the state.
   * Every evaluation at t_j (the support loss of step j, the query loss at t_j) takes values[j]
   * as data input `index` (counted among the data inputs) in place of the task's own entry;
   * values.length is steps + 1. Both engines take it (native: tasks in parallel, as without it).
   */
  stepData?: { index: number; values: Handle[] };
  /** Added (optional): also return each task's support outputs[1..] at t_0..t_{steps-1}. Both engines. */
  supportOutputs?: boolean;
}

export interface MetaGradientResult {
  /** Mean over tasks of F. */
  loss: number;
  /** Per task: the query loss after the last inner step, L(t_k; query). */
  queryLosses: number[];
  /** Mean over tasks of dF/dparams, one per parameter. */
  grads: Handle[];
  /** Mean over tasks of dF/dinnerLR[j][i], shaped like innerLR; present when lrGrads was asked. */
  lrGrads?: Handle[][];
  /** Per task: outputs[1..] of the program on the query data at t_k. */
  queryOutputs: Handle[][];
  /** Per task, per step j < steps: outputs[1..] of the program on the support data at t_j (when supportOutputs was asked). */
  supportOutputs?: Handle[][][];
}

/**
 * Added: a meta-batch for batched adaptation (Reptile, iMAML): the inner loop alone, no
 * meta-gradient through it. Program inputs and innerLR as in MetaGradientRequest. Per task,
 * with t_0 = params and d_j = grad L(t_j; support) + proximal * (t_j - t_0):
 *   SGD (default): t_{j+1} = t_j - lr_j * d_j                                 j = 0 .. steps-1
 *   Adam:          m = b1 m + (1-b1) d_j;  v = b2 v + (1-b2) d_j^2   (per task, from zeros)
 *                  t_{j+1} = t_j - lr_j * (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
 * A parameter whose rate is exactly zero keeps its value. With query data, the query loss and
 * outputs[1..] at t_k are reported; with implicitGradient (iMAML), x solving
 *   (I + H_s(t_k) / lambda) x = grad L(t_k; query)
 * by conjugate gradient from x = 0 (lib/engine/conjugateGradient.ts), averaged over tasks.
 */
export interface AdaptBatchRequest {
  numParams: number;
  params: Handle[];
  /** Per task: data inputs of the support loss, and optionally of the query loss (all tasks or none; queryProgram's when given). */
  tasks: { support: Handle[]; query?: Handle[] }[];
  steps: number;
  /** As MetaGradientRequest.innerLR: innerLR[j][i] of shape [] or the parameter's; steps entries or 1. */
  innerLR: Handle[][];
  /** iMAML's proximal strength lambda >= 0 pulling t_j toward params. Default 0. */
  proximal?: number;
  /** Adam instead of SGD (Reptile's Adam inner optimiser). */
  adam?: { beta1: number; beta2: number; epsilon: number };
  /** iMAML's implicit gradient at t_k (needs query data): cgSteps iterations at most, stop when |r| <= tolerance |b|. */
  implicitGradient?: { lambda: number; cgSteps: number; tolerance: number };
  /**
   * Added (optional): a per-step data input, as MetaGradientRequest.stepData: every evaluation at
   * t_j takes values[j] as data input `index` (the support loss of step j; the query stage and
   * the implicit gradient's HVPs at t_k take values[k]). values.length is steps + 1.
   */
  stepData?: { index: number; values: Handle[] };
}

export interface AdaptBatchResult {
  /** Per task: the adapted parameters t_k (new handles, one per parameter). */
  adapted: Handle[][];
  /** Mean over tasks of t_k, summed in task order. */
  meanAdapted: Handle[];
  /** Per task: L(t_j; support) for j = 0 .. steps-1. */
  supportLosses: number[][];
  /** Per task: L(t_k; query) (when query data was given). */
  queryLosses?: number[];
  /** Per task: outputs[1..] at t_k on the query data (when query data was given). */
  queryOutputs?: Handle[][];
  /** Mean over tasks of the implicit gradient x (when implicitGradient was asked). */
  implicitGrads?: Handle[];
}

export interface Backend {
  readonly name: 'native' | 'js';
  /** Copies data into a new backend tensor. data.length must equal the product of shape. */
  fromArray(data: TypedArray, shape: readonly number[]): Handle;
  /** A copy of the tensor's elements. */
  toArray(h: Handle): TypedArray;
  shapeOf(h: Handle): number[];
  dtypeOf(h: Handle): DType;
  /** Frees the tensor's memory now; later use throws DisposedError. Idempotent. */
  dispose(h: Handle): void;
  /** Eager: apply one primitive. */
  exec<P extends PrimitiveName>(op: P, inputs: Handle[], attrs: PrimitiveAttrs<P>): Handle;
  compile(spec: ProgramSpec): CompiledProgram;
  /** Number of live tensors this backend holds (for leak tests). */
  liveTensors(): number;
  /**
   * Added for memory tests (optional): the most bytes of tensor storage live at once since the
   * last resetPeakTensorBytes(). Native: every tensor the core allocates, intermediates
   * included. Pure TS: tensors handed out to callers (not a program's internal values).
   */
  peakTensorBytes?(): number;
  /** Starts a new peak for peakTensorBytes() at the bytes live now. */
  resetPeakTensorBytes?(): void;
}
