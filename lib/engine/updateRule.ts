/**
 * The update rule's direction u_j at one step, per parameter (InnerLoopRequest.update): with
 * d_j = grad L_s(t_j) + proximal (t_j - t_0), t_{j+1} = t_j - lr_j * u_j where
 *   sgd:  u_j = d_j
 *   adam: m = b1 m + (1-b1) d_j,  v = b2 v + (1-b2) d_j^2,  u_j = (m / (1-b1^(j+1))) / (sqrt(v / (1-b2^(j+1))) + eps)
 * The operations and their order are those of the native engine, so both give the same numbers.
 */
import type { Backend, Handle } from '../backend/types.js';
import { addHandles, scaleHandle, subHandles, zerosLike } from './handleMath.js';
import type { UpdateRule } from './request.js';
import { disposeHandles } from '../core/ownership.js';

/** Adam's moments for one task, per parameter (from zeros); null for SGD. */
export interface AdamMoments {
  m: Handle[];
  v: Handle[];
}

export function newMoments(backend: Backend, rule: UpdateRule, params: readonly Handle[]): AdamMoments | null {
  if (rule.kind !== 'adam') return null;
  return { m: params.map((p) => zerosLike(backend, p)), v: params.map((p) => zerosLike(backend, p)) };
}

export function disposeMoments(backend: Backend, moments: AdamMoments | null): void {
  if (moments) disposeHandles(backend, [...moments.m, ...moments.v]);
}

/** What one parameter's direction at step j is made from: its state, t_0 and its support gradient. */
export interface DirectionInputs {
  j: number;
  i: number;
  theta: Handle;
  initial: Handle;
  /** grad L_s(t_j)[i]; taken over (freed, or returned as u_j itself). */
  grad: Handle;
}

/** u_j for parameter i as a new handle owned by the caller (moments updated in place). */
export function updateDirection(backend: Backend, rule: UpdateRule, proximal: number, moments: AdamMoments | null, x: DirectionInputs): Handle {
  const d = proximalDirection(backend, proximal, x);
  if (rule.kind !== 'adam' || !moments) return d;
  const u = adamDirection(backend, rule, moments, x.j, x.i, d);
  backend.dispose(d);
  return u;
}

/** d = g + proximal (t - t_0), or g itself without a proximal term. */
function proximalDirection(backend: Backend, proximal: number, { theta, initial, grad }: DirectionInputs): Handle {
  if (proximal === 0) return grad;
  const drift = subHandles(backend, theta, initial);
  const pull = scaleHandle(backend, drift, proximal);
  const d = addHandles(backend, grad, pull);
  disposeHandles(backend, [drift, pull, grad]);
  return d;
}

/** Updates Adam's m[i], v[i] with d at step j (t = j + 1); returns m_hat / (sqrt(v_hat) + eps). */
function adamDirection(
  backend: Backend,
  { beta1, beta2, epsilon }: { beta1: number; beta2: number; epsilon: number },
  state: AdamMoments,
  j: number,
  i: number,
  d: Handle,
): Handle {
  const ex = <P extends 'square' | 'sqrt' | 'div' | 'addScalar'>(op: P, inputs: Handle[], value?: number): Handle =>
    backend.exec(op, inputs, (value === undefined ? {} : { value }) as never);
  const t = j + 1;
  const blend = (old: Handle, beta: number, fresh: Handle): Handle => {
    const kept = scaleHandle(backend, old, beta);
    const out = addHandles(backend, kept, fresh);
    disposeHandles(backend, [kept, fresh, old]);
    return out;
  };
  const mFresh = scaleHandle(backend, d, 1 - beta1);
  const dSquared = ex('square', [d]);
  const vFresh = scaleHandle(backend, dSquared, 1 - beta2);
  backend.dispose(dSquared);
  state.m[i] = blend(state.m[i], beta1, mFresh);
  state.v[i] = blend(state.v[i], beta2, vFresh);
  const mHat = scaleHandle(backend, state.m[i], 1 / (1 - beta1 ** t));
  const vHat = scaleHandle(backend, state.v[i], 1 / (1 - beta2 ** t));
  const root = ex('sqrt', [vHat]);
  const denominator = ex('addScalar', [root], epsilon);
  const out = ex('div', [mHat, denominator]);
  disposeHandles(backend, [mHat, vHat, root, denominator]);
  return out;
}
