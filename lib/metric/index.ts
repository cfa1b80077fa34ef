/** Metric-based meta-learning: Prototypical, Matching, Relation and Siamese networks. */
export { ProtoNet } from './protoNet.js';
export { MatchingNet, type MatchingNetOptions } from './matchingNet.js';
export { RelationNet, RELATION_MODULES, type RelationNetOptions, type RelationModuleKind } from './relationNet.js';
export { convRelationModule, type ConvRelationModuleOptions } from './convRelationModule.js';
export { SiameseNet, SIAMESE_LOSSES, type SiameseNetOptions, type SiameseLoss } from './siameseNet.js';
export { contrastiveLoss, tripletLoss, verificationLoss, pairTargets, type PairLabels } from './siameseLosses.js';
export { lstmCell, initLSTMCell, type LSTMState } from './lstm.js';
export {
  MetricLearner,
  type EmbeddingModel,
  type EpisodeForward,
  type LossAndGrad,
  type EvaluateOptions,
  type EvaluationResult,
} from './metricLearner.js';
export { checkEpisode, type Episode, type EpisodeSource, type MetricSet } from './episode.js';
export { embeddingSize, embeddingMapShape } from './embeddingSize.js';
export { EpisodePredictor } from './episodePredictor.js';
