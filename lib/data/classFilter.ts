/** The class list a sampler draws from: all classes, or a validated user filter (class splits). */
import { describeValue, expectArray } from '../core/args.js';
import { ValueError } from '../errors.js';
import type { FewShotDataset } from './dataset.js';

export function resolveClasses(dataset: FewShotDataset, classes: readonly number[] | undefined, who: string): Int32Array {
  if (classes === undefined) {
    const all = new Int32Array(dataset.numClasses);
    for (let c = 0; c < all.length; c++) all[c] = c;
    return all;
  }
  const seen = new Set<number>();
  for (const c of expectArray(classes, `${who}: classes`) as number[]) {
    if (!Number.isInteger(c) || c < 0 || c >= dataset.numClasses) {
      throw new ValueError(`${who} on ${dataset.name}: class ${describeValue(c)} in the class filter is out of range [0, ${dataset.numClasses})`);
    }
    if (seen.has(c)) throw new ValueError(`${who} on ${dataset.name}: class ${c} appears twice in the class filter`);
    seen.add(c);
  }
  return Int32Array.from(classes);
}

/**
 * The most examples, classes or tasks one count may ask for: far past any few-shot setting, and
 * low enough that a mistyped count is refused now rather than as an allocation failure.
 */
export const MAX_COUNT = 1_000_000;

export function checkCount(value: number, name: string, min: number, who: string): void {
  if (!Number.isInteger(value) || value < min || value > MAX_COUNT) {
    throw new ValueError(`${who}: ${name} must be an integer >= ${min}, got ${describeValue(value)} (at most ${MAX_COUNT})`);
  }
}
