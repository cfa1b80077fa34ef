/**
 * The one inner-loop request (issue 14). Every way of running an inner loop — the MAML-family
 * meta-gradient, batched adaptation for Reptile and iMAML, evaluation, a single `adapt` — is an
 * InnerLoopRequest run by one engine per language: lib/engine/ (the TypeScript twin) and
 * native/engine/ (C++, tasks in parallel off the event loop). binding.d.ts and
 * native/engine/inner_loop.h mirror this file field for field; one conversion
 * (native/napi/inner_loop_convert.cpp) turns the JS object into the C++ struct.
 *
 * The program's inputs are [params (numParams of them)..., data...]; outputs[0] is the scalar
 * loss, outputs[1..] are extra values (logits, batch statistics). Per task, with t_0 = params:
 *
 *   forward (the update rule, j = 0 .. steps-1):
 *     d_j     = grad L_s(t_j) + proximal * (t_j - t_0)
 *     sgd:      t_{j+1} = t_j - lr_j * d_j
 *     adam:     m = b1 m + (1-b1) d_j,  v = b2 v + (1-b2) d_j^2   (from zeros)
 *               t_{j+1} = t_j - lr_j * (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
 *     A parameter that does not adapt (not in `adapts`, or rate exactly zero at step j) keeps
 *     t_j's tensor.
 *   objective (with query data):  F = sum_j w_j L_q(t_j),  w = stepWeights (default [0,..,0,1])
 *   backward (outerGradient):
 *     'none'         no gradient: evaluation and adaptation.
 *     'first-order'  g_k = w_k grad L_q(t_k);  g_j = g_{j+1} + w_j grad L_q(t_j)
 *     'exact'        g_j = g_{j+1} - H_s(t_j)(lr_j * g_{j+1}) + w_j grad L_q(t_j)   (sgd only)
 *                    one Hessian-vector product per step, forward-over-reverse.
 *     both:          dF/dparams = g_0;  dF/dlr_j = -sum_to_lr_shape(u_j * g_{j+1}), u_j the direction
 *                    lr_j multiplies (d_j for sgd; adam's m_hat / (sqrt(v_hat) + eps)). A parameter
 *                    frozen at step j gets it too under sgd (u_j = d_j there); under adam, zero.
 *     'implicit'     iMAML: x solving (I + H_s(t_k)/lambda) x = grad L_q(t_k) by conjugate
 *                    gradient from x = 0 (lib/engine/conjugateGradient.ts).
 *   Results are means over tasks, summed in task order (independent of the thread count).
 *
 * Ownership: everything in the request is borrowed (the engine never frees or keeps it);
 * every tensor in the result is new and owned by the caller.
 */
import type { Handle } from '../backend/types.js';

/** How the outer (meta) gradient flows back through the inner loop. */
export type OuterGradient = 'none' | 'first-order' | 'exact' | 'implicit';
export const OUTER_GRADIENTS: readonly OuterGradient[] = ['none', 'first-order', 'exact', 'implicit'];

/**
 * The inner update rule. rates[j][i]: learning rate of step j for parameter i, of shape []
 * (MAML), the parameter's shape (Meta-SGD), or (TypeScript engine) any shape that broadcasts to
 * it; rates.length is steps, or 1 to reuse the same rates at every step (MAML++ learns one set
 * per step). A rate that is exactly zero freezes that parameter at that step.
 */
export type UpdateRule =
  | { kind: 'sgd'; rates: readonly (readonly Handle[])[] }
  | { kind: 'adam'; rates: readonly (readonly Handle[])[]; beta1: number; beta2: number; epsilon: number };

/** iMAML's implicit gradient: cgSteps iterations at most; stop when |r| <= tolerance |b|. */
export interface ImplicitSettings {
  lambda: number;
  cgSteps: number;
  tolerance: number;
}

/** One task's data inputs: support drives the inner loop, query (optional) the objective. */
export interface InnerLoopTask {
  support: readonly Handle[];
  /** All tasks or none. The query program's data inputs when a query program is given. */
  query?: readonly Handle[];
}

export interface InnerLoopRequest {
  /** Names the caller in every error message ('metaGradient', 'adaptBatch', 'MAML.adapt', ...). */
  label?: string;
  /** How many leading program inputs are parameters; the rest are a task's data inputs. */
  numParams: number;
  /** t_0, one per parameter input. Borrowed. */
  params: readonly Handle[];
  tasks: readonly InnerLoopTask[];
  /** Inner steps k >= 0. */
  steps: number;
  update: UpdateRule;
  /**
   * Which parameters adapt (indices into params); default all. The others keep t_0 at every
   * step (ANIL's body, CAVIA's network) — the same as a zero rate, said by the caller.
   */
  adapts?: readonly number[];
  /** iMAML's proximal strength lambda >= 0 pulling t_j toward t_0. Default 0. */
  proximal?: number;
  outerGradient: OuterGradient;
  /** With outerGradient 'implicit' (and only then). */
  implicit?: ImplicitSettings;
  /** w_0..w_k of the query losses (MAML++ multi-step loss). Default: [0, ..., 0, 1]. */
  stepWeights?: readonly number[];
  /** Also return dF/dlr ('first-order' or 'exact'): Meta-SGD, MAML++. */
  lrGrads?: boolean;
  /**
   * MAML++'s per-step batch norm: every evaluation at t_j takes values[j] as data input `index`
   * (counted among the data inputs, in both programs) in place of the task's own entry;
   * values.length is steps + 1. The query stage at t_k takes values[k].
   */
  stepData?: { index: number; values: readonly Handle[] };
  /** Also return each task's t_k (adapted) and their mean (meanAdapted). */
  returnAdapted?: boolean;
  /** Also return each task's support outputs[1..] at t_0..t_{k-1}. */
  supportOutputs?: boolean;
}

export interface InnerLoopResult {
  /** Mean over tasks of F (0 without query data). */
  loss: number;
  /** Per task: L_s(t_j) for j = 0 .. steps-1. */
  supportLosses: number[][];
  /** Per task: L_q(t_k) (with query data). */
  queryLosses?: number[];
  /** Per task: the query program's outputs[1..] at t_k (with query data). */
  queryOutputs?: Handle[][];
  /** Per task, per step j < steps: the support outputs[1..] at t_j (when supportOutputs). */
  supportOutputs?: Handle[][][];
  /** Mean over tasks of dF/dparams ('first-order', 'exact'). */
  grads?: Handle[];
  /** Mean over tasks of dF/dlr[j][i], shaped like update.rates (when lrGrads). */
  lrGrads?: Handle[][];
  /** Per task t_k, new handles (when returnAdapted). */
  adapted?: Handle[][];
  /** Mean over tasks of t_k, summed in task order (when returnAdapted). */
  meanAdapted?: Handle[];
  /** Mean over tasks of the implicit gradient x ('implicit'). */
  implicitGrads?: Handle[];
}
