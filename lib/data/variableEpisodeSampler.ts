/**
 * Variable-way, variable-shot episodes in the style of Meta-Dataset (Triantafillou et al.,
 * ICLR 2020, section 3.2). Per episode, with A = the allowed classes and |c| = examples of c:
 *   1. ways N ~ uniform integer in [minWays, min(maxWays, |A|)];
 *   2. N distinct classes drawn uniformly; draw order = label order;
 *   3. queries per class q = min(maxQueriesPerClass, floor(0.5 * min_c |c|))  (same q for all);
 *   4. remaining_c = |c| - q;  beta ~ U(0, 1);
 *      support size S = min(maxSupportSize, sum_c ceil(beta * min(maxSupportPerClass, remaining_c))),
 *      then S = max(S, N) so that every class gets a shot;
 *   5. class-imbalanced shares: a_c ~ U(log 0.5, log 2) i.i.d., w_c = |c| * exp(a_c),
 *      shots k_c = min(floor(w_c / sum(w) * (S - N)) + 1, remaining_c);
 *   6. examples drawn as in EpisodeSampler (distinct, first k_c support, next q query), then
 *      the transforms.
 * Every allowed class must hold at least 2 examples (q >= 1 and k_c >= 1).
 */
import { ValueError } from '../errors.js';
import { checkCount } from './classFilter.js';
import { ClassEpisodeSampler, type ClassEpisodeSamplerOptions } from './classEpisodeSampler.js';
import type { FewShotDataset } from './dataset.js';
import type { EpisodeArrays } from './episode.js';

export interface VariableEpisodeSamplerOptions extends ClassEpisodeSamplerOptions {
  /** Default 5. */
  minWays?: number;
  /** Default 50 (capped by the number of allowed classes). */
  maxWays?: number;
  /** Default 10. */
  maxQueriesPerClass?: number;
  /** Default 500. */
  maxSupportSize?: number;
  /** Default 100. */
  maxSupportPerClass?: number;
}

export class VariableEpisodeSampler extends ClassEpisodeSampler {
  readonly minWays: number;
  readonly maxWays: number;
  readonly maxQueriesPerClass: number;
  readonly maxSupportSize: number;
  readonly maxSupportPerClass: number;

  constructor(dataset: FewShotDataset, options: VariableEpisodeSamplerOptions = {}) {
    const who = `VariableEpisodeSampler(${dataset.name})`;
    const minWays = options.minWays ?? 5;
    const maxWays = options.maxWays ?? 50;
    const maxQueriesPerClass = options.maxQueriesPerClass ?? 10;
    const maxSupportSize = options.maxSupportSize ?? 500;
    const maxSupportPerClass = options.maxSupportPerClass ?? 100;
    checkCount(minWays, 'minWays', 1, who);
    checkCount(maxWays, 'maxWays', minWays, who);
    checkCount(maxQueriesPerClass, 'maxQueriesPerClass', 1, who);
    checkCount(maxSupportSize, 'maxSupportSize', 1, who);
    checkCount(maxSupportPerClass, 'maxSupportPerClass', 1, who);
    super(dataset, options, 'VariableEpisodeSampler');
    this.minWays = minWays;
    this.maxWays = maxWays;
    this.maxQueriesPerClass = maxQueriesPerClass;
    this.maxSupportSize = maxSupportSize;
    this.maxSupportPerClass = maxSupportPerClass;
    if (this.minWays > this.allowed.length) {
      throw new ValueError(`${who}: minWays ${this.minWays} but only ${this.allowed.length} classes to draw from`);
    }
    for (const cls of this.allowed) {
      const held = dataset.examplesOf(cls);
      if (held < 2) {
        throw new ValueError(`${who}: class ${cls} (${dataset.className(cls)}) holds ${held} examples; at least 2 are needed (1 shot + 1 query)`);
      }
    }
  }

  sampleArrays(): EpisodeArrays {
    const rng = this.rng;
    const ways = rng.intBetween(this.minWays, Math.min(this.maxWays, this.allowed.length));
    const classes = this.drawClasses(ways);
    const sizes = classes.map((c) => this.dataset.examplesOf(c));
    const q = Math.min(this.maxQueriesPerClass, Math.floor(0.5 * Math.min(...sizes)));
    const remaining = sizes.map((n) => n - q);
    const beta = rng.nextFloat();
    let supportSize = 0;
    for (const r of remaining) supportSize += Math.ceil(beta * Math.min(this.maxSupportPerClass, r));
    supportSize = Math.max(Math.min(this.maxSupportSize, supportSize), ways);
    const weights = sizes.map((n) => n * Math.exp(rng.uniform(Math.log(0.5), Math.log(2))));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const shots = weights.map((w, i) => Math.min(Math.floor((w / totalWeight) * (supportSize - ways)) + 1, remaining[i]));
    const queries = new Array<number>(ways).fill(q);
    return this.assemble(classes, shots, queries);
  }
}
