/**
 * The interface every few-shot dataset implements. A dataset is a list of classes, each
 * holding examplesOf(cls) examples of one fixed shape; samplers only ever call these methods.
 */
export interface FewShotDataset {
  /** Human-readable name used in error messages, e.g. "omniglot/test". */
  readonly name: string;
  readonly numClasses: number;
  /** Shape of one example: [C, H, W] for images, [D] for feature vectors. */
  readonly exampleShape: readonly number[];
  /** How many examples class `cls` holds. */
  examplesOf(cls: number): number;
  /**
   * Writes example `index` of class `cls` as floats into out[offset .. offset + size), where
   * size is the product of exampleShape.
   */
  getExample(cls: number, index: number, out: Float32Array, offset: number): void;
  /** A stable name for the class, e.g. "Greek/character03/rot090" or "n01532829". */
  className(cls: number): string;
}

/** An image dataset: exampleShape is [C, H, W]. */
export interface ImageDataset extends FewShotDataset {
  readonly imageShape: readonly [number, number, number];
}

/** Number of floats in one example of `dataset`. */
export function exampleSize(dataset: FewShotDataset): number {
  let size = 1;
  for (const d of dataset.exampleShape) size *= d;
  return size;
}
