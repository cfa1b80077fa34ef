/**
 * N-way K-shot Q-query episodes:
 *   1. draw N distinct classes uniformly from the allowed classes; their draw order is the
 *      label order, so label i -> classes[i] is a fresh random assignment every episode;
 *   2. for each, draw K + Q distinct examples uniformly: the first K are support, the rest query
 *      (so support and query never share an example);
 *   3. apply the per-episode transforms in order.
 * Deterministic for a seed (lib/data/random.ts), identical on every machine and backend.
 */
import { expectRecord } from '../core/args.js';
import type { DType } from '../backend/types.js';
import { ValueError } from '../errors.js';
import { checkCount, resolveClasses } from './classFilter.js';
import type { FewShotDataset } from './dataset.js';
import type { Episode, EpisodeArrays, EpisodeSource } from './episode.js';
import { EpisodeAssembler } from './episodeAssembly.js';
import type { EpisodeTransform } from './episodeTransforms.js';
import { Random } from './random.js';
import { toEpisode } from './toTensor.js';

export interface EpisodeSamplerOptions {
  ways: number;
  shots: number;
  /** Query examples per class. */
  queries: number;
  /** Default 0. */
  seed?: number;
  /** Only these dataset classes (a class split); default all. */
  classes?: readonly number[];
  transforms?: readonly EpisodeTransform[];
  /** Tensor dtype of x; default float32. */
  dtype?: DType;
  /** Permute examples within support and within query (labels follow). Default false: grouped by label. */
  shuffle?: boolean;
}

export class EpisodeSampler implements EpisodeSource {
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly dtype: DType;
  private readonly rng: Random;
  private readonly allowed: Int32Array;
  private readonly classScratch: Int32Array;
  private readonly assembler: EpisodeAssembler;
  private readonly transforms: readonly EpisodeTransform[];
  private readonly shuffle: boolean;

  constructor(readonly dataset: FewShotDataset, options: EpisodeSamplerOptions) {
    expectRecord(options, 'EpisodeSampler: options');
    const who = `EpisodeSampler(${dataset.name})`;
    checkCount(options.ways, 'ways', 1, who);
    checkCount(options.shots, 'shots', 1, who);
    checkCount(options.queries, 'queries', 0, who);
    this.ways = options.ways;
    this.shots = options.shots;
    this.queries = options.queries;
    this.dtype = options.dtype ?? 'float32';
    this.allowed = resolveClasses(dataset, options.classes, 'EpisodeSampler');
    if (this.ways > this.allowed.length) {
      throw new ValueError(`${who}: ${this.ways} ways but only ${this.allowed.length} classes to draw from`);
    }
    this.checkClassSizes();
    this.rng = new Random(options.seed ?? 0);
    this.classScratch = new Int32Array(this.allowed.length);
    this.assembler = new EpisodeAssembler(dataset);
    this.transforms = options.transforms ?? [];
    this.shuffle = options.shuffle ?? false;
  }

  /** One episode as typed arrays (no tensors). */
  sampleArrays(): EpisodeArrays {
    const picks = this.rng.choose(this.allowed.length, this.ways, this.classScratch);
    const classes = Array.from(picks, (i) => this.allowed[i]);
    const shots = new Array<number>(this.ways).fill(this.shots);
    const queries = new Array<number>(this.ways).fill(this.queries);
    const episode = this.assembler.assemble(classes, shots, queries, this.rng, this.shuffle);
    for (const t of this.transforms) t.apply(episode, this.rng);
    return episode;
  }

  /** One episode: support x [N*K, ...exampleShape], query x [N*Q, ...exampleShape]. */
  sample(): Episode {
    return toEpisode(this.sampleArrays(), this.dtype);
  }

  /** A meta-batch of `count` independent episodes. */
  sampleBatch(count: number): Episode[] {
    checkCount(count, 'count', 1, `EpisodeSampler(${this.dataset.name}).sampleBatch`);
    return Array.from({ length: count }, () => this.sample());
  }

  private checkClassSizes(): void {
    const needed = this.shots + this.queries;
    for (const cls of this.allowed) {
      const held = this.dataset.examplesOf(cls);
      if (held < needed) {
        throw new ValueError(
          `EpisodeSampler(${this.dataset.name}): class ${cls} (${this.dataset.className(cls)}) holds ${held} examples, ` +
            `but ${this.shots} shots + ${this.queries} queries need ${needed}`,
        );
      }
    }
  }
}
