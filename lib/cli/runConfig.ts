/**
 * The configuration of a training run: every choice the CLI makes, resolved to concrete values
 * (dataset-dependent defaults filled in). Stored in each checkpoint's metadata, so
 * `metalearn eval --checkpoint` and `--resume` rebuild exactly the same model, learner and data.
 */
import type { DType } from '../backend/types.js';
import { ValueError } from '../errors.js';
import type { JsonValue } from '../train/checkpoint.js';
import { LEARNER_DEFAULTS } from '../algorithms/defaults.js';
import { isMetricLearner } from './registry.js';
import { legacyMetricOptions, resolveMetricOptions, splitMetricOptions, type MetricOptions } from './metricOptions.js';

export type DatasetName = 'sinusoid' | 'omniglot';
export const DATASETS: readonly DatasetName[] = ['sinusoid', 'omniglot'];

/** The metric learners' options (lib/cli/metricOptions.ts) are present only for their algorithm. */
export interface RunConfig extends MetricOptions {
  algo: string;
  dataset: DatasetName;
  ways: number;
  shots: number;
  queries: number;
  metaBatch: number;
  innerLR: number;
  innerSteps: number;
  /** Inner steps at evaluation time. */
  testInnerSteps: number;
  order: 1 | 2;
  metaLR: number;
  optimizer: 'adam' | 'sgd';
  momentum: number;
  /** 0 = no clipping. */
  clipNorm: number;
  iterations: number;
  seed: number;
  dtype: DType;
  /** Omniglot image side. */
  imageSize: number;
  /** Hidden width: MLP units (sinusoid) or conv filters (Omniglot). */
  hidden: number;
  /** Omniglot data root (holds omniglot/); undefined = $METALEARN_DATA or ~/.cache/metalearn. */
  dataRoot?: string;
  /** Where the decoded-Omniglot cache goes; undefined = <dataRoot>/omniglot/cache. */
  cacheDir?: string;
  /** CAVIA only: length of the task context vector. */
  contextSize?: number;
}

/**
 * CAVIA's context length per dataset, as in the paper: 4 extra inputs for sinusoid regression;
 * for images, a FiLM layer after the third conv block driven by 100 context parameters (their
 * mini-ImageNet setting; they did not run Omniglot).
 */
export const CAVIA_CONTEXT_DEFAULTS: Record<DatasetName, number> = { sinusoid: LEARNER_DEFAULTS.cavia.contextSize, omniglot: 100 };
/** CAVIA's inner learning rate on the context (the paper's 1.0), unless --inner-lr says otherwise. */
export const CAVIA_INNER_LR = 1;

/**
 * Per-dataset defaults (the learners' own, lib/algorithms/defaults.ts, where they agree): the MAML paper's settings (sinusoid: 10-shot, inner lr 0.01, meta-batch
 * 25, Adam 1e-3, up to 10 steps at test; Omniglot 5-way 1-shot: inner lr 0.4, 1 step in
 * training and 3 at test, meta-batch 32).
 */
export const DATASET_DEFAULTS: Record<DatasetName, Omit<RunConfig, 'algo' | 'dataset' | 'seed' | 'dtype' | 'dataRoot' | 'cacheDir' | keyof MetricOptions>> = {
  sinusoid: {
    ways: 1,
    shots: 10,
    queries: 10,
    metaBatch: 25,
    innerLR: 0.01,
    innerSteps: LEARNER_DEFAULTS.inner.innerSteps,
    testInnerSteps: 10,
    order: LEARNER_DEFAULTS.order,
    metaLR: 1e-3,
    optimizer: 'adam',
    momentum: 0,
    clipNorm: 0,
    iterations: 10000,
    imageSize: 0,
    hidden: 40,
  },
  omniglot: {
    ways: 5,
    shots: 1,
    queries: 15,
    metaBatch: 32,
    innerLR: LEARNER_DEFAULTS.inner.innerLR,
    innerSteps: LEARNER_DEFAULTS.inner.innerSteps,
    testInnerSteps: 3,
    order: LEARNER_DEFAULTS.order,
    metaLR: 1e-3,
    optimizer: 'adam',
    momentum: 0,
    clipNorm: 0,
    iterations: 60000,
    imageSize: 28,
    hidden: 64,
  },
};

/** Episodes per update of the metric learners by default, as in their papers. */
export const METRIC_META_BATCH = 1;

/** Explicit choices (from flags) over the dataset's defaults. */
export function resolveRunConfig(choices: Omit<Partial<RunConfig>, 'dataset'> & { algo: string; dataset: string }): RunConfig {
  if (!(DATASETS as readonly string[]).includes(choices.dataset)) {
    throw new ValueError(`unknown dataset '${choices.dataset}' (choose one of: ${DATASETS.join(', ')})`);
  }
  const dataset = choices.dataset as DatasetName;
  const defined = Object.fromEntries(Object.entries(choices).filter(([, v]) => v !== undefined)) as Partial<RunConfig>;
  const { rest, metric } = splitMetricOptions(defined);
  const config: RunConfig = {
    ...DATASET_DEFAULTS[dataset],
    seed: 0,
    dtype: 'float32',
    ...rest,
    ...resolveMetricOptions(choices.algo, dataset, metric),
    algo: choices.algo,
    dataset,
  };
  // The metric learners' papers update once per episode (ProtoNets, Matching, Relation Networks).
  if (isMetricLearner(choices.algo) && rest.metaBatch === undefined) config.metaBatch = METRIC_META_BATCH;
  if (choices.algo === 'cavia') {
    config.contextSize = rest.contextSize ?? CAVIA_CONTEXT_DEFAULTS[dataset];
    if (rest.innerLR === undefined) config.innerLR = CAVIA_INNER_LR;
  } else if (rest.contextSize !== undefined) throw new ValueError(`--context-size applies to --algo cavia only, not '${choices.algo}'`);
  else delete config.contextSize;
  checkRunConfig(config);
  return config;
}

export function checkRunConfig(c: RunConfig): void {
  const positiveIntegers: [string, number][] = [
    ['ways', c.ways],
    ['shots', c.shots],
    ['meta-batch', c.metaBatch],
    ['iterations', c.iterations],
    ['hidden', c.hidden],
  ];
  for (const [flag, value] of positiveIntegers) {
    if (!Number.isInteger(value) || value < 1) throw new ValueError(`--${flag} must be a positive integer, got ${value}`);
  }
  for (const [flag, value] of [['queries', c.queries], ['inner-steps', c.innerSteps], ['test-inner-steps', c.testInnerSteps], ['seed', c.seed]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new ValueError(`--${flag} must be an integer >= 0, got ${value}`);
  }
  for (const [flag, value] of [['inner-lr', c.innerLR], ['meta-lr', c.metaLR], ['momentum', c.momentum], ['clip-norm', c.clipNorm]] as const) {
    if (!Number.isFinite(value) || value < 0) throw new ValueError(`--${flag} must be a finite number >= 0, got ${value}`);
  }
  if (!(c.metaLR > 0)) throw new ValueError(`--meta-lr must be > 0, got ${c.metaLR}`);
  if (c.order !== 1 && c.order !== 2) throw new ValueError(`--order must be 1 or 2, got ${c.order}`);
  if (c.optimizer !== 'adam' && c.optimizer !== 'sgd') throw new ValueError(`--optimizer must be adam or sgd, got '${c.optimizer}'`);
  if (c.dtype !== 'float32' && c.dtype !== 'float64') throw new ValueError(`--dtype must be float32 or float64, got '${c.dtype}'`);
  if (c.dataset === 'omniglot' && (!Number.isInteger(c.imageSize) || c.imageSize < 8)) {
    throw new ValueError(`--image-size must be an integer >= 8 for omniglot, got ${c.imageSize}`);
  }
  if (c.contextSize !== undefined && (!Number.isInteger(c.contextSize) || c.contextSize < 1)) {
    throw new ValueError(`--context-size must be a positive integer, got ${c.contextSize}`);
  }
  if (c.dataset === 'sinusoid' && c.ways !== 1) throw new ValueError(`--ways does not apply to sinusoid regression (got ${c.ways}); leave it out`);
}

export function runConfigToJson(c: RunConfig): { [key: string]: JsonValue } {
  return JSON.parse(JSON.stringify(c)) as { [key: string]: JsonValue };
}

/**
 * A checkpoint's stored config, validated. Options added since the checkpoint was written take
 * the values its run used (legacyMetricOptions), not today's defaults for new runs.
 */
export function runConfigFromJson(json: { [key: string]: JsonValue }, source: string): RunConfig {
  const algo = json.algo;
  const dataset = json.dataset;
  if (typeof algo !== 'string' || typeof dataset !== 'string') {
    throw new ValueError(`${source}: the checkpoint's config has no algo/dataset (not written by 'metalearn train'?)`);
  }
  const stored = { ...legacyMetricOptions(algo), ...json };
  return resolveRunConfig(stored as unknown as Omit<Partial<RunConfig>, 'dataset'> & { algo: string; dataset: string });
}
