/**
 * Image resizing on planar images [C, H, W] -> [C, outH, outW], pixel centres aligned
 * (a pixel's centre is at index + 0.5, as in PIL and OpenCV with align_corners = false).
 *   nearest:  source index floor((i + 0.5) * in / out)   (1-bit Omniglot, 105 -> 28)
 *   bilinear: weighted mean of the 4 nearest source pixels, edges clamped; no antialiasing
 *             prefilter, so large downscales alias (pre-shrink such images, e.g. to 84x84).
 */
import { ValueError } from '../errors.js';

export type ResizeMethod = 'nearest' | 'bilinear';

interface Writable {
  length: number;
  [index: number]: number;
}

export function resizeImage(
  src: ArrayLike<number>,
  channels: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  method: ResizeMethod,
  out: Writable,
): void {
  if (src.length !== channels * height * width || out.length !== channels * outHeight * outWidth) {
    throw new ValueError(
      `resizeImage: buffers of ${src.length} / ${out.length} values do not fit [${channels}, ${height}, ${width}] -> [${channels}, ${outHeight}, ${outWidth}]`,
    );
  }
  if (method === 'nearest') resizeNearest(src, channels, height, width, outHeight, outWidth, out);
  else if (method === 'bilinear') resizeBilinear(src, channels, height, width, outHeight, outWidth, out);
  else throw new ValueError(`resizeImage: unknown method '${String(method)}' (nearest | bilinear)`);
}

function resizeNearest(src: ArrayLike<number>, channels: number, height: number, width: number, outHeight: number, outWidth: number, out: Writable): void {
  const rows = Int32Array.from({ length: outHeight }, (_, y) => Math.min(Math.floor(((y + 0.5) * height) / outHeight), height - 1));
  const cols = Int32Array.from({ length: outWidth }, (_, x) => Math.min(Math.floor(((x + 0.5) * width) / outWidth), width - 1));
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < outHeight; y++) {
      const srcRow = (c * height + rows[y]) * width;
      const dstRow = (c * outHeight + y) * outWidth;
      for (let x = 0; x < outWidth; x++) out[dstRow + x] = src[srcRow + cols[x]];
    }
  }
}

/** For each output index: the two source indices and the weight of the second. */
function bilinearTaps(outSize: number, inSize: number): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const pos = Math.min(Math.max(((i + 0.5) * inSize) / outSize - 0.5, 0), inSize - 1);
    lo[i] = Math.floor(pos);
    hi[i] = Math.min(lo[i] + 1, inSize - 1);
    t[i] = pos - lo[i];
  }
  return { lo, hi, t };
}

function resizeBilinear(src: ArrayLike<number>, channels: number, height: number, width: number, outHeight: number, outWidth: number, out: Writable): void {
  const ys = bilinearTaps(outHeight, height);
  const xs = bilinearTaps(outWidth, width);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < outHeight; y++) {
      const top = plane + ys.lo[y] * width;
      const bottom = plane + ys.hi[y] * width;
      const ty = ys.t[y];
      for (let x = 0; x < outWidth; x++) {
        const tx = xs.t[x];
        const upper = src[top + xs.lo[x]] * (1 - tx) + src[top + xs.hi[x]] * tx;
        const lower = src[bottom + xs.lo[x]] * (1 - tx) + src[bottom + xs.hi[x]] * tx;
        out[(c * outHeight + y) * outWidth + x] = upper * (1 - ty) + lower * ty;
      }
    }
  }
}
