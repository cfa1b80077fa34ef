/**
 * The one check of an InnerLoopRequest, for every caller: counts, shapes and settings, throwing
 * ShapeError / ValueError whose message starts with request.label and names the numbers.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Backend } from '../backend/types.js';
import { OUTER_GRADIENTS, type InnerLoopRequest, type InnerLoopTask } from './request.js';
import { validateRates } from './rates.js';
import { validateStepData } from './stepData.js';

/** The name errors start with. */
export function labelOf(request: InnerLoopRequest): string {
  return request.label ?? 'innerLoop';
}

export function validateInnerLoopRequest(backend: Backend, request: InnerLoopRequest): void {
  const where = labelOf(request);
  const { numParams, params, tasks, steps } = request;
  if (!Number.isInteger(steps) || steps < 0) throw new ValueError(`${where}: steps must be an integer >= 0, got ${steps}`);
  if (!Number.isInteger(numParams) || numParams < 0 || params.length !== numParams) {
    throw new ShapeError(`${where}: expected ${numParams} parameter tensors, got ${params.length}`);
  }
  if (tasks.length === 0) throw new ValueError(`${where}: the meta-batch has no tasks`);
  validateRates(backend, where, request);
  validateTasks(where, tasks);
  validateUpdateRule(where, request);
  validateOuterGradient(where, request);
  if (request.stepData) validateStepData(backend, where, request.stepData, steps, tasks[0].support, tasks[0].query);
}

/** Every task has task 0's input counts, and query data when task 0 has. */
function validateTasks(where: string, tasks: readonly InnerLoopTask[]): void {
  const first = tasks[0];
  tasks.forEach((task, t) => {
    if (task.support.length !== first.support.length || task.query?.length !== first.query?.length) {
      throw new ShapeError(
        `${where}: task ${t} has ${task.support.length} support and ${task.query?.length ?? 'no'} query inputs; ` +
          `task 0 has ${first.support.length} and ${first.query?.length ?? 'no'}`,
      );
    }
  });
}

function validateUpdateRule(where: string, request: InnerLoopRequest): void {
  const { update, proximal, adapts } = request;
  if (update.kind !== 'sgd' && update.kind !== 'adam') {
    throw new ValueError(`${where}: update.kind must be 'sgd' or 'adam', got ${String((update as { kind: unknown }).kind)}`);
  }
  if (update.kind === 'adam') {
    const inUnit = (b: number) => b >= 0 && b < 1;
    if (!inUnit(update.beta1) || !inUnit(update.beta2)) {
      throw new ValueError(`${where}: adam betas must be in [0, 1), got ${update.beta1} and ${update.beta2}`);
    }
    if (!(update.epsilon > 0) || !Number.isFinite(update.epsilon)) throw new ValueError(`${where}: adam epsilon must be > 0, got ${update.epsilon}`);
  }
  if (proximal !== undefined && !(Number.isFinite(proximal) && proximal >= 0)) {
    throw new ValueError(`${where}: proximal must be a finite number >= 0, got ${proximal}`);
  }
  adapts?.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= request.numParams) {
      throw new ValueError(`${where}: adapts must list parameter indices in [0, ${request.numParams}), got ${i}`);
    }
  });
}

/** The outer gradient and the fields that go with it (query data, implicit settings, step weights, lrGrads). */
function validateOuterGradient(where: string, request: InnerLoopRequest): void {
  const { outerGradient: mode, implicit, stepWeights, steps } = request;
  if (!OUTER_GRADIENTS.includes(mode)) {
    throw new ValueError(`${where}: outerGradient must be one of ${OUTER_GRADIENTS.join(', ')}; got ${String(mode)}`);
  }
  const gradients = mode === 'first-order' || mode === 'exact';
  if (mode === 'exact' && (request.update.kind === 'adam' || (request.proximal ?? 0) !== 0)) {
    const what = request.update.kind === 'adam' ? 'the adam update rule' : 'a proximal term';
    throw new ValueError(`${where}: the exact outer gradient with ${what} is not implemented yet (issue 16); use 'first-order'`);
  }
  if (mode !== 'none' && request.tasks[0].query === undefined) {
    throw new ValueError(`${where}: outerGradient '${mode}' needs every task's query data`);
  }
  if ((mode === 'implicit') !== (implicit !== undefined)) {
    throw new ValueError(`${where}: implicit settings go with outerGradient 'implicit' (and it needs them); got outerGradient '${mode}'`);
  }
  if (implicit) {
    const { lambda, cgSteps, tolerance } = implicit;
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new ValueError(`${where}: implicitGradient.lambda must be > 0, got ${lambda}`);
    if (!Number.isInteger(cgSteps) || cgSteps < 0) throw new ValueError(`${where}: implicitGradient.cgSteps must be an integer >= 0, got ${cgSteps}`);
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new ValueError(`${where}: implicitGradient.tolerance must be >= 0, got ${tolerance}`);
  }
  if (stepWeights && !gradients) throw new ValueError(`${where}: stepWeights go with outerGradient 'first-order' or 'exact', not '${mode}'`);
  if (stepWeights && stepWeights.length !== steps + 1) {
    throw new ShapeError(`${where}: stepWeights has ${stepWeights.length} entries; expected steps + 1 = ${steps + 1}`);
  }
  if (request.lrGrads && !gradients) throw new ValueError(`${where}: lrGrads go with outerGradient 'first-order' or 'exact', not '${mode}'`);
}
