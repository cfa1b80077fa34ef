/**
 * A view of a square-image dataset whose classes are (base class, rotation) pairs: rotation by
 * 90, 180 and 270 degrees counterclockwise turns every character into new classes (ProtoNets,
 * Reptile). Also used with rotation 0 only, as a plain class subset. Rotations are applied on
 * read, so no pixels are duplicated.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { FewShotDataset, ImageDataset } from './dataset.js';
import { rotateQuarterTurns } from './rotate.js';

export interface RotatedClass {
  baseClass: number;
  /** Counterclockwise quarter turns, 0..3. */
  quarterTurns: number;
}

export class RotatedClassesDataset implements ImageDataset {
  readonly name: string;
  readonly numClasses: number;
  readonly exampleShape: readonly number[];
  readonly imageShape: readonly [number, number, number];
  private readonly scratch: Float32Array;

  constructor(
    readonly base: FewShotDataset,
    readonly classes: readonly RotatedClass[],
    name = base.name,
    /** Append "/rotDDD" to class names (off for a plain class subset). */
    private readonly nameRotations = true,
  ) {
    const shape = base.exampleShape;
    if (shape.length !== 3 || shape[1] !== shape[2]) {
      throw new ShapeError(`${base.name}: rotations need square images [C, S, S], got [${shape.join(', ')}]`);
    }
    for (const { baseClass, quarterTurns } of classes) {
      if (!Number.isInteger(baseClass) || baseClass < 0 || baseClass >= base.numClasses) {
        throw new ValueError(`${base.name}: base class ${baseClass} out of range [0, ${base.numClasses})`);
      }
      if (![0, 1, 2, 3].includes(quarterTurns)) {
        throw new ValueError(`${base.name}: quarterTurns must be 0..3, got ${quarterTurns}`);
      }
    }
    this.name = name;
    this.numClasses = classes.length;
    this.exampleShape = [...shape];
    this.imageShape = [shape[0], shape[1], shape[2]];
    this.scratch = new Float32Array(shape[0] * shape[1] * shape[2]);
  }

  examplesOf(cls: number): number {
    return this.base.examplesOf(this.entry(cls).baseClass);
  }

  getExample(cls: number, index: number, out: Float32Array, offset: number): void {
    const { baseClass, quarterTurns } = this.entry(cls);
    if (quarterTurns === 0) {
      this.base.getExample(baseClass, index, out, offset);
      return;
    }
    this.base.getExample(baseClass, index, this.scratch, 0);
    const [channels, side] = this.imageShape;
    rotateQuarterTurns(this.scratch, 0, out, offset, channels, side, quarterTurns);
  }

  className(cls: number): string {
    const { baseClass, quarterTurns } = this.entry(cls);
    if (!this.nameRotations) return this.base.className(baseClass);
    return `${this.base.className(baseClass)}/rot${String(quarterTurns * 90).padStart(3, '0')}`;
  }

  private entry(cls: number): RotatedClass {
    if (!Number.isInteger(cls) || cls < 0 || cls >= this.numClasses) {
      throw new ValueError(`${this.name}: class ${cls} out of range [0, ${this.numClasses})`);
    }
    return this.classes[cls];
  }
}

/** Every class of `base` at every rotation in `quarterTurns` (class index = base * n + r). */
export function withRotations(base: FewShotDataset, quarterTurns: readonly number[] = [0, 1, 2, 3]): RotatedClassesDataset {
  const classes: RotatedClass[] = [];
  for (let c = 0; c < base.numClasses; c++) {
    for (const k of quarterTurns) classes.push({ baseClass: c, quarterTurns: k });
  }
  return new RotatedClassesDataset(base, classes, `${base.name}+rotations`);
}
