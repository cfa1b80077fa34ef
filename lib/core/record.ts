/**
 * Record once, replay many times. record(fn, exampleParams, ...exampleInputs) traces
 * fn(params, ...inputs) once for those shapes into a ProgramSpec, compiles it on the
 * current backend, and returns a RecordedProgram that evaluates and differentiates it for
 * new parameter values and inputs without calling fn (or any JavaScript op) again.
 *
 * Program input order (the contract other code relies on, e.g. MetaGradientRequest):
 *   [params in sorted key order..., inputs in call order..., captured constants...]
 * "Captured constants" are concrete tensors fn used that are neither params nor inputs
 * (e.g. a one-hot matrix built from Int32Array labels); they are replayed as recorded.
 * Outputs: fn may return one tensor or an array; outputs[0] is the loss for grad/hvp.
 */
import { BackendError, ShapeError, ValueError } from '../errors.js';
import type { Backend, CompiledProgram, DType, Handle } from '../backend/types.js';
import { backendOf } from './apply.js';
import { checkParams, checkSameStructure, type Params } from './params.js';
import { formatShape, sameShape } from './shape.js';
import { Tensor } from './tensor.js';
import { withTrace } from './trace.js';
import { expectArray, expectFunction, expectTensor } from './args.js';
import { typedArrayFor } from './typedArray.js';
import { disposeHandles } from './ownership.js';

export type RecordableFunction = (params: Params, ...inputs: Tensor[]) => Tensor | Tensor[];

export class RecordedProgram {
  /** The backend program: run / vjp / jvp / hvp on raw handles (and metaGradient where offered). */
  readonly compiled: CompiledProgram;
  readonly backend: Backend;
  /** Parameter names in program-input order (sorted). */
  readonly paramNames: readonly string[];
  /** Concrete tensors captured while tracing; they follow the inputs in program-input order. */
  readonly constants: readonly Tensor[];
  /** Shape and dtype of every output, as recorded. */
  readonly outputTypes: readonly { shape: number[]; dtype: DType }[];
  private readonly exampleParams: Params;
  private readonly inputTypes: { shape: readonly number[]; dtype: string }[];

  constructor(fn: RecordableFunction, exampleParams: Params, exampleInputs: Tensor[], label = 'record') {
    expectFunction(fn, `${label}: fn`);
    const names = checkParams(label, exampleParams);
    for (const [i, x] of exampleInputs.entries()) {
      if (!Tensor.isTensor(x)) throw new ValueError(`${label}: input ${i} is not a Tensor`);
    }
    const backend = backendOf(label, [...names.map((n) => exampleParams[n]), ...exampleInputs]);
    const { spec, constants, outputTypes } = withTrace(label, backend, (trace) => {
      const symbolicParams: Params = {};
      for (const name of names) symbolicParams[name] = trace.addInput(exampleParams[name]);
      const symbolicInputs = exampleInputs.map((x) => trace.addInput(x));
      const result = fn(symbolicParams, ...symbolicInputs);
      const outputs = Array.isArray(result) ? result : [result];
      if (outputs.length === 0 || !outputs.every((t) => Tensor.isTensor(t))) {
        throw new ValueError(`${label}: the function must return a Tensor or a non-empty array of Tensors`);
      }
      const types = outputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
      return { spec: trace.finish(outputs), constants: [...trace.constants], outputTypes: types };
    });
    this.backend = backend;
    this.paramNames = names;
    this.constants = constants;
    this.outputTypes = outputTypes;
    this.exampleParams = { ...exampleParams };
    this.inputTypes = exampleInputs.map((x) => ({ shape: x.shape, dtype: x.dtype }));
    this.compiled = backend.compile(spec);
  }

  get numOutputs(): number {
    return this.outputTypes.length;
  }

  get numParams(): number {
    return this.paramNames.length;
  }

  /** Outputs for new params and inputs. */
  run(params: Params, ...inputs: Tensor[]): Tensor[] {
    return this.wrap(this.compiled.run(this.inputHandles(params, ...inputs)));
  }

  /** Value of outputs[0] (one element) and its gradient with respect to every parameter. */
  valueAndGrad(params: Params, ...inputs: Tensor[]): [number, Params] {
    const handles = this.inputHandles(params, ...inputs);
    const { outputs, grads } = this.withLossSeed((seeds) => this.compiled.vjp(handles, seeds, this.paramIndices()));
    const value = this.backend.toArray(outputs[0])[0];
    disposeHandles(this.backend, outputs);
    return [value, this.toParams(grads)];
  }

  grad(params: Params, ...inputs: Tensor[]): Params {
    return this.valueAndGrad(params, ...inputs)[1];
  }

  /** Reverse mode with one cotangent per output (null = zero): gradients of sum <cot, out>. */
  vjp(params: Params, cotangents: (Tensor | null)[], ...inputs: Tensor[]): { outputs: Tensor[]; grads: Params } {
    if (expectArray(cotangents, 'vjp: cotangents').length !== this.numOutputs) {
      throw new ValueError(`vjp: expected ${this.numOutputs} cotangents (one per output), got ${cotangents.length}`);
    }
    const handles = cotangents.map((c, i) => (c === null ? null : this.handleOf(expectTensor(c, `vjp: cotangents[${i}]`), `vjp: cotangents[${i}]`)));
    const { outputs, grads } = this.compiled.vjp(this.inputHandles(params, ...inputs), handles, this.paramIndices());
    return { outputs: this.wrap(outputs), grads: this.toParams(grads) };
  }

  /** Forward mode along parameter tangents v (same keys and shapes as params). */
  jvp(params: Params, v: Params, ...inputs: Tensor[]): { outputs: Tensor[]; tangents: Tensor[] } {
    const { outputs, tangents } = this.compiled.jvp(this.inputHandles(params, ...inputs), this.tangentHandles(params, v));
    return { outputs: this.wrap(outputs), tangents: this.wrap(tangents) };
  }

  /** Exact Hessian-vector product of outputs[0] with respect to the params, along v. */
  hvp(params: Params, v: Params, ...inputs: Tensor[]): Params {
    const handles = this.inputHandles(params, ...inputs);
    const tangents = this.tangentHandles(params, v);
    const { outputs, grads, gradTangents } = this.withLossSeed((seeds) =>
      this.compiled.hvp(handles, tangents, seeds, this.paramIndices()),
    );
    disposeHandles(this.backend, [...outputs, ...grads]);
    return this.toParams(gradTangents);
  }

  /** All program inputs as handles: [params sorted..., inputs..., constants...]. */
  inputHandles(params: Params, ...inputs: Tensor[]): Handle[] {
    checkSameStructure('replay', this.exampleParams, params, 'params');
    return [...this.paramNames.map((n) => this.handleOf(params[n], `replay: params.${n}`)), ...this.dataHandles(...inputs)];
  }

  /** A task's data inputs as handles: [inputs..., constants...] (MetaGradientRequest.tasks). */
  dataHandles(...inputs: Tensor[]): Handle[] {
    if (inputs.length !== this.inputTypes.length) {
      throw new ValueError(`replay: expected ${this.inputTypes.length} inputs, got ${inputs.length}`);
    }
    inputs.forEach((x, i) => {
      const t = this.inputTypes[i];
      if (!Tensor.isTensor(x) || !sameShape(x.shape, t.shape) || x.dtype !== t.dtype) {
        const got = Tensor.isTensor(x) ? `${formatShape(x.shape)} ${x.dtype}` : typeof x;
        throw new ShapeError(`replay: input ${i} must be ${formatShape(t.shape)} ${t.dtype} as recorded, got ${got}`);
      }
    });
    return [...inputs.map((x, i) => this.handleOf(x, `replay: input ${i}`)), ...this.constants.map((c) => c.handle)];
  }

  /** Wraps output handles into Tensors on this program's backend. */
  wrap(handles: Handle[]): Tensor[] {
    return handles.map((h) => Tensor.fromHandle(this.backend, h));
  }

  dispose(): void {
    this.compiled.dispose();
  }

  /** The handle of a tensor of this program's backend (a tensor of the other backend is a BackendError, not a foreign handle). */
  private handleOf(t: Tensor, what: string): Handle {
    if (t.backend !== this.backend) {
      throw new BackendError(`${what} lives on the ${t.backend.name} backend, the program on the ${this.backend.name} backend; recreate it after setBackend()`);
    }
    return t.handle;
  }

  private paramIndices(): number[] {
    return this.paramNames.map((_, i) => i);
  }

  private tangentHandles(params: Params, v: Params): (Handle | null)[] {
    checkSameStructure('tangent', params, v, 'v');
    const dataCount = this.inputTypes.length + this.constants.length;
    return [...this.paramNames.map((n) => this.handleOf(v[n], `tangent: v.${n}`)), ...new Array<null>(dataCount).fill(null)];
  }

  /** Calls body with cotangents [1, null, ...] (1 for the one-element loss outputs[0]); frees the seed after. */
  private withLossSeed<R>(body: (seeds: (Handle | null)[]) => R): R {
    const { shape, dtype } = this.outputTypes[0];
    if (shape.reduce((a, b) => a * b, 1) !== 1) {
      throw new ShapeError(`grad: the function must return a one-element loss first, got shape ${formatShape(shape)}`);
    }
    const one = typedArrayFor(dtype, [1]);
    const seed = this.backend.fromArray(one, shape);
    try {
      const seeds: (Handle | null)[] = new Array(this.numOutputs).fill(null);
      seeds[0] = seed;
      return body(seeds);
    } finally {
      this.backend.dispose(seed);
    }
  }

  private toParams(handles: Handle[]): Params {
    const out: Params = {};
    this.paramNames.forEach((name, i) => {
      out[name] = Tensor.fromHandle(this.backend, handles[i], this.exampleParams[name].shape, this.exampleParams[name].dtype);
    });
    return out;
  }
}
