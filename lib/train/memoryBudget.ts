/**
 * Memory budget: the peak tensor memory of an evaluation chunk or a training meta-batch,
 * estimated before it runs, against a limit (the caller's maxMemoryBytes / --max-memory, else
 * FREE_MEMORY_SHARE of the free memory). Work that cannot fit is refused with an
 * OutOfMemoryError giving the estimate, the limit and what to reduce, instead of the process
 * growing until the OS kills it.
 *
 * The model (all sizes in bytes, from a task's TaskMemoryProfile, lib/algorithms/memoryProfile.ts):
 *   P  one copy of the adapted / differentiated parameters     E  the task's own tensors
 *   Fs values of one forward pass on the support set           Fq the same on the query set
 *   O  query outputs kept per task (logits, scores)            k  inner steps, T engine threads
 * A program run keeps every value it computes until it ends (F); a reverse pass (vjp) peaks at
 * about VJP_FACTOR F (cotangents are freed as they are consumed), and the second-order
 * meta-gradient's forward-over-reverse passes at about HVP_FACTOR F.
 *   evaluation, per running task:  W = max(k > 0 ? VJP Fs + 3 P : 0, Fq) + (k > 0 ? P : 0)
 *              per task of a chunk: K = E + O + (k > 0 ? P : 0)       (held until the chunk ends)
 *   training (second order, the upper bound), per running task:
 *                                   W = (k + 3) P + max(VJP Fq, HVP Fs)
 *              per task of a batch: K = E + O + P                      (its gradient)
 *   peak of c tasks = c K + min(c, T) W          (the engines run min(c, T) tasks at once)
 * The factors are measured on the native core (conv4 on Omniglot, ProtoNet and MAML, support-
 * and query-heavy episodes); test/train/memoryBudget.test.ts keeps measured / estimated peak
 * tensor bytes within [MODEL_FACTOR_LOW, MODEL_FACTOR_HIGH]. Memory the estimate does not see
 * (the JavaScript heap, the allocator's caches) is what FREE_MEMORY_SHARE leaves free.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import type { Backend } from '../backend/types.js';
import type { TaskMemoryProfile } from '../algorithms/memoryProfile.js';
import { OutOfMemoryError, ValueError } from '../errors.js';

/** Share of the free memory work may use when the caller sets no limit. */
export const FREE_MEMORY_SHARE = 0.8;
/** Measured native peak / estimate stays within these on the calibration cases (the test's bounds). */
export const MODEL_FACTOR_LOW = 0.75;
export const MODEL_FACTOR_HIGH = 1.25;
/** Peak of a reverse pass over a program, in units of its forward values (measured 1.4-1.46). */
const VJP_FACTOR = 1.5;
/** Peak of the second-order meta-gradient's passes over the support program (measured 2.5). */
const HVP_FACTOR = 2.6;

export interface MemoryLimit {
  bytes: number;
  /** How it was set, for messages: 'maxMemoryBytes 1.00 MB' or '80% of the 12.3 GB free memory'. */
  source: string;
}

/**
 * The limit for `where`: maxMemoryBytes when given (a positive number of bytes, else ValueError),
 * else FREE_MEMORY_SHARE of the free memory.
 */
export function memoryLimit(where: string, maxMemoryBytes: number | undefined): MemoryLimit {
  if (maxMemoryBytes !== undefined) {
    if (typeof maxMemoryBytes !== 'number' || !Number.isFinite(maxMemoryBytes) || maxMemoryBytes <= 0) {
      throw new ValueError(`${where}: maxMemoryBytes must be a positive finite number of bytes, got ${String(maxMemoryBytes)}`);
    }
    return { bytes: maxMemoryBytes, source: `the limit set by --max-memory / maxMemoryBytes (${formatBytes(maxMemoryBytes)})` };
  }
  const free = availableMemoryBytes();
  return { bytes: Math.floor(free * FREE_MEMORY_SHARE), source: `${Math.round(FREE_MEMORY_SHARE * 100)}% of the ${formatBytes(free)} free memory` };
}

/**
 * Memory this process may still use: MemAvailable (Linux: free plus reclaimable caches) or
 * os.freemem(), and no more than what is left of a cgroup limit.
 */
export function availableMemoryBytes(): number {
  let free = memAvailable() ?? freemem();
  const constrained = process.constrainedMemory?.() ?? 0;
  if (constrained > 0 && constrained < Number.MAX_SAFE_INTEGER) free = Math.min(free, Math.max(0, constrained - process.memoryUsage.rss()));
  return free;
}

function memAvailable(): number | undefined {
  try {
    const match = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined; // not Linux: os.freemem()
  }
}

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** '4GB', '512MB', '1.5GiB', '100000' (bytes) -> bytes; anything else is a ValueError naming `what`. */
export function parseByteSize(text: string, what = '--max-memory'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ValueError(`${what} must be a positive size such as 4GB, 512MB, 1.5GiB or a number of bytes, got '${text}'`);
  }
  return bytes;
}

export function formatBytes(bytes: number): string {
  const units: [number, string][] = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [size, name] of units) if (bytes >= size) return `${(bytes / size).toFixed(2)} ${name}`;
  return `${Math.round(bytes)} bytes`;
}

/** Tasks the backend's engines run at once: the native core's threads, 1 for the TypeScript core. */
export function engineThreads(backend: Backend): number {
  const counted = backend as Backend & { numThreads?: () => number };
  return typeof counted.numThreads === 'function' ? Math.max(1, counted.numThreads()) : 1;
}

/** Peak bytes of scoring `chunk` tasks of this profile at once with k inner steps on T threads. */
export function evaluationChunkBytes(p: TaskMemoryProfile, innerSteps: number, chunk: number, threads: number): number {
  const adapts = innerSteps > 0;
  const working = Math.max(adapts ? VJP_FACTOR * p.supportForwardBytes + 3 * p.paramBytes : 0, p.queryForwardBytes) + (adapts ? p.paramBytes : 0);
  const kept = p.episodeBytes + p.queryOutputBytes + (adapts ? p.paramBytes : 0);
  return chunk * kept + Math.min(chunk, threads) * working;
}

/** Peak bytes of one meta-gradient over `metaBatch` tasks of this profile (second order: an upper bound). */
export function metaBatchBytes(p: TaskMemoryProfile, metaBatch: number, threads: number): number {
  const working = (p.innerSteps + 3) * p.paramBytes + Math.max(VJP_FACTOR * p.queryForwardBytes, HVP_FACTOR * p.supportForwardBytes);
  const kept = p.episodeBytes + p.queryOutputBytes + p.paramBytes;
  return metaBatch * kept + Math.min(metaBatch, threads) * working;
}

export interface ChunkChoice {
  where: string;
  /** e.g. "protonet on omniglot 700-way 1-shot 15-query" */
  work: string;
  profile: TaskMemoryProfile;
  innerSteps: number;
  /** The largest chunk wanted (the evaluation's block of episodes). */
  maxChunk: number;
  threads: number;
  limit: MemoryLimit;
}

/**
 * The largest chunk <= maxChunk whose estimate fits the limit; an OutOfMemoryError when not even
 * one task fits. Chunking changes nothing in the results (tasks are scored independently).
 */
export function chooseEvaluationChunk(c: ChunkChoice): number {
  for (let chunk = c.maxChunk; chunk >= 1; chunk--) {
    if (evaluationChunkBytes(c.profile, c.innerSteps, chunk, c.threads) <= c.limit.bytes) return chunk;
  }
  const one = evaluationChunkBytes(c.profile, c.innerSteps, 1, c.threads);
  const steps = c.innerSteps > 0 ? `, the inner steps (${c.innerSteps}: --inner-steps)` : '';
  throw new OutOfMemoryError(
    `${c.where}: one episode of ${c.work} needs an estimated ${formatBytes(one)} of tensor memory ` +
      `(${describeProfile(c.profile)}), more than ${c.limit.source}. ` +
      `Reduce the ways, shots or queries per class (--ways, --shots, --queries)${steps}, or allow more memory (--max-memory / maxMemoryBytes).`,
  );
}

export interface MetaBatchCheck {
  where: string;
  work: string;
  profile: TaskMemoryProfile;
  metaBatch: number;
  threads: number;
  limit: MemoryLimit;
}

/** An OutOfMemoryError, before training starts, when one meta-batch's estimate exceeds the limit. */
export function checkMetaBatchFits(c: MetaBatchCheck): void {
  const needed = metaBatchBytes(c.profile, c.metaBatch, c.threads);
  if (needed <= c.limit.bytes) return;
  const threads = c.threads > 1 ? `, the engine threads (${c.threads}: METALEARN_THREADS)` : '';
  const steps = c.profile.innerSteps > 0 ? `, the inner steps (${c.profile.innerSteps}: --inner-steps)` : '';
  throw new OutOfMemoryError(
    `${c.where}: a meta-batch of ${c.metaBatch} tasks of ${c.work} needs an estimated ${formatBytes(needed)} of tensor memory ` +
      `(per task: ${describeProfile(c.profile)}), more than ${c.limit.source}. ` +
      `Reduce the meta-batch (--meta-batch), the ways, shots or queries per class (--ways, --shots, --queries)${steps}${threads}, ` +
      `or allow more memory (--max-memory / maxMemoryBytes). The meta-batch is not changed for you: that would change the training.`,
  );
}

function describeProfile(p: TaskMemoryProfile): string {
  const parts = [`episode tensors ${formatBytes(p.episodeBytes)}`];
  if (p.supportForwardBytes > 0) parts.push(`support pass ${formatBytes(p.supportForwardBytes)}`);
  parts.push(`${p.supportForwardBytes > 0 ? 'query pass' : 'episode pass'} ${formatBytes(p.queryForwardBytes)}`, `parameters ${formatBytes(p.paramBytes)}`);
  return parts.join(', ');
}
