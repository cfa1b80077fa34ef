/**
 * What the one native inner-loop engine (CompiledProgram.innerLoop, native/engine/) does beyond
 * the metaGradient / adaptBatch it replaced: 'first-order' with the adam rule (against the loop
 * worked out by hand), `adapts` (the same as zero rates for the others), and the combinations
 * not implemented yet (a ValueError naming the request's label).
 */
import { describe, expect, it } from 'vitest';

import type { InnerLoopRequest } from '../../lib/engine/request.js';
import { ValueError } from '../../lib/errors.js';
import { native, nativeSkipReason } from './nativeHelpers.js';
import { QUERY, spec, SUPPORT, W } from './quadraticProgram.js';

const skip = native === null;
const title = (what: string) => `${what}${skip ? ` (${nativeSkipReason})` : ''}`;

const LR = 0.05;

/** L(w) and dL/dw = (2/3) X^T X w, by hand. */
function lossAndGrad(x: number[], w: number[]): { loss: number; grad: number[] } {
  const xw = [0, 1, 2].map((r) => x[2 * r] * w[0] + x[2 * r + 1] * w[1]);
  const grad = [0, 1].map((c) => (2 / 3) * xw.reduce((s, v, r) => s + v * x[2 * r + c], 0));
  return { loss: xw.reduce((s, v) => s + v * v, 0) / 3, grad };
}

function request(overrides: Partial<InnerLoopRequest>): InnerLoopRequest {
  const b = native!;
  const h = (values: number[], shape: number[]) => b.fromArray(Float64Array.from(values), shape);
  return {
    label: 'innerLoopTest',
    numParams: 1,
    params: [h(W, [2, 1])],
    tasks: [{ support: [h(SUPPORT, [3, 2])], query: [h(QUERY, [3, 2])] }],
    steps: 2,
    update: { kind: 'sgd', rates: [[h([LR], [])]] },
    outerGradient: 'exact',
    ...overrides,
  };
}

describe('native innerLoop: what the one engine adds', () => {
  it.skipIf(skip)(title("'first-order' with the adam rule = the loop by hand (t_k, loss, grads, lrGrads)"), async () => {
    const b = native!;
    const [beta1, beta2, epsilon] = [0.9, 0.99, 1e-8];
    const rates = [[b.fromArray(Float64Array.from([LR]), [])]];
    const program = b.compile(spec);
    const r = await program.innerLoop!(
      request({ update: { kind: 'adam', rates, beta1, beta2, epsilon }, outerGradient: 'first-order', lrGrads: true, returnAdapted: true }),
    );
    // Adam from zero moments; first order: dF/dparams = grad L_q(t_k), dF/dlr = -sum_j <u_j, g>.
    let w = [...W];
    const m = [0, 0];
    const v = [0, 0];
    const directions: number[][] = [];
    for (let j = 0; j < 2; j++) {
      const { grad } = lossAndGrad(SUPPORT, w);
      const u = grad.map((d, i) => {
        m[i] = beta1 * m[i] + (1 - beta1) * d;
        v[i] = beta2 * v[i] + (1 - beta2) * d * d;
        return m[i] / (1 - beta1 ** (j + 1)) / (Math.sqrt(v[i] / (1 - beta2 ** (j + 1))) + epsilon);
      });
      directions.push(u);
      w = w.map((wi, i) => wi - LR * u[i]);
    }
    const query = lossAndGrad(QUERY, w);
    const lrGrad = -directions.reduce((s, u) => s + u[0] * query.grad[0] + u[1] * query.grad[1], 0);
    Array.from(b.toArray(r.adapted![0][0])).forEach((x, i) => expect(x).toBeCloseTo(w[i], 12));
    expect(r.loss).toBeCloseTo(query.loss, 12);
    Array.from(b.toArray(r.grads![0])).forEach((x, i) => expect(x).toBeCloseTo(query.grad[i], 12));
    expect(b.toArray(r.lrGrads![0][0])[0]).toBeCloseTo(lrGrad, 10);
    expect(r.supportLosses[0][0]).toBeCloseTo(lossAndGrad(SUPPORT, W).loss, 12);
  });

  it.skipIf(skip)(title('adapts: the parameters left out are frozen exactly as by a zero rate'), async () => {
    const b = native!;
    const program = b.compile(spec);
    const zero = [[b.fromArray(Float64Array.from([0]), [])]];
    const frozen = await program.innerLoop!(request({ adapts: [], returnAdapted: true, lrGrads: true }));
    const zeroRate = await program.innerLoop!(request({ update: { kind: 'sgd', rates: zero }, returnAdapted: true, lrGrads: true }));
    expect(frozen.loss).toBe(zeroRate.loss);
    expect(Array.from(b.toArray(frozen.grads![0]))).toEqual(Array.from(b.toArray(zeroRate.grads![0])));
    expect(Array.from(b.toArray(frozen.lrGrads![0][0]))).toEqual(Array.from(b.toArray(zeroRate.lrGrads![0][0])));
    expect(Array.from(b.toArray(frozen.adapted![0][0]))).toEqual(W);
    await expect(program.innerLoop!(request({ adapts: [1] }))).rejects.toThrow(/innerLoopTest: adapts names parameter 1 of 1/);
  });

  it.skipIf(skip)(title("'exact' with adam or a proximal term is a ValueError naming the label (not implemented yet)"), async () => {
    const b = native!;
    const program = b.compile(spec);
    const rates = [[b.fromArray(Float64Array.from([LR]), [])]];
    const adam = request({ update: { kind: 'adam', rates, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } });
    await expect(program.innerLoop!(adam)).rejects.toThrow(ValueError);
    await expect(program.innerLoop!(adam)).rejects.toThrow(/innerLoopTest: outerGradient 'exact' with the adam update rule is not implemented yet/);
    await expect(program.innerLoop!(request({ proximal: 0.5 }))).rejects.toThrow(/with a proximal term is not implemented yet/);
    await expect(program.innerLoop!(request({ outerGradient: 'none', lrGrads: true }))).rejects.toThrow(/lrGrads needs outerGradient/);
  });
});
