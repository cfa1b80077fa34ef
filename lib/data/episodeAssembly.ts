/**
 * Fills the arrays of one episode once the classes and per-class counts are chosen. Shared by
 * every sampler so that all of them lay episodes out the same way:
 *   support: label 0's shots[0] examples, then label 1's, ...  (query likewise)
 * unless `shuffle` is set, in which case the examples (with their labels) are permuted.
 * Support and query of a class are distinct examples: one draw of shots + queries indices
 * without replacement, split in two.
 */
import type { FewShotDataset } from './dataset.js';
import { exampleSize } from './dataset.js';
import type { EpisodeArrays } from './episode.js';
import type { Random } from './random.js';

export class EpisodeAssembler {
  private scratch = new Int32Array(0);
  private readonly size: number;

  constructor(readonly dataset: FewShotDataset) {
    this.size = exampleSize(dataset);
  }

  assemble(
    classes: number[],
    shots: number[],
    queries: number[],
    rng: Random,
    shuffle: boolean,
    source = 0,
  ): EpisodeArrays {
    const supportCount = sum(shots);
    const queryCount = sum(queries);
    const size = this.size;
    const support = new Float32Array(supportCount * size);
    const query = new Float32Array(queryCount * size);
    const supportLabels = new Int32Array(supportCount);
    const queryLabels = new Int32Array(queryCount);
    const supportSlots = slotOrder(supportCount, rng, shuffle);
    const querySlots = slotOrder(queryCount, rng, shuffle);
    let s = 0;
    let q = 0;
    for (let label = 0; label < classes.length; label++) {
      const cls = classes[label];
      const available = this.dataset.examplesOf(cls);
      const picks = rng.choose(available, shots[label] + queries[label], this.scratchOf(available));
      for (let i = 0; i < picks.length; i++) {
        if (i < shots[label]) {
          const slot = supportSlots[s++];
          this.dataset.getExample(cls, picks[i], support, slot * size);
          supportLabels[slot] = label;
        } else {
          const slot = querySlots[q++];
          this.dataset.getExample(cls, picks[i], query, slot * size);
          queryLabels[slot] = label;
        }
      }
    }
    const shape = [...this.dataset.exampleShape];
    return {
      support: { x: support, y: supportLabels, shape: [supportCount, ...shape] },
      query: { x: query, y: queryLabels, shape: [queryCount, ...shape] },
      classes,
      shots,
      queries,
      source,
    };
  }

  private scratchOf(n: number): Int32Array {
    if (this.scratch.length < n) this.scratch = new Int32Array(n);
    return this.scratch;
  }
}

/** Position of the i-th written example: identity, or a random permutation. */
function slotOrder(count: number, rng: Random, shuffle: boolean): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (shuffle) rng.shuffle(order);
  return order;
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
