/**
 * From a RunConfig to the objects a run needs: the model, the learner (via the registry) and
 * the task sources of each split. Shared by `train`, `eval` and (for sinusoid) `demo`.
 */
import type { MetaLearner } from '../algorithms/types.js';
import type { FunctionalModel } from '../algorithms/options.js';
import { omniglot } from '../data/omniglot.js';
import * as nn from '../nn/index.js';
import { episodeTasks, sinusoidTasks, type TaskSource } from '../train/taskSource.js';
import { algorithmEntry } from './registry.js';
import { checkAlgorithmFitsDataset } from './datasetFit.js';
import type { RunConfig } from './runConfig.js';

export type Split = 'train' | 'val' | 'test';

export interface RunSetup {
  config: RunConfig;
  model: FunctionalModel;
  /** e.g. 'mlp 1-40-40-1' or 'conv4 1x28x28 hidden 64 -> 5'. */
  modelDescription: string;
  learner: MetaLearner;
  /** Task source of a split (Omniglot: Vinyals train / val / test classes; sinusoid: the one task family). */
  tasks(split: Split, queries?: number): Promise<TaskSource>;
}

export function buildRun(config: RunConfig): RunSetup {
  checkAlgorithmFitsDataset(config.algo, config.dataset);
  const entry = algorithmEntry(config.algo);
  const { model, description } = buildModel(config, entry.head);
  return {
    config,
    model,
    modelDescription: description,
    learner: entry.create(model, config),
    tasks: (split, queries) => taskSource(config, split, queries ?? config.queries),
  };
}

function buildModel(config: RunConfig, head: 'outputs' | 'embedding'): { model: FunctionalModel; description: string } {
  const h = config.hidden;
  const context = config.algo === 'cavia' ? config.contextSize : undefined;
  if (config.dataset === 'sinusoid') {
    // CAVIA's context enters as extra inputs.
    const sizes = head === 'outputs' ? [1 + (context ?? 0), h, h, 1] : [1, h, h];
    return { model: nn.mlp(sizes), description: `mlp ${sizes.join('-')}` };
  }
  const outputs = head === 'outputs' ? config.ways : 0;
  const input = `conv4 1x${config.imageSize}x${config.imageSize} hidden ${h}`;
  if (config.relationModule === 'conv') {
    // Relation Networks' embedding: feature maps, max-pooling in the first two blocks only.
    const model = nn.conv4({ inChannels: 1, hidden: h, imageSize: config.imageSize, poolBlocks: 2, flatten: false });
    return { model, description: `${input} pool 2 blocks -> maps ${model.outputShape.join('x')}` };
  }
  const film = context === undefined ? undefined : { contextSize: context };
  const model = nn.conv4({ inChannels: 1, hidden: h, outputs, imageSize: config.imageSize, film });
  return { model, description: `${input}${film ? ` FiLM(context ${context}) after block 3` : ''} -> ${outputs === 0 ? 'embedding' : outputs}` };
}

async function taskSource(config: RunConfig, split: Split, queries: number): Promise<TaskSource> {
  if (config.dataset === 'sinusoid') return sinusoidTasks({ shots: config.shots, queries, dtype: config.dtype });
  const dataset = await omniglot({ root: config.dataRoot, cacheDir: config.cacheDir, split, imageSize: config.imageSize });
  return episodeTasks(dataset, { ways: config.ways, shots: config.shots, queries, dtype: config.dtype });
}
