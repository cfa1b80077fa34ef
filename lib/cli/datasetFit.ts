/**
 * Which task families an algorithm can learn from. The metric learners (protonet, matching,
 * relation, siamese) classify a query by comparing its embedding with labelled support
 * embeddings, so they need class labels: a regression family such as sinusoid (the CLI's
 * default dataset) cannot feed them. Checked before any work, so the user gets a ValueError
 * naming the datasets that fit instead of an internal error from the first episode.
 */
import { ValueError } from '../errors.js';
import { isMetricLearner } from './registry.js';
import { DATASETS, type DatasetName } from './runConfig.js';

/** What each dataset's tasks are. */
export const DATASET_KINDS: Record<DatasetName, 'regression' | 'classification'> = { sinusoid: 'regression', omniglot: 'classification' };

/** The datasets `algo` can train and evaluate on. */
export function datasetsFor(algo: string): DatasetName[] {
  return isMetricLearner(algo) ? DATASETS.filter((d) => DATASET_KINDS[d] === 'classification') : [...DATASETS];
}

export function checkAlgorithmFitsDataset(algo: string, dataset: string): void {
  const fit = datasetsFor(algo);
  if ((fit as string[]).includes(dataset)) return;
  const kind = (DATASET_KINDS as Record<string, string>)[dataset] ?? 'unknown';
  const isDefault = dataset === 'sinusoid' ? ' (the default)' : '';
  throw new ValueError(
    `--algo ${algo} is a metric learner: it classifies queries by comparing them with labelled support examples, ` +
      `so it needs a classification dataset, and --dataset ${dataset}${isDefault} is ${kind}. ` +
      `Datasets that fit ${algo}: ${fit.join(', ')} (add --dataset ${fit[0]})`,
  );
}
