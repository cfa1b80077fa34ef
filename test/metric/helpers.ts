/** Shared fixtures of the metric-learning tests: backends, tiny embeddings and episodes, finite differences. */
import { setBackend, nativeAvailable, type BackendName } from '../../lib/backend/index.js';
import { tensor } from '../../lib/core/creation.js';
import type { Tensor } from '../../lib/core/tensor.js';
import type { DType } from '../../lib/backend/types.js';
import type { Params } from '../../lib/algorithms/types.js';
import * as ops from '../../lib/ops/index.js';
import type { Episode } from '../../lib/metric/episode.js';
import type { EmbeddingModel, MetricLearner } from '../../lib/metric/metricLearner.js';
import { MatchingNet, ProtoNet, RelationNet, SiameseNet } from '../../lib/metric/index.js';
import * as nn from '../../lib/nn/index.js';

const native = nativeAvailable();

/** Every backend, with the reason it is skipped where it cannot load. */
export const BACKENDS: { name: BackendName; skip: boolean; reason: string }[] = [
  { name: 'js', skip: false, reason: '' },
  { name: 'native', skip: !native.ok, reason: native.ok ? '' : `skipped: native binary not built (${native.reason})` },
];

export function useBackend(name: BackendName): void {
  setBackend(name);
}

/** x [n, in] -> x W^T [n, out]: with W = identity the embedding of a point is the point. */
export function linearEmbedding(weight: number[][], dtype: DType = 'float64'): EmbeddingModel {
  const out = weight.length;
  const inSize = weight[0].length;
  return {
    init: () => ({ weight: tensor(weight.flat(), [out, inSize], dtype) }),
    apply: (p: Params, x: Tensor) => ops.matmul(ops.reshape(x, [x.shape[0], -1]), p.weight, { transB: true }),
  };
}

export const IDENTITY_2D = [
  [1, 0],
  [0, 1],
];

/** An episode of 2-D points. */
export function pointEpisode(
  support: number[][],
  supportY: number[],
  query: number[][],
  queryY: number[],
  dtype: DType = 'float64',
): Episode {
  return {
    support: { x: tensor(support.flat(), [support.length, support[0].length], dtype), y: Int32Array.from(supportY) },
    query: { x: tensor(query.flat(), [query.length, query[0].length], dtype), y: Int32Array.from(queryY) },
  };
}

/** Deterministic pseudo-random numbers in [-1, 1) (a fixed LCG; tests only need variety). */
export function randomValues(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 4294967296) * 2 - 1;
  });
}

/**
 * Central finite differences of a scalar function of params, element by element (float64):
 * (f(p + h e_i) - f(p - h e_i)) / 2h.
 */
export async function finiteDifferenceGradient(
  f: (p: Params) => Promise<number>,
  params: Params,
  h = 1e-6,
): Promise<Record<string, Float64Array>> {
  const out: Record<string, Float64Array> = {};
  for (const [name, value] of Object.entries(params)) {
    const base = Float64Array.from(value.toArray());
    const grad = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const shifted = (delta: number): Promise<number> => {
        const values = Float64Array.from(base);
        values[i] += delta;
        return f({ ...params, [name]: tensor(values, value.shape, 'float64') });
      };
      grad[i] = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
    }
    out[name] = grad;
  }
  return out;
}

/** Largest |a - b| / max(1, |b|) over all entries of two gradient records. */
export function maxRelativeError(actual: Params, expected: Record<string, Float64Array>): number {
  let worst = 0;
  for (const [name, values] of Object.entries(expected)) {
    const got = actual[name].toArray();
    values.forEach((v, i) => (worst = Math.max(worst, Math.abs(got[i] - v) / Math.max(1, Math.abs(v)))));
  }
  return worst;
}

/** Every metric learner and loss variant, on a 4 -> 3 MLP embedding. */
export function learnerVariants(): MetricLearner[] {
  return [
    new ProtoNet(nn.mlp([4, 3])),
    new MatchingNet(nn.mlp([4, 3])),
    new MatchingNet(nn.mlp([4, 3]), { fce: { embeddingDim: 3, processingSteps: 2 } }),
    new RelationNet(nn.mlp([4, 3]), { embeddingDim: 3, hidden: 4 }),
    new SiameseNet(nn.mlp([4, 3]), { embeddingDim: 3 }),
    new SiameseNet(nn.mlp([4, 3]), { loss: 'contrastive', margin: 2 }),
    new SiameseNet(nn.mlp([4, 3]), { loss: 'triplet', margin: 2 }),
  ];
}
