/**
 * One Omniglot image set (background or evaluation) decoded in memory:
 *   pixels: uint8 [numCharacters, drawings, size, size], ink = 255, background = 0
 *   names[i] = "Alphabet/characterNN", fileIds[i] = the official file id (e.g. 108 for "0108_01.png").
 * Drawing d of a character is the official PNG "<file_id>_<d+1>.png".
 */
import { DataError } from '../errors.js';
import { resizeImage, type ResizeMethod } from './resize.js';

export type OmniglotSet = 'background' | 'evaluation';

export const OMNIGLOT_NATIVE_SIZE = 105;
export const OMNIGLOT_DRAWINGS = 20;

export interface OmniglotCharacters {
  set: OmniglotSet;
  names: string[];
  fileIds: number[];
  drawings: number;
  size: number;
  pixels: Uint8Array;
}

/**
 * Writes one drawing, given as ink (1/0 per pixel, [105, 105]), resized to `size` into
 * out[offset ..] as 0/255 (nearest) or rounded 0..255 (bilinear).
 */
export function storeDrawing(ink: Uint8Array, nativeSize: number, size: number, method: ResizeMethod, out: Uint8Array, offset: number): void {
  const target = out.subarray(offset, offset + size * size);
  if (size === nativeSize) {
    for (let i = 0; i < target.length; i++) target[i] = ink[i] * 255;
    return;
  }
  const resized = new Float32Array(size * size);
  resizeImage(ink, 1, nativeSize, nativeSize, size, size, method, resized);
  for (let i = 0; i < target.length; i++) target[i] = Math.round(resized[i] * 255);
}

export function checkImageSize(size: number, dataset: string): void {
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new DataError(`${dataset}: imageSize must be an integer in [1, 4096], got ${size}`);
  }
}
