/**
 * Multi-source sampling across datasets (Meta-Dataset's training mixture): each episode comes
 * whole from one source, chosen at random with probability proportional to its weight (uniform
 * by default). Each source keeps its own seeded generator; this one only picks the source, so
 * the mixture is deterministic too. episode.source is the index of the source used.
 */
import { ValueError } from '../errors.js';
import { checkCount } from './classFilter.js';
import type { Episode, EpisodeArrays, EpisodeSource } from './episode.js';
import { Random } from './random.js';

export interface MultiSourceSamplerOptions {
  /** Relative probabilities, one per source (default all equal). */
  weights?: readonly number[];
  seed?: number;
}

export class MultiSourceSampler implements EpisodeSource {
  private readonly rng: Random;
  private readonly cumulative: number[];

  constructor(readonly sources: readonly EpisodeSource[], options: MultiSourceSamplerOptions = {}) {
    if (sources.length === 0) throw new ValueError('MultiSourceSampler: needs at least one source');
    const weights = options.weights ?? sources.map(() => 1);
    if (weights.length !== sources.length) {
      throw new ValueError(`MultiSourceSampler: ${weights.length} weights for ${sources.length} sources`);
    }
    if (weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || !weights.some((w) => w > 0)) {
      throw new ValueError(`MultiSourceSampler: weights must be finite, >= 0 and not all 0, got [${weights.join(', ')}]`);
    }
    let running = 0;
    this.cumulative = weights.map((w) => (running += w));
    this.rng = new Random(options.seed ?? 0);
  }

  /** Index of the source for the next episode. */
  private pickSource(): number {
    const total = this.cumulative[this.cumulative.length - 1];
    const u = this.rng.nextFloat() * total;
    const index = this.cumulative.findIndex((c) => u < c);
    return index === -1 ? this.cumulative.length - 1 : index;
  }

  sampleArrays(): EpisodeArrays {
    const index = this.pickSource();
    return { ...this.sources[index].sampleArrays(), source: index };
  }

  sample(): Episode {
    const index = this.pickSource();
    return { ...this.sources[index].sample(), source: index };
  }

  sampleBatch(count: number): Episode[] {
    checkCount(count, 'count', 1, 'MultiSourceSampler.sampleBatch');
    return Array.from({ length: count }, () => this.sample());
  }
}
