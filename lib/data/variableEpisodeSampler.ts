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
import type { DType } from '../backend/types.js';
import { ValueError } from '../errors.js';
import { checkCount, resolveClasses } from './classFilter.js';
import type { FewShotDataset } from './dataset.js';
import type { Episode, EpisodeArrays, EpisodeSource } from './episode.js';
import { EpisodeAssembler } from './episodeAssembly.js';
import type { EpisodeTransform } from './episodeTransforms.js';
import { Random } from './random.js';
import { toEpisode } from './toTensor.js';

export interface VariableEpisodeSamplerOptions {
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
  seed?: number;
  classes?: readonly number[];
  transforms?: readonly EpisodeTransform[];
  dtype?: DType;
  shuffle?: boolean;
}

export class VariableEpisodeSampler implements EpisodeSource {
  readonly minWays: number;
  readonly maxWays: number;
  readonly maxQueriesPerClass: number;
  readonly maxSupportSize: number;
  readonly maxSupportPerClass: number;
  readonly dtype: DType;
  private readonly rng: Random;
  private readonly allowed: Int32Array;
  private readonly classScratch: Int32Array;
  private readonly assembler: EpisodeAssembler;
  private readonly transforms: readonly EpisodeTransform[];
  private readonly shuffle: boolean;

  constructor(readonly dataset: FewShotDataset, options: VariableEpisodeSamplerOptions = {}) {
    const who = `VariableEpisodeSampler(${dataset.name})`;
    this.minWays = options.minWays ?? 5;
    this.maxWays = options.maxWays ?? 50;
    this.maxQueriesPerClass = options.maxQueriesPerClass ?? 10;
    this.maxSupportSize = options.maxSupportSize ?? 500;
    this.maxSupportPerClass = options.maxSupportPerClass ?? 100;
    checkCount(this.minWays, 'minWays', 1, who);
    checkCount(this.maxWays, 'maxWays', this.minWays, who);
    checkCount(this.maxQueriesPerClass, 'maxQueriesPerClass', 1, who);
    checkCount(this.maxSupportSize, 'maxSupportSize', 1, who);
    checkCount(this.maxSupportPerClass, 'maxSupportPerClass', 1, who);
    this.allowed = resolveClasses(dataset, options.classes, 'VariableEpisodeSampler');
    if (this.minWays > this.allowed.length) {
      throw new ValueError(`${who}: minWays ${this.minWays} but only ${this.allowed.length} classes to draw from`);
    }
    for (const cls of this.allowed) {
      const held = dataset.examplesOf(cls);
      if (held < 2) {
        throw new ValueError(`${who}: class ${cls} (${dataset.className(cls)}) holds ${held} examples; at least 2 are needed (1 shot + 1 query)`);
      }
    }
    this.dtype = options.dtype ?? 'float32';
    this.rng = new Random(options.seed ?? 0);
    this.classScratch = new Int32Array(this.allowed.length);
    this.assembler = new EpisodeAssembler(dataset);
    this.transforms = options.transforms ?? [];
    this.shuffle = options.shuffle ?? false;
  }

  sampleArrays(): EpisodeArrays {
    const rng = this.rng;
    const ways = rng.intBetween(this.minWays, Math.min(this.maxWays, this.allowed.length));
    const picks = rng.choose(this.allowed.length, ways, this.classScratch);
    const classes = Array.from(picks, (i) => this.allowed[i]);
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
    const episode = this.assembler.assemble(classes, shots, queries, rng, this.shuffle);
    for (const t of this.transforms) t.apply(episode, rng);
    return episode;
  }

  sample(): Episode {
    return toEpisode(this.sampleArrays(), this.dtype);
  }

  sampleBatch(count: number): Episode[] {
    checkCount(count, 'count', 1, `VariableEpisodeSampler(${this.dataset.name}).sampleBatch`);
    return Array.from({ length: count }, () => this.sample());
  }
}
