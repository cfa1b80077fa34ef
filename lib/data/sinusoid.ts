/**
 * Sinusoid regression tasks exactly as in the MAML paper (Finn et al., 2017, section 5.1):
 *   amplitude A ~ U[0.1, 5], phase p ~ U[0, pi], inputs x ~ U[-5, 5], y = A sin(x - p).
 * sample({ shots, queries }) draws a task, then K support and Q query points from it.
 * grid(task, n) evaluates a task on n evenly spaced points of [-5, 5] (for plots / fixed eval).
 */
import { expectRecord, optionsRecord } from '../core/args.js';
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import { checkCount } from './classFilter.js';
import { Random } from './random.js';
import { floatTensor } from './toTensor.js';

export const SINUSOID_AMPLITUDE_RANGE: readonly [number, number] = [0.1, 5];
export const SINUSOID_PHASE_RANGE: readonly [number, number] = [0, Math.PI];
export const SINUSOID_INPUT_RANGE: readonly [number, number] = [-5, 5];

export interface SinusoidTask {
  amplitude: number;
  phase: number;
}

/** x and y: [count, 1] */
export interface RegressionSet {
  x: Tensor;
  y: Tensor;
}

export interface SinusoidEpisode extends SinusoidTask {
  support: RegressionSet;
  query: RegressionSet;
}

export interface SinusoidOptions {
  seed?: number;
  /** Default float32. */
  dtype?: DType;
}

export class Sinusoid {
  readonly dtype: DType;
  private readonly rng: Random;

  constructor(options: SinusoidOptions = {}) {
    optionsRecord(options, 'sinusoid: options');
    this.rng = new Random(options.seed ?? 0);
    this.dtype = options.dtype ?? 'float32';
  }

  /** A random task (amplitude, phase). */
  sampleTask(): SinusoidTask {
    const amplitude = this.rng.uniform(SINUSOID_AMPLITUDE_RANGE[0], SINUSOID_AMPLITUDE_RANGE[1]);
    const phase = this.rng.uniform(SINUSOID_PHASE_RANGE[0], SINUSOID_PHASE_RANGE[1]);
    return { amplitude, phase };
  }

  /** A random task with K support and Q query points drawn independently from U[-5, 5]. */
  sample(options: { shots: number; queries: number }): SinusoidEpisode {
    expectRecord(options, 'sinusoid.sample: options');
    checkCount(options.shots, 'shots', 1, 'sinusoid.sample');
    checkCount(options.queries, 'queries', 0, 'sinusoid.sample');
    const task = this.sampleTask();
    return { ...task, support: this.points(task, options.shots), query: this.points(task, options.queries) };
  }

  /** A meta-batch of independent tasks. */
  sampleBatch(count: number, options: { shots: number; queries: number }): SinusoidEpisode[] {
    checkCount(count, 'count', 1, 'sinusoid.sampleBatch');
    return Array.from({ length: count }, () => this.sample(options));
  }

  /** n points of `task` for x evenly spaced over [-5, 5] (both ends included). */
  grid(task: SinusoidTask, n: number): RegressionSet {
    checkCount(n, 'n', 2, 'sinusoid.grid');
    const [low, high] = SINUSOID_INPUT_RANGE;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = low + ((high - low) * i) / (n - 1);
    return this.toSet(task, x);
  }

  private points(task: SinusoidTask, count: number): RegressionSet {
    const x = new Float64Array(count);
    for (let i = 0; i < count; i++) x[i] = this.rng.uniform(SINUSOID_INPUT_RANGE[0], SINUSOID_INPUT_RANGE[1]);
    return this.toSet(task, x);
  }

  private toSet(task: SinusoidTask, x: Float64Array): RegressionSet {
    const y = x.map((v) => sinusoidValue(task, v));
    return { x: floatTensor(x, [x.length, 1], this.dtype), y: floatTensor(y, [y.length, 1], this.dtype) };
  }
}

/** y = A sin(x - phase) */
export function sinusoidValue(task: SinusoidTask, x: number): number {
  return task.amplitude * Math.sin(x - task.phase);
}

export function sinusoid(options: SinusoidOptions = {}): Sinusoid {
  return new Sinusoid(options);
}
