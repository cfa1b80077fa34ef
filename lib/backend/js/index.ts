/** The pure-TypeScript core: the Backend interface over typed arrays. */
import { ShapeError } from '../../errors.js';
import { checkShape, formatShape, sizeOf } from '../../core/shape.js';
import type { PrimitiveAttrs, PrimitiveName } from '../primitives.js';
import type { Backend, CompiledProgram, DType, Handle, ProgramSpec, TypedArray } from '../types.js';
import { execKernel } from './emitter.js';
import { JsTensor } from './jsTensor.js';
import { asJs, compileProgram } from './program.js';

/** Whether a handed-out tensor still counts as live, and its bytes. */
interface LiveState {
  counted: boolean;
  bytes: number;
}

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  /** Tensors handed out and not yet disposed or garbage-collected, and their bytes. */
  private live = 0;
  private liveBytes = 0;
  /** The most bytes live at once since resetPeakTensorBytes() (peakTensorBytes()). */
  private peakBytes = 0;
  private readonly finalizer = new FinalizationRegistry<LiveState>((state) => this.uncount(state));
  private readonly states = new WeakMap<JsTensor, LiveState>();

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
    if (state) this.uncount(state);
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

  /** Peak bytes of the tensors handed out (a compiled program's internal values are not counted). */
  peakTensorBytes(): number {
    return this.peakBytes;
  }

  resetPeakTensorBytes(): void {
    this.peakBytes = this.liveBytes;
  }

  /** Counts a tensor handed to the caller; the count drops on dispose() or garbage collection. */
  private publish(t: JsTensor): JsTensor {
    if (this.states.has(t)) {
      // The same internal value returned twice (e.g. an output that is also an input): hand out a copy.
      t = new JsTensor(t.data.slice(), t.shape);
    }
    const state: LiveState = { counted: true, bytes: t.data.byteLength };
    this.states.set(t, state);
    this.finalizer.register(t, state);
    this.live++;
    this.liveBytes += state.bytes;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes);
    return t;
  }

  private uncount(state: LiveState): void {
    if (!state.counted) return;
    state.counted = false;
    this.live--;
    this.liveBytes -= state.bytes;
  }
}

export function createJsBackend(): Backend {
  return new JsBackend();
}
