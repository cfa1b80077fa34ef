/**
 * JAX-style tracing. Inside a transform, parameters (and recorded inputs) become symbolic
 * tensors; every op with a symbolic input appends a node instead of computing. Concrete
 * tensors met along the way are captured as extra program inputs (constants). The result is
 * a ProgramSpec whose inputs are [declared inputs..., captured constants...].
 */
import { BackendError, ValueError } from '../errors.js';
import type { PrimitiveAttrs, PrimitiveName } from '../backend/primitives.js';
import type { Backend, ProgramNode, ProgramSpec } from '../backend/types.js';
import type { OutputType } from './opTable.js';
import { Tensor, type TraceRef } from './tensor.js';

type Source = { kind: 'input'; index: number } | { kind: 'constant'; index: number } | { kind: 'node'; index: number };

interface TracedNode {
  op: PrimitiveName;
  inputs: number[];
  attrs: PrimitiveAttrs;
  out: OutputType;
}

export class Trace implements TraceRef {
  active = true;
  private readonly sources: Source[] = [];
  private readonly inputTypes: ProgramSpec['inputs'] = [];
  private readonly nodes: TracedNode[] = [];
  readonly constants: Tensor[] = [];
  private readonly constantValues = new Map<Tensor, number>();

  constructor(
    readonly label: string,
    readonly backend: Backend,
  ) {}

  /** Declares the next program input; returns its symbolic tensor. */
  addInput(like: { shape: readonly number[]; dtype: Tensor['dtype'] }): Tensor {
    this.inputTypes.push({ shape: [...like.shape], dtype: like.dtype });
    const value = this.push({ kind: 'input', index: this.inputTypes.length - 1 });
    return Tensor.symbolic(this.backend, like.shape, like.dtype, { trace: this, value });
  }

  /** Records one primitive; returns its symbolic output. */
  addNode<P extends PrimitiveName>(op: P, inputs: Tensor[], attrs: PrimitiveAttrs<P>, out: OutputType): Tensor {
    const ids = inputs.map((t) => this.valueOf(t, op));
    this.nodes.push({ op, inputs: ids, attrs, out });
    const value = this.push({ kind: 'node', index: this.nodes.length - 1 });
    return Tensor.symbolic(this.backend, out.shape, out.dtype, { trace: this, value });
  }

  /** Ends tracing and numbers values as the contract wants: inputs, constants, then nodes. */
  finish(outputs: Tensor[]): ProgramSpec {
    const outputIds = outputs.map((t) => this.valueOf(t, this.label));
    this.active = false;
    const numInputs = this.inputTypes.length;
    const firstNode = numInputs + this.constants.length;
    const idOf = (value: number): number => {
      const s = this.sources[value];
      if (s.kind === 'input') return s.index;
      if (s.kind === 'constant') return numInputs + s.index;
      return firstNode + s.index;
    };
    const nodes: ProgramNode[] = this.nodes.map((n) => ({
      op: n.op,
      inputs: n.inputs.map(idOf),
      attrs: n.attrs,
      shape: n.out.shape,
      dtype: n.out.dtype,
    }));
    const inputs = [
      ...this.inputTypes,
      ...this.constants.map((c) => ({ shape: [...c.shape], dtype: c.dtype })),
    ];
    return { inputs, nodes, outputs: outputIds.map(idOf) };
  }

  /** The trace value of a tensor: its own symbol, or a newly captured constant. */
  private valueOf(t: Tensor, op: string): number {
    if (t.symbol) {
      if (t.symbol.trace !== this) {
        throw new ValueError(
          `${op}: a symbolic tensor from ${t.symbol.trace.label} was used inside ${this.label}; ` +
            'nested transforms are not supported (use hvp for second derivatives), and traced tensors cannot escape their transform',
        );
      }
      return t.symbol.value;
    }
    if (t.backend !== this.backend) {
      throw new BackendError(`${op}: tensor from the ${t.backend.name} backend used while tracing on ${this.backend.name}`);
    }
    t.handle; // throws DisposedError now rather than at replay
    let value = this.constantValues.get(t);
    if (value === undefined) {
      this.constants.push(t);
      value = this.push({ kind: 'constant', index: this.constants.length - 1 });
      this.constantValues.set(t, value);
    }
    return value;
  }

  private push(source: Source): number {
    this.sources.push(source);
    return this.sources.length - 1;
  }
}

const stack: Trace[] = [];

export function activeTrace(): Trace | null {
  return stack.length > 0 ? stack[stack.length - 1] : null;
}

/** Runs body with a fresh trace active; the trace is always popped, even when body throws. */
export function withTrace<R>(label: string, backend: Backend, body: (trace: Trace) => R): R {
  const trace = new Trace(label, backend);
  stack.push(trace);
  try {
    return body(trace);
  } finally {
    trace.active = false;
    stack.pop();
  }
}
