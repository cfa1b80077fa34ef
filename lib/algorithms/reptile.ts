/**
 * Reptile (Nichol, Achiam & Schulman, 2018). For each task: k steps of SGD or Adam on the
 * task's support set from the current initialisation, giving phi. The batched update moves
 * the initialisation toward the mean of the phis:
 *   theta <- theta + epsilon * mean_tasks(phi - theta)
 * metaGradient returns grads = mean_tasks(theta - phi), so an outer SGD step with learning
 * rate epsilon is exactly Reptile's update. loss/accuracy: the query set after adaptation.
 */
import { ValueError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';
import { sortedKeys } from '../core/params.js';
import type { RecordedProgram } from '../core/record.js';
import { addHandles, scalarHandle, scaleHandle, subHandles } from './handleMath.js';
import { InnerLoopLearner, scalarLike, toParams, type InnerRates } from './innerLoopLearner.js';
import { lossKindFor, toProgramData } from './lossProgram.js';
import { checkSteps, type FunctionalModel, type InnerLoopOptions } from './options.js';
import type { LabeledSet, MetaStepResult, Params, Task } from './types.js';

export interface ReptileOptions extends InnerLoopOptions {
  /** The task optimiser. Default 'sgd'. */
  innerOptimizer?: 'sgd' | 'adam';
  /** Adam's betas. Default [0, 0.999] (the Reptile paper's beta1 = 0). */
  adamBetas?: [number, number];
  /** Adam's epsilon. Default 1e-8. */
  adamEpsilon?: number;
}

export class Reptile extends InnerLoopLearner {
  readonly name = 'reptile';
  readonly innerOptimizer: 'sgd' | 'adam';
  private readonly betas: [number, number];
  private readonly epsilon: number;

  constructor(model: FunctionalModel, options: ReptileOptions = {}) {
    super(model, options, 'Reptile');
    this.innerOptimizer = options.innerOptimizer ?? 'sgd';
    if (this.innerOptimizer !== 'sgd' && this.innerOptimizer !== 'adam') {
      throw new ValueError(`Reptile: innerOptimizer must be 'sgd' or 'adam', got '${String(this.innerOptimizer)}'`);
    }
    this.betas = options.adamBetas ?? [0, 0.999];
    this.epsilon = options.adamEpsilon ?? 1e-8;
  }

  async metaGradient(params: Params, tasks: Task[]): Promise<MetaStepResult> {
    const names = sortedKeys(params);
    let sum: Params | null = null;
    let loss = 0;
    let accuracy = 0;
    for (const task of tasks) {
      const adapted = await this.adaptSteps(params, task.support, this.inner.innerSteps);
      const score = this.score(adapted, task.query);
      loss += score.loss;
      accuracy += score.accuracy ?? 0;
      const delta = names.map((n) => subHandles(params[n].backend, params[n].handle, adapted[n].handle));
      for (const t of Object.values(adapted)) t.dispose();
      const backend = params[names[0]].backend;
      if (sum === null) sum = toParams(backend, names, delta);
      else {
        const next = names.map((n, i) => addHandles(backend, (sum as Params)[n].handle, delta[i]));
        for (const n of names) (sum as Params)[n].dispose();
        for (const h of delta) backend.dispose(h);
        sum = toParams(backend, names, next);
      }
    }
    const total = sum as Params;
    const grads: Params = {};
    for (const n of names) {
      const backend = total[n].backend;
      grads[n] = toParams(backend, [n], [scaleHandle(backend, total[n].handle, 1 / tasks.length)])[n];
      total[n].dispose();
    }
    const classification = tasks[0].query.y instanceof Int32Array;
    return { loss: loss / tasks.length, grads, ...(classification ? { accuracy: accuracy / tasks.length } : {}) };
  }

  override async adapt(params: Params, support: LabeledSet, options: { innerSteps?: number } = {}): Promise<Params> {
    return this.adaptSteps(params, support, options.innerSteps ?? this.inner.testInnerSteps);
  }

  protected innerRates(_params: Params, programParams: Params, _steps: number): InnerRates {
    return [sortedKeys(programParams).map((n) => scalarLike(programParams[n], this.inner.innerLR))];
  }

  private async adaptSteps(params: Params, support: LabeledSet, steps: number): Promise<Params> {
    if (this.innerOptimizer === 'sgd') return super.adapt(params, support, { innerSteps: steps });
    checkSteps(this.label, 'innerSteps', steps);
    const kind = lossKindFor(support.y, this.inner.loss);
    const data = toProgramData(this.label, support, kind);
    const program = this.programs.get(params, data, kind);
    const theta = program.paramNames.map((n) => params[n].handle);
    const phi = this.adamSteps(program, theta, program.dataHandles(data.x, data.y), steps);
    return toParams(program.backend, program.paramNames, phi);
  }

  /**
   * Adam on the support loss (Kingma & Ba, bias-corrected):
   *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
   */
  private adamSteps(program: RecordedProgram, theta: Handle[], data: Handle[], steps: number): Handle[] {
    const backend = program.backend;
    if (steps === 0) return theta.map((t) => scaleHandle(backend, t, 1));
    const [b1, b2] = this.betas;
    const ex = <P extends 'mulScalar' | 'addScalar' | 'sqrt' | 'square' | 'div'>(op: P, inputs: Handle[], value?: number) =>
      backend.exec(op, inputs, (value === undefined ? {} : { value }) as never);
    const dtype = backend.dtypeOf(theta[0]);
    const one = scalarHandle(backend, 1, dtype);
    const seeds = [one, ...new Array<Handle | null>(program.numOutputs - 1).fill(null)];
    const wrt = theta.map((_, i) => i);
    let p = theta.map((t) => scaleHandle(backend, t, 1));
    let m: Handle[] = theta.map((t) => scaleHandle(backend, t, 0));
    let v: Handle[] = theta.map((t) => scaleHandle(backend, t, 0));
    for (let t = 1; t <= steps; t++) {
      const { outputs, grads } = program.compiled.vjp([...p, ...data], seeds, wrt);
      const next = p.map((pi, i) => {
        const mNew = blend(backend, m[i], b1, ex('mulScalar', [grads[i]], 1 - b1));
        const gSq = ex('square', [grads[i]]);
        const vNew = blend(backend, v[i], b2, ex('mulScalar', [gSq], 1 - b2));
        backend.dispose(gSq);
        const mHat = ex('mulScalar', [mNew], this.inner.innerLR / (1 - b1 ** t));
        const vHat = ex('mulScalar', [vNew], 1 / (1 - b2 ** t));
        const root = ex('sqrt', [vHat]);
        const denom = ex('addScalar', [root], this.epsilon);
        const stepVec = ex('div', [mHat, denom]);
        const out = subHandles(backend, pi, stepVec);
        for (const h of [mHat, vHat, root, denom, stepVec, m[i], v[i]]) backend.dispose(h);
        m[i] = mNew;
        v[i] = vNew;
        return out;
      });
      for (const h of [...outputs, ...grads, ...p]) backend.dispose(h);
      p = next;
    }
    for (const h of [...m, ...v, one]) backend.dispose(h);
    return p;
  }
}

/** beta * a + b (b is consumed). */
function blend(backend: Backend, a: Handle, beta: number, b: Handle): Handle {
  const scaled = scaleHandle(backend, a, beta);
  const out = addHandles(backend, scaled, b);
  backend.dispose(scaled);
  backend.dispose(b);
  return out;
}

