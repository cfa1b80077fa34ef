/**
 * A dataset held in one flat typed array, examples grouped by class:
 *   values: [numExamples, ...exampleShape], class c owns examples classStarts[c] .. classStarts[c+1).
 * Uint8 storage (images, 4x smaller) is scaled to floats by `scale` when read; Float32 storage
 * (features) is copied as is (scale 1).
 */
import { DataError, ValueError } from '../errors.js';
import type { FewShotDataset } from './dataset.js';

export interface ArrayDatasetInit {
  name: string;
  exampleShape: readonly number[];
  values: Uint8Array | Float32Array;
  /** Length numClasses + 1, non-decreasing, classStarts[0] = 0, last = number of examples. */
  classStarts: Int32Array;
  classNames: readonly string[];
  /** Multiplier applied when reading (e.g. 1/255 for uint8 pixels). Default 1. */
  scale?: number;
}

export class ArrayDataset implements FewShotDataset {
  readonly name: string;
  readonly numClasses: number;
  readonly exampleShape: readonly number[];
  readonly values: Uint8Array | Float32Array;
  readonly classStarts: Int32Array;
  readonly scale: number;
  private readonly names: readonly string[];
  private readonly size: number;

  constructor(init: ArrayDatasetInit) {
    this.name = init.name;
    this.exampleShape = [...init.exampleShape];
    this.values = init.values;
    this.classStarts = init.classStarts;
    this.names = init.classNames;
    this.scale = init.scale ?? 1;
    this.numClasses = init.classStarts.length - 1;
    this.size = this.exampleShape.reduce((a, b) => a * b, 1);
    this.validate();
  }

  private validate(): void {
    const starts = this.classStarts;
    const numExamples = starts[starts.length - 1];
    if (starts.length < 1 || starts[0] !== 0) {
      throw new DataError(`${this.name}: classStarts must begin with 0 (got [${starts.slice(0, 3).join(', ')}...])`);
    }
    for (let c = 0; c < this.numClasses; c++) {
      if (starts[c + 1] < starts[c]) throw new DataError(`${this.name}: classStarts decreases at class ${c}`);
    }
    if (this.names.length !== this.numClasses) {
      throw new DataError(`${this.name}: ${this.names.length} class names for ${this.numClasses} classes`);
    }
    if (this.values.length !== numExamples * this.size) {
      throw new DataError(
        `${this.name}: values hold ${this.values.length} numbers, expected ${numExamples} examples x ${this.size}`,
      );
    }
  }

  examplesOf(cls: number): number {
    this.checkClass(cls);
    return this.classStarts[cls + 1] - this.classStarts[cls];
  }

  getExample(cls: number, index: number, out: Float32Array, offset: number): void {
    const count = this.examplesOf(cls);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new ValueError(`${this.name}: example ${index} out of range for class ${cls} (${this.className(cls)}), which holds ${count}`);
    }
    const size = this.size;
    const start = (this.classStarts[cls] + index) * size;
    const values = this.values;
    const scale = this.scale;
    if (scale === 1) {
      for (let i = 0; i < size; i++) out[offset + i] = values[start + i];
    } else {
      for (let i = 0; i < size; i++) out[offset + i] = values[start + i] * scale;
    }
  }

  className(cls: number): string {
    this.checkClass(cls);
    return this.names[cls];
  }

  private checkClass(cls: number): void {
    if (!Number.isInteger(cls) || cls < 0 || cls >= this.numClasses) {
      throw new ValueError(`${this.name}: class ${cls} out of range [0, ${this.numClasses})`);
    }
  }
}
