/**
 * Colour (or grey) image datasets laid out by their users (mini-ImageNet, tiered-ImageNet, CUB):
 *   - folders: <dir>/<class>/<image>.{png,jpg,jpeg}, one class per sub-folder (sorted by name),
 *     images sorted by file name;
 *   - split CSV: "filename,label" lines (Ravi & Larochelle's mini-ImageNet format) with the
 *     images in <dir>/<filename>; classes in order of first appearance, images in CSV order.
 * Every image is decoded (pngjs / jpeg-js), converted to `channels` (3 = RGB, 1 = luma),
 * resized to imageSize (bilinear by default) and kept in memory as uint8 [C, H, W].
 * Examples read as floats in [0, 1], then (v - mean[c]) / std[c] if `normalize` is given.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError, ValueError } from '../errors.js';
import { ArrayDataset } from './arrayDataset.js';
import type { ImageDataset } from './dataset.js';
import { decodeImage, toPlanar } from './imageDecode.js';
import { resizeImage, type ResizeMethod } from './resize.js';

export interface ImageFolderOptions {
  /** The class folders, or (with splitCsv) the folder holding the images. */
  dir: string;
  /** A "filename,label" CSV listing the images of this split. */
  splitCsv?: string;
  /** Output side (square) or [height, width]. */
  imageSize: number | [number, number];
  /** Default 3. */
  channels?: 1 | 3;
  /** Default 'bilinear'. */
  resize?: ResizeMethod;
  /** Per-channel mean and std applied to [0, 1] values. */
  normalize?: { mean: readonly number[]; std: readonly number[] };
  /** For error messages; default the folder or CSV name. */
  name?: string;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

export interface Listing {
  classNames: string[];
  /** files[c] = image paths of class c */
  files: string[][];
}

export class ImageFolderDataset implements ImageDataset {
  readonly name: string;
  readonly numClasses: number;
  readonly exampleShape: readonly number[];
  readonly imageShape: readonly [number, number, number];

  constructor(
    private readonly store: ArrayDataset,
    private readonly normalize?: { mean: readonly number[]; std: readonly number[] },
  ) {
    this.name = store.name;
    this.numClasses = store.numClasses;
    this.exampleShape = store.exampleShape;
    this.imageShape = [store.exampleShape[0], store.exampleShape[1], store.exampleShape[2]];
  }

  examplesOf(cls: number): number {
    return this.store.examplesOf(cls);
  }

  getExample(cls: number, index: number, out: Float32Array, offset: number): void {
    this.store.getExample(cls, index, out, offset);
    if (!this.normalize) return;
    const [channels, height, width] = this.imageShape;
    const plane = height * width;
    for (let c = 0; c < channels; c++) {
      const mean = this.normalize.mean[c];
      const inverseStd = 1 / this.normalize.std[c];
      const start = offset + c * plane;
      for (let p = start; p < start + plane; p++) out[p] = (out[p] - mean) * inverseStd;
    }
  }

  className(cls: number): string {
    return this.store.className(cls);
  }
}

export async function imageFolder(options: ImageFolderOptions): Promise<ImageFolderDataset> {
  const channels = options.channels ?? 3;
  const [height, width] = typeof options.imageSize === 'number' ? [options.imageSize, options.imageSize] : options.imageSize;
  const name = options.name ?? (options.splitCsv ? basename(options.splitCsv) : basename(options.dir));
  checkOptions(options, channels, height, width, name);
  const listing = options.splitCsv ? readSplitCsv(options.dir, options.splitCsv) : listFromFolders(options.dir);
  const total = listing.files.reduce((n, f) => n + f.length, 0);
  const size = channels * height * width;
  const values = new Uint8Array(total * size);
  const resized = new Float32Array(size);
  let example = 0;
  for (const files of listing.files) {
    for (const file of files) {
      if (!existsSync(file)) throw new DataError(`${name}: image ${file} not found`);
      const image = decodeImage(readFileSync(file), file);
      resizeImage(toPlanar(image, channels), channels, image.height, image.width, height, width, options.resize ?? 'bilinear', resized);
      const base = example * size;
      for (let i = 0; i < size; i++) values[base + i] = Math.min(255, Math.max(0, Math.round(resized[i])));
      example++;
    }
  }
  const classStarts = new Int32Array(listing.files.length + 1);
  listing.files.forEach((files, c) => (classStarts[c + 1] = classStarts[c] + files.length));
  const store = new ArrayDataset({ name, exampleShape: [channels, height, width], values, classStarts, classNames: listing.classNames, scale: 1 / 255 });
  return new ImageFolderDataset(store, options.normalize);
}

function checkOptions(options: ImageFolderOptions, channels: number, height: number, width: number, name: string): void {
  if (channels !== 1 && channels !== 3) throw new ValueError(`${name}: channels must be 1 or 3, got ${channels}`);
  for (const side of [height, width]) {
    if (!Number.isInteger(side) || side < 1) throw new ValueError(`${name}: imageSize must be positive integers, got ${JSON.stringify(options.imageSize)}`);
  }
  const n = options.normalize;
  if (n && (n.mean.length !== channels || n.std.length !== channels || n.std.some((s) => !(s > 0)))) {
    throw new ValueError(`${name}: normalize needs ${channels} means and ${channels} positive stds, got mean [${n.mean.join(', ')}], std [${n.std.join(', ')}]`);
  }
}

function listFromFolders(dir: string): Listing {
  if (!existsSync(dir)) throw new DataError(`image folder ${dir} not found`);
  const classNames = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && statSync(join(dir, n)).isDirectory())
    .sort();
  const files = classNames.map((c) =>
    readdirSync(join(dir, c))
      .filter((f) => IMAGE_FILE.test(f))
      .sort()
      .map((f) => join(dir, c, f)),
  );
  const empty = classNames.findIndex((_, c) => files[c].length === 0);
  if (classNames.length === 0) throw new DataError(`image folder ${dir}: no class sub-folders`);
  if (empty !== -1) throw new DataError(`image folder ${dir}: class '${classNames[empty]}' has no .png/.jpg images`);
  return { classNames, files };
}

/** Classes (first-appearance order) and image paths of a "filename,label" split CSV. */
export function readSplitCsv(dir: string, csvPath: string): Listing {
  if (!existsSync(csvPath)) throw new DataError(`split file ${csvPath} not found`);
  const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/);
  if (lines[0].trim() !== 'filename,label') throw new DataError(`${csvPath}: expected header 'filename,label', got '${lines[0]}'`);
  const byClass = new Map<string, string[]>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim().length === 0) return;
    const [file, label, extra] = line.split(',');
    if (!file || !label || extra !== undefined) throw new DataError(`${csvPath}:${i + 2}: expected 'filename,label', got '${line}'`);
    if (!byClass.has(label)) byClass.set(label, []);
    byClass.get(label)!.push(join(dir, file));
  });
  if (byClass.size === 0) throw new DataError(`${csvPath}: no images listed`);
  return { classNames: [...byClass.keys()], files: [...byClass.values()] };
}
