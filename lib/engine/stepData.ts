/**
 * Per-step data (InnerLoopRequest.stepData, MAML++'s per-step batch norm): one data input takes
 * values[j] at every evaluation at state t_j, in place of the task's own entry.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';

/** A data input that takes values[j] at state t_j; values.length is steps + 1. */
export interface StepData {
  index: number;
  values: Handle[];
}

/** What the engine reads of per-step data (InnerLoopRequest.stepData: borrowed, never changed). */
type StepDataView = { index: number; values: readonly Handle[] };

/** Checks per-step data against a task's data inputs (query: undefined when the request has none); errors name `where`. */
export function validateStepData(
  backend: Backend,
  where: string,
  stepData: StepDataView,
  steps: number,
  support: readonly Handle[],
  query: readonly Handle[] | undefined,
): void {
  const { index, values } = stepData;
  const count = query ? Math.min(support.length, query.length) : support.length;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ValueError(`${where}: stepData.index must name one of the ${count} data inputs, got ${index}`);
  }
  if (values.length !== steps + 1) {
    throw new ShapeError(`${where}: stepData has ${values.length} values; expected one per state t_0..t_k, steps + 1 = ${steps + 1}`);
  }
  const expected = backend.shapeOf(support[index]);
  values.forEach((v, j) => {
    const shape = backend.shapeOf(v);
    if (shape.join(',') !== expected.join(',')) {
      throw new ShapeError(`${where}: stepData.values[${j}] has shape [${shape}]; data input ${index} has shape [${expected}]`);
    }
  });
}

/** A task's data at state t_j: the step-dependent input swapped in (the same list without stepData). */
export function dataAtStep(data: readonly Handle[], stepData: StepDataView | undefined, j: number): Handle[] {
  const out = [...data];
  if (stepData) out[stepData.index] = stepData.values[j];
  return out;
}
