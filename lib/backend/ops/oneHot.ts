/** oneHot: labels [n] -> [n, numClasses]; labels are data, so both rules are zero (twin of native/autodiff/ops/one_hot_ops.cpp). */
import { ValueError } from '../../errors.js';
import { oneHot } from '../js/oneHot.js';
import type { OpRows } from './opRow.js';
import { expectRank } from './shapeRules.js';

export const ONE_HOT_OPS: OpRows<'oneHot'> = {
  oneHot: {
    arity: 1,
    inputNames: ['labels'],
    infer: (op, [labels], { numClasses }) => {
      expectRank(op, labels, 1, 'labels');
      if (!Number.isInteger(numClasses) || numClasses < 1) {
        throw new ValueError(`${op}: numClasses must be a positive integer, got ${String(numClasses)}`);
      }
      return [labels.shape[0], numClasses];
    },
    kernel: ([labels], { numClasses }) => oneHot(labels, numClasses),
    jvp: () => null,
    vjp: () => [null],
  },
};
