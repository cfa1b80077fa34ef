/**
 * 2-D convolution (cross-correlation, NCHW, zero padding) via im2col + GEMM, and its two
 * adjoints. For one image: cols [C*KH*KW, OH*OW]; conv = W [O, C*KH*KW] x cols.
 */
import type { TypedArray } from '../types.js';
import { gemmAccumulate, transpose2d } from './matmul.js';
import { allocate, zeroedArray, type ArrayCtor, type JsTensor } from './jsTensor.js';

interface Geometry {
  C: number; H: number; W: number;
  KH: number; KW: number;
  OH: number; OW: number;
  sh: number; sw: number; ph: number; pw: number;
}

function geometry(xShape: readonly number[], wShape: readonly number[], stride: [number, number], padding: [number, number]): Geometry {
  const [, C, H, W] = xShape;
  const [, , KH, KW] = wShape;
  const [sh, sw] = stride;
  const [ph, pw] = padding;
  const OH = Math.floor((H + 2 * ph - KH) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - KW) / sw) + 1;
  return { C, H, W, KH, KW, OH, OW, sh, sw, ph, pw };
}

/**
 * im2col: unfolds image n of x (offset xOffset) into cols [C*KH*KW, OH*OW]; with `adjoint`,
 * its transpose instead: adds cols back into that image of x (col2im, for d conv / d x).
 */
function im2col(x: TypedArray, xOffset: number, g: Geometry, cols: TypedArray, adjoint = false): void {
  const { C, H, W, KH, KW, OH, OW, sh, sw, ph, pw } = g;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < KH; ki++) {
      for (let kj = 0; kj < KW; kj++, row++) {
        const rowBase = row * OH * OW;
        for (let oi = 0; oi < OH; oi++) {
          const i = oi * sh - ph + ki;
          for (let oj = 0; oj < OW; oj++) {
            const j = oj * sw - pw + kj;
            const inside = i >= 0 && i < H && j >= 0 && j < W;
            if (!adjoint) cols[rowBase + oi * OW + oj] = inside ? x[xOffset + (c * H + i) * W + j] : 0;
            else if (inside) x[xOffset + (c * H + i) * W + j] += cols[rowBase + oi * OW + oj];
          }
        }
      }
    }
  }
}

/** The im2col scratch matrix, of like's element type (OutOfMemoryError when it cannot be had). */
function newBuffer(like: TypedArray, n: number): TypedArray {
  return zeroedArray(like.constructor as ArrayCtor, n, `the im2col buffer (${n} elements)`);
}

/** conv2d: x [N,C,H,W], w [O,C,KH,KW] -> [N,O,OH,OW]. */
export function conv2d(x: JsTensor, w: JsTensor, stride: [number, number], padding: [number, number]): JsTensor {
  const N = x.shape[0];
  const O = w.shape[0];
  const g = geometry(x.shape, w.shape, stride, padding);
  const K = g.C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const out = allocate([N, O, g.OH, g.OW], x.dtype);
  // An empty input or weight convolves to zeros (and N may be huge with nothing in each image).
  if (out.data.length === 0 || x.data.length === 0 || w.data.length === 0) return out;
  const cols = newBuffer(x.data, K * P);
  for (let n = 0; n < N; n++) {
    im2col(x.data, n * g.C * g.H * g.W, g, cols);
    gemmAccumulate(w.data, 0, cols, 0, out.data, n * O * P, O, K, P);
  }
  return out;
}

/** d conv / d x applied to gy [N,O,OH,OW]: per image, cols = W^T [K,O] x gy_n [O,P], then col2im. */
export function conv2dBackwardInput(
  gy: JsTensor, w: JsTensor, stride: [number, number], padding: [number, number], inputShape: readonly number[],
): JsTensor {
  const [N, , H, W] = inputShape;
  const O = w.shape[0];
  const g = geometry(inputShape, w.shape, stride, padding);
  const K = g.C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const dx = allocate(inputShape, gy.dtype);
  if (dx.data.length === 0 || gy.data.length === 0 || w.data.length === 0) return dx;
  const wT = transpose2d(w.data, O, K);
  const cols = newBuffer(gy.data, K * P);
  for (let n = 0; n < N; n++) {
    cols.fill(0);
    gemmAccumulate(wT, 0, gy.data, n * O * P, cols, 0, K, O, P);
    im2col(dx.data, n * g.C * H * W, g, cols, true);
  }
  return dx;
}

/** d conv / d w applied to gy: sum over images of gy_n [O,P] x cols_n^T [P,K]. */
export function conv2dBackwardWeight(
  x: JsTensor, gy: JsTensor, stride: [number, number], padding: [number, number], weightShape: readonly number[],
): JsTensor {
  const N = x.shape[0];
  const O = weightShape[0];
  const g = geometry(x.shape, weightShape, stride, padding);
  const K = g.C * g.KH * g.KW;
  const P = g.OH * g.OW;
  const dw = allocate(weightShape, x.dtype);
  if (dw.data.length === 0 || x.data.length === 0 || gy.data.length === 0) return dw;
  const cols = newBuffer(x.data, K * P);
  for (let n = 0; n < N; n++) {
    im2col(x.data, n * g.C * g.H * g.W, g, cols);
    const colsT = transpose2d(cols, K, P);
    gemmAccumulate(gy.data, n * O * P, colsT, 0, dw.data, 0, O, P, K);
  }
  return dw;
}
