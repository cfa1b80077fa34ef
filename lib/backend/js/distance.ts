/** Metric-learning kernels. */
import { allocate, type JsTensor } from './jsTensor.js';

/** out[i,j] = sum_k (a[i,k] - b[j,k])^2 for a [n,d], b [m,d]; computed directly, so never negative. */
export function squaredEuclidean(a: JsTensor, b: JsTensor): JsTensor {
  const [n, d] = a.shape;
  const m = b.shape[0];
  const out = allocate([n, m], a.dtype);
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = ad[i * d + k] - bd[j * d + k];
        s += diff * diff;
      }
      od[i * m + j] = s;
    }
  }
  return out;
}
