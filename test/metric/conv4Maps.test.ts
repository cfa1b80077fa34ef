/**
 * nn.conv4's feature-map options, used by RelationNet's conv relation module: poolBlocks
 * (how many leading blocks max-pool) and flatten: false (maps [N, hidden, S, S]). The default
 * network is unchanged; the blocks are composed by hand here to check which ones pool.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/core/creation.js';
import type { Tensor } from '../../lib/core/tensor.js';
import type { Params } from '../../lib/algorithms/types.js';
import { ValueError } from '../../lib/errors.js';
import * as nn from '../../lib/nn/index.js';
import * as ops from '../../lib/ops/index.js';
import { randomValues, useBackend } from './helpers.js';

/** Block i of conv4 by hand: conv 3x3 pad 1, batch norm, ReLU, then a 2x2 max-pool when `pool`. */
function block(params: Params, i: number, h: Tensor, pool: boolean): Tensor {
  const conv = ops.conv2d(h, params[`block${i}.conv.weight`], params[`block${i}.conv.bias`], { padding: 1 });
  const activated = ops.relu(ops.batchNorm(conv, params[`block${i}.bn.weight`], params[`block${i}.bn.bias`]));
  return pool ? ops.maxPool2d(activated, { kernel: 2 }) : activated;
}

describe('nn.conv4 feature maps (poolBlocks, flatten)', () => {
  useBackend('js');
  const x = tensor(randomValues(2 * 28 * 28, 5), [2, 1, 28, 28], 'float64');

  it('poolBlocks 2, flatten false: [N, hidden, 7, 7] for 28x28, pooling after blocks 0 and 1 only', () => {
    const model = nn.conv4({ inChannels: 1, hidden: 3, poolBlocks: 2, flatten: false });
    expect(model.outputShape).toEqual([3, 7, 7]);
    expect(model.features).toBe(3 * 7 * 7);
    const params = model.init(1, 'float64');
    const maps = model.embed(params, x);
    expect(maps.shape).toEqual([2, 3, 7, 7]);
    let h = x;
    for (let i = 0; i < 4; i++) h = block(params, i, h, i < 2);
    expect(Array.from(maps.toArray())).toEqual(Array.from(h.toArray()));
  });

  it('the defaults are unchanged: all four blocks pool, [N, features] vectors', () => {
    const model = nn.conv4({ inChannels: 1, hidden: 3 });
    expect(model.outputShape).toEqual([3]);
    const params = model.init(1, 'float64');
    let h = x;
    for (let i = 0; i < 4; i++) h = block(params, i, h, true);
    expect(Array.from(model.embed(params, x).toArray())).toEqual(Array.from(h.toArray()));
    const maps = nn.conv4({ inChannels: 1, hidden: 3, flatten: false });
    expect(maps.embed(params, x).shape).toEqual([2, 3, 1, 1]);
  });

  it('bad options are ValueErrors', () => {
    expect(() => nn.conv4({ inChannels: 1, hidden: 3, poolBlocks: 5 })).toThrow(ValueError);
    expect(() => nn.conv4({ inChannels: 1, hidden: 3, poolBlocks: 1.5 })).toThrow(/poolBlocks must be an integer in \[0, 4\], got 1.5/);
    expect(() => nn.conv4({ inChannels: 1, hidden: 3, flatten: false, outputs: 5 })).toThrow(/flatten: false returns feature maps and takes no head/);
  });
});
