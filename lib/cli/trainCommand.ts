/**
 * `metalearn train`: meta-train an algorithm on a dataset, with validation, checkpoints,
 * JSON-lines metrics and resume; optionally evaluate on the test split at the end.
 *
 * Output directory (--out): checkpoint.safetensors (latest good state), metrics.jsonl,
 * config.json (the resolved run configuration), results.json (final evaluation, if any).
 */
import { Command, Option } from 'commander';
import { join, resolve } from 'node:path';
import { defaultDataRoot } from '../data/paths.js';
import { ValueError } from '../errors.js';
import { cosineAnnealing } from '../algorithms/schedules.js';
import { writeFileAtomic } from '../train/atomicWrite.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { evaluate, formatEvaluation } from '../train/evaluate.js';
import { metaTrain } from '../train/metaTrain.js';
import { Adam, SGD, type Optimizer } from '../train/optimizers.js';
import { chooseBackend } from './backendChoice.js';
import { addBackendFlags, addMaxMemoryFlag, addProgressFlag, integerArg, numberArg } from './flags.js';
import type { CliIO } from './io.js';
import { prepareOutputDir } from './outputDir.js';
import { algorithmEntry, algorithmNames, usesInnerSteps } from './registry.js';
import { CAVIA_CONTEXT_DEFAULTS, CAVIA_INNER_LR, DATASET_DEFAULTS, DATASETS, METRIC_META_BATCH, checkRunConfig, resolveRunConfig, runConfigFromJson, runConfigToJson, type RunConfig } from './runConfig.js';
import { buildRun } from './runSetup.js';
import { checkAlgorithmFitsDataset } from './datasetFit.js';
import { downloadOmniglotWithProgress } from './downloadCommand.js';
import { installStopHandlers, shellQuote, SIGNAL_EXIT_CODES, TrainingInterrupted } from './interrupt.js';
import { checkOmniglotDataRoot, missingOmniglotFiles } from './omniglotDataCheck.js';
import { CONFIG_FLAGS, OVERRIDABLE, resumedConfig } from './resumeConflicts.js';
import { guardOutputDir } from './runFiles.js';
import { refreshCurves } from './trainingCurves.js';
import { METRIC_DEFAULTS, type MetricOptions } from './metricOptions.js';
import { RELATION_MODULES, SIAMESE_LOSSES } from '../metric/index.js';

/** The parsed flags: the metric learners' own (MetricOptions) and the rest. */
interface TrainFlags extends MetricOptions {
  algo: string;
  dataset: string;
  ways?: number;
  shots?: number;
  queries?: number;
  metaBatch?: number;
  innerLr?: number;
  innerSteps?: number;
  testInnerSteps?: number;
  order?: string;
  metaLr?: number;
  optimizer?: 'adam' | 'sgd';
  momentum?: number;
  clipNorm?: number;
  iterations?: number;
  seed?: number;
  dataRoot?: string;
  cacheDir?: string;
  imageSize?: number;
  hidden?: number;
  contextSize?: number;
  out?: string;
  resume?: string | boolean;
  checkpointEvery: number;
  valEvery: number;
  valEpisodes: number;
  testEpisodes: number;
  backend?: string;
  dtype?: 'float32' | 'float64';
  progress?: boolean;
  maxMemory?: number;
  download?: boolean;
  force?: boolean;
  override?: boolean;
}

/** How a run is driven (not stored in checkpoints): checkpoint and validation cadence, test episodes. */
const DRIVER_DEFAULTS = { checkpointEvery: 500, valEvery: 500, valEpisodes: 100, testEpisodes: 0 } as const;

const D = DATASET_DEFAULTS;
type DatasetDefault = keyof (typeof DATASET_DEFAULTS)['sinusoid'];

/** 'sinusoid <value>, omniglot <value>' for the help texts, from DATASET_DEFAULTS. */
function byDataset(key: DatasetDefault): string {
  return DATASETS.map((d) => `${d} ${D[d][key]}`).join(', ');
}

/** The default every dataset shares (the help text states one value). */
function sameForAll(key: DatasetDefault): string {
  const values = new Set(DATASETS.map((d) => String(D[d][key])));
  if (values.size !== 1) throw new Error(`train help: the datasets' defaults of ${key} differ; state them per dataset`);
  return [...values][0];
}

export function trainCommand(io: CliIO): Command {
  const command = new Command('train')
    .description('meta-train an algorithm on a few-shot task family')
    .addOption(new Option('--algo <name>', 'algorithm').choices(algorithmNames()).default('maml'))
    .addOption(new Option('--dataset <name>', 'task family').choices([...DATASETS]).default('sinusoid'))
    .option('--ways <n>', `classes per episode (omniglot; default ${D.omniglot.ways})`, integerArg)
    .option('--shots <n>', `support examples per class (default: ${byDataset('shots')})`, integerArg)
    .option('--queries <n>', `query examples per class (default: ${byDataset('queries')})`, integerArg)
    .option('--meta-batch <n>', `tasks per meta-iteration (default: ${byDataset('metaBatch')}; metric learners ${METRIC_META_BATCH} episode, as in their papers)`, integerArg)
    .option('--inner-lr <x>', `inner-loop learning rate (default: ${byDataset('innerLR')}; cavia ${CAVIA_INNER_LR})`, numberArg)
    .option('--inner-steps <n>', `inner-loop steps during meta-training (default ${sameForAll('innerSteps')})`, integerArg)
    .option('--test-inner-steps <n>', `inner-loop steps at validation/test time (default: ${byDataset('testInnerSteps')})`, integerArg)
    .addOption(new Option('--order <k>', `meta-gradient order: 2 exact, 1 first-order (default ${sameForAll('order')})`).choices(['1', '2']))
    .option('--meta-lr <x>', `meta (outer) learning rate (default ${sameForAll('metaLR')})`, numberArg)
    .addOption(new Option('--optimizer <name>', `meta-optimiser (default ${sameForAll('optimizer')})`).choices(['adam', 'sgd']))
    .option('--momentum <x>', `SGD momentum (default ${sameForAll('momentum')})`, numberArg)
    .option('--clip-norm <x>', 'clip the meta-gradient to this global L2 norm (default: no clipping)', numberArg)
    .option('--iterations <n>', `meta-iterations in total (default: ${byDataset('iterations')})`, integerArg)
    .option('--seed <n>', 'seed of the initialisation and the task streams (default 0)', integerArg)
    .option('--data-root <dir>', 'data root holding omniglot/ (default: $METALEARN_DATA or ~/.cache/metalearn)')
    .option('--cache-dir <dir>', 'where to keep decoded Omniglot for fast reloads (default <data-root>/omniglot/cache)')
    .option('--image-size <n>', `omniglot image side in pixels (default ${D.omniglot.imageSize})`, integerArg)
    .option('--hidden <n>', `hidden width: MLP units (sinusoid, default ${D.sinusoid.hidden}) or conv filters (omniglot, default ${D.omniglot.hidden})`, integerArg)
    .option('--fce', 'matching: Full Context Embeddings (bidirectional LSTM over the support, attention LSTM for queries; default off)')
    .option('--fce-steps <n>', `matching with --fce: processing steps K of the attention LSTM (default ${METRIC_DEFAULTS.fceSteps})`, integerArg)
    .option(
      '--cosine-scale <x>',
      `matching: multiply the cosine similarities by x before the attention softmax (default ${METRIC_DEFAULTS.cosineScale}, the paper; about 10 trains much faster)`,
      numberArg,
    )
    .addOption(new Option('--siamese-loss <name>', `siamese: pair loss (default ${METRIC_DEFAULTS.siameseLoss})`).choices([...SIAMESE_LOSSES]))
    .option('--margin <x>', `siamese: margin of the contrastive and triplet losses (default ${METRIC_DEFAULTS.margin})`, numberArg)
    .addOption(
      new Option('--relation-module <kind>', "relation: the paper's conv module on feature maps, or an MLP on flat embeddings (default: omniglot conv, sinusoid mlp)").choices([
        ...RELATION_MODULES,
      ]),
    )
    .option(
      '--relation-hidden <n>',
      `relation: hidden width of the relation module (default: conv ${METRIC_DEFAULTS.relationHidden.conv}, mlp ${METRIC_DEFAULTS.relationHidden.mlp})`,
      integerArg,
    )
    .option('--context-size <n>', `cavia: length of the task context vector (default: sinusoid ${CAVIA_CONTEXT_DEFAULTS.sinusoid}, omniglot ${CAVIA_CONTEXT_DEFAULTS.omniglot}, fed by FiLM after conv block 3)`, integerArg)
    .option('--out <dir>', 'output directory for checkpoint, metrics and results (default runs/<algo>-<dataset>)')
    .option('--resume [checkpoint]', 'continue from a checkpoint (default <out>/checkpoint.safetensors) with its run configuration; flags that contradict it are an error unless --override (iterations, data root and cache dir may always be given)')
    .option('--override', `with --resume: the given flags win over the checkpoint's; allowed for ${OVERRIDABLE.map((k) => CONFIG_FLAGS[k].slice(2)).join(', ')} (the others shape the weights and cannot change)`)
    .option('--force', "start afresh in an --out that already holds a run: removes its checkpoint.safetensors, metrics.jsonl, results.json, config.json, curves.svg (nothing else)")
    .option('--download', 'omniglot: download the data into --data-root if it is not there (otherwise a missing data root is an error)')
    .option('--checkpoint-every <n>', 'write a checkpoint every n iterations', integerArg, DRIVER_DEFAULTS.checkpointEvery)
    .option('--val-every <n>', 'validate every n iterations', integerArg, DRIVER_DEFAULTS.valEvery)
    .option('--val-episodes <n>', 'validation episodes (a fixed set)', integerArg, DRIVER_DEFAULTS.valEpisodes)
    .option('--test-episodes <n>', 'after training, evaluate on this many test episodes (0 = skip)', integerArg, DRIVER_DEFAULTS.testEpisodes);
  addBackendFlags(command);
  addProgressFlag(command);
  addMaxMemoryFlag(command);
  return command.action(async (flags: TrainFlags, self: Command) => runTrain(flags, givenFlags(flags, self), io));
}

/**
 * The flags of this invocation that the checkpoint does not store (how the run is driven, not
 * what it trains), for the printed resume command: given ones and those off their defaults.
 */
function runFlags(flags: TrainFlags): string[] {
  const out: string[] = [];
  if (flags.backend) out.push('--backend', flags.backend);
  const defaults: [string, number, number][] = [
    ['--checkpoint-every', flags.checkpointEvery, DRIVER_DEFAULTS.checkpointEvery],
    ['--val-every', flags.valEvery, DRIVER_DEFAULTS.valEvery],
    ['--val-episodes', flags.valEpisodes, DRIVER_DEFAULTS.valEpisodes],
    ['--test-episodes', flags.testEpisodes, DRIVER_DEFAULTS.testEpisodes],
  ];
  for (const [flag, value, standard] of defaults) if (value !== standard) out.push(flag, String(value));
  if (flags.maxMemory !== undefined) out.push('--max-memory', String(flags.maxMemory));
  if (flags.progress === false) out.push('--no-progress');
  return out;
}

/** The RunConfig settings the user typed (not commander's defaults): what --resume compares. */
function givenFlags(flags: TrainFlags, command: Command): Partial<Record<string, unknown>> {
  const choices = configChoices(flags);
  const attribute: Record<string, string> = { innerLR: 'innerLr', metaLR: 'metaLr' };
  return Object.fromEntries(Object.entries(choices).filter(([key, value]) => value !== undefined && command.getOptionValueSource(attribute[key] ?? key) === 'cli'));
}

async function runTrain(flags: TrainFlags, given: Partial<Record<string, unknown>>, io: CliIO): Promise<void> {
  // Every check comes before anything is created or downloaded.
  chooseBackend(flags.backend);
  const outPath = resolve(flags.out ?? join('runs', `${flags.algo}-${flags.dataset}`));
  const resumeFrom = flags.resume === undefined ? undefined : flags.resume === true ? join(outPath, 'checkpoint.safetensors') : String(flags.resume);
  if (flags.override && resumeFrom === undefined) throw new ValueError('--override applies with --resume only (it lets the given flags win over the checkpoint)');
  const config = resumeFrom === undefined ? configFromFlags(flags) : configFromCheckpoint(resumeFrom, given, flags.override === true);
  checkAlgorithmFitsDataset(config.algo, config.dataset);
  if (config.dataset === 'omniglot') {
    const root = config.dataRoot ?? defaultDataRoot();
    const flag = config.dataRoot === undefined ? 'the data root ($METALEARN_DATA or ~/.cache/metalearn)' : '--data-root';
    if (!flags.download) checkOmniglotDataRoot(root, flag, config.cacheDir);
    else if (missingOmniglotFiles(resolve(root), config.cacheDir).length > 0) await downloadOmniglotWithProgress(resolve(root), undefined, io);
  } else if (flags.download) throw new ValueError(`--download applies to --dataset omniglot; ${config.dataset} tasks are generated, not downloaded`);
  guardOutputDir(outPath, { resume: resumeFrom !== undefined, force: flags.force === true });
  const outDir = prepareOutputDir(outPath);
  const run = buildRun(config);
  writeFileAtomic(join(outDir, 'config.json'), Buffer.from(JSON.stringify(config, null, 2) + '\n'));
  io.err(`metalearn train: ${config.algo} on ${describeTasks(config)}, model ${run.modelDescription}, ${config.iterations} iterations -> ${outDir}\n`);

  const trainTasks = await run.tasks('train');
  const valTasks = flags.valEpisodes > 0 ? await run.tasks('val') : undefined;
  const stop = installStopHandlers((signal) => io.err(`\nmetalearn train: ${signal}: finishing the current step, then writing a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C again' : 'a second signal'} exits at once)\n`));
  const result = await metaTrain({
    learner: run.learner,
    tasks: trainTasks,
    iterations: config.iterations,
    metaBatch: config.metaBatch,
    optimizer: makeOptimizer(config),
    ...(algorithmEntry(config.algo).cosineMetaLR ? { lrSchedule: (i: number) => cosineAnnealing(config.metaLR, i - 1, config.iterations) } : {}),
    seed: config.seed,
    dtype: config.dtype,
    ...(valTasks ? { validation: { tasks: valTasks, every: flags.valEvery, episodes: flags.valEpisodes, innerSteps: config.testInnerSteps } } : {}),
    checkpoint: { path: join(outDir, 'checkpoint.safetensors'), every: flags.checkpointEvery, model: run.modelDescription, config: runConfigToJson(config) },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
    metricsPath: join(outDir, 'metrics.jsonl'),
    ...(flags.progress === undefined ? {} : { progress: flags.progress }),
    ...maxMemoryOption(flags.maxMemory),
    signal: stop.signal,
    onCheckpoint: () => refreshCurves(outDir),
  }).finally(() => stop.dispose());
  if (result.stopped) {
    const signal = stop.received() ?? 'SIGINT';
    const resume = ['metalearn', 'train', '--resume', '--out', outDir, ...runFlags(flags)].map(shellQuote).join(' ');
    io.err(`metalearn train: stopped by ${signal} after iteration ${result.iteration}; checkpoint written to ${result.checkpointPath ?? '(none)'}\nresume with:\n  ${resume}\n`);
    throw new TrainingInterrupted(signal, SIGNAL_EXIT_CODES[signal]);
  }
  const last = result.history[result.history.length - 1];
  if (last) io.out(`trained ${result.iteration} iterations; last meta-loss ${last.loss.toPrecision(4)}\n`);
  const lastValidation = result.validations[result.validations.length - 1];
  const steps = usesInnerSteps(config.algo) ? ` (${config.testInnerSteps} inner steps)` : '';
  if (lastValidation) io.out(`validation${steps}: ${formatEvaluation(lastValidation.result)}\n`);
  if (result.checkpointPath) io.out(`checkpoint: ${result.checkpointPath}\n`);

  if (flags.testEpisodes > 0) {
    const test = await evaluate(run.learner, result.params, await run.tasks('test'), {
      episodes: flags.testEpisodes,
      innerSteps: config.testInnerSteps,
      seed: config.seed,
      ...maxMemoryOption(flags.maxMemory),
    });
    io.out(`test${steps}: ${formatEvaluation(test)}\n`);
    writeFileAtomic(join(outDir, 'results.json'), Buffer.from(JSON.stringify({ config, test }, null, 2) + '\n'));
  }
}

function configFromFlags(flags: TrainFlags): RunConfig {
  return resolveRunConfig(configChoices(flags));
}

/** The flags as RunConfig choices (undefined = not given). */
function configChoices(flags: TrainFlags): Omit<Partial<RunConfig>, 'dataset'> & { algo: string; dataset: string } {
  return {
    algo: flags.algo,
    dataset: flags.dataset,
    ways: flags.ways,
    shots: flags.shots,
    queries: flags.queries,
    metaBatch: flags.metaBatch,
    innerLR: flags.innerLr,
    innerSteps: flags.innerSteps,
    testInnerSteps: flags.testInnerSteps,
    order: flags.order === undefined ? undefined : (Number(flags.order) as 1 | 2),
    metaLR: flags.metaLr,
    optimizer: flags.optimizer,
    momentum: flags.momentum,
    clipNorm: flags.clipNorm,
    iterations: flags.iterations,
    seed: flags.seed,
    dtype: flags.dtype,
    imageSize: flags.imageSize,
    hidden: flags.hidden,
    dataRoot: flags.dataRoot,
    cacheDir: flags.cacheDir,
    fce: flags.fce,
    fceSteps: flags.fceSteps,
    cosineScale: flags.cosineScale,
    siameseLoss: flags.siameseLoss,
    margin: flags.margin,
    relationModule: flags.relationModule,
    relationHidden: flags.relationHidden,
    contextSize: flags.contextSize,
  };
}

/**
 * A resumed run is the checkpoint's run: flags that contradict it are an error listing each one,
 * unless --override (lib/cli/resumeConflicts.ts); --iterations, --data-root, --cache-dir apply.
 */
function configFromCheckpoint(path: string, given: Partial<Record<string, unknown>>, override: boolean): RunConfig {
  const stored = runConfigFromJson(loadCheckpoint(path).config, `checkpoint '${path}'`);
  const config = resumedConfig(stored, given, override, `'${path}'`);
  checkRunConfig(config);
  return config;
}

export function makeOptimizer(config: RunConfig): Optimizer {
  const clip = config.clipNorm > 0 ? { maxNorm: config.clipNorm } : undefined;
  return config.optimizer === 'sgd' ? new SGD({ lr: config.metaLR, momentum: config.momentum, clip }) : new Adam({ lr: config.metaLR, clip });
}

export function describeTasks(config: RunConfig): string {
  return config.dataset === 'sinusoid'
    ? `sinusoid ${config.shots}-shot`
    : `omniglot ${config.ways}-way ${config.shots}-shot (${config.queries} queries)`;
}

/** { maxMemoryBytes } from --max-memory, or nothing (the free-memory default). */
export function maxMemoryOption(maxMemory: number | undefined): { maxMemoryBytes?: number } {
  return maxMemory === undefined ? {} : { maxMemoryBytes: maxMemory };
}
