/**
 * Gradient clipping on named arrays, applied by the meta-optimisers before their update.
 * Both return new arrays (float64) and leave the input untouched.
 */
import { ValueError } from '../errors.js';
import { sortedNames, type NamedArrays } from './namedArrays.js';

/** sqrt(sum over every element of every array of g^2), accumulated in float64. */
export function globalNorm(grads: NamedArrays): number {
  let sumSquares = 0;
  for (const name of sortedNames(grads)) {
    const g = grads[name].data;
    for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
  }
  return Math.sqrt(sumSquares);
}

/**
 * Scales all gradients by maxNorm / norm when their global norm exceeds maxNorm, so the
 * clipped norm is exactly maxNorm and the direction is unchanged (no epsilon added).
 */
export function clipByGlobalNorm(grads: NamedArrays, maxNorm: number): { grads: NamedArrays; norm: number } {
  if (!(maxNorm > 0)) throw new ValueError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  return { grads: mapArrays(grads, (g) => g * scale), norm };
}

/** Clamps every element to [-maxValue, maxValue]. */
export function clipByValue(grads: NamedArrays, maxValue: number): NamedArrays {
  if (!(maxValue > 0)) throw new ValueError(`clipByValue: maxValue must be > 0, got ${maxValue}`);
  return mapArrays(grads, (g) => Math.min(maxValue, Math.max(-maxValue, g)));
}

function mapArrays(arrays: NamedArrays, f: (x: number) => number): NamedArrays {
  const out: NamedArrays = {};
  for (const name of sortedNames(arrays)) {
    const a = arrays[name];
    const data = new Float64Array(a.data.length);
    for (let i = 0; i < data.length; i++) data[i] = f(a.data[i]);
    out[name] = { dtype: 'float64', shape: [...a.shape], data };
  }
  return out;
}
