/**
 * Meta-optimisers: SGD (with optional momentum) and Adam, with optional gradient clipping.
 * They update named arrays in place (the tensor-free form of Params, see namedArrays.ts);
 * metaTrain converts between Params and arrays. Arithmetic is float64; results are stored at
 * each parameter's own dtype. State (step count and float64 slots) round-trips through
 * checkpoints exactly, so a resumed run continues the same trajectory.
 */
import { ValueError } from '../errors.js';
import { clipByGlobalNorm, clipByValue, globalNorm } from './gradientClipping.js';
import { sortedNames, zerosLike, type NamedArrays } from './namedArrays.js';

export interface ClipOptions {
  /** Rescale all gradients together when their global L2 norm exceeds this. */
  maxNorm?: number;
  /** Clamp each gradient element to [-maxValue, maxValue] (applied before maxNorm). */
  maxValue?: number;
}

export interface SGDOptions {
  lr: number;
  /** Heavy-ball momentum as in PyTorch: v = momentum * v + g; p -= lr * v. Default 0. */
  momentum?: number;
  clip?: ClipOptions;
}

export interface AdamOptions {
  lr: number;
  beta1?: number; // default 0.9
  beta2?: number; // default 0.999
  eps?: number; // default 1e-8
  clip?: ClipOptions;
}

/** Everything needed to continue optimisation exactly; stored in checkpoints. */
export interface OptimizerState {
  kind: 'sgd' | 'adam';
  /** Number of steps taken. */
  step: number;
  /** Hyper-parameters (for the record; the running optimiser's own are used on load). */
  hyper: Record<string, number>;
  /** Per-parameter state, e.g. { m: {...}, v: {...} } for Adam; float64. */
  slots: Record<string, NamedArrays>;
}

export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Current learning rate; a schedule (e.g. MAML++'s cosine annealing) may set it between steps. */
  lr: number;
  /** Updates params in place from grads (same names and sizes). Returns the gradients' global L2 norm (after value clipping, before norm clipping). */
  step(params: NamedArrays, grads: NamedArrays): { gradNorm: number };
  state(): OptimizerState;
  loadState(state: OptimizerState): void;
}

export class SGD implements Optimizer {
  readonly kind = 'sgd';
  lr: number;
  private readonly momentum: number;
  private readonly clip: ClipOptions | undefined;
  private steps = 0;
  private velocity: NamedArrays = {};

  constructor(options: SGDOptions) {
    checkPositive('SGD', 'lr', options.lr);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new ValueError(`SGD: momentum must be in [0, 1), got ${this.momentum}`);
    this.clip = options.clip;
  }

  step(params: NamedArrays, grads: NamedArrays): { gradNorm: number } {
    const { grads: g, gradNorm } = prepareGradients('SGD', params, grads, this.clip);
    for (const name of sortedNames(params)) {
      const p = params[name].data;
      const gi = g[name].data;
      if (this.momentum > 0) {
        const v = (this.velocity[name] ??= zerosLike(params[name], 'float64')).data;
        for (let i = 0; i < p.length; i++) {
          v[i] = this.momentum * v[i] + gi[i];
          p[i] = p[i] - this.lr * v[i];
        }
      } else {
        for (let i = 0; i < p.length; i++) p[i] = p[i] - this.lr * gi[i];
      }
    }
    this.steps += 1;
    return { gradNorm };
  }

  state(): OptimizerState {
    return {
      kind: 'sgd',
      step: this.steps,
      hyper: { lr: this.lr, momentum: this.momentum },
      slots: this.momentum > 0 ? { velocity: this.velocity } : {},
    };
  }

  loadState(state: OptimizerState): void {
    checkKind('SGD', 'sgd', state);
    this.steps = state.step;
    this.velocity = state.slots.velocity ?? {};
  }
}

export class Adam implements Optimizer {
  readonly kind = 'adam';
  lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly clip: ClipOptions | undefined;
  private steps = 0;
  private m: NamedArrays = {};
  private v: NamedArrays = {};

  constructor(options: AdamOptions) {
    checkPositive('Adam', 'lr', options.lr);
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    for (const [key, beta] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) throw new ValueError(`Adam: ${key} must be in [0, 1), got ${beta}`);
    }
    checkPositive('Adam', 'eps', this.eps);
    this.clip = options.clip;
  }

  /** Kingma & Ba, Algorithm 1: bias-corrected first and second moments. */
  step(params: NamedArrays, grads: NamedArrays): { gradNorm: number } {
    const { grads: g, gradNorm } = prepareGradients('Adam', params, grads, this.clip);
    const t = this.steps + 1;
    const correction1 = 1 - this.beta1 ** t;
    const correction2 = 1 - this.beta2 ** t;
    for (const name of sortedNames(params)) {
      const p = params[name].data;
      const gi = g[name].data;
      const m = (this.m[name] ??= zerosLike(params[name], 'float64')).data;
      const v = (this.v[name] ??= zerosLike(params[name], 'float64')).data;
      for (let i = 0; i < p.length; i++) {
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * gi[i];
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * gi[i] * gi[i];
        const mHat = m[i] / correction1;
        const vHat = v[i] / correction2;
        p[i] = p[i] - (this.lr * mHat) / (Math.sqrt(vHat) + this.eps);
      }
    }
    this.steps = t;
    return { gradNorm };
  }

  state(): OptimizerState {
    return {
      kind: 'adam',
      step: this.steps,
      hyper: { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps },
      slots: { m: this.m, v: this.v },
    };
  }

  loadState(state: OptimizerState): void {
    checkKind('Adam', 'adam', state);
    this.steps = state.step;
    this.m = state.slots.m ?? {};
    this.v = state.slots.v ?? {};
  }
}

/** Checks names and sizes, then clips (by value, then by global norm). */
function prepareGradients(
  op: string,
  params: NamedArrays,
  grads: NamedArrays,
  clip: ClipOptions | undefined,
): { grads: NamedArrays; gradNorm: number } {
  const paramNames = sortedNames(params);
  const gradNames = sortedNames(grads);
  if (paramNames.join('\n') !== gradNames.join('\n')) {
    throw new ValueError(`${op}.step: gradient names [${gradNames.join(', ')}] do not match parameter names [${paramNames.join(', ')}]`);
  }
  for (const name of paramNames) {
    if (params[name].data.length !== grads[name].data.length) {
      throw new ValueError(
        `${op}.step: gradient '${name}' has shape [${grads[name].shape.join(', ')}], parameter has [${params[name].shape.join(', ')}]`,
      );
    }
  }
  let g = grads;
  if (clip?.maxValue !== undefined) g = clipByValue(g, clip.maxValue);
  if (clip?.maxNorm !== undefined) {
    const clipped = clipByGlobalNorm(g, clip.maxNorm);
    return { grads: clipped.grads, gradNorm: clipped.norm };
  }
  return { grads: g, gradNorm: globalNorm(g) };
}

function checkPositive(op: string, key: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new ValueError(`${op}: ${key} must be a positive finite number, got ${value}`);
}

function checkKind(op: string, kind: string, state: OptimizerState): void {
  if (state.kind !== kind) throw new ValueError(`${op}.loadState: state is for a '${state.kind}' optimiser, not '${kind}'`);
}
