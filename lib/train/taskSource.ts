/**
 * Counter-based task streams. The tasks of meta-iteration i come from a sampler seeded with
 * deriveSeed(seed, TRAIN_STREAM, i), so they are a pure function of (seed, i): a checkpoint
 * needs only the seed and the iteration to continue the very same stream, and validation /
 * test tasks (their own streams) never depend on how long training ran.
 */
import type { DType } from '../backend/types.js';
import type { Task } from '../algorithms/types.js';
import type { FewShotDataset } from '../data/dataset.js';
import { EpisodeSampler } from '../data/episodeSampler.js';
import { Sinusoid } from '../data/sinusoid.js';

export interface TaskSource {
  /** `count` tasks drawn from a sampler seeded with `seed` (same seed -> same tasks). */
  sample(seed: number, count: number): Task[];
  /**
   * Added (optional): the same tasks as sample(seed, count), made one at a time as they are
   * iterated, so a caller that scores them in smaller chunks never holds them all (evaluate()).
   */
  sampleEach?(seed: number, count: number): Iterable<Task>;
  /** 'regression' tasks are scored by MSE, 'classification' by accuracy. */
  readonly kind: 'regression' | 'classification';
  /** For logs and checkpoints, e.g. 'sinusoid 10-shot'. */
  readonly description: string;
}

export const TRAIN_STREAM = 1;
export const VALIDATION_STREAM = 2;
export const TEST_STREAM = 3;

/**
 * A 32-bit seed from (seed, stream, index) by SplitMix32-style mixing (Steele et al.'s
 * SplitMix finaliser with the murmur3 constants), so nearby counters give unrelated seeds.
 */
export function deriveSeed(seed: number, stream: number, index: number): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(stream >>> 0, 0x85ebca6b));
  h = mix32(h ^ Math.imul(index >>> 0, 0xc2b2ae35) ^ Math.floor(index / 2 ** 32));
  return h >>> 0;
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export interface SinusoidTaskOptions {
  shots: number;
  queries: number;
  dtype?: DType;
}

/** MAML paper sinusoid regression tasks (lib/data/sinusoid.ts). */
export function sinusoidTasks(options: SinusoidTaskOptions): TaskSource {
  return {
    kind: 'regression',
    description: `sinusoid ${options.shots}-shot ${options.queries}-query`,
    sample: (seed, count) =>
      new Sinusoid({ seed, dtype: options.dtype }).sampleBatch(count, { shots: options.shots, queries: options.queries }),
    sampleEach: (seed, count) => {
      const sinusoid = new Sinusoid({ seed, dtype: options.dtype });
      return repeat(count, () => sinusoid.sample({ shots: options.shots, queries: options.queries }));
    },
  };
}

export interface EpisodeTaskOptions {
  ways: number;
  shots: number;
  queries: number;
  /** Dataset classes to draw from (a split); default all. */
  classes?: readonly number[];
  dtype?: DType;
}

/** N-way K-shot episodes of a few-shot dataset (lib/data EpisodeSampler). */
export function episodeTasks(dataset: FewShotDataset, options: EpisodeTaskOptions): TaskSource {
  // Built once to validate ways/shots against the dataset up front (clear error before training).
  new EpisodeSampler(dataset, { ...options, seed: 0 });
  return {
    kind: 'classification',
    description: `${dataset.name} ${options.ways}-way ${options.shots}-shot ${options.queries}-query`,
    sample: (seed, count) => new EpisodeSampler(dataset, { ...options, seed }).sampleBatch(count),
    sampleEach: (seed, count) => {
      const sampler = new EpisodeSampler(dataset, { ...options, seed });
      return repeat(count, () => sampler.sample());
    },
  };
}

/** count results of make(), made as they are iterated (sampleBatch(count) is count sample() calls in a row). */
function* repeat<T>(count: number, make: () => T): Generator<T> {
  for (let i = 0; i < count; i++) yield make();
}

/**
 * Frees the tensors of tasks that `TaskSource.sample` made (the caller owns them). Training
 * and evaluation call this after each use so memory stays flat without waiting for the GC.
 */
export function disposeTasks(tasks: readonly Task[]): void {
  for (const task of tasks) {
    for (const set of [task.support, task.query]) {
      set.x.dispose();
      if (!(set.y instanceof Int32Array)) set.y.dispose();
    }
  }
}

/** Lets pending macrotasks (tensor finalizers, I/O, progress output) run between iterations. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
