/**
 * A task's memory profile: the sizes a learner's engines allocate for one task, found without
 * running anything. The learner's pass is traced symbolically (lib/core/trace.ts: shapes and
 * dtypes only, no numbers), and the bytes of every value the recorded program computes are
 * summed: a program run keeps all of its values until it ends (the native core's
 * Program::forward keeps them for the reverse pass), so that sum is the forward pass's peak.
 * lib/train/memoryBudget.ts turns profiles into the peak of a chunk or meta-batch.
 */
import type { Backend, DType, ProgramSpec } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import { collectCreated } from '../core/scope.js';
import { Tensor } from '../core/tensor.js';
import { withTrace } from '../core/trace.js';
import type { Params, Task } from './types.js';

/** Everything in bytes; what lib/train/memoryBudget.ts's model needs of one task. */
export interface TaskMemoryProfile {
  /** The task's own tensors: support and query x (and tensor targets). */
  episodeBytes: number;
  /** One copy of the parameters the engine adapts or differentiates. */
  paramBytes: number;
  /** The values of one forward pass on the support set (0 when the learner has no inner loop). */
  supportForwardBytes: number;
  /** The values of one forward pass on the query set (metric learners: the whole episode pass). */
  queryForwardBytes: number;
  /** The query outputs (logits / scores) kept per task until its batch ends. */
  queryOutputBytes: number;
  /** Whether the learner adapts by inner steps (the MAML family); metric learners do not. */
  hasInnerLoop: boolean;
  /** Inner steps in training and at test time by default (0 for learners without an inner loop). */
  innerSteps: number;
  testInnerSteps: number;
}

/** Optional MetaLearner capability (MetricLearner, InnerLoopLearner): the profile of one task. */
export interface MemoryProfiled {
  memoryProfile(params: Params, task: Task): TaskMemoryProfile;
}

export function hasMemoryProfile(learner: object): learner is MemoryProfiled {
  return typeof (learner as Partial<MemoryProfiled>).memoryProfile === 'function';
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

/** Bytes of a tensor of this shape and dtype. */
export function tensorBytes(shape: readonly number[], dtype: DType): number {
  return shape.reduce((n, d) => n * d, 1) * BYTES[dtype];
}

export function paramsBytes(params: Params): number {
  return Object.values(params).reduce((total, t) => total + tensorBytes(t.shape, t.dtype), 0);
}

/** Bytes of the tensors of a task's sets (Int32Array labels are small and host-side: not counted). */
export function taskBytes(task: Task): number {
  let total = 0;
  for (const set of [task.support, task.query]) {
    total += tensorBytes(set.x.shape, set.x.dtype);
    if (set.y instanceof Tensor) total += tensorBytes(set.y.shape, set.y.dtype);
  }
  return total;
}

export interface TracedPass {
  /** Sum over the program's computed values (its nodes). */
  valueBytes: number;
  /** Bytes of each output. */
  outputBytes: number[];
}

/**
 * Traces fn(params, ...inputs) on symbolic inputs of these shapes and sizes its values. Concrete
 * tensors fn makes on the way (e.g. one-hot label matrices) are freed before returning.
 */
export function traceValueBytes(
  label: string,
  backend: Backend,
  params: Params,
  inputs: { shape: readonly number[]; dtype: DType }[],
  fn: (params: Params, ...inputs: Tensor[]) => Tensor[],
): TracedPass {
  const { result: spec, created } = collectCreated(() =>
    withTrace(label, backend, (trace) => {
      const symbolic: Params = {};
      for (const name of sortedKeys(params)) symbolic[name] = trace.addInput(params[name]);
      const xs = inputs.map((x) => trace.addInput(x));
      return trace.finish(fn(symbolic, ...xs));
    }),
  );
  for (const t of created) t.dispose();
  return sizeOfSpec(spec);
}

function sizeOfSpec(spec: ProgramSpec): TracedPass {
  const firstNode = spec.inputs.length;
  const typeOf = (id: number) => (id < firstNode ? spec.inputs[id] : spec.nodes[id - firstNode]);
  const valueBytes = spec.nodes.reduce((total, node) => total + tensorBytes(node.shape, node.dtype), 0);
  const outputBytes = spec.outputs.map((id) => {
    const type = typeOf(id);
    return tensorBytes(type.shape, type.dtype);
  });
  return { valueBytes, outputBytes };
}
