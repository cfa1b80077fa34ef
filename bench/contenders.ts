/**
 * The two metalearn cores as benchmark contenders: tensors are created per backend (a tensor
 * belongs to the backend it was made on), so every case is built after setBackend(name).
 */
import { setBackend, tensor, type BackendName, type Tensor } from '../lib/index.js';
import type { Params } from '../lib/index.js';
import type { BenchCase } from './harness.js';
import type { ImageSet, RegressionSet } from './workloads.js';

export const CORES: BackendName[] = ['native', 'js'];

/** Name of a case on a core, e.g. "matmul 256 [native]". */
export function onCore(name: string, core: BackendName): string {
  return `${name} [${core}]`;
}

/**
 * A case that runs on `core`: it selects that core before each call, because some library code
 * creates helper tensors on the current backend (e.g. a loss seed), not on its inputs' backend.
 */
export function coreCase(core: BackendName, name: string, fn: () => unknown): BenchCase {
  return {
    name: onCore(name, core),
    fn: () => {
      setBackend(core);
      return fn();
    },
  };
}

/** Selects the core; returns a reason to skip it when it cannot load (e.g. no native binary). */
export function useCore(core: BackendName): string | null {
  try {
    setBackend(core);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function regressionTensors(set: RegressionSet): { x: Tensor; y: Tensor } {
  return { x: tensor(set.x, [set.n, 1]), y: tensor(set.y, [set.n, 1]) };
}

export function imageTensors(set: ImageSet): { x: Tensor; y: Int32Array } {
  return { x: tensor(set.images, [set.n, set.channels, set.size, set.size]), y: set.labels };
}

export function countParams(params: Params): number {
  return Object.values(params).reduce((total, p) => total + p.size, 0);
}

/** The live tensor count of the backend that owns `like`. */
export function liveTensorsOf(like: Tensor): number {
  return like.backend.liveTensors();
}
