/**
 * Relation Networks (Sung et al., 2018). A learned relation module scores each (class, query)
 * pair from their concatenated features; the score is a sigmoid, trained with MSE against the
 * one-hot match (1 for the query's class, 0 otherwise), as in the paper.
 *
 *   support emb [s, ...f], query emb [q, ...f]     (f = [d] vectors or [C, H, W] feature maps)
 *   class feature = sum of the class's support embeddings          [ways, ...f]
 *   pair (i, j)   = concat(class feature j, query i) on axis 1     [q * ways, 2d] or [q * ways, 2C, H, W]
 *   scores        = sigmoid(relation(pair))                         [q, ways]
 *   loss          = mean((scores - oneHot(query labels))^2)
 *
 * Relation module (option `relationModule`):
 *   'mlp' (default): an MLP [2 * embeddingDim, hidden, 1] (ReLU) on flattened embeddings.
 *     Its default width is 64, not the paper's 8: the paper's 8-unit layer sits after two conv
 *     blocks of 64 filters, and an 8-unit MLP alone collapsed to the constant score 1/ways on
 *     Omniglot in our runs (64 units escape).
 *   'conv': the paper's module on feature maps (lib/metric/convRelationModule.ts): two conv
 *     blocks (3x3, BN, ReLU, max-pool) then linear `hidden` (default 8) -> linear 1. The
 *     embedding must return maps [n, C, S, S] (option embeddingShape [C, S, S]); the paper's
 *     Omniglot embedding is conv4 with max-pooling in its first two blocks only
 *     (nn.conv4({ poolBlocks: 2, flatten: false })).
 * Any other relation model taking the pairs concatenated on axis 1 works too (option `relation`).
 * Relation parameters live under the 'relation.' prefix.
 */
import { checkModel } from '../algorithms/inputChecks.js';
import { describeValue, optionsRecord } from '../core/args.js';
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import * as nn from '../nn/index.js';
import type { Params } from '../algorithms/types.js';
import { ShapeError, ValueError } from '../errors.js';
import type { CheckedEpisode } from './episode.js';
import { embedEpisode } from './embedEpisode.js';
import { constantLike } from './constants.js';
import { MetricLearner, type EmbeddingModel, type EpisodeForward } from './metricLearner.js';
import { allPairs } from './pairs.js';
import { convRelationModule } from './convRelationModule.js';
import { mergeWithPrefix, withPrefix, withoutPrefixes } from './paramGroups.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';

export type RelationModuleKind = 'mlp' | 'conv';
export const RELATION_MODULES: readonly RelationModuleKind[] = ['mlp', 'conv'];

export interface RelationNetOptions {
  /** A custom relation module: [pairs, 2C, ...] -> [pairs, 1]; overrides relationModule. */
  relation?: EmbeddingModel;
  /** The built-in relation module. Default 'mlp'. */
  relationModule?: RelationModuleKind;
  /** 'mlp': the embedding's flattened output size d (required). */
  embeddingDim?: number;
  /** 'conv': the embedding's per-example map shape [C, S, S] (required). */
  embeddingShape?: readonly number[];
  /** Hidden width: of the MLP ('mlp', default 64) or of the first linear layer ('conv', default 8). */
  hidden?: number;
  /** 'conv': filters of the module's two conv blocks. Default C. */
  filters?: number;
}

const RELATION_PREFIX = 'relation.';

export class RelationNet extends MetricLearner {
  readonly name: string = 'relation';
  readonly relation: EmbeddingModel;
  /** The built-in module in use (undefined for a custom one). */
  readonly relationModule?: RelationModuleKind;
  /** Flattened feature size the relation MLP expects ('mlp' only). */
  private readonly embeddingDim?: number;
  /** Map shape [C, S, S] the conv relation module expects ('conv' only). */
  private readonly embeddingShape?: readonly number[];

  constructor(
    readonly embedding: EmbeddingModel,
    options: RelationNetOptions = {},
  ) {
    super();
    checkModel('RelationNet: embedding', embedding);
    optionsRecord(options, 'RelationNet: options');
    if (options.relation) {
      this.relation = checkModel('RelationNet: options.relation', options.relation);
      return;
    }
    this.relationModule = options.relationModule ?? LEARNER_DEFAULTS.relation.relationModule;
    if (!RELATION_MODULES.includes(this.relationModule)) {
      throw new ValueError(`RelationNet: relationModule must be one of ${RELATION_MODULES.join(', ')}, got '${String(this.relationModule)}'`);
    }
    if (this.relationModule === 'conv') {
      this.embeddingShape = checkMapShape(options.embeddingShape);
      const [channels, side] = this.embeddingShape;
      this.relation = convRelationModule({ channels, side, filters: options.filters, hidden: options.hidden });
      return;
    }
    const d = options.embeddingDim;
    const hidden = options.hidden ?? LEARNER_DEFAULTS.relation.hidden.mlp;
    if (d === undefined || !Number.isInteger(d) || d < 1 || !Number.isInteger(hidden) || hidden < 1) {
      throw new ValueError(
        `RelationNet: the default relation MLP needs embeddingDim >= 1 and hidden >= 1 (integers), got embeddingDim=${describeValue(d)}, hidden=${describeValue(hidden)}`,
      );
    }
    this.embeddingDim = d;
    this.relation = nn.mlp([2 * d, hidden, 1]);
  }

  init(seed: number, dtype?: DType): Params {
    return mergeWithPrefix(this.name, this.embedding.init(seed, dtype), RELATION_PREFIX, this.relation.init(seed + 1000, dtype));
  }

  protected forward(params: Params, episode: CheckedEpisode): EpisodeForward {
    let { support, query } = embedEpisode(this.embedding, withoutPrefixes(params, [RELATION_PREFIX]), episode, this.name);
    if (this.embeddingDim !== undefined) {
      support = this.flatten(support);
      query = this.flatten(query);
    }
    if (this.embeddingShape !== undefined) this.checkMaps(support);
    const classes = classSums(support, episode);
    const pairs = allPairs(query, classes);
    const relationInput = ops.concat([pairs.reference, pairs.query], 1);
    const q = episode.query.y.length;
    const out = this.relation.apply(withPrefix(params, RELATION_PREFIX), relationInput);
    if (out.shape.reduce((a, b) => a * b, 1) !== q * episode.ways) {
      throw new ShapeError(
        `RelationNet: the relation module mapped [${relationInput.shape.join(', ')}] to [${out.shape.join(', ')}] (need one score per pair: ${q * episode.ways})`,
      );
    }
    const scores = ops.sigmoid(ops.reshape(out, [q, episode.ways]));
    return { loss: ops.mse(scores, ops.oneHot(episode.query.y, episode.ways, scores)), scores };
  }

  /** [n, ...f] -> [n, d], checking d against the default relation MLP's input. */
  private flatten(embeddings: Tensor): Tensor {
    const flat = ops.reshape(embeddings, [embeddings.shape[0], -1]);
    if (flat.shape[1] !== this.embeddingDim) {
      throw new ShapeError(
        `RelationNet: the embedding gives ${flat.shape[1]} features per example ([${embeddings.shape.join(', ')}]) but the relation MLP was built for embeddingDim ${this.embeddingDim}`,
      );
    }
    return flat;
  }

  /** The conv relation module needs maps [n, C, S, S] of the shape it was built for. */
  private checkMaps(embeddings: Tensor): void {
    const [c, h, w] = this.embeddingShape as readonly number[];
    const shape = embeddings.shape;
    if (shape.length !== 4 || shape[1] !== c || shape[2] !== h || shape[3] !== w) {
      throw new ShapeError(
        `RelationNet: the conv relation module needs embedding maps [n, ${c}, ${h}, ${w}], the embedding gives [${shape.join(', ')}] (use a map embedding, e.g. nn.conv4({ poolBlocks: 2, flatten: false }))`,
      );
    }
  }
}

function checkMapShape(shape: readonly number[] | undefined): readonly number[] {
  if (!shape || shape.length !== 3 || shape[1] !== shape[2] || !shape.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new ValueError(
      `RelationNet: the conv relation module needs embeddingShape [C, S, S] (square feature maps, positive integers), got ${Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : describeValue(shape)}`,
    );
  }
  return shape;
}

/** Per-class sum of support embeddings: [s, ...f] -> [ways, ...f] (the prototype times the shot count). */
function classSums(support: Tensor, episode: CheckedEpisode): Tensor {
  const features = support.shape.slice(1);
  const means = ops.prototypes(ops.reshape(support, [support.shape[0], -1]), episode.support.y, episode.ways);
  const counts = constantLike(support, episode.shotsPerClass, [episode.ways, 1]);
  return ops.reshape(ops.mul(means, counts), [episode.ways, ...features]);
}
