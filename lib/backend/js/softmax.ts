/** Softmax and log-softmax along the last axis, max-subtracted for stability. */
import { allocate, type JsTensor } from './jsTensor.js';

function rowwise(x: JsTensor, log: boolean): JsTensor {
  const out = allocate(x.shape, x.dtype);
  const width = x.shape[x.shape.length - 1];
  const rows = width === 0 ? 0 : x.size / width;
  const xd = x.data;
  const od = out.data;
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, xd[base + j]);
    let total = 0;
    for (let j = 0; j < width; j++) total += Math.exp(xd[base + j] - max);
    if (log) {
      const logTotal = Math.log(total);
      for (let j = 0; j < width; j++) od[base + j] = xd[base + j] - max - logTotal;
    } else {
      for (let j = 0; j < width; j++) od[base + j] = Math.exp(xd[base + j] - max) / total;
    }
  }
  return out;
}

export const softmax = (x: JsTensor): JsTensor => rowwise(x, false);
export const logSoftmax = (x: JsTensor): JsTensor => rowwise(x, true);
