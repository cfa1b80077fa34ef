/** oneHot: labels [n] holding integer class ids as floats -> [n, numClasses]. */
import { ValueError } from '../../errors.js';
import { allocate, type JsTensor } from './jsTensor.js';

export function oneHot(labels: JsTensor, numClasses: number): JsTensor {
  const n = labels.shape[0];
  const out = allocate([n, numClasses], labels.dtype);
  const ld = labels.data;
  for (let i = 0; i < n; i++) {
    const label = ld[i];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new ValueError(`oneHot: label ${label} at index ${i} is not an integer class id in [0, ${numClasses})`);
    }
    out.data[i * numClasses + label] = 1;
  }
  return out;
}
