/** Repeated calls do not grow the backend's live tensors (explicit dispose). */
import { it, expect } from 'vitest';
import { tensor, grad, hvp, record, nn, ops, disposeParams } from '../../lib/index.js';
import type { Params } from '../../lib/index.js';
import { currentBackend } from '../../lib/backend/index.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('memory', () => {
  it('grad, hvp and recorded replays hold no tensors once results are disposed', () => {
    const backend = currentBackend();
    const model = nn.mlp([1, 8, 1]);
    const p = model.init(0);
    const x = tensor([0.1, 0.5, -0.3], [3, 1]);
    const y = tensor([0.2, 0.1, 0.0], [3, 1]);
    const loss = (q: Params) => ops.mse(model.apply(q, x), y);
    const program = record((q: Params, a, b) => ops.mse(model.apply(q, a), b), p, x, y);
    const cycle = () => {
      disposeParams(grad(loss)(p));
      disposeParams(hvp(loss, p, p));
      const [, g] = program.valueAndGrad(p, x, y);
      disposeParams(g);
      for (const t of program.run(p, x, y)) t.dispose();
      const e = ops.exp(x);
      e.dispose();
    };
    cycle(); // warm up (constants captured by tracing are freed with their tensors)
    const before = backend.liveTensors();
    for (let i = 0; i < 20; i++) cycle();
    expect(backend.liveTensors()).toBe(before);
    // And the count does move: it is a real measurement.
    const extra = tensor([1], [1]);
    expect(backend.liveTensors()).toBe(before + 1);
    extra.dispose();
    expect(backend.liveTensors()).toBe(before);
  });
});
