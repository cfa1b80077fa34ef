/**
 * A metric learner's predictor (lib/algorithms/predictor.ts): it keeps its own copy of the
 * support set and scores queries x [m, ...] against it with the learner's own episode pass,
 * so predict(queryX) gives exactly the scores evaluateTask counts (argmax = its predictions).
 *
 * Why support and queries go through the pass together, not "embed the support once": the
 * papers' embeddings (nn.conv4) normalise with batch statistics over the whole episode
 * (embedEpisode.ts embeds support and query in one call), so a support set embedded alone
 * would give other embeddings, and other predictions, than the evaluation. The support set
 * is validated and copied once, at adapt.
 */
import { Tensor } from '../core/tensor.js';
import { tidy } from '../core/scope.js';
import type { LabeledSet, Params } from '../algorithms/types.js';
import { OwningPredictor, checkPredictInput } from '../algorithms/predictor.js';
import { checkLabeledSet } from '../algorithms/inputChecks.js';
import { checkEpisode, type CheckedEpisode, type MetricSet } from './episode.js';
import { episodeBackend } from './episodeBackend.js';

/** The learner's query scores [queries, ways] for a validated episode. */
export type EpisodeScores = (params: Params, episode: CheckedEpisode) => Tensor;

export class EpisodePredictor extends OwningPredictor {
  /** Number of classes of the support set (the scores' second axis). */
  readonly ways: number;

  private constructor(
    where: string,
    private readonly params: Params,
    private readonly support: MetricSet,
    ways: number,
    private readonly scores: EpisodeScores,
  ) {
    super(where, [support.x]);
    this.ways = ways;
  }

  /** Validates the support set (labels 0..ways-1, every class present, one backend) and copies it. */
  static create(algorithm: string, params: Params, support: LabeledSet, scores: EpisodeScores): EpisodePredictor {
    const set = checkLabeledSet(`${algorithm}.adapt: support`, support);
    const checked = checkEpisode(`${algorithm}.adapt`, { support: set, query: set });
    episodeBackend(`${algorithm}.adapt`, params, checked);
    const own: MetricSet = { x: copyOf(checked.support.x), y: checked.support.y.slice() };
    return new EpisodePredictor(`${algorithm}`, params, own, checked.ways, scores);
  }

  protected run(x: Tensor): Tensor {
    const where = `${this.where}.predict`;
    checkPredictInput(where, x, this.support.x);
    // Query labels are not known; the pass needs some for its loss (ignored): class 0.
    const episode = checkEpisode(where, { support: this.support, query: { x, y: new Int32Array(x.shape[0]) } });
    return tidy(() => this.scores(this.params, { ...episode, ways: this.ways }));
  }
}

function copyOf(x: Tensor): Tensor {
  const { backend } = x;
  return Tensor.fromHandle(backend, backend.fromArray(x.toArray(), x.shape), x.shape, x.dtype);
}
