/**
 * The single entry point for applying a primitive from the front end: validate and infer
 * the output type, then either record it (some input is symbolic) or run it now on the
 * inputs' backend.
 */
import { BackendError, ValueError } from '../errors.js';
import { currentBackend } from '../backend/index.js';
import type { PrimitiveAttrs, PrimitiveName } from '../backend/primitives.js';
import type { Backend } from '../backend/types.js';
import { inferOutput, inputNameOf } from './opTable.js';
import { sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { activeTrace } from './trace.js';
import { expectTensor } from './args.js';
import { typedArrayFor } from './typedArray.js';

export function apply<P extends PrimitiveName>(op: P, inputs: Tensor[], attrs: PrimitiveAttrs<P>): Tensor {
  inputs.forEach((t, i) => expectTensor(t, `${op}: ${inputNameOf(op, i)}`));
  const out = inferOutput(op, inputs, attrs);
  const symbolic = inputs.find((t) => t.symbol !== null);
  if (symbolic) {
    const trace = activeTrace();
    if (!trace || !symbolic.symbol!.trace.active) {
      throw new ValueError(`${op}: a symbolic tensor was used after its transform (${symbolic.symbol!.trace.label}) returned`);
    }
    return trace.addNode(op, inputs, attrs, out);
  }
  const backend = backendOf(op, inputs);
  const handles = inputs.map((t) => t.handle);
  // An empty result has no values to compute: made here, the kernels never see a zero-sized output.
  if (sizeOf(out.shape) === 0) {
    const empty = typedArrayFor(out.dtype, 0);
    return Tensor.fromHandle(backend, backend.fromArray(empty, out.shape), out.shape, out.dtype);
  }
  const handle = backend.exec(op, handles, attrs);
  return Tensor.fromHandle(backend, handle, out.shape, out.dtype);
}

/** The one backend all inputs live on. */
export function backendOf(op: string, inputs: Tensor[]): Backend {
  if (inputs.length === 0) return currentBackend();
  const backend = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new BackendError(`${op}: inputs live on different backends (${backend.name} and ${t.backend.name}); recreate them after setBackend()`);
    }
  }
  return backend;
}
