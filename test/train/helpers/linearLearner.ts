/**
 * A tiny hand-written MetaLearner for testing the training loop without the MAML family:
 * tasks are lines y = a * x; the "meta-gradient" is the query MSE gradient of a one-weight
 * model w (no inner loop), computed by hand on arrays. Deterministic and cheap.
 */
import type { MetaLearner, Params, Task, TaskScore, MetaStepResult } from '../../../lib/algorithms/types.js';
import type { DType } from '../../../lib/backend/types.js';
import { tensor } from '../../../lib/core/creation.js';
import type { TaskSource } from '../../../lib/train/taskSource.js';

export class LinearLearner implements MetaLearner {
  readonly name = 'linear-test';
  /** Replace the loss of this iteration call count (1-based) by NaN, to test divergence. */
  nanAtCall: number | undefined;
  /** Replace the gradient of this call (1-based) by +Infinity. */
  infiniteGradAtCall: number | undefined;
  calls = 0;

  init(seed: number, dtype: DType = 'float64'): Params {
    return { w: tensor([0.1 * (seed % 7)], [1], dtype) };
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    this.calls += 1;
    const w = params.w.toArray()[0];
    let loss = 0;
    let grad = 0;
    for (const task of tasks) {
      const { loss: l, grad: g } = lineLoss(w, task);
      loss += l / tasks.length;
      grad += g / tasks.length;
    }
    if (this.calls === this.nanAtCall) loss = Number.NaN;
    if (this.calls === this.infiniteGradAtCall) grad = Number.POSITIVE_INFINITY;
    return { loss, grads: { w: tensor([grad], [1], params.w.dtype) } };
  }

  async evaluateTask(params: Params, task: Task): Promise<TaskScore> {
    return { loss: lineLoss(params.w.toArray()[0], task).loss };
  }
}

/** Query MSE of y_hat = w x and its derivative in w: mean (w x - y)^2, mean 2 (w x - y) x. */
function lineLoss(w: number, task: Task): { loss: number; grad: number } {
  const x = task.query.x.toArray();
  const y = (task.query.y as { toArray(): ArrayLike<number> }).toArray();
  let loss = 0;
  let grad = 0;
  for (let i = 0; i < x.length; i++) {
    const r = w * x[i] - y[i];
    loss += (r * r) / x.length;
    grad += (2 * r * x[i]) / x.length;
  }
  return { loss, grad };
}

/** Lines with slope a in [1, 3), 4 query points in [-1, 1), from a small LCG seeded by `seed`. */
export function lineTasks(): TaskSource {
  return {
    kind: 'regression',
    description: 'lines',
    sample(seed, count) {
      let state = seed >>> 0 || 1;
      const next = () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state / 2 ** 32;
      };
      return Array.from({ length: count }, () => {
        const a = 1 + 2 * next();
        const x = Array.from({ length: 4 }, () => 2 * next() - 1);
        const set = { x: tensor(x, [4, 1], 'float64'), y: tensor(x.map((v) => a * v), [4, 1], 'float64') };
        return { support: set, query: set };
      });
    },
  };
}
