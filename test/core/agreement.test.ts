/**
 * The native core and the pure-TypeScript core agree on random float32 inputs: forward
 * values and gradients of every op case within rel 1e-4 (abs 1e-5 near zero), and hvp on
 * the sinusoid MLP. Skipped with the reason when the native binary does not load.
 */
import { it, expect, describe } from 'vitest';
import { tensor, grad, hvp, nn, ops, setBackend } from '../../lib/index.js';
import type { Params, Tensor } from '../../lib/index.js';
import { nativeAvailable, type BackendName } from '../../lib/backend/index.js';
import { expectClose } from '../helpers/finiteDifferences.js';
import { COMPOSITE_CASES, PRIMITIVE_CASES, drawInput, type OpCase } from '../helpers/opCases.js';
import { randomValues } from '../helpers/random.js';

const RTOL = 1e-4;
const ATOL = 1e-5;
const native = nativeAvailable();

/** Forward value and gradient of sum(f * W) for a case, on one backend, as plain arrays. */
function evaluate(c: OpCase, seed: number, backend: BackendName): { value: number[]; grads: number[][] } {
  setBackend(backend);
  const inputs = c.inputs.map((s, i) => tensor(drawInput(s, seed + i), s.shape));
  const diff = c.inputs.map((s, i) => (s.values ? -1 : i)).filter((i) => i >= 0);
  const value = c.f(inputs);
  const weights = tensor(randomValues(value.shape, seed + 99), value.shape);
  const withParams = (p: Params): Tensor[] => inputs.map((t, i) => (diff.includes(i) ? p[`x${diff.indexOf(i)}`] : t));
  const p = Object.fromEntries(diff.map((i, k) => [`x${k}`, inputs[i]]));
  if (diff.length === 0) return { value: Array.from(value.toArray()), grads: [] }; // data inputs only (oneHot)
  const g = grad((q) => ops.sum(ops.mul(c.f(withParams(q)), weights)))(p);
  return { value: Array.from(value.toArray()), grads: diff.map((_, k) => Array.from(g[`x${k}`].toArray())) };
}

describe.skipIf(!native.ok)(`native vs js agreement${native.ok ? '' : ` (skipped: native binary not available: ${native.ok ? '' : native.reason})`}`, () => {
  [...PRIMITIVE_CASES, ...COMPOSITE_CASES].forEach((c, i) => {
    it(`${c.name}: forward and gradient agree (float32, rel ${RTOL})`, () => {
      const js = evaluate(c, 300 + i, 'js');
      const nat = evaluate(c, 300 + i, 'native');
      expectClose(nat.value, js.value, ATOL, RTOL, `${c.name} value`);
      nat.grads.forEach((g, k) => expectClose(g, js.grads[k], ATOL, RTOL, `${c.name} grad ${k}`));
    });
  });

  it('hvp of the sinusoid MLP agrees (float32)', () => {
    const run = (backend: BackendName) => {
      setBackend(backend);
      const m = nn.mlp([1, 40, 40, 1]);
      const p = m.init(0);
      const v = m.init(1);
      const x = tensor(randomValues([10, 1], 5), [10, 1]);
      const y = tensor(randomValues([10, 1], 6), [10, 1]);
      const hv = hvp((q) => ops.mse(m.apply(q, x), y), p, v);
      return Object.keys(hv).sort().flatMap((k) => Array.from(hv[k].toArray()));
    };
    const js = run('js');
    const nat = run('native');
    expect(js.length).toBe(1761);
    expectClose(nat, js, 1e-4, 1e-3, 'hvp');
  });
});
