/**
 * The base of the episode samplers (EpisodeSampler: fixed N-way K-shot; VariableEpisodeSampler:
 * Meta-Dataset style): the allowed classes, the seeded generator, assembly and transforms. A
 * subclass says only how many classes, shots and queries an episode has (sampleArrays), drawing
 * from `rng` in its documented order.
 */
import type { DType } from '../backend/types.js';
import { checkCount, resolveClasses } from './classFilter.js';
import type { FewShotDataset } from './dataset.js';
import type { Episode, EpisodeArrays, EpisodeSource } from './episode.js';
import { EpisodeAssembler } from './episodeAssembly.js';
import type { EpisodeTransform } from './episodeTransforms.js';
import { Random } from './random.js';
import { toEpisode } from './toTensor.js';

/** The options every sampler takes. */
export interface ClassEpisodeSamplerOptions {
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

export abstract class ClassEpisodeSampler implements EpisodeSource {
  readonly dtype: DType;
  protected readonly rng: Random;
  /** The dataset classes episodes draw from. */
  protected readonly allowed: Int32Array;
  private readonly classScratch: Int32Array;
  private readonly assembler: EpisodeAssembler;
  private readonly transforms: readonly EpisodeTransform[];
  private readonly shuffle: boolean;

  /** kind: the class name errors give, e.g. 'EpisodeSampler'. */
  constructor(
    readonly dataset: FewShotDataset,
    options: ClassEpisodeSamplerOptions,
    private readonly kind: string,
  ) {
    this.allowed = resolveClasses(dataset, options.classes, kind);
    this.dtype = options.dtype ?? 'float32';
    this.rng = new Random(options.seed ?? 0);
    this.classScratch = new Int32Array(this.allowed.length);
    this.assembler = new EpisodeAssembler(dataset);
    this.transforms = options.transforms ?? [];
    this.shuffle = options.shuffle ?? false;
  }

  /** One episode as typed arrays (no tensors). */
  abstract sampleArrays(): EpisodeArrays;

  /** One episode as tensors of the sampler's dtype. */
  sample(): Episode {
    return toEpisode(this.sampleArrays(), this.dtype);
  }

  /** A meta-batch of `count` independent episodes. */
  sampleBatch(count: number): Episode[] {
    checkCount(count, 'count', 1, `${this.who}.sampleBatch`);
    return Array.from({ length: count }, () => this.sample());
  }

  /** 'Kind(dataset name)', for error messages. */
  protected get who(): string {
    return `${this.kind}(${this.dataset.name})`;
  }

  /** `ways` distinct allowed classes drawn uniformly; draw order = label order. */
  protected drawClasses(ways: number): number[] {
    const picks = this.rng.choose(this.allowed.length, ways, this.classScratch);
    return Array.from(picks, (i) => this.allowed[i]);
  }

  /** The episode of these classes with shots[i] support and queries[i] query examples of class i, transformed. */
  protected assemble(classes: number[], shots: number[], queries: number[]): EpisodeArrays {
    const episode = this.assembler.assemble(classes, shots, queries, this.rng, this.shuffle);
    for (const t of this.transforms) t.apply(episode, this.rng);
    return episode;
  }
}
