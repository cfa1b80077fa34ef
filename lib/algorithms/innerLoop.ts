/**
 * The MAML-family meta-gradient (MetaGradientRequest, lib/backend/types.ts) and single-task
 * adaptation, as requests to the one inner-loop engine (lib/engine). Kept here, with their
 * names, because learners, tests and lib/index.ts import them from this path.
 */
import type { Backend, Handle, MetaGradientRequest, MetaGradientResult } from '../backend/types.js';
import { endRun, startRun } from '../engine/engineRun.js';
import { innerLoopInTypeScript } from '../engine/innerLoop.js';
import { fromMetaGradientRequest, toMetaGradientResult } from '../engine/legacyRequests.js';
import type { EngineProgram, EnginePrograms } from '../engine/programs.js';
import type { InnerLoopRequest } from '../engine/request.js';
import { runOnEngine, type EngineChoice } from '../engine/runInnerLoop.js';
import type { StepData } from '../engine/stepData.js';
import { runTask } from '../engine/taskRun.js';

export type { EngineProgram, EnginePrograms } from '../engine/programs.js';
export { dataAtStep, validateStepData, type StepData } from '../engine/stepData.js';
export { finalStepOnly } from '../engine/engineRun.js';

/** Runs the request on the backend's own engine when it has one, else on the TypeScript one. */
export async function runMetaGradient(
  backend: Backend,
  programs: EnginePrograms,
  request: MetaGradientRequest,
  engine: EngineChoice = 'auto',
): Promise<MetaGradientResult> {
  return runOnEngine(backend, programs, 'metaGradient', request, fromMetaGradientRequest(request), toMetaGradientResult, engine);
}

/** The meta-gradient on the TypeScript engine (order 1: 'first-order', order 2: 'exact'). */
export async function metaGradientInTypeScript(backend: Backend, programs: EnginePrograms, request: MetaGradientRequest): Promise<MetaGradientResult> {
  return toMetaGradientResult(await innerLoopInTypeScript(backend, programs, fromMetaGradientRequest(request)));
}

/**
 * Adaptation alone (no meta-gradient), synchronously: k steps of gradient descent on `data` with
 * rates rates[j][i] (rates.length is k, or 1 to reuse). Returns the final parameters as new
 * handles (a parameter whose rate is zero at every step comes back as a copy). stepData: values[j]
 * is used at step j (only the first k are read).
 */
export function adaptByGradientDescent(
  backend: Backend,
  program: EngineProgram,
  params: Handle[],
  data: Handle[],
  rates: Handle[][],
  steps: number,
  stepData?: StepData,
): Handle[] {
  const request: InnerLoopRequest = {
    label: 'adapt',
    numParams: params.length,
    params,
    tasks: [{ support: data }],
    steps,
    update: { kind: 'sgd', rates },
    outerGradient: 'none',
    ...(stepData ? { stepData } : {}),
    returnAdapted: true,
  };
  const run = startRun(backend, { support: program, query: program }, request);
  try {
    return runTask(run, request.tasks[0]).adapted as Handle[];
  } finally {
    endRun(run);
  }
}
