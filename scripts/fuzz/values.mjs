/**
 * Value specs: plain data describing an argument (so a call can be described in one line and
 * rebuilt from its seed), and their materialisation into real (often hostile) values.
 *
 *   { t: 'T', shape, dtype, fill, other? }   a tensor (other: on the other backend)
 *   { t: 'Tdisposed', shape, dtype }         a tensor disposed before the call
 *   { t: 'Tproxy', shape, dtype, action }    a Proxy over a tensor whose `handle` getter throws or disposes
 *   { t: 'lit', v }                          any plain JS value (number, string, null, undefined, array, ...)
 *   { t: 'i32' | 'f32', v }                  an Int32Array / Float32Array of the numbers v
 *   { t: 'obj', fields, getter?, action? }   a plain object; `getter` names a key read through a getter that
 *                                            throws (action 'throw') or disposes every tensor and program of
 *                                            the call (action 'dispose') before returning the field
 *   { t: 'list', items, getter?, action? }   an array, with the same getter option on one index
 *   { t: 'throwProxy' }                      a Proxy that throws on every trap
 */

/** Thrown by the fuzzer's own hostile getters and proxies: propagating it as-is is correct. */
export class HostileError extends Error {
  constructor(what) {
    super(`fuzz: hostile ${what}`);
    this.name = 'HostileError';
    this.fuzzHostile = true;
  }
}

/** Numbers for tensor fills: mostly small values, sometimes NaN / Inf. */
function fillValues(n, fill, seedish) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const base = Math.sin(seedish * 12.9898 + i * 78.233) * 2;
    if (fill === 'nan') out[i] = i % 2 ? NaN : base;
    else if (fill === 'inf') out[i] = i % 2 ? Infinity : -Infinity;
    else if (fill === 'zero') out[i] = 0;
    else if (fill === 'int') out[i] = i % 3;
    else out[i] = base;
  }
  return out;
}

const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/** Everything one call creates, so hostile getters can dispose it and the worker can free it. */
export class CallContext {
  constructor(lib, backendName) {
    this.lib = lib;
    this.backendName = backendName;
    this.tensors = [];
    this.programs = [];
  }

  tensor(spec) {
    const { lib } = this;
    const n = sizeOf(spec.shape);
    const make = () => lib.tensor(fillValues(n, spec.fill, n + spec.shape.length), spec.shape, spec.dtype);
    let t;
    if (spec.other) {
      lib.setBackend(this.backendName === 'native' ? 'js' : 'native');
      try {
        t = make();
      } finally {
        lib.setBackend(this.backendName);
      }
    } else t = make();
    this.tensors.push(t);
    return t;
  }

  /** Disposes every tensor and program of the call (a hostile getter's 'dispose' action). */
  disposeAll() {
    for (const t of this.tensors) t.dispose();
    for (const p of this.programs) p.dispose();
  }

  cleanup() {
    for (const t of this.tensors) {
      try {
        t.dispose();
      } catch {
        // a proxy or an already broken tensor: nothing more to free
      }
    }
    for (const p of this.programs) {
      try {
        p.dispose();
      } catch {
        // idem
      }
    }
  }

  value(spec) {
    switch (spec.t) {
      case 'T':
        return this.tensor(spec);
      case 'Tdisposed': {
        const t = this.tensor({ ...spec, t: 'T' });
        t.dispose();
        return t;
      }
      case 'Tproxy': {
        const t = this.tensor({ ...spec, t: 'T' });
        const action = spec.action;
        return new Proxy(t, {
          get: (target, key, receiver) => {
            if (key === 'handle') {
              if (action === 'throw') throw new HostileError('tensor.handle getter');
              this.disposeAll();
            }
            return Reflect.get(target, key, receiver);
          },
        });
      }
      case 'lit':
        return Array.isArray(spec.v) ? [...spec.v] : spec.v;
      case 'i32':
        return Int32Array.from(spec.v);
      case 'f32':
        return Float32Array.from(spec.v);
      case 'throwProxy':
        return throwingProxy();
      case 'fakeTensor':
        // inherits Tensor.prototype, was never made by the library
        return Object.create(this.lib.Tensor.prototype);
      case 'obj':
        return this.object(spec);
      case 'list':
        return this.list(spec);
      default:
        throw new Error(`fuzz: unknown value spec ${spec.t}`);
    }
  }

  object(spec) {
    const out = {};
    for (const [key, field] of Object.entries(spec.fields)) {
      if (key === spec.getter) this.defineHostileGetter(out, key, field, spec.action);
      else out[key] = this.value(field);
    }
    return out;
  }

  list(spec) {
    const out = spec.items.map((item, i) => (i === spec.getter ? undefined : this.value(item)));
    if (spec.getter !== undefined && spec.getter < spec.items.length) {
      this.defineHostileGetter(out, spec.getter, spec.items[spec.getter], spec.action);
    }
    return out;
  }

  defineHostileGetter(target, key, field, action) {
    const value = this.value(field);
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (action === 'throw') throw new HostileError(`getter '${String(key)}'`);
        this.disposeAll();
        return value;
      },
    });
  }
}

function throwingProxy() {
  const fail = (what) => () => {
    throw new HostileError(`proxy ${what}`);
  };
  return new Proxy(
    {},
    {
      get: fail('get'),
      has: fail('has'),
      ownKeys: fail('ownKeys'),
      getPrototypeOf: fail('getPrototypeOf'),
      getOwnPropertyDescriptor: fail('getOwnPropertyDescriptor'),
    },
  );
}

/** One line for a spec (the repro description). */
export function describe(spec) {
  if (spec === undefined) return 'undefined';
  switch (spec.t) {
    case 'T':
      return `T${JSON.stringify(spec.shape)}${spec.dtype === 'float64' ? 'f64' : ''}${spec.fill === 'rand' ? '' : ':' + spec.fill}${spec.other ? '@other' : ''}`;
    case 'Tdisposed':
      return `disposed${JSON.stringify(spec.shape)}`;
    case 'Tproxy':
      return `proxy(${spec.action})${JSON.stringify(spec.shape)}`;
    case 'lit':
      return literal(spec.v);
    case 'i32':
    case 'f32':
      return `${spec.t}[${spec.v.map(String).join(',')}]`;
    case 'throwProxy':
      return 'throwProxy';
    case 'fakeTensor':
      return 'Object.create(Tensor.prototype)';
    case 'obj': {
      const parts = Object.entries(spec.fields).map(([k, v]) => `${k}${k === spec.getter ? `(get:${spec.action})` : ''}:${describe(v)}`);
      return `{${parts.join(',')}}`;
    }
    case 'list': {
      const parts = spec.items.map((v, i) => `${i === spec.getter ? `(get:${spec.action})` : ''}${describe(v)}`);
      return `[${parts.join(',')}]`;
    }
    default:
      return spec.t;
  }
}

function literal(v) {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'symbol';
  if (typeof v === 'function') return 'function';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(',')}]`;
  if (v !== null && typeof v === 'object') return '{}';
  return String(v);
}
