/**
 * The metric learners' own options, as `metalearn train` flags set them and checkpoints store
 * them (inside the RunConfig). A resolved RunConfig holds only the keys of its algorithm:
 *
 *   matching   fce (--fce, default false), fceSteps (--fce-steps, with --fce only, default 2),
 *              cosineScale (--cosine-scale, default 1: the paper's plain cosine attention)
 *   siamese    siameseLoss (--siamese-loss, default 'verification'),
 *              margin (--margin, contrastive and triplet only, default 1)
 *   relation   relationModule (--relation-module: 'conv', the paper's module on feature maps,
 *              default for new Omniglot runs; 'mlp' on flattened embeddings, the only choice
 *              for sinusoid), relationHidden (--relation-hidden, default conv 8, mlp 64)
 *
 * A flag given to an algorithm it does not belong to is a ValueError, not silently ignored.
 * Checkpoints written before these options existed lack the keys; they load with the values
 * those runs used (legacyMetricOptions): the defaults above, except relationModule 'mlp'.
 */
import { ValueError } from '../errors.js';
import { RELATION_MODULES, SIAMESE_LOSSES, type RelationModuleKind, type SiameseLoss } from '../metric/index.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';

export interface MetricOptions {
  /** MatchingNet: Full Context Embeddings. */
  fce?: boolean;
  /** MatchingNet with fce: processing steps K of the attention LSTM (>= 1). */
  fceSteps?: number;
  /** MatchingNet: multiplies the cosine similarities before the attention softmax (> 0). */
  cosineScale?: number;
  /** SiameseNet: the pair loss. */
  siameseLoss?: SiameseLoss;
  /** SiameseNet contrastive / triplet loss margin (> 0). */
  margin?: number;
  /** RelationNet: the built-in relation module. */
  relationModule?: RelationModuleKind;
  /** RelationNet: hidden width of the relation module. */
  relationHidden?: number;
}

export type MetricOptionName = keyof MetricOptions;
export const METRIC_OPTION_NAMES: readonly MetricOptionName[] = [
  'fce',
  'fceSteps',
  'cosineScale',
  'siameseLoss',
  'margin',
  'relationModule',
  'relationHidden',
];

/** The CLI flag of each option, for messages. */
export const METRIC_OPTION_FLAGS: Record<MetricOptionName, string> = {
  fce: '--fce',
  fceSteps: '--fce-steps',
  cosineScale: '--cosine-scale',
  siameseLoss: '--siamese-loss',
  margin: '--margin',
  relationModule: '--relation-module',
  relationHidden: '--relation-hidden',
};

/** The learners' defaults (lib/algorithms/defaults.ts), except the relation module of new runs. */
export const METRIC_DEFAULTS = {
  fceSteps: LEARNER_DEFAULTS.matching.fceSteps,
  cosineScale: LEARNER_DEFAULTS.matching.cosineScale,
  siameseLoss: LEARNER_DEFAULTS.siamese.loss,
  margin: LEARNER_DEFAULTS.siamese.margin,
  /** New runs on image data; sinusoid has no feature maps, so 'mlp' there. */
  relationModule: 'conv',
  relationHidden: LEARNER_DEFAULTS.relation.hidden,
} as const;

/**
 * The options of `algo` on `dataset`, defaults filled in; a ValueError for an option that is
 * not its own or out of range.
 */
export function resolveMetricOptions(algo: string, dataset: string, given: MetricOptions): MetricOptions {
  const resolved = ownOptions(algo, dataset, given);
  for (const name of METRIC_OPTION_NAMES) {
    if (given[name] !== undefined && resolved[name] === undefined) throw notApplicable(name, algo, resolved);
  }
  checkMetricOptions(resolved);
  if (resolved.relationModule === 'conv' && dataset === 'sinusoid') {
    throw new ValueError("--relation-module conv needs image data (omniglot): sinusoid embeddings have no feature maps; use 'mlp'");
  }
  return resolved;
}

/** What a checkpoint written before these options existed was trained with. */
export function legacyMetricOptions(algo: string): MetricOptions {
  return algo === 'relation' ? { relationModule: 'mlp' } : {};
}

function ownOptions(algo: string, dataset: string, given: MetricOptions): MetricOptions {
  if (algo === 'matching') {
    const fce = given.fce ?? false;
    const cosineScale = given.cosineScale ?? METRIC_DEFAULTS.cosineScale;
    return fce ? { fce, fceSteps: given.fceSteps ?? METRIC_DEFAULTS.fceSteps, cosineScale } : { fce, cosineScale };
  }
  if (algo === 'siamese') {
    const siameseLoss = given.siameseLoss ?? METRIC_DEFAULTS.siameseLoss;
    return siameseLoss === 'verification' ? { siameseLoss } : { siameseLoss, margin: given.margin ?? METRIC_DEFAULTS.margin };
  }
  if (algo === 'relation') {
    const relationModule = given.relationModule ?? (dataset === 'sinusoid' ? 'mlp' : METRIC_DEFAULTS.relationModule);
    const width = relationModule === 'conv' ? METRIC_DEFAULTS.relationHidden.conv : METRIC_DEFAULTS.relationHidden.mlp;
    return { relationModule, relationHidden: given.relationHidden ?? width };
  }
  return {};
}

function notApplicable(name: MetricOptionName, algo: string, resolved: MetricOptions): ValueError {
  if (name === 'fceSteps' && algo === 'matching') return new ValueError('--fce-steps needs --fce (Full Context Embeddings are off)');
  if (name === 'margin' && algo === 'siamese') {
    return new ValueError(`--margin applies to --siamese-loss contrastive or triplet, not '${resolved.siameseLoss}'`);
  }
  const owner = name === 'fce' || name === 'fceSteps' || name === 'cosineScale' ? 'matching' : name === 'relationHidden' || name === 'relationModule' ? 'relation' : 'siamese';
  return new ValueError(`${METRIC_OPTION_FLAGS[name]} applies to --algo ${owner} only, not '${algo}'`);
}

export function checkMetricOptions(c: MetricOptions): void {
  if (c.fce !== undefined && typeof c.fce !== 'boolean') throw new ValueError(`--fce must be true or false, got ${String(c.fce)}`);
  if (c.fceSteps !== undefined && (!Number.isInteger(c.fceSteps) || c.fceSteps < 1)) {
    throw new ValueError(`--fce-steps must be an integer >= 1, got ${c.fceSteps}`);
  }
  if (c.cosineScale !== undefined && !(Number.isFinite(c.cosineScale) && c.cosineScale > 0)) {
    throw new ValueError(`--cosine-scale must be a finite number > 0, got ${c.cosineScale}`);
  }
  if (c.siameseLoss !== undefined && !SIAMESE_LOSSES.includes(c.siameseLoss)) {
    throw new ValueError(`--siamese-loss must be one of ${SIAMESE_LOSSES.join(', ')}, got '${String(c.siameseLoss)}'`);
  }
  if (c.margin !== undefined && !(Number.isFinite(c.margin) && c.margin > 0)) {
    throw new ValueError(`--margin must be a finite number > 0, got ${c.margin}`);
  }
  if (c.relationModule !== undefined && !RELATION_MODULES.includes(c.relationModule)) {
    throw new ValueError(`--relation-module must be one of ${RELATION_MODULES.join(', ')}, got '${String(c.relationModule)}'`);
  }
  if (c.relationHidden !== undefined && (!Number.isInteger(c.relationHidden) || c.relationHidden < 1)) {
    throw new ValueError(`--relation-hidden must be an integer >= 1, got ${c.relationHidden}`);
  }
}

/** config without its metric options, and the metric options alone. */
export function splitMetricOptions<T extends MetricOptions>(config: T): { rest: Omit<T, MetricOptionName>; metric: MetricOptions } {
  const rest = { ...config };
  const metric: MetricOptions = {};
  for (const name of METRIC_OPTION_NAMES) {
    if (config[name] !== undefined) (metric as Record<string, unknown>)[name] = config[name];
    delete rest[name];
  }
  return { rest, metric };
}
