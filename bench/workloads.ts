/**
 * Seeded workloads shared by every contender (metalearn native, its TS twin, TensorFlow.js),
 * as plain typed arrays, so all of them do exactly the same work on the same numbers.
 */

/** Mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller). */
export function randomNormalArray(size: number, seed: number, scale = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.max(rand(), 1e-12);
    out[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}

export function randomUniformArray(size: number, seed: number, low = 0, high = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = low + (high - low) * rand();
  return out;
}

/** A regression set: x [n, 1], y [n, 1]. */
export interface RegressionSet {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** An image classification set: images [n, channels, size, size] (NCHW), labels [n]. */
export interface ImageSet {
  images: Float32Array;
  labels: Int32Array;
  n: number;
  channels: number;
  size: number;
}

export interface SinusoidTask {
  support: RegressionSet;
  query: RegressionSet;
}

export interface ImageTask {
  support: ImageSet;
  query: ImageSet;
}

/** MAML paper's sinusoid: y = A sin(x - phi), A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5]. */
export function sinusoidMetaBatch(tasks: number, shots: number, seed: number): SinusoidTask[] {
  const rand = seededRandom(seed);
  const sample = (amplitude: number, phase: number): RegressionSet => {
    const x = new Float32Array(shots);
    const y = new Float32Array(shots);
    for (let i = 0; i < shots; i++) {
      x[i] = -5 + 10 * rand();
      y[i] = amplitude * Math.sin(x[i] - phase);
    }
    return { x, y, n: shots };
  };
  const batch: SinusoidTask[] = [];
  for (let t = 0; t < tasks; t++) {
    const amplitude = 0.1 + 4.9 * rand();
    const phase = Math.PI * rand();
    batch.push({ support: sample(amplitude, phase), query: sample(amplitude, phase) });
  }
  return batch;
}

/** Random images with the shapes of an N-way K-shot episode (timing only: content does not matter). */
export function randomImageSet(ways: number, perClass: number, channels: number, size: number, seed: number): ImageSet {
  const n = ways * perClass;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i % ways;
  return { images: randomUniformArray(n * channels * size * size, seed), labels, n, channels, size };
}

export function imageMetaBatch(
  tasks: number,
  ways: number,
  shots: number,
  queries: number,
  seed: number,
  channels = 1,
  size = 28,
): ImageTask[] {
  const batch: ImageTask[] = [];
  for (let t = 0; t < tasks; t++) {
    batch.push({
      support: randomImageSet(ways, shots, channels, size, seed + 2 * t),
      query: randomImageSet(ways, queries, channels, size, seed + 2 * t + 1),
    });
  }
  return batch;
}
