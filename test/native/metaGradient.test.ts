/**
 * The native meta-batch engine (CompiledProgram.metaGradient) on a tiny 1-8-1 tanh MLP in
 * float64, against central finite differences of the whole inner loop (k = 1, 2, 3; scalar,
 * per-step and per-parameter learning rates; lrGrads; stepWeights), against the first-order
 * formula, and against the TypeScript engine of lib/algorithms/innerLoop.ts.
 */
import { describe, expect, it } from 'vitest';

import type { Backend, CompiledProgram, Handle, MetaGradientRequest, ProgramSpec } from '../../lib/backend/types.js';
import { ValueError } from '../../lib/errors.js';
import { maxRelativeDiff, native, nativeSkipReason, randomArray, rng } from './nativeHelpers.js';
import { mlpSpec } from '../helpers/tanhMlpSpec.js';

const skip = native === null;
const H = 8; // hidden units
const N = 6; // points per support / query set

const f64 = 'float64' as const;
// Inputs: 0 w1 [1,H], 1 b1 [H], 2 w2 [H,1], 3 b2 [1], 4 x [N,1], 5 y [N,1].
// loss = mean((tanh(x w1 + b1) w2 + b2 - y)^2); outputs: [loss, prediction].
const spec: ProgramSpec = mlpSpec(N, H, f64);
const PARAM_SHAPES = [[1, H], [H], [H, 1], [1]];

interface Setup {
  b: Backend;
  program: CompiledProgram;
  params: Float64Array[];
  tasks: { support: Handle[]; query: Handle[] }[];
}

function setup(seed: number, numTasks = 3): Setup {
  const b = native!;
  const next = rng(seed);
  const data = () => {
    const x = randomArray([N, 1], f64, next, -2, 2);
    const y = x.map((v) => Math.sin(v + 0.3)) as Float64Array;
    return [b.fromArray(x, [N, 1]), b.fromArray(y, [N, 1])];
  };
  const tasks = Array.from({ length: numTasks }, () => ({ support: data(), query: data() }));
  const params = PARAM_SHAPES.map((s) => randomArray(s, f64, next, -1, 1) as Float64Array);
  return { b, program: b.compile(spec), params, tasks };
}

/** Learning rates as plain arrays: rates[j][i] has length 1 (scalar) or the parameter's size. */
type Rates = Float64Array[][];

/** F averaged over tasks, by running the inner loop forward with the program's vjp (no recursion). */
function objective(s: Setup, params: Float64Array[], rates: Rates, steps: number, weights: number[]): number {
  const { b, program } = s;
  const one = b.fromArray(new Float64Array([1]), []);
  let total = 0;
  for (const task of s.tasks) {
    let t: Float64Array[] = params.map((p) => p.slice());
    const queryLoss = (theta: Float64Array[]) =>
      b.toArray(program.run([...theta.map((p, i) => b.fromArray(p, PARAM_SHAPES[i])), ...task.query])[0])[0];
    for (let j = 0; j <= steps; j++) {
      if (weights[j] !== 0) total += weights[j] * queryLoss(t);
      if (j === steps) break;
      const inputs = [...t.map((p, i) => b.fromArray(p, PARAM_SHAPES[i])), ...task.support];
      const grads = program.vjp(inputs, [one, null], [0, 1, 2, 3]).grads.map((g) => b.toArray(g));
      const lr = rates.length === 1 ? rates[0] : rates[j];
      t = t.map((p, i) => p.map((v, e) => v - lr[i][lr[i].length === 1 ? 0 : e] * grads[i][e]) as Float64Array);
    }
  }
  return total / s.tasks.length;
}

function request(s: Setup, rates: Rates, steps: number, order: 1 | 2, extra: Partial<MetaGradientRequest> = {}): MetaGradientRequest {
  const { b } = s;
  return {
    numParams: 4,
    params: s.params.map((p, i) => b.fromArray(p, PARAM_SHAPES[i])),
    tasks: s.tasks,
    steps,
    innerLR: rates.map((set) => set.map((r, i) => b.fromArray(r, r.length === 1 ? [] : PARAM_SHAPES[i]))),
    order,
    ...extra,
  };
}

function defaultWeights(steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, j) => (j === steps ? 1 : 0));
}

/** Directional central difference of F along v (params) or along u (rates). */
function directional(f: (eps: number) => number, eps = 1e-5): number {
  return (f(eps) - f(-eps)) / (2 * eps);
}

const shift = (xs: Float64Array[], vs: Float64Array[], eps: number) => xs.map((x, i) => x.map((v, e) => v + eps * vs[i][e]) as Float64Array);
const dot = (as: ArrayLike<number>[], bs: ArrayLike<number>[]) =>
  as.reduce((acc, a, i) => acc + Array.from(a).reduce((s, v, e) => s + v * bs[i][e], 0), 0);

function scalarRates(steps: number, value: number): Rates {
  return [Array.from({ length: 4 }, () => new Float64Array([value]))].concat(
    Array.from({ length: Math.max(0, steps - 1) }, () => Array.from({ length: 4 }, () => new Float64Array([value]))),
  );
}

describe('native metaGradient', () => {
  for (const steps of [1, 2, 3]) {
    it.skipIf(skip)(`order 2, k = ${steps}, scalar rate: matches finite differences of the inner loop (${skip ? nativeSkipReason : 'native'})`, async () => {
      const s = setup(10 + steps);
      const rates = [Array.from({ length: 4 }, () => new Float64Array([0.1]))]; // shared by every step
      const r = await s.program.metaGradient!(request(s, rates, steps, 2));
      const grads = r.grads.map((g) => s.b.toArray(g));
      const v = PARAM_SHAPES.map((shape, i) => randomArray(shape, f64, rng(99 + i)) as Float64Array);
      const weights = defaultWeights(steps);
      const fd = directional((eps) => objective(s, shift(s.params, v, eps), rates, steps, weights));
      expect(Math.abs(dot(grads, v) - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
      expect(r.loss).toBeCloseTo(objective(s, s.params, rates, steps, weights), 12);
      expect(r.queryLosses.length).toBe(3);
      expect(r.queryOutputs.map((o) => o.map((h) => s.b.shapeOf(h)))).toEqual([[[N, 1]], [[N, 1]], [[N, 1]]]);
      expect(r.lrGrads).toBeUndefined();
    });
  }

  it.skipIf(skip)('Meta-SGD rates per step and per parameter, lrGrads and stepWeights: match finite differences', async () => {
    const steps = 3;
    const s = setup(7);
    const next = rng(5);
    const rates: Rates = Array.from({ length: steps }, () =>
      PARAM_SHAPES.map((shape, i) => (i === 3 ? new Float64Array([0.05]) : (randomArray(shape, f64, next, 0.02, 0.15) as Float64Array))),
    );
    const stepWeights = [0.2, 0.3, 0, 0.5];
    const r = await s.program.metaGradient!(request(s, rates, steps, 2, { stepWeights, lrGrads: true }));
    const grads = r.grads.map((g) => s.b.toArray(g));
    const v = PARAM_SHAPES.map((shape, i) => randomArray(shape, f64, rng(40 + i)) as Float64Array);
    const fdParams = directional((eps) => objective(s, shift(s.params, v, eps), rates, steps, stepWeights));
    expect(Math.abs(dot(grads, v) - fdParams)).toBeLessThan(1e-7 * (1 + Math.abs(fdParams)));

    expect(r.lrGrads!.length).toBe(steps);
    const lrGrads = r.lrGrads!.map((set) => set.map((g) => s.b.toArray(g)));
    expect(lrGrads.map((set) => set.map((g) => g.length))).toEqual(rates.map((set) => set.map((x) => x.length)));
    const u = rates.map((set, j) => set.map((x, i) => randomArray([x.length], f64, rng(70 + 4 * j + i)) as Float64Array));
    const fdRates = directional((eps) => objective(s, s.params, rates.map((set, j) => shift(set, u[j], eps)), steps, stepWeights));
    expect(Math.abs(dot(lrGrads.flat(), u.flat()) - fdRates)).toBeLessThan(1e-7 * (1 + Math.abs(fdRates)));
    expect(r.loss).toBeCloseTo(objective(s, s.params, rates, steps, stepWeights), 12);
  });

  it.skipIf(skip)('shared scalar rate: lrGrads has one entry, the sum over steps', async () => {
    const steps = 2;
    const s = setup(8);
    const rates = [Array.from({ length: 4 }, () => new Float64Array([0.08]))];
    const r = await s.program.metaGradient!(request(s, rates, steps, 2, { lrGrads: true }));
    const lrGrads = r.lrGrads!.map((set) => set.map((g) => s.b.toArray(g)));
    expect(lrGrads.length).toBe(1);
    const u = [Array.from({ length: 4 }, (_, i) => new Float64Array([0.3 + 0.2 * i]))];
    const fd = directional((eps) => objective(s, s.params, [shift(rates[0], u[0], eps)], steps, defaultWeights(steps)));
    expect(Math.abs(dot(lrGrads.flat(), u.flat()) - fd)).toBeLessThan(1e-7 * (1 + Math.abs(fd)));
  });

  it.skipIf(skip)('order 1 drops the Hessian term: the mean query gradient at the adapted parameters', async () => {
    const steps = 2;
    const s = setup(9);
    const rates = scalarRates(steps, 0.1);
    const r = await s.program.metaGradient!(request(s, rates, steps, 1));
    // Reference: adapt with the program's vjp, then average grad L_q(t_k) over tasks.
    const { b, program } = s;
    const one = b.fromArray(new Float64Array([1]), []);
    const expected = PARAM_SHAPES.map((shape) => new Float64Array(shape.reduce((a, c) => a * c, 1)));
    for (const task of s.tasks) {
      let t: Float64Array[] = s.params.map((p) => p.slice());
      for (let j = 0; j < steps; j++) {
        const g = program.vjp([...t.map((p, i) => b.fromArray(p, PARAM_SHAPES[i])), ...task.support], [one, null], [0, 1, 2, 3]).grads;
        t = t.map((p, i) => p.map((x, e) => x - 0.1 * b.toArray(g[i])[e]) as Float64Array);
      }
      const gq = program.vjp([...t.map((p, i) => b.fromArray(p, PARAM_SHAPES[i])), ...task.query], [one, null], [0, 1, 2, 3]).grads;
      gq.forEach((g, i) => b.toArray(g).forEach((x, e) => (expected[i][e] += x / s.tasks.length)));
    }
    r.grads.forEach((g, i) => expect(maxRelativeDiff(s.b.toArray(g), expected[i])).toBeLessThan(1e-12));
  });

  it.skipIf(skip)('agrees with the TypeScript engine (lib/algorithms/innerLoop.ts) to 1e-12', async () => {
    let engine: typeof import('../../lib/algorithms/innerLoop.js') | null = null;
    try {
      engine = await import('../../lib/algorithms/innerLoop.js');
    } catch {
      engine = null;
    }
    if (!engine) return expect.fail('lib/algorithms/innerLoop.ts could not be imported');
    const steps = 2;
    const s = setup(12);
    const rates = scalarRates(steps, 0.07);
    const req = request(s, rates, steps, 2, { lrGrads: true, stepWeights: [0.5, 0, 0.5] });
    const fromNative = await s.program.metaGradient!(req);
    const programs = { support: { compiled: s.program, numOutputs: 2 }, query: { compiled: s.program, numOutputs: 2 } };
    const fromTs = await engine.metaGradientInTypeScript(s.b, programs, req);
    expect(fromNative.loss).toBeCloseTo(fromTs.loss, 12);
    fromNative.grads.forEach((g, i) => expect(maxRelativeDiff(s.b.toArray(g), s.b.toArray(fromTs.grads[i]))).toBeLessThan(1e-12));
    fromNative.lrGrads!.forEach((set, j) =>
      set.forEach((g, i) => expect(maxRelativeDiff(s.b.toArray(g), s.b.toArray(fromTs.lrGrads![j][i]))).toBeLessThan(1e-12)),
    );
  });

  it.skipIf(skip)('gives the same numbers with 1 thread and with many (tasks reduced in order)', async () => {
    const s = setup(13, 8);
    const rates = scalarRates(2, 0.1);
    const saved = process.env.METALEARN_THREADS;
    let a, b;
    try {
      process.env.METALEARN_THREADS = '1';
      a = await s.program.metaGradient!(request(s, rates, 2, 2));
      process.env.METALEARN_THREADS = '4';
      b = await s.program.metaGradient!(request(s, rates, 2, 2));
    } finally {
      if (saved === undefined) delete process.env.METALEARN_THREADS;
      else process.env.METALEARN_THREADS = saved;
    }
    a.grads.forEach((g, i) => expect(Array.from(s.b.toArray(g))).toEqual(Array.from(s.b.toArray(b.grads[i]))));
  });

  it.skipIf(skip)('rejects bad requests with typed errors', async () => {
    const s = setup(14);
    const rates = scalarRates(2, 0.1);
    await expect(s.program.metaGradient!({ ...request(s, rates, 2, 2), numParams: 9 })).rejects.toThrow(ValueError);
    await expect(s.program.metaGradient!({ ...request(s, rates, 2, 2), stepWeights: [1] })).rejects.toThrow(/stepWeights/);
    await expect(s.program.metaGradient!({ ...request(s, rates, 2, 2), tasks: [] })).rejects.toThrow(ValueError);
    // A task whose data has the wrong shape fails inside the worker: rejected, typed.
    const bad = { support: [s.b.fromArray(new Float64Array(2), [2, 1]), s.tasks[0].support[1]], query: s.tasks[0].query };
    await expect(s.program.metaGradient!({ ...request(s, rates, 2, 2), tasks: [bad] })).rejects.toThrow(/shape/);
  });
});
