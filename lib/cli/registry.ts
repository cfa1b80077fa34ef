/**
 * The algorithm registry: CLI name -> how to build the learner from a model and the run's
 * options. Adding an algorithm is one row. `head` says what the model must output:
 * 'outputs' = one unit per way (classification) or per target (regression), 'embedding' = the
 * embedding network only (metric learners build their own heads).
 */
import type { MetaLearner } from '../algorithms/types.js';
import type { FunctionalModel } from '../algorithms/options.js';
import { ANIL, CAVIA, IMAML, MAML, MAMLpp, MetaSGD, Reptile } from '../algorithms/index.js';
import { ValueError } from '../errors.js';
import {
  MatchingNet,
  ProtoNet,
  RelationNet,
  SiameseNet,
  embeddingMapShape,
  embeddingSize,
  type MatchingNetOptions,
  type RelationNetOptions,
} from '../metric/index.js';
import { METRIC_DEFAULTS } from './metricOptions.js';
import type { RunConfig } from './runConfig.js';

export interface AlgorithmEntry {
  head: 'outputs' | 'embedding';
  summary: string;
  create(model: FunctionalModel, run: RunConfig): MetaLearner;
  /** Anneal the meta learning rate by a cosine over the run (MAML++). */
  cosineMetaLR?: boolean;
}

/** The inner-loop options every MAML-family row passes on. */
const inner = (run: RunConfig) => ({ innerLR: run.innerLR, innerSteps: run.innerSteps, testInnerSteps: run.testInnerSteps });

export const ALGORITHMS: Record<string, AlgorithmEntry> = {
  maml: { head: 'outputs', summary: 'MAML, exact second order (--order 1 for first order)', create: (m, r) => new MAML(m, { ...inner(r), order: r.order }) },
  fomaml: { head: 'outputs', summary: 'first-order MAML', create: (m, r) => new MAML(m, { ...inner(r), order: 1 }) },
  reptile: { head: 'outputs', summary: 'Reptile (use --optimizer sgd --meta-lr 1 for the paper update)', create: (m, r) => new Reptile(m, inner(r)) },
  metasgd: { head: 'outputs', summary: 'Meta-SGD, learned per-parameter inner learning rates', create: (m, r) => new MetaSGD(m, { ...inner(r), order: r.order }) },
  anil: { head: 'outputs', summary: 'ANIL, only the head adapts', create: (m, r) => new ANIL(m, { ...inner(r), order: r.order }) },
  mamlpp: { head: 'outputs', summary: 'MAML++ (multi-step loss, learned per-step lrs, per-step batch norm on conv4, annealing)', create: (m, r) => new MAMLpp(MAMLpp.withPerStepBatchNorm(m, r.innerSteps), { ...inner(r), totalIterations: r.iterations }), cosineMetaLR: true },
  imaml: { head: 'outputs', summary: 'iMAML, implicit gradients by conjugate gradient', create: (m, r) => new IMAML(m, inner(r)) },
  cavia: { head: 'outputs', summary: 'CAVIA, adapted context parameters', create: (m, r) => new CAVIA(m, { ...inner(r), order: r.order, contextSize: r.contextSize }) },
  protonet: { head: 'embedding', summary: 'Prototypical Networks (train-way may exceed test-way)', create: (m) => new ProtoNet(m) },
  matching: { head: 'embedding', summary: 'Matching Networks, softmax attention over cosine similarities (--fce)', create: (m, r) => new MatchingNet(m, matchingOptions(m, r)) },
  relation: { head: 'embedding', summary: 'Relation Networks, conv (--relation-module) relation module, MSE to one-hot', create: (m, r) => new RelationNet(m, relationOptions(m, r)) },
  siamese: { head: 'embedding', summary: 'Siamese Networks, weighted L1 verification (--siamese-loss), nearest-support one-shot', create: (m, r) => new SiameseNet(m, { embeddingDim: embeddingSize(m, r.hidden), loss: r.siameseLoss, margin: r.margin }) },
};

/** Full Context Embeddings when the run asks for them (--fce), over the embedding's flattened output; the cosine scale (--cosine-scale). */
function matchingOptions(model: FunctionalModel, run: RunConfig): MatchingNetOptions {
  const cosineScale = run.cosineScale ?? METRIC_DEFAULTS.cosineScale;
  if (!run.fce) return { cosineScale };
  return { fce: { embeddingDim: embeddingSize(model, run.hidden), processingSteps: run.fceSteps ?? METRIC_DEFAULTS.fceSteps }, cosineScale };
}

/** The paper's conv relation module on the embedding's feature maps, or the MLP on flat embeddings. */
function relationOptions(model: FunctionalModel, run: RunConfig): RelationNetOptions {
  if (run.relationModule === 'conv') return { relationModule: 'conv', embeddingShape: embeddingMapShape(model), hidden: run.relationHidden };
  return { relationModule: 'mlp', embeddingDim: embeddingSize(model, run.hidden), hidden: run.relationHidden };
}

/** Whether `name` is a metric learner (an embedding model trained episode by episode); false for unknown names. */
export function isMetricLearner(name: string): boolean {
  return Object.hasOwn(ALGORITHMS, name) && ALGORITHMS[name].head === 'embedding';
}

/** Whether the algorithm adapts by inner-loop steps (the MAML family), so inner-step counts apply to it. */
export function usesInnerSteps(algo: string): boolean {
  return algorithmEntry(algo).head === 'outputs';
}

export function algorithmNames(): string[] {
  return Object.keys(ALGORITHMS);
}

export function algorithmEntry(name: string): AlgorithmEntry {
  const entry = ALGORITHMS[name];
  if (!entry) throw new ValueError(`unknown algorithm '${name}' (choose one of: ${algorithmNames().join(', ')})`);
  return entry;
}
