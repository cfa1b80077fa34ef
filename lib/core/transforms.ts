/**
 * Function transforms over a parameter record, JAX-style. Each call traces f once with
 * symbolic parameters, compiles the program on the parameters' backend and evaluates the
 * derivative there (see record.ts). f: (p: Params) => Tensor.
 *
 *   grad(f)(p)          -> Params                  (f returns a one-element tensor)
 *   valueAndGrad(f)(p)  -> [number, Params]
 *   vjp(f, p)           -> [value, (cotangent) => Params]   (any output shape)
 *   jvp(f, p, v)        -> [value, tangent]                  (any output shape)
 *   hvp(f, p, v)        -> Params: exact H v, forward-over-reverse, never a full Hessian
 *   record(fn, p, ...x) -> RecordedProgram: trace once, replay for new params and inputs
 */
import type { Tensor } from './tensor.js';
import type { Params } from './params.js';
import { RecordedProgram, type RecordableFunction } from './record.js';
import { expectFunction } from './args.js';

export type ScalarFunction = (params: Params) => Tensor;

function once<R>(label: string, f: ScalarFunction, params: Params, use: (program: RecordedProgram) => R): R {
  expectFunction(f, `${label}: f`);
  const program = new RecordedProgram((p) => f(p), params, [], label);
  try {
    return use(program);
  } finally {
    program.dispose();
  }
}

export function grad(f: ScalarFunction): (params: Params) => Params {
  expectFunction(f, 'grad: f');
  return (params) => once('grad', f, params, (program) => program.grad(params));
}

export function valueAndGrad(f: ScalarFunction): (params: Params) => [number, Params] {
  expectFunction(f, 'valueAndGrad: f');
  return (params) => once('valueAndGrad', f, params, (program) => program.valueAndGrad(params));
}

/** Value of f at params and its pullback: cotangent (shaped like the value) -> gradient record. */
export function vjp(f: ScalarFunction, params: Params): [Tensor, (cotangent: Tensor) => Params] {
  expectFunction(f, 'vjp: f');
  const program = new RecordedProgram((p) => f(p), params, [], 'vjp');
  const [value] = program.run(params);
  const pullback = (cotangent: Tensor): Params => {
    const { outputs, grads } = program.vjp(params, [cotangent]);
    for (const t of outputs) t.dispose();
    return grads;
  };
  return [value, pullback];
}

/** Value of f at params and its directional derivative along v (same keys and shapes as params). */
export function jvp(f: ScalarFunction, params: Params, v: Params): [Tensor, Tensor] {
  return once('jvp', f, params, (program) => {
    const { outputs, tangents } = program.jvp(params, v);
    return [outputs[0], tangents[0]];
  });
}

/** Exact Hessian-vector product H(params) v of the scalar f. */
export function hvp(f: ScalarFunction, params: Params, v: Params): Params {
  return once('hvp', f, params, (program) => program.hvp(params, v));
}

/**
 * Records fn(params, ...inputs) once for these shapes; replay with program.run / valueAndGrad /
 * hvp for new values. Program inputs: [params sorted by key..., inputs..., captured constants...].
 */
export function record(fn: RecordableFunction, exampleParams: Params, ...exampleInputs: Tensor[]): RecordedProgram {
  return new RecordedProgram(fn, exampleParams, exampleInputs);
}
