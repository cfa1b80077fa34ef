// metalearn public API. Each area adds its exports at its marker.
export * from './errors.js';
export type { DType } from './backend/types.js';

// core (tensor, transforms, backends, ops, nn)

// data

// algorithms

// metric

// train
