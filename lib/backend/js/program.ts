/**
 * The program interpreter of the pure-TypeScript core: compile(spec) -> CompiledProgram.
 *
 * - run: forward pass on plain tensors.
 * - vjp: forward pass keeping every value, then the reverse pass (VJP rules, adjoints summed).
 * - jvp: forward pass on duals (JVP rules).
 * - hvp: forward pass on duals, then the reverse pass with the VJP rules executed on duals:
 *   every adjoint carries its tangent, and the tangents of the input adjoints are H v.
 * Never finite differences, never a full Hessian: about three times the cost of one gradient.
 */
import { ShapeError, DTypeError, ValueError } from '../../errors.js';
import { formatShape, sameShape } from '../../core/shape.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import type { CompiledProgram, Handle, ProgramSpec } from '../types.js';
import { dualEmitter, plainEmitter, type Dual, type Emitter } from './emitter.js';
import { allocate, JsTensor } from './jsTensor.js';
import { OP_TABLE } from '../ops/index.js';
import { inferOutput } from '../../core/opTable.js';

/** Hands results to the caller (the backend counts them as live tensors). */
export type Publish = (t: JsTensor) => JsTensor;

/** Checks that a spec is well formed: value ids in range and every node's shape as inferred. */
function validateSpec(spec: ProgramSpec): void {
  const types = spec.inputs.map((i) => ({ shape: i.shape, dtype: i.dtype }));
  spec.nodes.forEach((node, j) => {
    for (const id of node.inputs) {
      if (!Number.isInteger(id) || id < 0 || id >= types.length) {
        throw new ValueError(`compile: node ${j} (${node.op}) refers to value ${id}, which is not defined before it`);
      }
    }
    const out = inferOutput(node.op, node.inputs.map((id) => types[id]), node.attrs as PrimitiveAttrs<PrimitiveName>);
    if (!sameShape(out.shape, node.shape) || out.dtype !== node.dtype) {
      throw new ShapeError(`compile: node ${j} (${node.op}) declares ${formatShape(node.shape)} ${node.dtype}, inferred ${formatShape(out.shape)} ${out.dtype}`);
    }
    types.push(out);
  });
  for (const id of spec.outputs) {
    if (!Number.isInteger(id) || id < 0 || id >= types.length) throw new ValueError(`compile: output ${id} is not a value of the program`);
  }
}

class JsProgram implements CompiledProgram {
  constructor(
    private readonly spec: ProgramSpec,
    private readonly publish: Publish,
  ) {
    validateSpec(spec);
  }

  run(inputs: Handle[]): Handle[] {
    const values = this.forward(plainEmitter, this.checkInputs(inputs, 'run'));
    return this.spec.outputs.map((id) => this.publish(values[id]));
  }

  vjp(inputs: Handle[], cotangents: (Handle | null)[], wrt: number[]): { outputs: Handle[]; grads: Handle[] } {
    const values = this.forward(plainEmitter, this.checkInputs(inputs, 'vjp'));
    const seeds = this.checkCotangents(cotangents, values);
    const adjoints = this.reverse(plainEmitter, values, seeds);
    return {
      outputs: this.spec.outputs.map((id) => this.publish(values[id])),
      grads: wrt.map((i) => this.publish(adjoints[this.checkWrt(i)] ?? allocate(values[i].shape, values[i].dtype))),
    };
  }

  jvp(inputs: Handle[], tangents: (Handle | null)[]): { outputs: Handle[]; tangents: Handle[] } {
    const duals = this.toDuals(this.checkInputs(inputs, 'jvp'), tangents);
    const values = this.forward(dualEmitter, duals);
    const outs = this.spec.outputs.map((id) => values[id]);
    return {
      outputs: outs.map((d) => this.publish(d.value)),
      tangents: outs.map((d) => this.publish(d.tangent ?? allocate(d.value.shape, d.value.dtype))),
    };
  }

  hvp(
    inputs: Handle[],
    tangents: (Handle | null)[],
    cotangents: (Handle | null)[],
    wrt: number[],
  ): { outputs: Handle[]; grads: Handle[]; gradTangents: Handle[] } {
    const duals = this.toDuals(this.checkInputs(inputs, 'hvp'), tangents);
    const values = this.forward(dualEmitter, duals);
    const seeds = this.checkCotangents(cotangents, values.map((d) => d.value))
      .map((c): Dual | null => (c ? { value: c, tangent: null } : null));
    const adjoints = this.reverse(dualEmitter, values, seeds);
    const grads: Handle[] = [];
    const gradTangents: Handle[] = [];
    for (const i of wrt) {
      const adjoint = adjoints[this.checkWrt(i)];
      const shape = values[i].value.shape;
      const dtype = values[i].value.dtype;
      grads.push(this.publish(adjoint?.value ?? allocate(shape, dtype)));
      gradTangents.push(this.publish(adjoint?.tangent ?? allocate(shape, dtype)));
    }
    return { outputs: this.spec.outputs.map((id) => this.publish(values[id].value)), grads, gradTangents };
  }

  dispose(): void {
    // Nothing to free: the program holds no tensors.
  }

  /** Evaluates every node; returns all values (inputs, then node outputs). */
  private forward<T>(em: Emitter<T>, inputs: T[]): T[] {
    const values = [...inputs];
    for (const node of this.spec.nodes) {
      const args = node.inputs.map((id) => values[id]);
      values.push(em.apply(node.op, args, node.attrs as PrimitiveAttrs<PrimitiveName>));
    }
    return values;
  }

  /** Reverse sweep: seeds are the output cotangents; returns the adjoint of every value (null = zero). */
  private reverse<T>(em: Emitter<T>, values: T[], seeds: (T | null)[]): (T | null)[] {
    const adjoints: (T | null)[] = new Array(values.length).fill(null);
    const accumulate = (id: number, g: T | null) => {
      if (g === null) return;
      const current = adjoints[id];
      adjoints[id] = current === null ? g : em.apply('add', [current, g], {});
    };
    this.spec.outputs.forEach((id, k) => accumulate(id, seeds[k]));
    const firstNode = this.spec.inputs.length;
    for (let j = this.spec.nodes.length - 1; j >= 0; j--) {
      const g = adjoints[firstNode + j];
      if (g === null) continue;
      const node = this.spec.nodes[j];
      const args = node.inputs.map((id) => values[id]);
      const rule = OP_TABLE[node.op];
      const inputGrads = rule.vjp(em, args, values[firstNode + j], g, node.attrs as never);
      node.inputs.forEach((id, k) => accumulate(id, inputGrads[k] ?? null));
    }
    return adjoints;
  }

  private toDuals(inputs: JsTensor[], tangents: (Handle | null)[]): Dual[] {
    if (tangents.length !== inputs.length) {
      throw new ValueError(`program: expected ${inputs.length} tangents (one per input), got ${tangents.length}`);
    }
    return inputs.map((value, i) => {
      const t = tangents[i] as JsTensor | null;
      if (t !== null) this.checkLike(t, value, `tangent ${i}`);
      return { value, tangent: t };
    });
  }

  private checkInputs(inputs: Handle[], what: string): JsTensor[] {
    const spec = this.spec.inputs;
    if (inputs.length !== spec.length) {
      throw new ValueError(`program.${what}: expected ${spec.length} inputs, got ${inputs.length}`);
    }
    return inputs.map((h, i) => {
      const t = asJs(h);
      if (!sameShape(t.shape, spec[i].shape)) {
        throw new ShapeError(`program.${what}: input ${i} must have shape ${formatShape(spec[i].shape)}, got ${formatShape(t.shape)}`);
      }
      if (t.dtype !== spec[i].dtype) {
        throw new DTypeError(`program.${what}: input ${i} must be ${spec[i].dtype}, got ${t.dtype}`);
      }
      return t;
    });
  }

  private checkCotangents(cotangents: (Handle | null)[], values: JsTensor[]): (JsTensor | null)[] {
    if (cotangents.length !== this.spec.outputs.length) {
      throw new ValueError(`program: expected ${this.spec.outputs.length} cotangents (one per output), got ${cotangents.length}`);
    }
    return cotangents.map((c, k) => {
      if (c === null) return null;
      const t = asJs(c);
      this.checkLike(t, values[this.spec.outputs[k]], `cotangent ${k}`);
      return t;
    });
  }

  private checkLike(t: JsTensor, like: JsTensor, what: string): void {
    if (!sameShape(t.shape, like.shape) || t.dtype !== like.dtype) {
      throw new ShapeError(`program: ${what} must be ${formatShape(like.shape)} ${like.dtype}, got ${formatShape(t.shape)} ${t.dtype}`);
    }
  }

  private checkWrt(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.spec.inputs.length) {
      throw new ValueError(`program: wrt index ${i} is not an input (the program has ${this.spec.inputs.length})`);
    }
    return i;
  }
}

/** Narrows a Handle to this core's tensor type. */
export function asJs(h: Handle): JsTensor {
  if (!(h instanceof JsTensor)) throw new ValueError('js backend: got a tensor that belongs to another backend');
  return h;
}

export function compileProgram(spec: ProgramSpec, publish: Publish): CompiledProgram {
  return new JsProgram(spec, publish);
}
