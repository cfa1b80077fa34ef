/**
 * Spec generators: plausible arguments most of the time (so calls get past the first check and
 * reach the kernels and the native boundary), hostile ones the rest.
 */

// Large counts are 2^40 and up: a size (classes, channels, steps) that large must be refused at once.
export const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, -1, 0, 0.5, -0, 2 ** 40, 2 ** 53, 2 ** 64 + 1, 1e300, Number.MAX_SAFE_INTEGER + 2];
export const HOSTILE_SHAPES = [
  // Sizes that no machine holds (terabytes and more) or that are not sizes at all: refusing them
  // must be immediate. (Sizes that merely take a while, like 8 GB, are not hostile: left out.)
  [-1], [1.5], [NaN], [2 ** 20, 2 ** 20], [2 ** 42], [1e6, 1e6, 1e6], [2 ** 53], [Infinity], [0, 2 ** 31],
  [3, -2], [1e9, 0], [2 ** 32, 2 ** 32], [1, 1, 2 ** 21, 2 ** 21], [2 ** 64], [0, 2 ** 53, 2 ** 53],
];

export class Gen {
  constructor(rng, hostileRate = 0.12) {
    this.r = rng;
    this.hostileRate = hostileRate;
    // Dimensions shared by the call's tensors so that shapes usually agree.
    this.dims = Array.from({ length: 5 }, () => (rng.chance(0.08) ? 0 : rng.int(1, 4)));
    this.dtype = rng.chance(0.3) ? 'float64' : 'float32';
  }

  dim(i) {
    return this.dims[i % this.dims.length];
  }

  fill() {
    return this.r.chance(0.85) ? 'rand' : this.r.pick(['nan', 'inf', 'zero', 'int']);
  }

  /** A tensor spec of that shape (sometimes of the other dtype, or on the other backend). */
  tensorOf(shape) {
    const dtype = this.r.chance(0.04) ? (this.dtype === 'float32' ? 'float64' : 'float32') : this.dtype;
    const spec = { t: 'T', shape, dtype, fill: this.fill() };
    if (this.r.chance(0.02)) spec.other = true;
    return spec;
  }

  randomShape() {
    const rank = this.r.int(0, 4);
    return Array.from({ length: rank }, (_, i) => this.dim(this.r.int(0, 4) + i));
  }

  /** The slot's value, or (hostileRate) a hostile one. */
  maybe(spec) {
    return this.r.chance(this.hostileRate) ? this.hostile() : spec;
  }

  hostile() {
    const r = this.r;
    switch (r.int(0, 17)) {
      case 0:
        return { t: 'lit', v: r.pick(HOSTILE_NUMBERS) };
      case 1:
        return { t: 'lit', v: r.pick(['x', '', '[2,3]', 'float32']) };
      case 2:
        return { t: 'lit', v: null };
      case 3:
        return { t: 'lit', v: undefined };
      case 4:
        return { t: 'obj', fields: {} };
      case 5:
        return { t: 'lit', v: [1, 2, 3] };
      case 6:
        return { t: 'f32', v: [1, 2] };
      case 7:
        return { t: 'Tdisposed', shape: this.randomShape(), dtype: this.dtype };
      case 8:
        return { ...this.tensorOf(this.randomShape()), other: true };
      case 9:
        return { t: 'T', shape: this.randomShape(), dtype: this.dtype === 'float32' ? 'float64' : 'float32', fill: 'rand' };
      case 10:
        return { t: 'throwProxy' };
      case 11:
        return { t: 'Tproxy', shape: this.randomShape(), dtype: this.dtype, action: r.pick(['throw', 'dispose']) };
      case 12:
        return { t: 'lit', v: r.pick([Symbol('s'), 1n, () => 1, true]) };
      case 17:
        return { t: 'fakeTensor' };
      case 13:
        return { t: 'lit', v: r.pick(HOSTILE_SHAPES) };
      case 14:
        return { t: 'i32', v: [0, -1, 7] };
      case 15:
        return { t: 'T', shape: this.randomShape(), dtype: this.dtype, fill: r.pick(['nan', 'inf']) };
      default:
        return { t: 'obj', fields: { shape: { t: 'lit', v: [2] } }, getter: 'shape', action: r.pick(['throw', 'dispose']) };
    }
  }

  /** A number slot: usually from `good`, else a hostile number. */
  number(good) {
    if (this.r.chance(this.hostileRate)) return this.r.chance(0.7) ? { t: 'lit', v: this.r.pick(HOSTILE_NUMBERS) } : this.hostile();
    return { t: 'lit', v: this.r.pick(good) };
  }

  /** A shape slot: usually `good`, else a hostile shape. */
  shape(good) {
    if (this.r.chance(this.hostileRate)) return this.r.chance(0.7) ? { t: 'lit', v: this.r.pick(HOSTILE_SHAPES) } : this.hostile();
    return { t: 'lit', v: good };
  }

  /** An options object; with a small chance one field is read through a hostile getter. */
  options(fields) {
    const spec = { t: 'obj', fields };
    const keys = Object.keys(fields);
    if (keys.length > 0 && this.r.chance(0.05)) {
      spec.getter = this.r.pick(keys);
      spec.action = this.r.pick(['throw', 'dispose']);
    }
    return this.maybe(spec);
  }

  /** A list; with a small chance one item is read through a hostile getter. */
  list(items) {
    const spec = { t: 'list', items };
    if (items.length > 0 && this.r.chance(0.04)) {
      spec.getter = this.r.int(0, items.length - 1);
      spec.action = this.r.pick(['throw', 'dispose']);
    }
    return this.maybe(spec);
  }

  /** Mutates a params record spec: drop a key, add one, replace a value. */
  paramsRecord(fields) {
    const r = this.r;
    const out = { ...fields };
    const keys = Object.keys(out);
    if (r.chance(0.06) && keys.length) delete out[r.pick(keys)];
    if (r.chance(0.06)) out[r.pick(['extra', 'zzz', 'lr/x', '__proto__x'])] = this.tensorOf([2]);
    if (r.chance(0.1) && keys.length) out[r.pick(keys)] = this.hostile();
    const spec = { t: 'obj', fields: out };
    if (keys.length && r.chance(0.05)) {
      spec.getter = r.pick(Object.keys(out));
      spec.action = r.pick(['throw', 'dispose']);
    }
    return r.chance(0.04) ? this.hostile() : spec;
  }
}
