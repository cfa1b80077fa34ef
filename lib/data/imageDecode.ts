/**
 * PNG (pngjs) and JPEG (jpeg-js) decoding to planar channels.
 * Grey from colour uses ITU-R 601 luma, L = 0.299 R + 0.587 G + 0.114 B (PIL's "L" mode).
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DataError } from '../errors.js';

export interface DecodedImage {
  width: number;
  height: number;
  /** 8-bit RGBA, row-major, 4 bytes per pixel. */
  rgba: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** Decodes a PNG or JPEG (detected from its first bytes); `name` is used in errors. */
export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  const startsWith = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  try {
    if (startsWith(PNG_MAGIC)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (startsWith(JPEG_MAGIC)) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: image.width, height: image.height, rgba: image.data };
    }
  } catch (err) {
    throw new DataError(`${name}: undecodable image (${(err as Error).message})`);
  }
  throw new DataError(`${name}: undecodable image (neither PNG nor JPEG; ${bytes.length} bytes)`);
}

/** [channels, height, width] floats in 0..255; channels 3 = RGB, 1 = luma. */
export function toPlanar(image: DecodedImage, channels: 1 | 3): Float32Array {
  const { width, height, rgba } = image;
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    const r = rgba[4 * p];
    const g = rgba[4 * p + 1];
    const b = rgba[4 * p + 2];
    if (channels === 3) {
      out[p] = r;
      out[plane + p] = g;
      out[2 * plane + p] = b;
    } else {
      out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    }
  }
  return out;
}
