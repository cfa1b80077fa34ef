import type { Backend, Handle } from '../backend/types.js';
import { addHandles, scaleHandle } from './handleMath.js';

/**
 * Mean over tasks of per-task handle lists ([tasks][n] -> [n]): summed in task order, then scaled
 * once by 1 / tasks, as the native engines do, so both give the same numbers. Returns new
 * handles; the inputs are left to the caller.
 */
export function meanOverTasks(backend: Backend, perTask: Handle[][]): Handle[] {
  const n = perTask.length;
  return perTask[0].map((_, i) => {
    let total = perTask[0][i];
    for (let t = 1; t < n; t++) {
      const next = addHandles(backend, total, perTask[t][i]);
      if (t > 1) backend.dispose(total);
      total = next;
    }
    const mean = scaleHandle(backend, total, 1 / n);
    if (n > 1) backend.dispose(total);
    return mean;
  });
}
