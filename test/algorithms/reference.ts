/**
 * Independent references for the MAML-family tests: the inner loop written out with plain
 * grad() calls (unrolled, no engine), central finite differences of it over every parameter
 * element, and small seeded tasks and models.
 */
import { grad } from '../../lib/core/transforms.js';
import { tensor } from '../../lib/core/creation.js';
import { Tensor } from '../../lib/core/tensor.js';
import type { Params } from '../../lib/core/params.js';
import * as ops from '../../lib/ops/index.js';
import type { Model } from '../../lib/nn/model.js';
import type { LabeledSet, Task } from '../../lib/algorithms/types.js';

/** A smooth MLP (tanh between layers) so finite differences never straddle a ReLU kink. */
export function tanhMlp(sizes: number[]): Model {
  const layers = sizes.length - 1;
  return {
    init(seed, dtype = 'float64') {
      let s = seed * 7919 + 17;
      const next = () => {
        s = (s * 1103515245 + 12345) % 2147483648;
        return s / 2147483648 - 0.5;
      };
      const p: Params = {};
      for (let i = 0; i < layers; i++) {
        const w = Array.from({ length: sizes[i + 1] * sizes[i] }, () => next() * 1.6);
        const b = Array.from({ length: sizes[i + 1] }, () => next() * 0.4);
        p[`layer${i}.weight`] = tensor(w, [sizes[i + 1], sizes[i]], dtype);
        p[`layer${i}.bias`] = tensor(b, [sizes[i + 1]], dtype);
      }
      return p;
    },
    apply(p, x) {
      let h = x;
      for (let i = 0; i < layers; i++) {
        h = ops.linear(h, p[`layer${i}.weight`], p[`layer${i}.bias`]);
        if (i < layers - 1) h = ops.tanh(h);
      }
      return h;
    },
  };
}

/** Deterministic pseudo-random numbers in [-1, 1). */
export function uniform(seed: number, n: number): number[] {
  let s = seed * 48271 + 11;
  return Array.from({ length: n }, () => {
    s = (s * 48271) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  });
}

/** A regression set: x [n, inDim] uniform in [-2, 2), y [n, 1] = sin of a seed-dependent mix. */
export function regressionSet(seed: number, n: number, inDim = 1): LabeledSet {
  const xs = uniform(seed, n * inDim).map((v) => 2 * v);
  const ys = Array.from({ length: n }, (_, i) => Math.sin(xs[i * inDim] * (1 + 0.3 * (seed % 3)) + seed));
  return { x: tensor(xs, [n, inDim], 'float64'), y: tensor(ys, [n, 1], 'float64') };
}

export function regressionTask(seed: number, nSupport = 4, nQuery = 4, inDim = 1): Task {
  return { support: regressionSet(seed, nSupport, inDim), query: regressionSet(seed + 1000, nQuery, inDim) };
}

/** A classification set: x [n, inDim], labels cycling over the classes. */
export function classificationSet(seed: number, n: number, inDim: number, classes: number): LabeledSet {
  const xs = uniform(seed, n * inDim).map((v) => 1.5 * v);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { x: tensor(xs, [n, inDim], 'float64'), y: labels };
}

export function classificationTask(seed: number, n: number, inDim: number, classes: number): Task {
  return { support: classificationSet(seed, n, inDim, classes), query: classificationSet(seed + 500, n, inDim, classes) };
}

/** The task loss, computed directly with ops (mse for Tensor targets, crossEntropy for class ids). */
export function taskLoss(model: Model, p: Params, set: LabeledSet): Tensor {
  const out = model.apply(p, set.x);
  return set.y instanceof Int32Array ? ops.crossEntropy(out, set.y) : ops.mse(out, set.y);
}

/**
 * The whole inner loop, unrolled with grad(): t_{j+1} = t_j - rate(j, name) * grad L_s(t_j),
 * objective = mean over tasks of sum_j w_j L_q(t_j). rate(j, name) returns a number or a
 * Tensor (scalar or parameter-shaped); `adapts(name)` false freezes a parameter.
 */
export function unrolledObjective(
  model: Model,
  weights: Params,
  tasks: Task[],
  steps: number,
  rate: (j: number, name: string) => number | Tensor,
  stepWeights: number[] = [...new Array<number>(steps).fill(0), 1],
): number {
  let total = 0;
  for (const task of tasks) {
    let t: Params = { ...weights };
    let f = stepWeights[0] * taskLoss(model, t, task.query).item();
    for (let j = 0; j < steps; j++) {
      const g = grad((p: Params) => taskLoss(model, p, task.support))(t);
      const next: Params = {};
      for (const name of Object.keys(t)) next[name] = ops.sub(t[name], ops.mul(rate(j, name), g[name]));
      t = next;
      if (stepWeights[j + 1] !== 0) f += stepWeights[j + 1] * taskLoss(model, t, task.query).item();
    }
    total += f;
  }
  return total / tasks.length;
}

/** Central finite differences of objective(params) over every element of the named entries. */
export function finiteDifferences(
  objective: (p: Params) => number,
  params: Params,
  names: string[] = Object.keys(params),
  h = 1e-6,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const base = Float64Array.from(params[name].toArray());
    const g = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const shifted = (delta: number) => {
        const values = base.slice();
        values[i] += delta;
        return objective({ ...params, [name]: tensor(values, params[name].shape, 'float64') });
      };
      g[i] = (shifted(h) - shifted(-h)) / (2 * h);
    }
    out[name] = g;
  }
  return out;
}

/** Largest |a - b| over every named entry. */
export function maxAbsDifference(a: Params, b: Record<string, Float64Array>, names: string[] = Object.keys(b)): number {
  let worst = 0;
  for (const name of names) {
    const x = a[name].toArray();
    const y = b[name];
    if (x.length !== y.length) throw new Error(`${name}: ${x.length} vs ${y.length} elements`);
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  }
  return worst;
}

/** Largest |x| over every entry (for relative tolerances). */
export function maxAbs(b: Record<string, Float64Array>): number {
  let m = 0;
  for (const v of Object.values(b)) for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}
