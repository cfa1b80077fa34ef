/**
 * Training checkpoints as safetensors files (safetensors.ts), loadable in Python with
 * `safetensors.numpy.load_file(path)`:
 *
 *   tensors    the parameters under their own names ('layer0.weight', ...), at their dtype;
 *              optimiser slots as 'optimizer/<slot>/<param name>' (float64)
 *   metadata   format = 'metalearn.checkpoint', format_version = '1', iteration, seed,
 *              learner, model (description), config (JSON), optimizer (JSON: kind, step,
 *              hyper), rng (JSON: sampler/RNG state), params (JSON: parameter names)
 *
 * Written atomically (atomicWrite.ts). Loading validates everything and throws CheckpointError
 * naming the file and what is wrong: truncated, corrupt, or from another model.
 */
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../errors.js';
import type { DType } from '../backend/types.js';
import { writeFileAtomic, type AtomicWriteHooks } from './atomicWrite.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { NamedArrays } from './namedArrays.js';
import type { OptimizerState } from './optimizers.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Checkpoint {
  params: NamedArrays;
  optimizer: OptimizerState;
  /** Meta-iterations completed. */
  iteration: number;
  seed: number;
  /** Registry name of the learner, e.g. 'maml'. */
  learner: string;
  /** Human-readable model description, e.g. 'mlp 1-40-40-1'. */
  model: string;
  /** The run's configuration (CLI options), enough to rebuild learner, model and data. */
  config: { [key: string]: JsonValue };
  /** Sampler / RNG state, whatever the task source needs to continue the same task stream. */
  rng: { [key: string]: JsonValue };
}

/** What the loader checks a checkpoint against (the model being restored). */
export interface CheckpointExpectation {
  params?: Record<string, { shape: readonly number[]; dtype?: DType }>;
  learner?: string;
}

const FORMAT = 'metalearn.checkpoint';
const FORMAT_VERSION = '1';
const OPTIMIZER_PREFIX = 'optimizer/';

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const tensors: NamedArrays = {};
  for (const name of Object.keys(checkpoint.params)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      throw new CheckpointError(`saveCheckpoint: parameter name '${name}' uses the reserved prefix '${OPTIMIZER_PREFIX}'`);
    }
    tensors[name] = checkpoint.params[name];
  }
  for (const [slot, arrays] of Object.entries(checkpoint.optimizer.slots)) {
    for (const [name, array] of Object.entries(arrays)) tensors[`${OPTIMIZER_PREFIX}${slot}/${name}`] = array;
  }
  const { kind, step, hyper } = checkpoint.optimizer;
  return encodeSafetensors(tensors, {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    iteration: String(checkpoint.iteration),
    seed: String(checkpoint.seed),
    learner: checkpoint.learner,
    model: checkpoint.model,
    config: JSON.stringify(checkpoint.config),
    optimizer: JSON.stringify({ kind, step, hyper }),
    rng: JSON.stringify(checkpoint.rng),
    params: JSON.stringify(Object.keys(checkpoint.params).sort()),
  });
}

/** Writes the checkpoint atomically: a failure at any point leaves the previous file at `path` intact. */
export function saveCheckpoint(path: string, checkpoint: Checkpoint, hooks?: AtomicWriteHooks): void {
  const bytes = encodeCheckpoint(checkpoint);
  try {
    writeFileAtomic(path, bytes, hooks);
  } catch (err) {
    throw new CheckpointError(`saveCheckpoint: cannot write '${path}': ${(err as Error).message}`);
  }
}

export function loadCheckpoint(path: string, expect: CheckpointExpectation = {}): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CheckpointError(`loadCheckpoint: cannot read '${path}': ${(err as Error).message}`);
  }
  return decodeCheckpoint(bytes, path, expect);
}

export function decodeCheckpoint(bytes: Uint8Array, source: string, expect: CheckpointExpectation = {}): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, `checkpoint '${source}'`);
  const meta = new MetadataReader(metadata, source);
  if (meta.string('format') !== FORMAT) {
    throw new CheckpointError(`checkpoint '${source}': not a metalearn checkpoint (metadata format is '${metadata.format}')`);
  }
  if (meta.string('format_version') !== FORMAT_VERSION) {
    throw new CheckpointError(`checkpoint '${source}': format_version '${metadata.format_version}' is not supported (expected ${FORMAT_VERSION})`);
  }
  const paramNames = meta.json('params');
  if (!Array.isArray(paramNames) || !paramNames.every((n) => typeof n === 'string')) {
    throw new CheckpointError(`checkpoint '${source}': metadata 'params' is not a list of names`);
  }
  const params: NamedArrays = {};
  for (const name of paramNames as string[]) {
    if (!(name in tensors)) throw new CheckpointError(`checkpoint '${source}': parameter '${name}' is listed in metadata but has no tensor`);
    params[name] = tensors[name];
  }
  const optimizerInfo = meta.json('optimizer') as { kind?: unknown; step?: unknown; hyper?: unknown };
  if ((optimizerInfo.kind !== 'sgd' && optimizerInfo.kind !== 'adam') || !Number.isSafeInteger(optimizerInfo.step)) {
    throw new CheckpointError(`checkpoint '${source}': metadata 'optimizer' is malformed: ${metadata.optimizer}`);
  }
  const checkpoint: Checkpoint = {
    params,
    optimizer: {
      kind: optimizerInfo.kind,
      step: optimizerInfo.step as number,
      hyper: (optimizerInfo.hyper ?? {}) as Record<string, number>,
      slots: optimizerSlots(tensors),
    },
    iteration: meta.integer('iteration'),
    seed: meta.integer('seed'),
    learner: meta.string('learner'),
    model: meta.string('model'),
    config: meta.json('config') as Checkpoint['config'],
    rng: meta.json('rng') as Checkpoint['rng'],
  };
  checkExpectation(checkpoint, expect, source);
  return checkpoint;
}

function optimizerSlots(tensors: NamedArrays): Record<string, NamedArrays> {
  const slots: Record<string, NamedArrays> = {};
  for (const name of Object.keys(tensors)) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) continue;
    const rest = name.slice(OPTIMIZER_PREFIX.length);
    const slash = rest.indexOf('/');
    const slot = rest.slice(0, slash);
    (slots[slot] ??= {})[rest.slice(slash + 1)] = tensors[name];
  }
  return slots;
}

/** A checkpoint from another model (names, shapes, dtypes) or another learner is refused. */
function checkExpectation(checkpoint: Checkpoint, expect: CheckpointExpectation, source: string): void {
  if (expect.learner !== undefined && expect.learner !== checkpoint.learner) {
    throw new CheckpointError(`checkpoint '${source}' was trained with learner '${checkpoint.learner}', not '${expect.learner}'`);
  }
  if (expect.params === undefined) return;
  const problems: string[] = [];
  const have = checkpoint.params;
  const missing = Object.keys(expect.params).filter((n) => !(n in have)).sort();
  const unexpected = Object.keys(have).filter((n) => !(n in expect.params!)).sort();
  if (missing.length > 0) problems.push(`missing parameters [${missing.join(', ')}]`);
  if (unexpected.length > 0) problems.push(`unexpected parameters [${unexpected.join(', ')}]`);
  for (const name of Object.keys(expect.params).sort()) {
    if (!(name in have)) continue;
    const want = expect.params[name];
    if (want.shape.join(',') !== have[name].shape.join(',')) {
      problems.push(`'${name}' has shape [${have[name].shape.join(', ')}], the model needs [${want.shape.join(', ')}]`);
    } else if (want.dtype !== undefined && want.dtype !== have[name].dtype) {
      problems.push(`'${name}' is ${have[name].dtype}, the model needs ${want.dtype}`);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError(`checkpoint '${source}' does not fit this model (${checkpoint.model}, learner ${checkpoint.learner}): ${problems.join('; ')}`);
  }
}

class MetadataReader {
  constructor(
    private readonly metadata: Record<string, string>,
    private readonly source: string,
  ) {}

  string(key: string): string {
    const value = this.metadata[key];
    if (value === undefined) throw new CheckpointError(`checkpoint '${this.source}': metadata has no '${key}'`);
    return value;
  }

  integer(key: string): number {
    const value = Number(this.string(key));
    if (!Number.isSafeInteger(value)) throw new CheckpointError(`checkpoint '${this.source}': metadata '${key}' = '${this.metadata[key]}' is not an integer`);
    return value;
  }

  json(key: string): JsonValue {
    try {
      return JSON.parse(this.string(key)) as JsonValue;
    } catch (err) {
      if (err instanceof CheckpointError) throw err;
      throw new CheckpointError(`checkpoint '${this.source}': metadata '${key}' is not valid JSON`);
    }
  }
}
