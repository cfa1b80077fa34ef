/** tidy(): frees what the function created, keeps what it returns and what existed before. */
import { describe, it, expect } from 'vitest';
import { tensor, tidy, keep, ops, ValueError, ProtoNet, nn } from '../../lib/index.js';
import { currentBackend } from '../../lib/backend/index.js';
import { collectCreated } from '../../lib/core/scope.js';
import type { Tensor } from '../../lib/core/tensor.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('tidy', () => {
  it('disposes intermediates, keeps returned tensors (nested) and outside tensors', () => {
    const backend = currentBackend();
    const x = tensor([1, 2, 3], [3]);
    const before = backend.liveTensors();
    const out = tidy(() => {
      const a = ops.exp(x);
      const b = ops.mul(a, 2);
      const c = ops.add(b, x);
      return { result: c, list: [ops.neg(c)], n: 5 };
    });
    expect(backend.liveTensors()).toBe(before + 2);
    expect(x.isDisposed).toBe(false);
    expect(Array.from(out.result.toArray())).toEqual(Array.from([1, 2, 3], (v) => 2 * Math.exp(v) + v).map((v) => Math.fround(v)));
    out.result.dispose();
    out.list[0].dispose();
    expect(backend.liveTensors()).toBe(before);
  });

  it('nested scopes pass kept tensors outward; keep() exempts a tensor; errors still clean up', () => {
    const backend = currentBackend();
    const x = tensor([1, 2], [2]);
    const before = backend.liveTensors();
    let kept: ReturnType<typeof ops.exp> | undefined;
    const outer = tidy(() => {
      const inner = tidy(() => ops.add(ops.exp(x), 1));
      kept = keep(ops.neg(x));
      ops.mul(inner, 3);
      return inner;
    });
    expect(outer.isDisposed).toBe(false);
    expect(kept!.isDisposed).toBe(false);
    expect(backend.liveTensors()).toBe(before + 2);
    outer.dispose();
    kept!.dispose();
    expect(() =>
      tidy(() => {
        ops.exp(x);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(backend.liveTensors()).toBe(before);
  });

  it('rejects async functions with a ValueError', () => {
    expect(() => tidy(() => Promise.resolve(1))).toThrow(ValueError);
  });

  it('a metric learner evaluation leaves no tensors behind', async () => {
    const backend = currentBackend();
    const model = nn.mlp([4, 8, 3]);
    const proto = new ProtoNet(model);
    const params = proto.init(0, 'float64');
    const episode = () => ({
      support: { x: tensor(Array.from({ length: 8 }, (_, i) => Math.sin(i)), [2, 4], 'float64'), y: Int32Array.from([0, 1]) },
      query: { x: tensor(Array.from({ length: 8 }, (_, i) => Math.cos(i)), [2, 4], 'float64'), y: Int32Array.from([1, 0]) },
    });
    await proto.evaluate(params, { sample: episode }, { episodes: 2 }); // warm-up
    const before = backend.liveTensors();
    await proto.evaluate(params, { sample: episode }, { episodes: 10 });
    expect(backend.liveTensors()).toBe(before);
  });
});

describe('collectCreated', () => {
  it('returns the tensors made inside, disposes none, and keeps them out of an enclosing tidy', () => {
    const outer = tensor([1, 2], [2]);
    let made: Tensor[] = [];
    tidy(() => {
      const { result, created } = collectCreated(() => ops.add(outer, outer));
      made = created;
      expect(created).toEqual([result]);
    });
    expect(made.length).toBe(1);
    expect(Array.from(made[0].toArray())).toEqual([2, 4]); // survived the tidy
    made[0].dispose();
    outer.dispose();
  });
});
