/**
 * Episode shapes. Samplers build an EpisodeArrays (plain typed arrays, reused nowhere, safe to
 * keep) and wrap it into an Episode of tensors at the very end (toEpisode).
 */
import type { Tensor } from '../core/tensor.js';

/** One side of an episode as arrays. x: [count, ...exampleShape] row-major; y: labels 0..ways-1. */
export interface EpisodeSetArrays {
  x: Float32Array;
  y: Int32Array;
  /** [count, ...exampleShape] */
  shape: number[];
}

export interface EpisodeArrays {
  support: EpisodeSetArrays;
  query: EpisodeSetArrays;
  /** classes[label] = the dataset class index behind that label. */
  classes: number[];
  /** Support examples per label (all equal to K for fixed-shot sampling). */
  shots: number[];
  /** Query examples per label. */
  queries: number[];
  /** Which source produced the episode (multi-source sampling; 0 otherwise). */
  source: number;
}

export interface EpisodeSet {
  /** [count, ...exampleShape], e.g. [N*K, C, H, W] */
  x: Tensor;
  y: Int32Array;
}

export interface Episode {
  support: EpisodeSet;
  query: EpisodeSet;
  classes: number[];
  shots: number[];
  queries: number[];
  source: number;
}

/** Anything that produces episodes: samplers, multi-source mixtures. */
export interface EpisodeSource {
  sampleArrays(): EpisodeArrays;
  sample(): Episode;
  sampleBatch(count: number): Episode[];
}
