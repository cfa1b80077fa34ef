/**
 * The TypeScript op table: one row per primitive (lib/backend/primitives.ts) with its shape
 * rule, forward kernel of the pure-TypeScript core and JVP/VJP rules, gathered from one file
 * per op family (the twins of native/autodiff/ops/*_ops.cpp). lib/core/opTable.ts reads the
 * shape rules; lib/backend/js reads the kernels and rules.
 */
import type { OpTable } from './opRow.js';
import { CONV_OPS } from './conv.js';
import { DISTANCE_OPS } from './distance.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { MATMUL_OPS } from './matmul.js';
import { ONE_HOT_OPS } from './oneHot.js';
import { POOL_OPS } from './pool.js';
import { REDUCE_OPS } from './reduce.js';
import { SHAPE_OPS } from './shape.js';
import { SOFTMAX_OPS } from './softmax.js';

export type { Infer, Kernel, OpRow, OpRows, OpTable, Rule, TensorType } from './opRow.js';

export const OP_TABLE: OpTable = {
  ...MATMUL_OPS,
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...SOFTMAX_OPS,
  ...CONV_OPS,
  ...POOL_OPS,
  ...DISTANCE_OPS,
  ...ONE_HOT_OPS,
};
