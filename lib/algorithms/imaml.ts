/**
 * iMAML (Rajeswaran et al., 2019, "Meta-Learning with Implicit Gradients").
 *
 * Inner problem (proximal): phi = argmin L_s(phi) + lambda/2 |phi - theta|^2, approximated by
 * k steps of gradient descent from phi = theta with step innerLR on
 *   grad = grad L_s(phi) + lambda (phi - theta).
 * Implicit meta-gradient: at the solution, d phi / d theta = (I + H_s(phi)/lambda)^-1, so
 *   dL_q(phi)/dtheta = x  with  (I + H_s(phi)/lambda) x = grad L_q(phi),
 * solved by conjugate gradient on Hessian-vector products of the support loss at phi
 * (compiled.hvp). Memory is independent of k: no inner-loop state is kept.
 */
import { ValueError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import type { RecordedProgram } from '../core/record.js';
import { addScaled, conjugateGradient } from './conjugateGradient.js';
import { addHandles, mulHandles, readScalar, scalarHandle, scaleHandle, subHandles } from './handleMath.js';
import { InnerLoopLearner, scalarLike, toParams, type InnerRates } from './innerLoopLearner.js';
import { accuracyFromLogits, lossKindFor, toProgramData } from './lossProgram.js';
import { checkSteps, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { LabeledSet, MetaStepResult, Params, Task } from './types.js';

export interface IMAMLOptions extends InnerLoopOptions {
  /** Proximal regularisation strength lambda > 0. Default 1. */
  lambda?: number;
  /** Conjugate-gradient iterations. Default 5. */
  cgSteps?: number;
  /** CG stops early when |residual| <= cgTolerance |grad L_q|. Default 1e-10. */
  cgTolerance?: number;
}

export class IMAML extends InnerLoopLearner {
  readonly name = 'imaml';
  readonly lambda: number;
  readonly cgSteps: number;
  readonly cgTolerance: number;

  constructor(model: FunctionalModel, options: IMAMLOptions = {}) {
    super(model, options, 'IMAML');
    this.lambda = options.lambda ?? 1;
    this.cgSteps = options.cgSteps ?? 5;
    this.cgTolerance = options.cgTolerance ?? 1e-10;
    if (!(this.lambda > 0)) throw new ValueError(`IMAML: lambda must be > 0, got ${this.lambda}`);
    checkSteps('IMAML', 'cgSteps', this.cgSteps);
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const prepared = this.prepareTasks(tasks);
    const names = sortedKeys(params);
    const theta = names.map((n) => params[n].handle);
    let sum: Handle[] | null = null;
    let loss = 0;
    let accuracy = 0;
    let backend: Backend | null = null;
    for (const task of prepared) {
      const support = this.programs.get(params, task.support, task.kind);
      const query = this.programs.get(params, task.query, task.kind);
      backend = support.backend;
      const supportData = support.dataHandles(task.support.x, task.support.y);
      const phi = this.proximalInnerLoop(support, theta, supportData, this.inner.innerSteps);
      const q = query.compiled.vjp([...phi, ...query.dataHandles(task.query.x, task.query.y)], seeds(query), names.map((_, i) => i));
      loss += readScalar(backend, q.outputs[0]);
      if (task.query.labels) {
        accuracy += accuracyFromLogits(backend.toArray(q.outputs[1]), backend.shapeOf(q.outputs[1]), task.query.labels);
      }
      const x = this.implicitGradient(support, phi, supportData, q.grads);
      for (const h of [...q.outputs, ...q.grads, ...phi]) backend.dispose(h);
      if (sum === null) sum = x;
      else {
        const next: Handle[] = sum.map((s, i) => addHandles(backend as Backend, s, x[i]));
        for (const h of [...sum, ...x]) backend.dispose(h);
        sum = next;
      }
    }
    const b = backend as Backend;
    const mean = (sum as Handle[]).map((s) => {
      const out = scaleHandle(b, s, 1 / prepared.length);
      b.dispose(s);
      return out;
    });
    const grads = toParams(b, names, mean);
    const hasLabels = prepared[0].query.labels !== undefined;
    return { loss: loss / prepared.length, grads, ...(hasLabels ? { accuracy: accuracy / prepared.length } : {}) };
  }

  /** Fast weights: the proximal inner loop on the support set. */
  override async adapt(params: Params, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Params> {
    const steps = options.innerSteps ?? this.inner.testInnerSteps;
    checkSteps(this.label, 'innerSteps', steps);
    const kind = lossKindFor(support.y, this.inner.loss);
    const data = toProgramData(this.label, support, kind);
    const program = this.programs.get(params, data, kind);
    const phi = this.proximalInnerLoop(program, program.paramNames.map((n) => params[n].handle), program.dataHandles(data.x, data.y), steps);
    return toParams(program.backend, program.paramNames, phi);
  }

  /** Not used by iMAML's own inner loop; a scalar innerLR for completeness. */
  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], this.inner.innerLR))];
  }

  /** phi_{j+1} = phi_j - innerLR (grad L_s(phi_j) + lambda (phi_j - theta)), phi_0 = theta. New handles. */
  private proximalInnerLoop(program: RecordedProgram, theta: Handle[], data: Handle[], steps: number): Handle[] {
    const backend = program.backend;
    const wrt = theta.map((_, i) => i);
    let phi = theta.map((t) => scaleHandle(backend, t, 1));
    const lr = scalarHandle(backend, this.inner.innerLR, backend.dtypeOf(theta[0]));
    for (let j = 0; j < steps; j++) {
      const res = program.compiled.vjp([...phi, ...data], seeds(program), wrt);
      const next = phi.map((p, i) => {
        const drift = subHandles(backend, p, theta[i]);
        const pull = scaleHandle(backend, drift, this.lambda);
        const direction = addHandles(backend, res.grads[i], pull);
        const stepVec = mulHandles(backend, lr, direction);
        const out = subHandles(backend, p, stepVec);
        for (const h of [drift, pull, direction, stepVec]) backend.dispose(h);
        return out;
      });
      for (const h of [...res.outputs, ...res.grads, ...phi]) backend.dispose(h);
      phi = next;
    }
    backend.dispose(lr);
    return phi;
  }

  /** x with (I + H_s(phi)/lambda) x = gq, by conjugate gradient on HVPs at phi. */
  private implicitGradient(program: RecordedProgram, phi: Handle[], data: Handle[], gq: Handle[]): Handle[] {
    const backend = program.backend;
    const wrt = phi.map((_, i) => i);
    const applyA = (v: Handle[]): Handle[] => {
      const res = program.compiled.hvp([...phi, ...data], [...v, ...data.map(() => null)], seeds(program), wrt);
      const out = addScaled(backend, v, 1 / this.lambda, res.gradTangents);
      for (const h of [...res.outputs, ...res.grads, ...res.gradTangents]) backend.dispose(h);
      return out;
    };
    return conjugateGradient(backend, applyA, gq, { maxSteps: this.cgSteps, tolerance: this.cgTolerance }).x;
  }
}

/** Cotangents [1, null, ...] for a program's outputs; cached per program (never disposed while it lives). */
const seedCache = new WeakMap<RecordedProgram, (Handle | null)[]>();
function seeds(program: RecordedProgram): (Handle | null)[] {
  let s = seedCache.get(program);
  if (!s) {
    const dtype = program.outputTypes[0].dtype;
    s = [scalarHandle(program.backend, 1, dtype), ...new Array<Handle | null>(program.numOutputs - 1).fill(null)];
    seedCache.set(program, s);
  }
  return s;
}
