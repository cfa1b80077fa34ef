/**
 * A trained run rebuilt from its checkpoint: the stored configuration (with optional
 * overrides), the model and learner it describes (runSetup.ts / registry.ts), and the
 * parameters, validated against that model (names, shapes: another model's checkpoint is a
 * CheckpointError naming the file) and cast to the run's dtype. Shared by `metalearn eval`,
 * `metalearn predict` and the library's loadLearner (lib/train/loadLearner.ts).
 * The data is not touched: the task sources are only built when a caller asks for them.
 */
import type { Params } from '../algorithms/types.js';
import { ValueError } from '../errors.js';
import { loadCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import type { NamedArrays } from '../train/namedArrays.js';
import { arraysToParams, disposeParams, paramsToArrays } from '../train/paramArrays.js';
import { algorithmEntry } from './registry.js';
import { resolveRunConfig, runConfigFromJson, type RunConfig } from './runConfig.js';
import { buildRun, type RunSetup } from './runSetup.js';
import { typedArrayFor } from '../core/typedArray.js';

/** Choices a caller may change from the stored run (undefined: keep the stored value). */
export type RunOverrides = Partial<Pick<RunConfig, 'ways' | 'shots' | 'queries' | 'dataRoot' | 'dtype'>>;

export interface CheckpointRun {
  /** The run's configuration as stored. */
  stored: RunConfig;
  /** The configuration in use (stored + overrides). */
  config: RunConfig;
  run: RunSetup;
  /** The checkpoint's parameters as tensors on the current backend, at config.dtype; the caller owns them. */
  params: Params;
  /** The validated checkpoint (iteration, optimizer state, ...). */
  checkpoint: Checkpoint;
}

/**
 * `command` prefixes the errors, e.g. 'eval'. `checkConfig` runs on the configuration in use
 * before the model is built and the weights are read (eval checks its data root there: the
 * cheap, likely mistake is reported first).
 */
export function restoreRun(
  path: string,
  overrides: RunOverrides = {},
  command = 'loadLearner',
  checkConfig?: (config: RunConfig) => void,
): CheckpointRun {
  const first = loadCheckpoint(path);
  const stored = runConfigFromJson(first.config, `checkpoint '${path}'`);
  const config = resolveRunConfig({ ...stored, ...definedOnly(overrides) });
  if (config.ways !== stored.ways && algorithmEntry(config.algo).head === 'outputs') {
    throw new ValueError(
      `${command}: '${config.algo}' was trained with a ${stored.ways}-way output layer; --ways ${config.ways} needs a metric learner (protonet, matching, ...)`,
    );
  }
  checkConfig?.(config);
  const run = buildRun(config);
  // Validate the checkpoint against the model just built (names, shapes): another model's
  // checkpoint is a CheckpointError here, not a shape error deep inside the first episode.
  const template = run.learner.init(config.seed, stored.dtype);
  const checkpoint = loadCheckpoint(path, { params: paramsToArrays(template), learner: run.learner.name });
  disposeParams(template);
  return { stored, config, run, params: arraysToParams(castTo(checkpoint.params, config.dtype)), checkpoint };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function castTo(arrays: NamedArrays, dtype: 'float32' | 'float64'): NamedArrays {
  const out: NamedArrays = {};
  for (const [name, a] of Object.entries(arrays)) {
    out[name] = a.dtype === dtype ? a : { dtype, shape: a.shape, data: typedArrayFor(dtype, a.data) };
  }
  return out;
}
