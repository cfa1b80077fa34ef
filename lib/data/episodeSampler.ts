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
import { ValueError } from '../errors.js';
import { checkCount } from './classFilter.js';
import { ClassEpisodeSampler, type ClassEpisodeSamplerOptions } from './classEpisodeSampler.js';
import type { FewShotDataset } from './dataset.js';
import type { EpisodeArrays } from './episode.js';

export interface EpisodeSamplerOptions extends ClassEpisodeSamplerOptions {
  ways: number;
  shots: number;
  /** Query examples per class. */
  queries: number;
}

export class EpisodeSampler extends ClassEpisodeSampler {
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;

  constructor(dataset: FewShotDataset, options: EpisodeSamplerOptions) {
    expectRecord(options, 'EpisodeSampler: options');
    const who = `EpisodeSampler(${dataset.name})`;
    checkCount(options.ways, 'ways', 1, who);
    checkCount(options.shots, 'shots', 1, who);
    checkCount(options.queries, 'queries', 0, who);
    super(dataset, options, 'EpisodeSampler');
    this.ways = options.ways;
    this.shots = options.shots;
    this.queries = options.queries;
    if (this.ways > this.allowed.length) {
      throw new ValueError(`${who}: ${this.ways} ways but only ${this.allowed.length} classes to draw from`);
    }
    this.checkClassSizes();
  }

  /** One episode as typed arrays (no tensors): support x [N*K, ...exampleShape], query x [N*Q, ...exampleShape]. */
  sampleArrays(): EpisodeArrays {
    const classes = this.drawClasses(this.ways);
    const shots = new Array<number>(this.ways).fill(this.shots);
    const queries = new Array<number>(this.ways).fill(this.queries);
    return this.assemble(classes, shots, queries);
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
