/**
 * `metalearn eval`: the papers' test protocol on a trained checkpoint: mean accuracy (or MSE)
 * +/- 95% confidence interval over N test episodes, with the test-time inner steps settable.
 * The model, learner and data are rebuilt from the configuration stored in the checkpoint.
 */
import { Command, Option } from 'commander';
import { evaluate, formatEvaluation } from '../train/evaluate.js';
import { ValueError } from '../errors.js';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../train/atomicWrite.js';
import { renderEvalHistogram } from './evalHistogram.js';
import { checkOmniglotDataRoot } from './omniglotDataCheck.js';
import { defaultDataRoot } from '../data/paths.js';
import { chooseBackend } from './backendChoice.js';
import { usesInnerSteps } from './registry.js';
import { restoreRun } from './checkpointRun.js';
import { addBackendFlags, addMaxMemoryFlag, integerArg } from './flags.js';
import type { CliIO } from './io.js';
import type { Split } from './runSetup.js';
import { describeTasks, maxMemoryOption } from './trainCommand.js';

interface EvalFlags {
  checkpoint: string;
  episodes: number;
  innerSteps?: number;
  split: Split;
  seed: number;
  ways?: number;
  shots?: number;
  queries?: number;
  dataRoot?: string;
  json?: boolean;
  histogram?: string | boolean;
  backend?: string;
  dtype?: 'float32' | 'float64';
  maxMemory?: number;
}

export function evalCommand(io: CliIO): Command {
  const command = new Command('eval')
    .description('evaluate a checkpoint: mean +/- 95% confidence interval over test episodes')
    .requiredOption('--checkpoint <file>', 'checkpoint written by metalearn train (safetensors)')
    .option('--episodes <n>', 'test episodes', integerArg, 600)
    .option('--inner-steps <n>', "inner-loop steps at test time (default: the run's test-inner-steps)", integerArg)
    .addOption(new Option('--split <name>', 'which classes to draw episodes from').choices(['test', 'val', 'train']).default('test'))
    .option('--seed <n>', 'seed of the test episode stream', integerArg, 0)
    .option('--ways <n>', "override the run's ways (metric learners only; MAML-family heads are fixed)", integerArg)
    .option('--shots <n>', "override the run's shots", integerArg)
    .option('--queries <n>', "override the run's queries per class", integerArg)
    .option('--data-root <dir>', 'data root holding omniglot/ (default: the one stored in the checkpoint)')
    .option('--json', 'print the result as JSON')
    .option('--histogram <file>', "SVG histogram of per-episode accuracy (or MSE) with the mean and its 95% CI (default: eval-<split>-histogram.svg beside the checkpoint)")
    .option('--no-histogram', 'do not write the histogram');
  addBackendFlags(command);
  addMaxMemoryFlag(command);
  return command.action(async (flags: EvalFlags) => runEval(flags, io));
}

async function runEval(flags: EvalFlags, io: CliIO): Promise<void> {
  chooseBackend(flags.backend);
  const { config, params, run, checkpoint } = restoreRun(
    flags.checkpoint,
    { ways: flags.ways, shots: flags.shots, queries: flags.queries, dataRoot: flags.dataRoot, dtype: flags.dtype },
    'eval',
    (config) => {
      if (config.dataset !== 'omniglot') return;
      // Never a download from eval: a missing or mistyped data root is an error naming it.
      checkOmniglotDataRoot(config.dataRoot ?? defaultDataRoot(), flags.dataRoot === undefined ? "the checkpoint's data root (change it with --data-root)" : '--data-root', config.cacheDir);
    },
  );
  if (flags.innerSteps !== undefined && !usesInnerSteps(config.algo)) {
    throw new ValueError(`eval: --inner-steps applies to the MAML family; '${config.algo}' adapts without inner steps`);
  }
  const innerSteps = flags.innerSteps ?? config.testInnerSteps;
  const histogramPath = histogramPathOf(flags);
  const perEpisode: number[] = [];
  const result = await evaluate(run.learner, params, await run.tasks(flags.split), {
    episodes: flags.episodes,
    innerSteps,
    seed: flags.seed,
    onEpisodeScore: (value) => perEpisode.push(value),
    ...maxMemoryOption(flags.maxMemory),
  });
  if (flags.json) {
    io.out(JSON.stringify({ checkpoint: flags.checkpoint, iteration: checkpoint.iteration, split: flags.split, innerSteps, config, result }, null, 2) + '\n');
  } else {
    const steps = usesInnerSteps(config.algo) ? `${innerSteps} inner steps, ` : '';
    io.out(`${config.algo} on ${describeTasks(config)}, ${flags.split} split, ${steps}checkpoint iteration ${checkpoint.iteration}:\n`);
    io.out(`  ${formatEvaluation(result)}\n`);
  }
  if (histogramPath !== undefined) {
    const steps = usesInnerSteps(config.algo) ? `, ${innerSteps} inner steps` : '';
    const title = `${config.algo} on ${describeTasks(config)}, ${flags.split} split${steps}`;
    writeFileAtomic(histogramPath, Buffer.from(renderEvalHistogram(perEpisode, result, title)));
    if (!flags.json) io.out(`histogram: ${histogramPath}\n`);
  }
}

/** Where the histogram goes (undefined with --no-histogram); its folder must exist before the episodes run. */
function histogramPathOf(flags: EvalFlags): string | undefined {
  if (flags.histogram === false) return undefined;
  const path = resolve(typeof flags.histogram === 'string' ? flags.histogram : join(dirname(flags.checkpoint), `eval-${flags.split}-histogram.svg`));
  if (!existsSync(dirname(path))) throw new ValueError(`--histogram '${path}': folder ${dirname(path)} does not exist`);
  return path;
}
