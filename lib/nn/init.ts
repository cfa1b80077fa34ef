/**
 * Seeded parameter initialisation like PyTorch's defaults for Linear and Conv2d
 * (kaiming_uniform with a = sqrt(5)): weight and bias ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 * Parameters are drawn in declaration order from one mulberry32 stream (lib/core/random.ts).
 */
import type { DType } from '../backend/types.js';
import { full, generated } from '../core/creation.js';
import { Random } from '../core/random.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';

export function uniformTensor(rng: Random, shape: readonly number[], bound: number, dtype: DType): Tensor {
  return generated('uniformTensor', shape, dtype, () => rng.uniform(-bound, bound));
}

/** Weight [out, ...fanInDims] and bias [out] with PyTorch's default bound 1/sqrt(fanIn). */
export function fanInUniform(rng: Random, weightShape: readonly number[], dtype: DType): { weight: Tensor; bias: Tensor } {
  const fanIn = sizeOf(weightShape.slice(1));
  const bound = 1 / Math.sqrt(fanIn);
  return { weight: uniformTensor(rng, weightShape, bound, dtype), bias: uniformTensor(rng, [weightShape[0]], bound, dtype) };
}

export const constant = (shape: readonly number[], value: number, dtype: DType): Tensor => full(shape, value, dtype);
