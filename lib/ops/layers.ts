/** Layer-shaped composites: linear, conv2d with bias, batch norm. */
import { ShapeError } from '../errors.js';
import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, addScalar, conv2dRaw, div, matmul, mul, reshape, sqrt, square, sub, type Pair } from './primitives.js';
import { mean } from './reductions.js';
import { expectFinite, expectOptionalTensor, expectTensor, optionsRecord } from '../core/args.js';

/** x [b,in] w [out,in] (PyTorch layout) + bias [out] -> [b,out]. */
export function linear(x: Tensor, w: Tensor, bias?: Tensor): Tensor {
  expectTensor(x, 'linear: x');
  expectTensor(w, 'linear: w');
  bias = expectOptionalTensor(bias, 'linear: bias');
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
    throw new ShapeError(`linear: expected x [b,in] and w [out,in] with equal in, got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
  }
  const y = matmul(x, w, { transB: true });
  if (!bias) return y;
  if (bias.rank !== 1 || bias.shape[0] !== w.shape[0]) {
    throw new ShapeError(`linear: bias must be [${w.shape[0]}] for w ${formatShape(w.shape)}, got ${formatShape(bias.shape)}`);
  }
  return add(y, bias);
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
}

/** conv2d: x [N,C,H,W], w [O,C,KH,KW], bias [O] -> [N,O,OH,OW]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  bias = expectOptionalTensor(bias, 'conv2d: bias');
  const y = conv2dRaw(x, w, options);
  if (!bias) return y;
  if (bias.rank !== 1 || bias.shape[0] !== w.shape[0]) {
    throw new ShapeError(`conv2d: bias must be [${w.shape[0]}] for w ${formatShape(w.shape)}, got ${formatShape(bias.shape)}`);
  }
  return add(y, reshape(bias, [1, w.shape[0], 1, 1]));
}

/**
 * Batch normalisation with batch statistics (training mode, as MAML uses it) and an affine
 * transform: over (N,H,W) for x [N,C,H,W], over N for x [N,C]; gamma, beta [C].
 * y = (x - mean) / sqrt(var + eps) * gamma + beta, var biased (divides by the count).
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: { eps?: number } = {}): Tensor {
  const eps = expectFinite(optionsRecord(options, 'batchNorm: options').eps ?? 1e-5, 'batchNorm: options.eps');
  expectTensor(x, 'batchNorm: x');
  expectTensor(gamma, 'batchNorm: gamma');
  expectTensor(beta, 'batchNorm: beta');
  if (x.rank !== 2 && x.rank !== 4) throw new ShapeError(`batchNorm: x must be [N,C] or [N,C,H,W], got ${formatShape(x.shape)}`);
  const C = x.shape[1];
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t.rank !== 1 || t.shape[0] !== C) {
      throw new ShapeError(`batchNorm: ${name} must be [${C}] for x ${formatShape(x.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  const axes = x.rank === 4 ? [0, 2, 3] : [0];
  const channelShape = x.rank === 4 ? [1, C, 1, 1] : [1, C];
  const centered = sub(x, mean(x, axes, true));
  const variance = mean(square(centered), axes, true);
  const normalized = div(centered, sqrt(addScalar(variance, eps)));
  return add(mul(normalized, reshape(gamma, channelShape)), reshape(beta, channelShape));
}
