/**
 * The TypeScript inner-loop engine: one InnerLoopRequest (request.ts) over compiled.run / vjp /
 * hvp, task after task, with the same arithmetic in the same order as the native engine, so
 * both give the same numbers. Evaluation, batched adaptation, iMAML's implicit gradient and
 * the MAML-family meta-gradients are this one loop with a different outerGradient.
 */
import type { Backend, Handle } from '../backend/types.js';
import { meanOverTasks } from './meanOverTasks.js';
import type { EnginePrograms } from './programs.js';
import type { InnerLoopRequest, InnerLoopResult } from './request.js';
import { endRun, startRun } from './engineRun.js';
import { runTask, type TaskOutcome } from './taskRun.js';
import { validateInnerLoopRequest } from './validateRequest.js';
import { disposeHandles } from '../core/ownership.js';

export async function innerLoopInTypeScript(backend: Backend, programs: EnginePrograms, request: InnerLoopRequest): Promise<InnerLoopResult> {
  validateInnerLoopRequest(backend, request);
  const run = startRun(backend, programs, request);
  try {
    return combineTasks(backend, request, request.tasks.map((task) => runTask(run, task)));
  } finally {
    endRun(run);
  }
}

/** Per-task outcomes into the result: lists kept per task, gradients and t_k averaged (summed in task order, one scale). */
function combineTasks(backend: Backend, request: InnerLoopRequest, outcomes: TaskOutcome[]): InnerLoopResult {
  const n = outcomes.length;
  const withQuery = request.tasks[0].query !== undefined;
  const result: InnerLoopResult = {
    loss: withQuery ? outcomes.reduce((s, o) => s + o.loss, 0) / n : 0,
    supportLosses: outcomes.map((o) => o.supportLosses),
  };
  if (withQuery) {
    result.queryLosses = outcomes.map((o) => o.queryLoss as number);
    result.queryOutputs = outcomes.map((o) => o.queryOutputs as Handle[]);
  }
  if (request.supportOutputs) result.supportOutputs = outcomes.map((o) => o.supportOutputs as Handle[][]);
  const averaged = (pick: (o: TaskOutcome) => Handle[] | undefined): Handle[] | undefined => {
    if (!pick(outcomes[0])) return undefined;
    const perTask = outcomes.map((o) => pick(o) as Handle[]);
    return meanOverTasks(backend, perTask);
  };
  const grads = averaged((o) => o.grads);
  if (grads) result.grads = grads;
  if (request.lrGrads) result.lrGrads = request.update.rates.map((_, j) => averaged((o) => o.lrGrads?.[j]) as Handle[]);
  const implicitGrads = averaged((o) => o.implicitGrad);
  if (implicitGrads) result.implicitGrads = implicitGrads;
  if (request.returnAdapted) {
    result.adapted = outcomes.map((o) => o.adapted as Handle[]);
    result.meanAdapted = meanOverTasks(backend, result.adapted);
  }
  for (const o of outcomes) disposeHandles(backend, [...(o.grads ?? []), ...(o.lrGrads ?? []).flat(), ...(o.implicitGrad ?? [])]);
  return result;
}
