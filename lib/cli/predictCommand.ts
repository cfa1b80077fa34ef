/**
 * `metalearn predict`: adapt a trained checkpoint to a labelled support set and predict a query
 * set, both given as .npy files (lib/data/npy.ts), printing JSON on stdout:
 *   classification: { "predictions": [class id per query row], "logits": [[score per class], ...] }
 *   regression:     { "predictions": [output per query row],   "outputs": [[...], ...] }
 * plus "algorithm", "checkpoint" and (MAML family) "innerSteps".
 *
 * Files: --support DIR reads DIR/x.npy and DIR/y.npy; --support-x / --support-y name the two
 * files instead. --query is a .npy file of inputs, or a folder holding x.npy.
 * x: [n, ...] the model's input (sinusoid: [n, 1] or [n]; Omniglot: [n, 1, S, S] with ink 1 and
 * background 0, S the run's image size), any float or integer dtype. y: class ids 0..ways-1
 * (any integer dtype, [n]) for classification; targets [n, 1] or [n] for regression.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import type { LabeledSet } from '../algorithms/types.js';
import type { DType } from '../backend/types.js';
import { tensor } from '../core/creation.js';
import type { Tensor } from '../core/tensor.js';
import { DataError, ShapeError, ValueError } from '../errors.js';
import { parseNpy, type NpyArray } from '../data/npy.js';
import { disposeParams } from '../train/paramArrays.js';
import { chooseBackend } from './backendChoice.js';
import { restoreRun } from './checkpointRun.js';
import { addBackendFlags, integerArg } from './flags.js';
import type { CliIO } from './io.js';
import { usesInnerSteps } from './registry.js';
import type { RunConfig } from './runConfig.js';

interface PredictFlags {
  checkpoint: string;
  support?: string;
  supportX?: string;
  supportY?: string;
  query: string;
  innerSteps?: number;
  backend?: string;
  dtype?: DType;
}

const HELP = `
Files (numpy .npy; write them with numpy.save):
  --support DIR        DIR/x.npy (inputs) and DIR/y.npy (labels or targets)
  --support-x/-y FILE  the same two files named one by one
  --query PATH         a .npy file of inputs, or a folder holding x.npy
  x: [n, ...] the model's inputs: sinusoid [n, 1] (or [n]); omniglot [n, 1, S, S], ink 1 and
     background 0, S the run's --image-size (28 by default). Any float or integer dtype.
  y: class ids 0..ways-1 ([n], integer dtype) for classifiers; targets [n, 1] (or [n]) for
     regression (sinusoid).
Output (stdout, JSON):
  classifiers: {"predictions": [class per query row], "logits": [[score per class], ...]}
  regression:  {"predictions": [output per query row], "outputs": [[...], ...]}

Example:
  metalearn predict --checkpoint runs/maml/checkpoint.safetensors --support task/ --query task/query.npy
`;

export function predictCommand(io: CliIO): Command {
  const command = new Command('predict')
    .description('adapt a checkpoint to a support set and predict a query set (.npy files), printing JSON')
    .requiredOption('--checkpoint <file>', 'checkpoint written by metalearn train (safetensors)')
    .option('--support <dir>', 'folder holding x.npy and y.npy: the labelled support set')
    .option('--support-x <file>', 'support inputs (.npy), instead of --support')
    .option('--support-y <file>', 'support labels or targets (.npy), instead of --support')
    .requiredOption('--query <path>', 'query inputs: a .npy file, or a folder holding x.npy')
    .option('--inner-steps <n>', "MAML family: inner-loop steps on the support set (default: the run's test-inner-steps)", integerArg)
    .addHelpText('after', HELP);
  addBackendFlags(command);
  return command.action(async (flags: PredictFlags) => runPredict(flags, io));
}

async function runPredict(flags: PredictFlags, io: CliIO): Promise<void> {
  chooseBackend(flags.backend);
  const files = supportFiles(flags);
  const queryFile = inputFile('--query', flags.query);
  const { config, run, params } = restoreRun(flags.checkpoint, flags.dtype ? { dtype: flags.dtype } : {}, 'predict');
  if (flags.innerSteps !== undefined && !usesInnerSteps(config.algo)) {
    throw new ValueError(`predict: --inner-steps applies to the MAML family; '${config.algo}' adapts without inner steps`);
  }
  const regression = config.dataset === 'sinusoid';
  const support: LabeledSet = {
    x: inputs(files.x, config),
    y: regression ? targets(files.y, config) : classIds(files.y, config),
  };
  checkRows(files, support);
  const query = inputs(queryFile, config);
  const learner = run.learner;
  if (!learner.adapt) throw new ValueError(`predict: '${config.algo}' cannot adapt`);
  const predictor = await learner.adapt(params, support, flags.innerSteps === undefined ? {} : { steps: flags.innerSteps });
  try {
    const out = predictor.predict(query);
    const rows = toRows(out);
    out.dispose();
    const steps = usesInnerSteps(config.algo) ? { innerSteps: flags.innerSteps ?? config.testInnerSteps } : {};
    const result = regression
      ? { predictions: rows.map((r) => (r.length === 1 ? r[0] : r)), outputs: rows }
      : { predictions: rows.map(argmax), logits: rows };
    io.out(JSON.stringify({ algorithm: config.algo, checkpoint: flags.checkpoint, ...steps, ...result }) + '\n');
  } finally {
    predictor.dispose();
    disposeParams(params);
  }
}

/** The support files: --support DIR, or --support-x and --support-y (not both ways). */
function supportFiles(flags: PredictFlags): { x: string; y: string } {
  const named = flags.supportX !== undefined || flags.supportY !== undefined;
  if (flags.support !== undefined && named) throw new ValueError('predict: give --support DIR or --support-x/--support-y, not both');
  if (flags.support !== undefined) {
    if (!existsSync(flags.support) || !statSync(flags.support).isDirectory()) {
      throw new DataError(`predict: --support ${flags.support} is not a folder (expected a folder holding x.npy and y.npy)`);
    }
    return { x: existing('--support', join(flags.support, 'x.npy')), y: existing('--support', join(flags.support, 'y.npy')) };
  }
  if (flags.supportX === undefined || flags.supportY === undefined) {
    throw new ValueError('predict: the support set is missing: give --support DIR (with x.npy, y.npy) or both --support-x and --support-y');
  }
  return { x: existing('--support-x', flags.supportX), y: existing('--support-y', flags.supportY) };
}

/** A .npy file, or a folder's x.npy. */
function inputFile(flag: string, path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) return existing(flag, join(path, 'x.npy'));
  return existing(flag, path);
}

function existing(flag: string, path: string): string {
  if (!existsSync(path)) throw new DataError(`predict: ${flag}: file ${path} not found`);
  return path;
}

function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

/** The per-example input shape the run's model takes. */
function exampleShape(config: RunConfig): number[] {
  return config.dataset === 'sinusoid' ? [1] : [1, config.imageSize, config.imageSize];
}

/** x [n, ...example shape] as a float tensor ([n] is [n, 1] for sinusoid). */
function inputs(path: string, config: RunConfig): Tensor {
  const a = readNpy(path);
  const expected = exampleShape(config);
  const shape = config.dataset === 'sinusoid' && a.shape.length === 1 ? [a.shape[0], 1] : a.shape;
  const item = shape.slice(1);
  if (shape.length === 0 || item.length !== expected.length || item.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      `predict: ${path} has shape [${a.shape.join(', ')}] but the ${config.algo} model on ${config.dataset} takes inputs [n, ${expected.join(', ')}]`,
    );
  }
  return tensor(Float64Array.from(a.data), shape, config.dtype);
}

function targets(path: string, config: RunConfig): Tensor {
  const a = readNpy(path);
  const shape = a.shape.length === 1 ? [a.shape[0], 1] : a.shape;
  if (shape.length !== 2 || shape[1] !== 1) {
    throw new ShapeError(`predict: ${path} has shape [${a.shape.join(', ')}] but regression targets are [n, 1] or [n]`);
  }
  return tensor(Float64Array.from(a.data), shape, config.dtype);
}

/** Class ids [n]: integers in [0, ways) (MAML-family heads have exactly `ways` outputs). */
function classIds(path: string, config: RunConfig): Int32Array {
  const a = readNpy(path);
  if (a.shape.length !== 1) throw new ShapeError(`predict: ${path} has shape [${a.shape.join(', ')}] but class ids are [n]`);
  const ids = new Int32Array(a.data.length);
  for (let i = 0; i < ids.length; i++) {
    const v = Number(a.data[i]);
    if (!Number.isInteger(v) || v < 0) throw new ValueError(`predict: ${path}[${i}] = ${v} is not a class id (an integer >= 0)`);
    if (usesInnerSteps(config.algo) && v >= config.ways) {
      throw new ValueError(`predict: ${path}[${i}] = ${v} but the ${config.algo} model has ${config.ways} classes (ids 0..${config.ways - 1})`);
    }
    ids[i] = v;
  }
  return ids;
}

function checkRows(files: { x: string; y: string }, support: LabeledSet): void {
  const n = support.x.shape[0];
  const m = support.y instanceof Int32Array ? support.y.length : support.y.shape[0];
  if (n !== m) throw new ShapeError(`predict: ${files.x} has ${n} examples but ${files.y} has ${m}`);
}

function toRows(t: Tensor): number[][] {
  const [n] = t.shape;
  const values = Array.from(t.toArray());
  const width = n === 0 ? 0 : values.length / n;
  return Array.from({ length: n }, (_, i) => values.slice(i * width, (i + 1) * width));
}

function argmax(row: number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
  return best;
}
