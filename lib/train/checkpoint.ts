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
import { duplicateJsonKey } from './duplicateJsonKey.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import type { NamedArray, NamedArrays } from './namedArrays.js';
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
    throw new CheckpointError(`checkpoint '${source}': not a metalearn checkpoint (metadata format is '${metadata.format}', expected '${FORMAT}')`);
  }
  if (meta.string('format_version') !== FORMAT_VERSION) {
    throw new CheckpointError(`checkpoint '${source}': format_version '${metadata.format_version}' is not supported (expected ${FORMAT_VERSION})`);
  }
  const params = readParams(meta, tensors, source);
  const checkpoint: Checkpoint = {
    params,
    optimizer: readOptimizer(meta, tensors, params, source),
    iteration: meta.count('iteration'),
    seed: meta.integer('seed'),
    learner: meta.name('learner'),
    model: meta.string('model'),
    config: meta.object('config'),
    rng: meta.object('rng'),
  };
  checkExpectation(checkpoint, expect, source);
  return checkpoint;
}

/** The tensors listed in metadata 'params' (unique names, each present, finite values). */
function readParams(meta: MetadataReader, tensors: NamedArrays, source: string): NamedArrays {
  const names = meta.json('params');
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n.length > 0 && !n.startsWith(OPTIMIZER_PREFIX))) {
    throw new CheckpointError(`checkpoint '${source}': metadata 'params' must be a list of parameter names (non-empty, without the '${OPTIMIZER_PREFIX}' prefix), got ${meta.raw('params')}`);
  }
  const params: NamedArrays = {};
  for (const name of names as string[]) {
    if (Object.hasOwn(params, name)) throw new CheckpointError(`checkpoint '${source}': metadata 'params' lists '${name}' twice`);
    if (!Object.hasOwn(tensors, name)) throw new CheckpointError(`checkpoint '${source}': parameter '${name}' is listed in metadata but has no tensor`);
    checkFinite(name, tensors[name], source);
    params[name] = tensors[name];
  }
  for (const name of Object.keys(tensors)) {
    if (!Object.hasOwn(params, name) && !name.startsWith(OPTIMIZER_PREFIX)) {
      throw new CheckpointError(`checkpoint '${source}': tensor '${name}' is neither a listed parameter nor an optimizer slot`);
    }
  }
  return params;
}

/** Slot names each optimiser kind writes (optimizers.ts). */
const SLOTS_OF_KIND: Record<OptimizerState['kind'], readonly string[]> = { sgd: ['velocity'], adam: ['m', 'v'] };

/** Metadata 'optimizer' ({kind, step, hyper}) and its slot tensors 'optimizer/<slot>/<param>'. */
function readOptimizer(meta: MetadataReader, tensors: NamedArrays, params: NamedArrays, source: string): OptimizerState {
  const info = meta.object('optimizer');
  const { kind, step, hyper } = info;
  const bad = (what: string, given: unknown): never => {
    throw new CheckpointError(`checkpoint '${source}': metadata 'optimizer' ${what}, got ${JSON.stringify(given)}`);
  };
  if (kind !== 'sgd' && kind !== 'adam') return bad(`'kind' must be 'sgd' or 'adam'`, kind);
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return bad(`'step' must be a non-negative integer`, step);
  if (hyper === null || typeof hyper !== 'object' || Array.isArray(hyper)) return bad(`'hyper' must be an object of numbers`, hyper);
  for (const [key, value] of Object.entries(hyper)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) bad(`'hyper.${key}' must be a finite number`, value);
  }
  return { kind, step, hyper: hyper as Record<string, number>, slots: optimizerSlots(tensors, params, SLOTS_OF_KIND[kind], kind, source) };
}

function optimizerSlots(tensors: NamedArrays, params: NamedArrays, allowed: readonly string[], kind: string, source: string): Record<string, NamedArrays> {
  const slots: Record<string, NamedArrays> = {};
  for (const name of Object.keys(tensors)) {
    if (!name.startsWith(OPTIMIZER_PREFIX)) continue;
    const rest = name.slice(OPTIMIZER_PREFIX.length);
    const slash = rest.indexOf('/');
    const slot = rest.slice(0, Math.max(0, slash));
    const param = rest.slice(slash + 1);
    if (!allowed.includes(slot)) {
      throw new CheckpointError(`checkpoint '${source}': tensor '${name}' is not a slot of the '${kind}' optimizer (expected optimizer/{${allowed.join('|')}}/<parameter>)`);
    }
    if (!Object.hasOwn(params, param)) throw new CheckpointError(`checkpoint '${source}': optimizer slot '${name}' belongs to no listed parameter`);
    const t = tensors[name];
    if (t.dtype !== 'float64' || t.shape.join(',') !== params[param].shape.join(',')) {
      throw new CheckpointError(
        `checkpoint '${source}': optimizer slot '${name}' must be float64 [${params[param].shape.join(', ')}] like its parameter, got ${t.dtype} [${t.shape.join(', ')}]`,
      );
    }
    checkFinite(name, t, source);
    (slots[slot] ??= {})[param] = t;
  }
  return slots;
}

/** A checkpoint is the last good state: NaN or Inf in it means corruption, not training. */
function checkFinite(name: string, t: NamedArray, source: string): void {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw new CheckpointError(`checkpoint '${source}': tensor '${name}' holds ${t.data[i]} at element ${i} (expected finite values)`);
  }
}

/** A checkpoint from another model (names, shapes, dtypes) or another learner is refused. */
function checkExpectation(checkpoint: Checkpoint, expect: CheckpointExpectation, source: string): void {
  if (expect.learner !== undefined && expect.learner !== checkpoint.learner) {
    throw new CheckpointError(`checkpoint '${source}' was trained with learner '${checkpoint.learner}', not '${expect.learner}'`);
  }
  if (expect.params === undefined) return;
  const problems: string[] = [];
  const have = checkpoint.params;
  const missing = Object.keys(expect.params).filter((n) => !Object.hasOwn(have, n)).sort();
  const unexpected = Object.keys(have).filter((n) => !Object.hasOwn(expect.params!, n)).sort();
  if (missing.length > 0) problems.push(`missing parameters [${missing.join(', ')}]`);
  if (unexpected.length > 0) problems.push(`unexpected parameters [${unexpected.join(', ')}]`);
  for (const name of Object.keys(expect.params).sort()) {
    if (!Object.hasOwn(have, name)) continue;
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

  /** The stored text, for messages. */
  raw(key: string): string {
    return JSON.stringify(this.metadata[key]);
  }

  string(key: string): string {
    if (!Object.hasOwn(this.metadata, key)) throw new CheckpointError(`checkpoint '${this.source}': metadata has no '${key}'`);
    return this.metadata[key];
  }

  /** A non-empty string. */
  name(key: string): string {
    const value = this.string(key);
    if (value.length === 0) throw this.invalid(key, 'a non-empty string');
    return value;
  }

  /** A decimal integer in the safe range, e.g. '-3', '42' (not '', '1e3', '0x10', ' 7'). */
  integer(key: string): number {
    const text = this.string(key);
    const value = Number(text);
    if (!/^-?(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(value)) throw this.invalid(key, 'a decimal integer');
    return value;
  }

  /** A non-negative integer. */
  count(key: string): number {
    const value = this.integer(key);
    if (value < 0) throw this.invalid(key, 'a non-negative integer');
    return value;
  }

  json(key: string): JsonValue {
    const text = this.string(key);
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      throw this.invalid(key, 'valid JSON');
    }
    const duplicate = duplicateJsonKey(text);
    if (duplicate !== undefined) throw this.invalid(key, `JSON without repeated keys ('${duplicate}' occurs twice)`);
    return value;
  }

  /** A JSON object (not null, not an array). */
  object(key: string): { [key: string]: JsonValue } {
    const value = this.json(key);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw this.invalid(key, 'a JSON object');
    return value;
  }

  private invalid(key: string, expected: string): CheckpointError {
    return new CheckpointError(`checkpoint '${this.source}': metadata '${key}' must be ${expected}, got ${this.raw(key)}`);
  }
}
