/**
 * Issue 12, item 3: a wrong kind of argument at a public entry point is a MetalearnError subclass
 * naming the argument, what was expected and what was given, never a TypeError / RangeError from
 * deeper down. (Each case below was an untyped error, a hang or a crash before the checks.)
 */
import { describe, expect, it } from 'vitest';
import {
  BackendError, CAVIA, DisposedError, MAML, OutOfMemoryError, ProtoNet, ShapeError, ValueError,
  cosineAnnealing, data, disposeParams, grad, jvp, multiStepLossWeights, nn, ops, record, setBackend, sortedKeys, tensor, tidy,
  zeros, full, randn, type Params, type Task,
} from '../../lib/index.js';
import { nativeAvailable } from '../../lib/backend/index.js';
import { guardBackend } from '../../lib/backend/backendGuard.js';
import { checkAllocation } from '../../lib/core/allocation.js';
import type { Backend, CompiledProgram, Handle } from '../../lib/backend/types.js';
import { describeEachBackend } from '../helpers/backends.js';

const z = (...shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describeEachBackend('typed errors at entry points', (backend) => {
  it('ops: a non-tensor argument names the op, the argument and what was given', () => {
    expect(() => ops.exp(3 as never)).toThrow(ValueError);
    expect(() => ops.exp(3 as never)).toThrow(/exp: x must be a Tensor, got 3/);
    expect(() => ops.matmul(z(2, 2), {} as never)).toThrow(/matmul: b must be a Tensor, got a plain object/);
    expect(() => ops.linear(null as never, z(2, 2))).toThrow(/linear: x must be a Tensor, got null/);
    expect(() => ops.mse(z(2), undefined as never)).toThrow(/mse: target must be a Tensor, got undefined/);
    expect(() => ops.lstmCell(z(1, 2), z(1, 1), z(1, 1), null as never)).toThrow(/lstmCell: weights must be an object, got null/);
    expect(() => ops.sum(undefined as never)).toThrow(/sum: x must be a Tensor/);
    expect(() => ops.reshape(z(2), 'x' as never)).toThrow(/reshape: shape must be an array/);
  });

  it('ops: options that are not objects, a missing pooling kernel', () => {
    expect(() => ops.conv2d(z(1, 1, 3, 3), z(1, 1, 2, 2), null, null as never)).toThrow(/conv2d: options must be an object, got null/);
    expect(() => ops.matmul(z(2, 2), z(2, 2), 5 as never)).toThrow(ValueError);
    expect(() => ops.maxPool2d(z(1, 1, 4, 4), null as never)).toThrow(/maxPool2d: options must be an object, got null/);
    expect(() => ops.maxPool2d(z(1, 1, 4, 4), undefined as never)).toThrow(/maxPool2d: options.kernel is required/);
  });

  it('an object that only inherits Tensor.prototype (Object.create, a Proxy) is refused, not read', () => {
    const fake = Object.create(z(1).constructor.prototype) as never;
    expect(() => ops.exp(fake)).toThrow(/exp: x must be a Tensor, got an object that only inherits Tensor.prototype/);
    expect(() => ops.linear(new Proxy(z(1, 1), {}) as never, z(1, 1))).toThrow(/linear: x must be a Tensor, got an object that only inherits/);
    expect(() => (fake as { item(): number }).item()).toThrow(ValueError);
  });

  it('a disposed tensor is a DisposedError naming the argument', () => {
    const t = z(2);
    t.dispose();
    expect(() => ops.add(z(2), t)).toThrow(DisposedError);
    expect(() => ops.add(z(2), t)).toThrow(/add: b: tensor of shape \[2\] was disposed/);
  });

  it('sizes past the cap of the cores are ValueError, past 2^53 elements ShapeError, before any allocation', () => {
    expect(() => zeros([2 ** 20, 2 ** 20])).toThrow(ValueError);
    expect(() => zeros([2 ** 20, 2 ** 20])).toThrow(/zeros: shape \[1048576,1048576\] is too large/);
    expect(() => full([2 ** 40], 1, 'float64')).toThrow(/full: shape \[1099511627776\] is too large/);
    expect(() => randn([2 ** 53, 4], 1)).toThrow(ShapeError);
    expect(() => ops.oneHot(new Int32Array([0]), 2 ** 40)).toThrow(/oneHot: shape \[1,1099511627776\] is too large/);
    expect(() => ops.prototypes(z(4, 1), new Int32Array([0, 1, 0, 1]), 2 ** 40)).toThrow(ValueError);
    expect(() => nn.mlp([2, 2 ** 40, 1]).init(0)).toThrow(/is too large/);
  });

  it('a tensor larger than the memory limit is an OutOfMemoryError giving the size and the limit', () => {
    expect(() => checkAllocation('op', [1024, 1024], 'float64', 2 ** 20)).toThrow(OutOfMemoryError);
    expect(() => checkAllocation('op', [1024, 1024], 'float64', 2 ** 20)).toThrow(/op: a float64 tensor of shape \[1024,1024\] needs 8\.0 MiB, more than this machine.s memory \(1\.0 MiB\)/);
    expect(checkAllocation('op', [1024, 1024], 'float32', 2 ** 22)).toBe(2 ** 20);
  });

  it('tensor(): bigint data, bad dtype, a shape that is not an array', () => {
    expect(() => tensor(new BigInt64Array(2) as never)).toThrow(/tensor: data must hold numbers, got a BigInt64Array/);
    expect(() => tensor([1n, 2n] as never)).toThrow(/tensor: data\[0\] must be a number/);
    expect(() => full([2], 1, 'float16' as never)).toThrow(/full: dtype must be 'float32' or 'float64'/);
    expect(() => zeros('2,3' as never)).toThrow(/zeros: shape must be an array of non-negative integers, got string 2,3/);
  });

  it('an empty result is made without a kernel (no 25 GB im2col buffer for 0 output channels)', () => {
    // w [0, 1, 40000, 40000] (no elements), padding 20000: a kernel would build a [1.6e9, 4] im2col matrix.
    const y = ops.conv2d(tensor(new Float32Array(1), [1, 1, 1, 1]), tensor(new Float32Array(0), [0, 1, 40000, 40000]), null, { padding: 20000 });
    expect(y.shape).toEqual([1, 0, 2, 2]);
    expect(y.toArray().length).toBe(0);
  });

  it('transforms and record: f must be a function; cotangents an array of tensors', () => {
    expect(() => grad(3 as never)).toThrow(/grad: f must be a function, got 3/);
    expect(() => record('f' as never, { w: z(2) })).toThrow(/record: fn must be a function/);
    const program = record((p: Params) => ops.sum(p.w), { w: z(2) });
    expect(() => program.vjp({ w: z(2) }, undefined as never)).toThrow(/vjp: cotangents must be an array, got undefined/);
    expect(() => program.vjp({ w: z(2) }, [7 as never])).toThrow(/vjp: cotangents\[0\] must be a Tensor, got 7/);
    program.dispose();
  });

  it(`raw CompiledProgram.metaGradient / adaptBatch: a malformed request names the field [${backend}]`, async () => {
    const p = { b: z(1), w: z(1, 2) };
    const program = record((q: Params, x, y) => ops.mse(ops.linear(x, q.w, q.b), y), p, z(3, 2), z(3, 1));
    const compiled = program.compiled;
    if (compiled.metaGradient) {
      await expect(compiled.metaGradient({ tasks: 5 } as never)).rejects.toThrow(/metaGradient: request.numParams must be an integer/);
      const request = { numParams: 2, params: [p.b.handle, p.w.handle], tasks: 5, steps: 1, innerLR: [], order: 2 };
      await expect(compiled.metaGradient(request as never)).rejects.toThrow(/metaGradient: request.tasks must be an array, got 5/);
    }
    expect(() => compiled.run(undefined as never)).toThrow(/run: inputs must be an array, got undefined/);
    expect(() => compiled.jvp([], 3 as never)).toThrow(/jvp: tangents must be an array/);
    program.dispose();
  });

  it(`a getter that disposes the program while the request is read is a DisposedError, not a crash [${backend}]`, async () => {
    const p = { b: z(1), w: z(1, 2) };
    const x = z(3, 2);
    const y = z(3, 1);
    const program = record((q: Params, a, t) => ops.mse(ops.linear(a, q.w, q.b), t), p, x, y);
    const compiled = program.compiled;
    if (!compiled.adaptBatch) return;
    const lr = tensor([0.1], []);
    const request = {
      numParams: 2, params: [p.b.handle, p.w.handle], steps: 1, innerLR: [[lr.handle, lr.handle]],
      tasks: [{ support: [x.handle, y.handle], query: [x.handle, y.handle] }],
      adam: { get beta1() { program.dispose(); return 0.9; }, beta2: 0.999, epsilon: 1e-8 },
    };
    await expect(compiled.adaptBatch(request as never)).rejects.toThrow(DisposedError);
  });
});

describeEachBackend('typed errors at learners', () => {
  const model = nn.mlp([2, 3, 1]);
  const set = () => ({ x: z(4, 2), y: z(4, 1) });
  const task = (): Task => ({ support: set(), query: set() });

  it('params missing a key, with an extra key, not a record, or disposed', async () => {
    const maml = new MAML(model, { innerSteps: 1 });
    const params = maml.init(0);
    const { ['layer0.bias']: _dropped, ...missing } = params;
    await expect(maml.metaGradient(missing, [task()])).rejects.toThrow(/MAML: params has no parameter 'layer0.bias'/);
    await expect(maml.metaGradient({ ...params, extra: z(2) }, [task()])).rejects.toThrow(/MAML: params has an unexpected key 'extra'/);
    await expect(maml.metaGradient(5 as never, [task()])).rejects.toThrow(/MAML: params must be a record of tensors/);
    const disposed = maml.init(0);
    disposed['layer1.weight'].dispose();
    await expect(maml.evaluateTask(disposed, task())).rejects.toThrow(DisposedError);
  });

  it('tasks that are not an array, a task without query, a set whose y is a number', async () => {
    const maml = new MAML(model, { innerSteps: 1 });
    const params = maml.init(0);
    await expect(maml.metaGradient(params, 5 as never)).rejects.toThrow(/MAML.metaGradient: tasks must be an array, got 5/);
    await expect(maml.metaGradient(params, [{ support: set() } as never])).rejects.toThrow(/tasks\[0\].query must be an object, got undefined/);
    await expect(maml.evaluateTasks(params, [{ support: { x: z(4, 2), y: 3 }, query: set() } as never])).rejects.toThrow(
      /tasks\[0\].support.y must be a Tensor of targets or an Int32Array of class ids, got 3/,
    );
    await expect(maml.adapt(params, null as never)).rejects.toThrow(/MAML.adapt: support must be an object, got null/);
  });

  it('a model that is not a model, null options, huge step counts', async () => {
    expect(() => new MAML(null as never)).toThrow(/MAML: model must be an object, got null/);
    expect(() => new MAML({ init: 1 } as never)).toThrow(/MAML: model must be a model with init/);
    expect(() => new MAML(model, null as never)).toThrow(/MAML: options must be an object/);
    expect(() => new CAVIA(model, null as never)).toThrow(/CAVIA: options must be an object/);
    expect(() => new MAML(model, { innerSteps: 2 ** 40 })).toThrow(/innerSteps must be an integer >= 0, got 1099511627776 \(at most 100000\)/);
    const maml = new MAML(model);
    await expect(maml.evaluateTasks(maml.init(0), [task()], { innerSteps: 2 ** 53 })).rejects.toThrow(ValueError);
  });

  it('metric learners: tasks and episodes that are not objects, a sampler without sample()', async () => {
    const proto = new ProtoNet(nn.mlp([2, 3]));
    const params = proto.init(0);
    await expect(proto.metaGradient(params, 5 as never)).rejects.toThrow(/protonet.metaGradient: tasks must be an array, got 5/);
    await expect(proto.lossAndGrad(params, null as never)).rejects.toThrow(/protonet: episode must be an object, got null/);
    await expect(proto.evaluate(params, {} as never, { episodes: 1 })).rejects.toThrow(/protonet.evaluate: sampler.sample must be a function/);
    await expect(proto.lossAndGrad({ ...params, extra: z(1) }, null as never)).rejects.toThrow(/protonet: params has an unexpected key 'extra'/);
    expect(() => new ProtoNet(undefined as never)).toThrow(/ProtoNet: embedding must be an object, got undefined/);
  });
});

describeEachBackend('typed errors at the rest of the core', (backend) => {
  it('Backend.compile: a ProgramSpec that is not one names the field', () => {
    const b = z(1).backend;
    expect(() => b.compile({ inputs: 5 } as never)).toThrow(/compile: spec.inputs must be an array, got 5/);
    expect(() => b.compile({ inputs: [], nodes: [{ op: 'exp', inputs: 'x' }], outputs: [] } as never)).toThrow(/compile: spec.nodes\[0\].inputs must be an array/);
    expect(() => b.exec('exp', 3 as never, {} as never)).toThrow(/exec exp: inputs must be an array, got 3/);
  });

  it('tidy, sortedKeys, disposeParams, checkLabels, schedules', () => {
    expect(() => tidy(3 as never)).toThrow(/tidy: fn must be a function, got 3/);
    expect(() => sortedKeys(null as never)).toThrow(/sortedKeys: params must be a record of tensors, got null/);
    expect(() => disposeParams([1] as never)).toThrow(ValueError);
    expect(() => ops.checkLabels('op', new Int32Array([0]), Symbol('k') as never)).toThrow(/op: numClasses must be a number, got a symbol/);
    expect(() => multiStepLossWeights(2 ** 40, 0, 10)).toThrow(/steps must be >= 1, got 1099511627776 \(at most 100000\)/);
    expect(() => cosineAnnealing(1, Symbol('i') as never, 10)).toThrow(/cosineAnnealing: iteration must be a number, got a symbol/);
  });

  it('samplers: options that are not objects, huge counts', () => {
    expect(() => data.sinusoid(null as never)).toThrow(/sinusoid: options must be an object, got null/);
    expect(() => data.sinusoid().sampleBatch(2 ** 40, { shots: 1, queries: 1 })).toThrow(/count must be an integer >= 1, got 1099511627776/);
    expect(() => data.sinusoid().sample(undefined as never)).toThrow(/sinusoid.sample: options must be an object, got undefined/);
  });

  it.skipIf(!nativeAvailable().ok)(`a tangent of the other backend is a BackendError, not a foreign handle [${backend}]`, () => {
    const params = { w: z(2) };
    setBackend(backend === 'js' ? 'native' : 'js');
    const v = { w: z(2) };
    setBackend(backend);
    expect(() => jvp((p: Params) => ops.sum(ops.square(p.w)), params, v)).toThrow(BackendError);
    expect(() => jvp((p: Params) => ops.sum(ops.square(p.w)), params, v)).toThrow(/tangent: v.w lives on the/);
  });
});

describe('guardBackend: an allocation failure of the TypeScript core is an OutOfMemoryError', () => {
  const fail = (): never => {
    throw new RangeError('Array buffer allocation failed');
  };
  const program = (): CompiledProgram => ({
    run: fail,
    vjp: fail,
    jvp: fail,
    hvp: fail,
    adaptBatch: () => Promise.reject(new RangeError('Invalid typed array length: 4294967296')),
    dispose: () => undefined,
  });
  const fake = (): Backend =>
    ({
      name: 'js',
      fromArray: fail,
      toArray: fail,
      shapeOf: () => [],
      dtypeOf: () => 'float32',
      dispose: () => undefined,
      exec: fail,
      compile: program,
      liveTensors: () => 0,
    }) as unknown as Backend;

  it('from backend methods, program methods and their promises; other errors pass unchanged', async () => {
    const backend = guardBackend(fake());
    expect(() => backend.exec('exp', [], {} as never)).toThrow(OutOfMemoryError);
    expect(() => backend.exec('exp', [], {} as never)).toThrow(/js backend.exec: out of memory \(Array buffer allocation failed\)/);
    expect(() => backend.fromArray(new Float32Array(1), [1])).toThrow(OutOfMemoryError);
    const compiled = backend.compile({ inputs: [], nodes: [], outputs: [] });
    expect(() => compiled.run([])).toThrow(OutOfMemoryError);
    const request = { numParams: 0, params: [], tasks: [], steps: 0, innerLR: [] };
    await expect(compiled.adaptBatch!(request)).rejects.toThrow(OutOfMemoryError);
    const other = guardBackend({ ...fake(), exec: () => { throw new RangeError('Maximum call stack size exceeded'); } } as unknown as Backend);
    expect(() => other.exec('exp', [] as Handle[], {} as never)).toThrow(RangeError);
  });
});
