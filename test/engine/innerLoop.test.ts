/**
 * The TypeScript inner-loop engine (lib/engine) on its own request, on a 1-4-1 tanh MLP in
 * float64 on the pure-TS core: first-order with the Adam rule against a hand-written reference
 * (plain Float64Array arithmetic over the program's vjp), 'exact' SGD rate gradients against
 * central finite differences of the whole inner loop, `adapts` = zero rates, 'none' with
 * returnAdapted = adaptByGradientDescent, and the settings that are errors.
 */
import { describe, expect, it } from 'vitest';

import type { Handle } from '../../lib/backend/types.js';
import { createJsBackend } from '../../lib/backend/js/index.js';
import { adaptByGradientDescent } from '../../lib/algorithms/innerLoop.js';
import { innerLoopInTypeScript } from '../../lib/engine/innerLoop.js';
import type { EnginePrograms } from '../../lib/engine/programs.js';
import type { InnerLoopRequest, InnerLoopResult, UpdateRule } from '../../lib/engine/request.js';
import { runInnerLoop } from '../../lib/engine/runInnerLoop.js';
import { ValueError } from '../../lib/errors.js';
import { maxRelativeDiff, randomArray, rng } from '../native/nativeHelpers.js';
import { mlpParamShapes, mlpSpec } from '../helpers/tanhMlpSpec.js';

const H = 4;
const N = 5;
const f64 = 'float64' as const;
const PARAM_SHAPES = mlpParamShapes(H);
const b = createJsBackend();

/** loss = mean((tanh(x w1 + b1) w2 + b2 - y)^2) over N points; outputs [loss, prediction]. */
const program = b.compile(mlpSpec(N, H));
const programs: EnginePrograms = { support: { compiled: program, numOutputs: 2 }, query: { compiled: program, numOutputs: 2 } };
const one = b.fromArray(new Float64Array([1]), []);

/** One task in plain arrays; rates[j][i] has length 1 (scalar) or the parameter's size. */
interface Case {
  params: Float64Array[];
  tasks: { support: Float64Array[]; query: Float64Array[] }[];
  rates: Float64Array[][];
  steps: number;
  weights: number[];
  adam?: { beta1: number; beta2: number; epsilon: number };
}

function makeCase(seed: number, steps: number, numTasks = 2): Case {
  const next = rng(seed);
  const set = () => {
    const x = randomArray([N, 1], f64, next, -2, 2) as Float64Array;
    return [x, x.map((v) => Math.sin(v + 0.3)) as Float64Array];
  };
  return {
    params: PARAM_SHAPES.map((s) => randomArray(s, f64, next, -1, 1) as Float64Array),
    tasks: Array.from({ length: numTasks }, () => ({ support: set(), query: set() })),
    // Step 0: scalar rates; later steps: per-element rates for w1, scalars for the rest.
    rates: Array.from({ length: steps }, (_, j) =>
      PARAM_SHAPES.map((shape, i) => (j > 0 && i === 0 ? (randomArray(shape, f64, next, 0.05, 0.2) as Float64Array) : new Float64Array([0.1 + 0.02 * j]))),
    ),
    steps,
    weights: Array.from({ length: steps + 1 }, (_, j) => (j === steps ? 0.6 : 0.4 / steps)),
  };
}

const handles = (arrays: Float64Array[], shapes: number[][]) => arrays.map((a, i) => b.fromArray(a, shapes[i]));
const dataShapes = [[N, 1], [N, 1]];
const rateShape = (r: Float64Array, i: number) => (r.length === 1 ? [] : PARAM_SHAPES[i]);

function toRequest(c: Case, over: Partial<InnerLoopRequest>): InnerLoopRequest {
  const rates = c.rates.map((set) => set.map((r, i) => b.fromArray(r, rateShape(r, i))));
  const update: UpdateRule = c.adam ? { kind: 'adam', rates, ...c.adam } : { kind: 'sgd', rates };
  return {
    label: 'engineTest',
    numParams: 4,
    params: handles(c.params, PARAM_SHAPES),
    tasks: c.tasks.map((t) => ({ support: handles(t.support, dataShapes), query: handles(t.query, dataShapes) })),
    steps: c.steps,
    update,
    outerGradient: 'first-order',
    stepWeights: c.weights,
    ...over,
  };
}

const arr = (h: Handle) => Array.from(b.toArray(h));

// ---- the reference: plain arrays over the program's vjp -------------------------------------

function lossAndGrads(theta: Float64Array[], data: Float64Array[]): { loss: number; grads: Float64Array[] } {
  const res = program.vjp([...handles(theta, PARAM_SHAPES), ...handles(data, dataShapes)], [one, null], [0, 1, 2, 3]);
  return { loss: b.toArray(res.outputs[0])[0], grads: res.grads.map((g) => b.toArray(g) as Float64Array) };
}

/** t_0..t_k and the directions u_j the rates multiply (SGD: the gradient; Adam: m_hat / (sqrt(v_hat) + eps)). */
function referenceForward(c: Case, support: Float64Array[]): { thetas: Float64Array[][]; directions: Float64Array[][] } {
  const thetas = [c.params.map((p) => p.slice())];
  const directions: Float64Array[][] = [];
  const m = c.params.map((p) => new Float64Array(p.length));
  const v = c.params.map((p) => new Float64Array(p.length));
  for (let j = 0; j < c.steps; j++) {
    const { grads } = lossAndGrads(thetas[j], support);
    const u = grads.map((g, i) =>
      g.map((d, e) => {
        if (!c.adam) return d;
        const { beta1, beta2, epsilon } = c.adam;
        m[i][e] = beta1 * m[i][e] + (1 - beta1) * d;
        v[i][e] = beta2 * v[i][e] + (1 - beta2) * d * d;
        return m[i][e] / (1 - beta1 ** (j + 1)) / (Math.sqrt(v[i][e] / (1 - beta2 ** (j + 1))) + c.adam.epsilon);
      }),
    );
    directions.push(u);
    thetas.push(thetas[j].map((p, i) => p.map((value, e) => value - c.rates[j][i][c.rates[j][i].length === 1 ? 0 : e] * u[i][e])));
  }
  return { thetas, directions };
}

/** F = mean over tasks of sum_j w_j L_q(t_j). */
function objective(c: Case): number {
  return (
    c.tasks.reduce((total, task) => {
      const { thetas } = referenceForward(c, task.support);
      return total + thetas.reduce((s, t, j) => s + c.weights[j] * lossAndGrads(t, task.query).loss, 0);
    }, 0) / c.tasks.length
  );
}

/** First-order: dF/dt_0 = G_0 and dF/dlr_j = -sum_to_lr_shape(u_j * G_{j+1}), G_j = sum_{i >= j} w_i grad L_q(t_i); means over tasks. */
function referenceFirstOrder(c: Case): { grads: number[][]; lrGrads: number[][][] } {
  const grads = c.params.map((p) => new Array<number>(p.length).fill(0));
  const lrGrads = c.rates.map((set) => set.map((r) => new Array<number>(r.length).fill(0)));
  for (const task of c.tasks) {
    const { thetas, directions } = referenceForward(c, task.support);
    let G = c.params.map((p) => new Float64Array(p.length));
    for (let j = c.steps; j >= 0; j--) {
      if (j < c.steps) {
        directions[j].forEach((u, i) => u.forEach((x, e) => (lrGrads[j][i][lrGrads[j][i].length === 1 ? 0 : e] -= (x * G[i][e]) / c.tasks.length)));
      }
      const q = lossAndGrads(thetas[j], task.query).grads;
      G = G.map((g, i) => g.map((x, e) => x + c.weights[j] * q[i][e]));
    }
    G.forEach((g, i) => g.forEach((x, e) => (grads[i][e] += x / c.tasks.length)));
  }
  return { grads, lrGrads };
}

const flatResult = (r: InnerLoopResult) => ({
  grads: (r.grads ?? []).map(arr),
  lrGrads: (r.lrGrads ?? []).map((set) => set.map(arr)),
  adapted: (r.adapted ?? []).map((t) => t.map(arr)),
  queryLosses: r.queryLosses,
  supportLosses: r.supportLosses,
  loss: r.loss,
});

describe('the TypeScript inner-loop engine on its own request [js]', () => {
  it('first-order with the Adam rule: loss, dF/dparams and dF/dlr = -sum(u_j g_{j+1}) against the hand-written reference to 1e-12', async () => {
    const c = { ...makeCase(1, 3), adam: { beta1: 0.9, beta2: 0.99, epsilon: 1e-6 } };
    const result = await innerLoopInTypeScript(b, programs, toRequest(c, { lrGrads: true }));
    const ref = referenceFirstOrder(c);
    expect(Math.abs(result.loss - objective(c))).toBeLessThan(1e-12);
    expect(maxRelativeDiff((result.grads ?? []).flatMap(arr), ref.grads.flat())).toBeLessThan(1e-12);
    expect(maxRelativeDiff((result.lrGrads ?? []).flatMap((set) => set.flatMap(arr)), ref.lrGrads.flat(2))).toBeLessThan(1e-12);
    expect(result.lrGrads?.[1].map((h) => b.shapeOf(h))).toEqual([[1, H], [], [], []]);
  });

  it("'exact' SGD rate gradients (and dF/dparams) = central differences of the whole inner loop", async () => {
    const c = makeCase(2, 2);
    const result = await innerLoopInTypeScript(b, programs, toRequest(c, { outerGradient: 'exact', lrGrads: true }));
    const h = 1e-6;
    const central = (bump: (c2: Case, delta: number) => Case) => (objective(bump(c, h)) - objective(bump(c, -h))) / (2 * h);
    const withRate = (j: number, i: number, e: number) => (c2: Case, delta: number): Case => ({
      ...c2,
      rates: c2.rates.map((set, jj) => set.map((r, ii) => (jj === j && ii === i ? r.map((x, ee) => (ee === e ? x + delta : x)) : r))),
    });
    const withParam = (i: number, e: number) => (c2: Case, delta: number): Case => ({
      ...c2,
      params: c2.params.map((p, ii) => (ii === i ? p.map((x, ee) => (ee === e ? x + delta : x)) : p)),
    });
    const fdRates = c.rates.map((set, j) => set.map((r, i) => Array.from(r, (_, e) => central(withRate(j, i, e)))));
    const fdParams = c.params.map((p, i) => Array.from(p, (_, e) => central(withParam(i, e))));
    const engineRates = (result.lrGrads ?? []).flatMap((set) => set.flatMap(arr));
    expect(maxRelativeDiff(engineRates, fdRates.flat(2))).toBeLessThan(1e-7);
    expect(maxRelativeDiff((result.grads ?? []).flatMap(arr), fdParams.flat())).toBeLessThan(1e-7);
  });

  it('`adapts` gives the same numbers as zero rates on the parameters it leaves out', async () => {
    const c = makeCase(3, 2);
    const zeroed: Case = { ...c, rates: c.rates.map((set) => set.map((r, i) => (i < 2 ? new Float64Array(r.length) : r))) };
    for (const outerGradient of ['exact', 'first-order'] as const) {
      const byAdapts = await innerLoopInTypeScript(b, programs, toRequest(c, { outerGradient, lrGrads: true, returnAdapted: true, adapts: [2, 3] }));
      const byRates = await innerLoopInTypeScript(b, programs, toRequest(zeroed, { outerGradient, lrGrads: true, returnAdapted: true }));
      expect(flatResult(byAdapts)).toEqual(flatResult(byRates));
      expect(arr(byAdapts.adapted![0][0])).toEqual(Array.from(c.params[0]));
    }
  });

  it("'none' with returnAdapted gives adaptByGradientDescent's t_k, bit for bit", async () => {
    const c = makeCase(4, 3, 1);
    const request = toRequest(c, { outerGradient: 'none', stepWeights: undefined, returnAdapted: true });
    const result = await runInnerLoop(b, programs, request, 'typescript');
    const task = request.tasks[0];
    const single = adaptByGradientDescent(b, programs.support, [...request.params], [...task.support], request.update.rates.map((s) => [...s]), c.steps);
    expect(result.adapted![0].map(arr)).toEqual(single.map(arr));
    expect(result.meanAdapted!.map(arr)).toEqual(single.map(arr));
    expect(result.queryLosses).toHaveLength(1);
    expect(result.grads).toBeUndefined();
  });

  it("'exact' with the Adam rule or a proximal term is a ValueError naming the label (not implemented yet)", async () => {
    const c = makeCase(5, 1);
    const adam = { ...c, adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } };
    await expect(innerLoopInTypeScript(b, programs, toRequest(adam, { outerGradient: 'exact' }))).rejects.toThrow(ValueError);
    await expect(innerLoopInTypeScript(b, programs, toRequest(adam, { outerGradient: 'exact' }))).rejects.toThrow(/^engineTest: .*adam.*not implemented yet/);
    await expect(runInnerLoop(b, programs, toRequest(c, { outerGradient: 'exact', proximal: 0.5 }))).rejects.toThrow(/engineTest: .*proximal.*not implemented yet/);
  });

  it('other settings that do not go together are ValueErrors naming the label', async () => {
    const c = makeCase(6, 1);
    const request = toRequest(c, {});
    await expect(runInnerLoop(b, programs, { ...request, outerGradient: 'none', lrGrads: true, stepWeights: undefined })).rejects.toThrow(/engineTest: lrGrads/);
    await expect(runInnerLoop(b, programs, { ...request, outerGradient: 'implicit' })).rejects.toThrow(/engineTest: implicit/);
    await expect(runInnerLoop(b, programs, { ...request, adapts: [4] })).rejects.toThrow(/engineTest: adapts/);
    const noQuery = { ...request, tasks: request.tasks.map((t) => ({ support: t.support })) };
    await expect(runInnerLoop(b, programs, noQuery)).rejects.toThrow(/engineTest: .*query data/);
    await expect(runInnerLoop(b, programs, { ...request, label: undefined, steps: -1 })).rejects.toThrow(/^innerLoop: steps/);
  });

  it('frees every tensor it makes but the results', async () => {
    const c = { ...makeCase(7, 2), adam: { beta1: 0.5, beta2: 0.9, epsilon: 1e-6 } };
    const request = toRequest(c, { lrGrads: true, returnAdapted: true, supportOutputs: true, proximal: 0.2 });
    const before = b.liveTensors();
    const r = await innerLoopInTypeScript(b, programs, request);
    const made = [...r.grads!, ...r.lrGrads!.flat(), ...r.adapted!.flat(), ...r.meanAdapted!, ...r.queryOutputs!.flat(), ...r.supportOutputs!.flat(2)];
    expect(b.liveTensors() - before).toBe(made.length);
    for (const h of made) b.dispose(h);
  });
});

/** Keeps the reference honest: its Adam matches the engine's adapted weights ('none'). */
describe('the reference itself [js]', () => {
  it("Adam t_k of the reference = the engine's 'none' t_k to 1e-13", async () => {
    const c = { ...makeCase(8, 3, 1), adam: { beta1: 0.8, beta2: 0.95, epsilon: 1e-5 } };
    const r = await innerLoopInTypeScript(b, programs, toRequest(c, { outerGradient: 'none', stepWeights: undefined, returnAdapted: true }));
    const { thetas } = referenceForward(c, c.tasks[0].support);
    expect(maxRelativeDiff(r.adapted![0].flatMap(arr), thetas[c.steps].flatMap((t) => Array.from(t)))).toBeLessThan(1e-13);
  });
});
