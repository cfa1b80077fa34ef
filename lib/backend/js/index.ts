/** The pure-TypeScript core: the Backend interface over typed arrays. */
import { ShapeError } from '../../errors.js';
import { checkShape, formatShape, sizeOf } from '../../core/shape.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import type { Backend, CompiledProgram, DType, Handle, ProgramSpec, TypedArray } from '../types.js';
import { execKernel } from './emitter.js';
import { JsTensor } from './jsTensor.js';
import { asJs, compileProgram } from './program.js';

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  /** Tensors handed out and not yet disposed or garbage-collected. */
  private live = 0;
  private readonly finalizer = new FinalizationRegistry<{ counted: boolean }>((state) => {
    if (state.counted) this.live--;
  });
  private readonly states = new WeakMap<JsTensor, { counted: boolean }>();

  fromArray(data: TypedArray, shape: readonly number[]): Handle {
    checkShape('fromArray', shape);
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new ShapeError('fromArray: data must be a Float32Array or Float64Array');
    }
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`fromArray: ${data.length} elements do not fill shape ${formatShape(shape)} (${sizeOf(shape)})`);
    }
    return this.publish(new JsTensor(data.slice(), [...shape]));
  }

  toArray(h: Handle): TypedArray {
    return asJs(h).data.slice();
  }

  shapeOf(h: Handle): number[] {
    return [...asJs(h).shape];
  }

  dtypeOf(h: Handle): DType {
    return asJs(h).dtype;
  }

  dispose(h: Handle): void {
    const t = asJs(h);
    if (t.disposed) return;
    t.release();
    const state = this.states.get(t);
    if (state?.counted) {
      state.counted = false;
      this.live--;
    }
  }

  exec<P extends PrimitiveName>(op: P, inputs: Handle[], attrs: PrimitiveAttrs<P>): Handle {
    return this.publish(execKernel(op, inputs.map(asJs), attrs));
  }

  compile(spec: ProgramSpec): CompiledProgram {
    return compileProgram(spec, (t) => this.publish(t));
  }

  liveTensors(): number {
    return this.live;
  }

  /** Counts a tensor handed to the caller; the count drops on dispose() or garbage collection. */
  private publish(t: JsTensor): JsTensor {
    if (this.states.has(t)) {
      // The same internal value returned twice (e.g. an output that is also an input): hand out a copy.
      t = new JsTensor(t.data.slice(), t.shape);
    }
    const state = { counted: true };
    this.states.set(t, state);
    this.finalizer.register(t, state);
    this.live++;
    return t;
  }
}

export function createJsBackend(): Backend {
  return new JsBackend();
}
