/**
 * `metalearn demo`: the MAML paper's sinusoid experiment in about a minute.
 *
 *  1. Meta-train MAML on sinusoid regression: MLP 1-40-40-1, K = 10 support points, inner lr
 *     0.01, 1 inner step, meta-batch 25, Adam 1e-3 (Finn et al., 2017, section 5.1).
 *  2. Baselines with the same network: "pretrained" (trained on the same task stream for the
 *     same iterations on the plain query loss, i.e. MAML with 0 inner steps, then fine-tuned at
 *     test time like MAML), and "from scratch" (a random initialisation fine-tuned the same way).
 *  3. MSE on fresh test tasks before adaptation and after 1 and 10 steps (mean +/- 95% CI).
 *  4. An SVG figure like the paper's Figure 2 for one fresh task.
 */
import { Command } from 'commander';
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { MAML } from '../algorithms/index.js';
import type { Params } from '../algorithms/types.js';
import { Sinusoid, sinusoidValue } from '../data/sinusoid.js';
import { tensor } from '../core/creation.js';
import * as nn from '../nn/index.js';
import { evaluate, type EvaluationResult } from '../train/evaluate.js';
import { metaTrain } from '../train/metaTrain.js';
import { writeFileAtomic } from '../train/atomicWrite.js';
import { Adam } from '../train/optimizers.js';
import { deriveSeed, sinusoidTasks, TEST_STREAM } from '../train/taskSource.js';
import { ValueError } from '../errors.js';
import { getBackend } from '../backend/index.js';
import { chooseBackend } from './backendChoice.js';
import { renderDemoFigure, type DemoPanel } from './demoFigure.js';
import { addBackendFlags, addProgressFlag, integerArg } from './flags.js';
import type { CliIO } from './io.js';

interface DemoFlags {
  iterations?: number;
  metaBatch: number;
  testTasks: number;
  seed: number;
  out: string;
  baselines: boolean;
  backend?: string;
  dtype?: 'float32' | 'float64';
  progress?: boolean;
}

const SHOTS = 10;
const TEST_QUERIES = 100;
const INNER_LR = 0.01;
const META_LR = 1e-3;
const HIDDEN = 40;
/** Defaults that keep the demo near a minute on 2 cores on either core. */
const NATIVE_ITERATIONS = 5000;
const JS_ITERATIONS = 800;
/** Inner steps compared at test time: before adaptation, after 1 and after 10 (the paper's figure). */
const TEST_STEPS = [0, 1, 10] as const;

export function demoCommand(io: CliIO): Command {
  const command = new Command('demo')
    .description("meta-train MAML on sinusoid regression (~1 minute), compare with baselines, plot like the MAML paper's Figure 2")
    .option('--iterations <n>', `meta-iterations (default ${NATIVE_ITERATIONS} on the native core, ${JS_ITERATIONS} on the pure-TypeScript one)`, integerArg)
    .option('--meta-batch <n>', 'tasks per meta-iteration', integerArg, 25)
    .option('--test-tasks <n>', 'fresh tasks for the MSE table', integerArg, 100)
    .option('--seed <n>', 'seed of initialisation, task streams and the plotted task', integerArg, 0)
    .option('--out <file>', 'where to write the SVG figure', 'metalearn-demo.svg')
    .option('--no-baselines', 'skip the pretrained baseline (halves the run time)');
  addBackendFlags(command);
  addProgressFlag(command);
  return command.action(async (flags: DemoFlags) => runDemo(flags, io));
}

async function runDemo(options: DemoFlags, io: CliIO): Promise<void> {
  chooseBackend(options.backend);
  const flags = { ...options, iterations: options.iterations ?? (getBackend() === 'native' ? NATIVE_ITERATIONS : JS_ITERATIONS) };
  for (const [flag, value] of [['--iterations', flags.iterations], ['--meta-batch', flags.metaBatch], ['--test-tasks', flags.testTasks]] as const) {
    if (value < 1) throw new ValueError(`demo: ${flag} must be >= 1, got ${value}`);
  }
  const out = resolve(flags.out);
  checkWritableFile(out);
  const dtype = flags.dtype ?? 'float32';
  const model = nn.mlp([1, HIDDEN, HIDDEN, 1]);
  const maml = new MAML(model, { innerLR: INNER_LR, innerSteps: 1, testInnerSteps: 10, order: 2 });
  const tasks = sinusoidTasks({ shots: SHOTS, queries: SHOTS, dtype });
  io.out(
    `metalearn demo: MAML on sinusoid regression (MLP 1-${HIDDEN}-${HIDDEN}-1, ${SHOTS}-shot, inner lr ${INNER_LR}, ` +
      `1 inner step, meta-batch ${flags.metaBatch}, Adam ${META_LR}, ${flags.iterations} iterations)\n`,
  );

  const trainOnce = async (learner: MAML, label: string): Promise<Params> => {
    const started = performance.now();
    const result = await metaTrain({
      learner,
      tasks,
      iterations: flags.iterations,
      metaBatch: flags.metaBatch,
      optimizer: new Adam({ lr: META_LR }),
      seed: flags.seed,
      dtype,
      ...(flags.progress === undefined ? {} : { progress: flags.progress }),
    });
    const seconds = (performance.now() - started) / 1000;
    const last = result.history[result.history.length - 1];
    io.out(`${label}: ${seconds.toFixed(1)} s (${((flags.iterations * flags.metaBatch) / seconds).toFixed(0)} tasks/s), final meta-loss ${last.loss.toPrecision(3)}\n`);
    return result.params;
  };

  const inits: { title: string; params: Params }[] = [{ title: 'MAML', params: await trainOnce(maml, 'meta-trained MAML') }];
  if (flags.baselines) {
    const joint = new MAML(model, { innerLR: INNER_LR, innerSteps: 0, testInnerSteps: 10, order: 2 });
    inits.push({ title: 'pretrained', params: await trainOnce(joint, 'pretrained baseline (same net, same tasks, no inner loop)') });
  }
  inits.push({ title: 'from scratch', params: model.init(flags.seed + 1, dtype) });

  const testTasks = sinusoidTasks({ shots: SHOTS, queries: TEST_QUERIES, dtype });
  io.out(`\nMSE on ${flags.testTasks} fresh tasks (${SHOTS} support points for the inner loop, ${TEST_QUERIES} query points), mean +/- 95% CI:\n`);
  io.out(`${'init'.padEnd(14)}${TEST_STEPS.map((s) => (s === 0 ? 'before adaptation' : `after ${s} step${s === 1 ? '' : 's'}`).padEnd(20)).join('')}\n`);
  for (const init of inits) {
    const cells: string[] = [];
    for (const steps of TEST_STEPS) {
      const result = await evaluate(maml, init.params, testTasks, { episodes: flags.testTasks, innerSteps: steps, seed: flags.seed });
      cells.push(formatMse(result).padEnd(20));
    }
    io.out(`${init.title.padEnd(14)}${cells.join('')}\n`);
  }

  const svg = await figureFor(maml, inits, flags.seed, dtype);
  try {
    writeFileAtomic(out, Buffer.from(svg));
  } catch (err) {
    throw new ValueError(`demo: cannot write the figure to '${out}': ${(err as Error).message}`);
  }
  io.out(`\nfigure (true curve, the ${SHOTS} points, predictions before and after 1 and 10 steps): ${out}\n`);
}

/** Predictions of each initialisation on one fresh task, before and after adaptation. */
async function figureFor(maml: MAML, inits: { title: string; params: Params }[], seed: number, dtype: 'float32' | 'float64'): Promise<string> {
  // A fresh task with an amplitude of at least 2, so the figure is legible.
  const family = new Sinusoid({ seed: deriveSeed(seed, TEST_STREAM, 1_000_000), dtype });
  let task = family.sample({ shots: SHOTS, queries: 0 });
  while (task.amplitude < 2) task = family.sample({ shots: SHOTS, queries: 0 });
  const grid = Array.from({ length: 200 }, (_, i) => -5 + (10 * i) / 199);
  const gridX = tensor(grid, [grid.length, 1], dtype);
  const panels: DemoPanel[] = [];
  for (const init of inits) {
    const predictions = new Map<number, number[]>();
    for (const steps of TEST_STEPS) {
      const adapted = steps === 0 ? init.params : await maml.adaptParams(init.params, task.support, { innerSteps: steps });
      predictions.set(steps, Array.from(maml.model.apply(adapted, gridX).toArray()));
    }
    panels.push({ title: init.title, predictions });
  }
  return renderDemoFigure({
    grid,
    truth: grid.map((x) => sinusoidValue(task, x)),
    support: { x: Array.from(task.support.x.toArray()), y: Array.from(task.support.y.toArray()) },
    panels,
    caption: `y = ${task.amplitude.toFixed(2)} sin(x - ${task.phase.toFixed(2)}); inner lr ${INNER_LR}; metalearn demo`,
  });
}

/** Fails before a minute of training, not after, when the figure cannot be written. */
function checkWritableFile(path: string): void {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new ValueError(`demo: cannot write the figure to '${path}': directory '${dir}' is not writable (${(err as Error).message})`);
  }
}

function formatMse(result: EvaluationResult): string {
  return `${result.mean.toFixed(3)} +/- ${result.ci95.toFixed(3)}`;
}
