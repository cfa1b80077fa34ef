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
 * Writes one drawing resized to `size` into out[offset ..] as 0/255 (nearest) or rounded
 * 0..255 (bilinear). src: [nativeSize, nativeSize] of 0/1 values; ink is 1, or 0 when
 * `inkIsZero` (the npz form stores True = white background).
 */
export function storeDrawing(
  src: Uint8Array,
  inkIsZero: boolean,
  nativeSize: number,
  size: number,
  method: ResizeMethod,
  out: Uint8Array,
  offset: number,
): void {
  const flip = inkIsZero ? 1 : 0;
  if (method === 'nearest') {
    // Only the sampled source pixels are read (the hot path of a cold load).
    for (let y = 0; y < size; y++) {
      const sy = Math.min(Math.floor(((y + 0.5) * nativeSize) / size), nativeSize - 1);
      for (let x = 0; x < size; x++) {
        const sx = Math.min(Math.floor(((x + 0.5) * nativeSize) / size), nativeSize - 1);
        out[offset + y * size + x] = (src[sy * nativeSize + sx] ^ flip) * 255;
      }
    }
    return;
  }
  const ink = new Uint8Array(nativeSize * nativeSize);
  for (let i = 0; i < ink.length; i++) ink[i] = src[i] ^ flip;
  const resized = new Float32Array(size * size);
  resizeImage(ink, 1, nativeSize, nativeSize, size, size, method, resized);
  for (let i = 0; i < resized.length; i++) out[offset + i] = Math.round(resized[i] * 255);
}

export function checkImageSize(size: number, dataset: string): void {
  if (!Number.isInteger(size) || size < 1 || size > 4096) {
    throw new DataError(`${dataset}: imageSize must be an integer in [1, 4096], got ${size}`);
  }
}
