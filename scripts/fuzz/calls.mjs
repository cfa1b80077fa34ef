/**
 * The call kinds. Each kind plans a call from a Gen (plain data: `spec`) and runs it against
 * the library in a CallContext. planCall(lib, seed, index) is deterministic, so any call can be
 * replayed alone (--only INDEX).
 */
import { Rng } from './rng.mjs';
import { Gen } from './gen.mjs';
import { planOpArgs } from './opCalls.mjs';
import { describe, HostileError } from './values.mjs';
import { DATA_KINDS } from './fileCalls.mjs';

const BACKENDS = ['native', 'js'];

/** Disposes every tensor reachable one or two levels down a result (native memory is not GC pressure). */
export function disposeResult(lib, value, depth = 0) {
  if (value instanceof lib.Tensor) {
    value.dispose();
    return;
  }
  if (depth > 3 || value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) disposeResult(lib, v, depth + 1);
}

// ---------------------------------------------------------------- ops and tensor creation

const opKind = {
  name: 'op',
  weight: 30,
  plan: (g, lib) => {
    const op = g.r.pick(Object.keys(lib.ops).filter((k) => typeof lib.ops[k] === 'function').sort());
    return { op, args: planOpArgs(g, op) };
  },
  describe: (s) => `ops.${s.op}(${s.args.map(describe).join(', ')})`,
  run: (ctx, s) => ctx.lib.ops[s.op](...s.args.map((a) => ctx.value(a))),
};

const CREATORS = ['tensor', 'scalar', 'zeros', 'ones', 'full', 'randn', 'randUniform'];

const createKind = {
  name: 'create',
  weight: 8,
  plan: (g) => {
    const fn = g.r.pick(CREATORS);
    const shape = g.randomShape();
    const size = shape.reduce((a, b) => a * b, 1);
    const dtype = g.r.chance(0.1) ? g.hostile() : { t: 'lit', v: g.r.pick(['float32', 'float64', undefined]) };
    const data = g.r.chance(0.15)
      ? g.hostile()
      : { t: 'lit', v: Array.from({ length: g.r.chance(0.9) ? size : size + 1 }, (_, i) => (g.r.chance(0.05) ? NaN : i)) };
    const args = {
      tensor: [data, g.shape(shape), dtype],
      scalar: [g.number([1, -2.5]), dtype],
      zeros: [g.shape(shape), dtype],
      ones: [g.shape(shape), dtype],
      full: [g.shape(shape), g.number([3, NaN]), dtype],
      randn: [g.shape(shape), g.number([1, 7]), dtype],
      randUniform: [g.shape(shape), g.number([1]), g.number([0, -1]), g.number([1, 2]), dtype],
    }[fn];
    return { fn, args };
  },
  describe: (s) => `${s.fn}(${s.args.map(describe).join(', ')})`,
  run: (ctx, s) => ctx.lib[s.fn](...s.args.map((a) => ctx.value(a))),
};

const tensorMethodKind = {
  name: 'tensorMethod',
  weight: 3,
  plan: (g) => ({ target: g.r.chance(0.5) ? g.hostile() : g.tensorOf(g.randomShape()), method: g.r.pick(['toArray', 'item', 'dispose', 'toString', 'handle', 'size']) }),
  describe: (s) => `(${describe(s.target)}).${s.method}`,
  run: (ctx, s) => {
    const t = ctx.value(s.target);
    if (!(t instanceof ctx.lib.Tensor)) return undefined;
    const member = t[s.method];
    return typeof member === 'function' ? member.call(t) : member;
  },
};

// ---------------------------------------------------------------- transforms and recorded programs

const TRANSFORM_BODIES = ['sumsq', 'mlp', 'throws', 'number', 'vector', 'disposeInside', 'item', 'array', 'constant', 'async', 'nanLog'];

/** The function a transform traces: mostly a scalar loss of params {w, b}, sometimes hostile. */
function transformFunction(lib, body, extra) {
  const { ops } = lib;
  return (p, ...inputs) => {
    switch (body) {
      case 'sumsq':
        return ops.add(ops.sum(ops.square(p.w)), ops.sum(p.b));
      case 'mlp': {
        const x = inputs[0] ?? p.w;
        return ops.sum(ops.tanh(ops.matmul(x, p.w)));
      }
      case 'throws':
        throw new HostileError('traced function');
      case 'number':
        return 1;
      case 'vector':
        return ops.square(p.w);
      case 'disposeInside':
        extra.disposeAll();
        return ops.sum(p.w);
      case 'item':
        return ops.mulScalar(ops.sum(p.w), ops.sum(p.w).item());
      case 'array':
        return [ops.sum(p.w), ops.exp(p.b)];
      case 'constant':
        return extra.constant;
      case 'async':
        return Promise.resolve(ops.sum(p.w));
      default:
        return ops.sum(ops.log(ops.abs(p.w)));
    }
  };
}

function paramsSpec(g) {
  const [m, n] = [g.dim(0) || 1, g.dim(1) || 1];
  return g.paramsRecord({ w: g.tensorOf([m, n]), b: g.tensorOf([n]) });
}

const TRANSFORMS = ['grad', 'valueAndGrad', 'vjp', 'jvp', 'hvp'];

const transformKind = {
  name: 'transform',
  weight: 8,
  plan: (g) => {
    const params = paramsSpec(g);
    return {
      transform: g.r.pick(TRANSFORMS),
      body: g.r.chance(0.7) ? g.r.pick(['sumsq', 'mlp']) : g.r.pick(TRANSFORM_BODIES),
      params,
      v: g.r.chance(0.8) ? params : paramsSpec(g),
      cotangent: g.maybe(g.tensorOf(g.r.chance(0.7) ? [] : [2])),
      f: g.r.chance(0.04) ? g.hostile() : undefined,
    };
  },
  describe: (s) => `${s.transform}(${s.body}${s.f ? `|f=${describe(s.f)}` : ''}, params=${describe(s.params)}, v=${describe(s.v)})`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const constant = ctx.tensor({ t: 'T', shape: [], dtype: 'float32', fill: 'rand' });
    const f = s.f ? ctx.value(s.f) : transformFunction(lib, s.body, { disposeAll: () => ctx.disposeAll(), constant });
    const params = ctx.value(s.params);
    switch (s.transform) {
      case 'grad':
        return lib.grad(f)(params);
      case 'valueAndGrad':
        return lib.valueAndGrad(f)(params);
      case 'vjp': {
        const [value, pullback] = lib.vjp(f, params);
        ctx.tensors.push(value);
        return pullback(ctx.value(s.cotangent));
      }
      case 'jvp':
        return lib.jvp(f, params, ctx.value(s.v));
      default:
        return lib.hvp(f, params, ctx.value(s.v));
    }
  },
};

const PROGRAM_METHODS = ['run', 'valueAndGrad', 'grad', 'vjp', 'jvp', 'hvp', 'inputHandles', 'dataHandles', 'wrap'];

const recordKind = {
  name: 'record',
  weight: 8,
  plan: (g) => {
    const [m, n] = [g.dim(0) || 1, g.dim(1) || 1];
    const example = { w: g.tensorOf([m, n]), b: g.tensorOf([n]) };
    const x = g.tensorOf([g.dim(2), m]);
    return {
      body: g.r.chance(0.85) ? 'mlp' : g.r.pick(TRANSFORM_BODIES),
      example: g.r.chance(0.9) ? { t: 'obj', fields: example } : g.paramsRecord(example),
      exampleInputs: g.r.chance(0.9) ? [x] : [g.hostile()],
      method: g.r.pick(PROGRAM_METHODS),
      disposeFirst: g.r.chance(0.05),
      params: g.r.chance(0.6) ? { t: 'obj', fields: example } : g.paramsRecord(example),
      inputs: g.list([g.maybe(g.r.chance(0.8) ? x : g.tensorOf(g.randomShape()))]),
      cotangents: g.list([g.maybe(g.tensorOf([]))]),
    };
  },
  describe: (s) =>
    `record(${s.body}, ${describe(s.example)}, ${s.exampleInputs.map(describe).join(', ')}).${s.disposeFirst ? 'dispose().' : ''}${s.method}(params=${describe(s.params)}, inputs=${describe(s.inputs)})`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const f = transformFunction(lib, s.body, { disposeAll: () => ctx.disposeAll(), constant: ctx.tensor({ t: 'T', shape: [], dtype: 'float32', fill: 'rand' }) });
    const program = lib.record(f, ctx.value(s.example), ...s.exampleInputs.map((x) => ctx.value(x)));
    ctx.programs.push(program);
    if (s.disposeFirst) program.dispose();
    const params = ctx.value(s.params);
    const inputs = ctx.value(s.inputs);
    const spread = Array.isArray(inputs) ? inputs : [inputs];
    switch (s.method) {
      case 'vjp':
        return program.vjp(params, ctx.value(s.cotangents), ...spread);
      case 'jvp':
      case 'hvp':
        return program[s.method](params, params, ...spread);
      case 'dataHandles':
        return program.dataHandles(...spread);
      case 'wrap':
        return program.wrap(spread);
      default:
        return program[s.method](params, ...spread);
    }
  },
};

/**
 * A recorded conv net (conv2d, bias, relu, max-pool) replayed and differentiated: the compiled
 * program runs the conv kernels on whatever sizes the dims give, zero-sized ones included.
 */
const recordConvKind = {
  name: 'recordConv',
  weight: 4,
  plan: (g) => {
    const [n, c, o] = [g.dim(0), g.dim(1), g.dim(2)];
    const k = g.r.pick([1, 2, 3]);
    const h = g.r.pick([0, k, k + 1, k + 3]);
    return {
      shapes: { w: [o, c, k, k], b: [o], x: [n, c, h, h] },
      padding: g.r.pick([0, 1, 2]),
      stride: g.r.pick([1, 2]),
      pool: g.r.chance(0.5),
      method: g.r.pick(['run', 'valueAndGrad', 'hvp', 'jvp']),
      dtype: g.dtype,
    };
  },
  describe: (s) => `record(conv2d${s.pool ? '+maxPool' : ''} stride ${s.stride} padding ${s.padding}, w ${JSON.stringify(s.shapes.w)}, x ${JSON.stringify(s.shapes.x)}).${s.method}`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const { ops } = lib;
    const mk = (shape) => ctx.tensor({ t: 'T', shape, dtype: s.dtype, fill: 'rand' });
    const params = { b: mk(s.shapes.b), w: mk(s.shapes.w) };
    const x = mk(s.shapes.x);
    const body = (p, input) => {
      let y = ops.relu(ops.conv2d(input, p.w, p.b, { stride: s.stride, padding: s.padding }));
      if (s.pool && y.shape[2] >= 2 && y.shape[3] >= 2) y = ops.maxPool2d(y, { kernel: 2 });
      return ops.sum(ops.square(y));
    };
    const program = lib.record(body, params, x);
    ctx.programs.push(program);
    if (s.method === 'hvp' || s.method === 'jvp') return program[s.method](params, params, x);
    return program[s.method](params, x);
  },
};

// ---------------------------------------------------------------- learners

const INNER_LOOP_LEARNERS = ['MAML', 'Reptile', 'MetaSGD', 'ANIL', 'MAMLpp', 'IMAML', 'CAVIA'];
const LEARNER_METHODS = ['metaGradient', 'metaGradient', 'evaluateTasks', 'evaluateTask', 'adapt', 'init'];

/** Options of an inner-loop learner: valid small ones, sometimes a hostile value in one field. */
function learnerOptions(g) {
  return g.options({
    innerLR: g.number([0.1, 0.01]),
    innerSteps: g.number([0, 1, 2]),
    ...(g.r.chance(0.3) ? { order: g.number([1, 2]) } : {}),
    ...(g.r.chance(0.2) ? { engine: { t: 'lit', v: g.r.pick(['auto', 'typescript', 'gpu']) } } : {}),
    ...(g.r.chance(0.1) ? { loss: { t: 'lit', v: g.r.pick(['mse', 'crossEntropy', 'hinge']) } } : {}),
    ...(g.r.chance(0.1) ? { cgSteps: g.number([2, 5]), lambda: g.number([1, 0.5]) } : {}),
    ...(g.r.chance(0.1) ? { contextSize: g.number([2, 4]) } : {}),
    ...(g.r.chance(0.1) ? { totalIterations: g.number([10]), multiStepLossIterations: g.number([5]) } : {}),
  });
}

/** A task spec for an mlp with `inputs` features: regression (Tensor y) or classification (Int32Array y). */
function taskSpec(g, inputs, outputs, classify) {
  const set = (n) => {
    const x = g.maybe(g.tensorOf([n, g.r.chance(0.95) ? inputs : inputs + 1]));
    const y = classify
      ? g.maybe({ t: 'i32', v: Array.from({ length: g.r.chance(0.95) ? n : n + 1 }, (_, i) => (g.r.chance(0.03) ? g.r.pick([-1, outputs, 99]) : i % outputs)) })
      : g.maybe(g.tensorOf([n, outputs]));
    return g.options({ x, y });
  };
  return g.options({ support: set(g.dim(0) || 2), query: set(g.dim(1) || 2) });
}

function tasksSpec(g, inputs, outputs, classify) {
  const count = g.r.chance(0.05) ? 0 : g.r.int(1, 3);
  const same = taskSpec(g, inputs, outputs, classify);
  return g.list(Array.from({ length: count }, () => (g.r.chance(0.8) ? same : taskSpec(g, inputs, outputs, classify))));
}

/** Mutations of a learner's own params: the record from init(), then a key dropped / added / replaced. */
function learnerParamsPlan(g) {
  return {
    drop: g.r.chance(0.05),
    extra: g.r.chance(0.05),
    replace: g.r.chance(0.08) ? g.hostile() : undefined,
    dispose: g.r.chance(0.03),
    dtype: g.r.chance(0.05) ? 'float64' : 'float32',
    otherRecord: g.r.chance(0.04) ? g.hostile() : undefined,
  };
}

function learnerParams(ctx, learner, plan) {
  const params = learner.init(0, plan.dtype);
  ctx.tensors.push(...Object.values(params));
  if (plan.otherRecord) return ctx.value(plan.otherRecord);
  const keys = Object.keys(params).sort();
  if (plan.drop) delete params[keys[0]];
  if (plan.extra) params.extra = ctx.tensor({ t: 'T', shape: [2], dtype: plan.dtype, fill: 'rand' });
  if (plan.replace) params[keys[keys.length - 1]] = ctx.value(plan.replace);
  if (plan.dispose) params[keys[0]]?.dispose?.();
  return params;
}

const describeParamsPlan = (p) =>
  [p.drop && 'drop', p.extra && 'extra', p.replace && `replace=${describe(p.replace)}`, p.dispose && 'dispose', p.dtype, p.otherRecord && `record=${describe(p.otherRecord)}`]
    .filter(Boolean)
    .join('+');

const learnerKind = {
  name: 'learner',
  weight: 10,
  plan: (g) => {
    const classify = g.r.chance(0.5);
    const [inputs, outputs] = [2, classify ? 2 : 1];
    return {
      learner: g.r.pick(INNER_LOOP_LEARNERS),
      options: learnerOptions(g),
      classify,
      method: g.r.pick(LEARNER_METHODS),
      params: learnerParamsPlan(g),
      tasks: tasksSpec(g, inputs, outputs, classify),
      callOptions: g.r.chance(0.5) ? undefined : g.options({ innerSteps: g.number([0, 1, 3]) }),
      model: g.r.chance(0.03) ? g.hostile() : undefined,
      concurrent: g.r.chance(0.05),
      // Dispose every tensor of the call right after starting it (the call is still running).
      disposeDuring: g.r.chance(0.05),
    };
  },
  describe: (s) =>
    `new ${s.learner}(${s.model ? describe(s.model) : 'mlp[2,3,' + (s.classify ? 2 : 1) + ']'}, ${describe(s.options)}).${s.method}(params{${describeParamsPlan(s.params)}}, ${describe(s.tasks)}${s.callOptions ? ', ' + describe(s.callOptions) : ''})${s.concurrent ? ' x2 concurrent' : ''}${s.disposeDuring ? ' disposing everything mid-call' : ''}`,
  run: async (ctx, s) => {
    const { lib } = ctx;
    const model = s.model ? ctx.value(s.model) : lib.nn.mlp([2, 3, s.classify ? 2 : 1]);
    const learner = new lib[s.learner](model, ctx.value(s.options));
    const params = learnerParams(ctx, learner, s.params);
    const tasks = ctx.value(s.tasks);
    const once = () => {
      switch (s.method) {
        case 'metaGradient':
          return learner.metaGradient(params, tasks);
        case 'evaluateTasks':
          return learner.evaluateTasks(params, tasks, s.callOptions && ctx.value(s.callOptions));
        case 'evaluateTask':
          return learner.evaluateTask(params, Array.isArray(tasks) ? tasks[0] : tasks, s.callOptions && ctx.value(s.callOptions));
        case 'adapt':
          return learner.adapt(params, Array.isArray(tasks) ? tasks[0]?.support : tasks, s.callOptions && ctx.value(s.callOptions));
        default:
          return learner.init(ctx.value({ t: 'lit', v: s.params.replace?.v ?? 0 }), s.params.dtype);
      }
    };
    const pending = s.concurrent ? Promise.all([once(), once()]) : once();
    if (s.disposeDuring) ctx.disposeAll();
    return pending;
  },
};

const METRIC_LEARNERS = ['ProtoNet', 'MatchingNet', 'RelationNet', 'SiameseNet'];
const METRIC_METHODS = ['lossAndGrad', 'metaGradient', 'evaluateTasks', 'evaluateTask', 'evaluate'];

function metricOptions(g, learner) {
  if (learner === 'SiameseNet') return g.options({ embeddingDim: g.number([3]), loss: { t: 'lit', v: g.r.pick(['verification', 'contrastive', 'triplet', 'x']) }, margin: g.number([1]) });
  if (learner === 'MatchingNet') return g.options({ cosineScale: g.number([1, 10]), ...(g.r.chance(0.3) ? { fce: g.options({ embeddingDim: g.number([3]), processingSteps: g.number([1, 2]) }) } : {}) });
  if (learner === 'RelationNet') return g.options({ relationModule: { t: 'lit', v: g.r.pick(['mlp', 'mlp', 'conv', 'x']) }, embeddingDim: g.number([3]), hidden: g.number([4]) });
  return { t: 'lit', v: undefined };
}

const metricKind = {
  name: 'metric',
  weight: 8,
  plan: (g) => {
    const learner = g.r.pick(METRIC_LEARNERS);
    return {
      learner,
      options: metricOptions(g, learner),
      method: g.r.pick(METRIC_METHODS),
      params: learnerParamsPlan(g),
      tasks: tasksSpec(g, 2, 2, true),
      episodes: g.number([1, 3, 0]),
      dtype: g.r.chance(0.5) ? 'float64' : 'float32',
      disposeDuring: g.r.chance(0.05),
    };
  },
  describe: (s) =>
    `new ${s.learner}(mlp[2,3], ${describe(s.options)}).${s.method}(params{${describeParamsPlan(s.params)}}, ${describe(s.tasks)})${s.disposeDuring ? ' disposing everything mid-call' : ''}`,
  run: async (ctx, s) => {
    const { lib } = ctx;
    const learner = new lib[s.learner](lib.nn.mlp([2, 3]), ctx.value(s.options));
    ctx.programs.push(learner);
    const params = learnerParams(ctx, learner, s.params);
    const tasks = ctx.value(s.tasks);
    const first = Array.isArray(tasks) ? tasks[0] : tasks;
    const call = () => {
      switch (s.method) {
        case 'lossAndGrad':
          return learner.lossAndGrad(params, first);
        case 'metaGradient':
          return learner.metaGradient(params, tasks);
        case 'evaluateTasks':
          return learner.evaluateTasks(params, tasks);
        case 'evaluateTask':
          return learner.evaluateTask(params, first);
        default:
          return learner.evaluate(params, { sample: () => first }, { episodes: ctx.value(s.episodes) });
      }
    };
    const pending = call();
    if (s.disposeDuring) ctx.disposeAll();
    return pending;
  },
};

// ---------------------------------------------------------------- the raw engine: CompiledProgram.innerLoop / metaGradient / adaptBatch

/**
 * A recorded mse(linear(x, w, b), y) program and a request on its raw handles, with hostile
 * fields (counts, steps, rates, handles that are numbers or disposed, getters that dispose the
 * program or the tensors while the request is read), concurrent calls and disposal mid-call.
 */
const rawKind = {
  name: 'raw',
  weight: 10,
  plan: (g) => {
    const [n, i, o] = [g.dim(0) || 2, 2, 1];
    const handles = (shapes) => g.list(shapes.map((shape) => g.maybe(g.tensorOf(shape))));
    const data = () => handles([[n, i], [n, o]]);
    const steps = g.r.chance(0.9) ? { t: 'lit', v: g.r.int(0, 2) } : g.number([1]);
    const request = g.options({
      numParams: g.r.chance(0.9) ? { t: 'lit', v: 2 } : g.number([1, 3, 0]),
      params: handles([[o], [o, i]]),
      tasks: g.list(Array.from({ length: g.r.chance(0.05) ? 0 : g.r.int(1, 3) }, () => g.options({ support: data(), query: data() }))),
      steps,
      innerLR: g.list([handles([[], g.r.chance(0.9) ? [] : [o]])]),
      order: g.r.chance(0.9) ? { t: 'lit', v: g.r.pick([1, 2]) } : g.number([2]),
      ...(g.r.chance(0.2) ? { stepWeights: g.list([g.number([0.5]), g.number([0.5]), g.number([1])]) } : {}),
      ...(g.r.chance(0.2) ? { lrGrads: { t: 'lit', v: true } } : {}),
      ...(g.r.chance(0.1) ? { supportOutputs: { t: 'lit', v: true } } : {}),
      ...(g.r.chance(0.1) ? { stepData: g.options({ index: g.number([0, 1, 5]), values: handles([[n, i], [n, i], [n, i]]) }) } : {}),
      ...(g.r.chance(0.15) ? { proximal: g.number([0.1, 0]) } : {}),
      ...(g.r.chance(0.15) ? { adam: g.options({ beta1: g.number([0.9]), beta2: g.number([0.999]), epsilon: g.number([1e-8]) }) } : {}),
      ...(g.r.chance(0.15) ? { implicitGradient: g.options({ lambda: g.number([1]), cgSteps: g.number([3]), tolerance: g.number([1e-6]) }) } : {}),
      // The fields of the one InnerLoopRequest (lib/engine/request.ts) that the legacy ones lack.
      update: g.options({
        kind: g.number(['sgd', 'sgd', 'adam']),
        rates: g.list([handles([[], g.r.chance(0.9) ? [] : [o]])]),
        ...(g.r.chance(0.5) ? { beta1: g.number([0.9]), beta2: g.number([0.999]), epsilon: g.number([1e-8]) } : {}),
      }),
      outerGradient: g.number(['none', 'first-order', 'exact', 'implicit']),
      ...(g.r.chance(0.1) ? { adapts: g.list([g.number([0, 1])]) } : {}),
      ...(g.r.chance(0.2) ? { returnAdapted: { t: 'lit', v: true } } : {}),
      ...(g.r.chance(0.15) ? { implicit: g.options({ lambda: g.number([1]), cgSteps: g.number([3]), tolerance: g.number([1e-6]) }) } : {}),
      ...(g.r.chance(0.3) ? { label: g.number(['metaGradient', 'adaptBatch', 'MAML.adapt']) } : {}),
    });
    return {
      shapes: { n, i, o },
      method: g.r.pick(['metaGradient', 'metaGradient', 'adaptBatch', 'adaptBatch', 'innerLoop', 'innerLoop', 'run', 'vjp', 'jvp', 'hvp']),
      request,
      queryProgram: g.r.chance(0.1) ? g.r.pick(['self', 'disposed', 'other', 'hostile']) : undefined,
      hostileQuery: g.hostile(),
      after: g.r.pick(['none', 'none', 'none', 'disposeProgram', 'disposeTensors', 'concurrent', 'concurrentDispose']),
      // A getter deep in the request (read by the backend itself, not by a spread): issue 12's SIGSEGV.
      nested: g.r.chance(0.15) ? { field: g.r.pick(['adam', 'implicitGradient', 'stepWeights', 'task', 'innerLR']), action: g.r.pick(['dispose', 'dispose', 'throw']) } : undefined,
      handleList: handles([[o], [o, i], [n, i], [n, o]]),
    };
  },
  describe: (s) =>
    `compiled.${s.method}(${describe(s.method.length > 5 ? s.request : s.handleList)}${s.queryProgram ? ', query=' + s.queryProgram : ''})${s.nested ? ` nested getter ${s.nested.field}:${s.nested.action}` : ''} then ${s.after}`,
  run: async (ctx, s) => {
    const { lib } = ctx;
    const { n, i, o } = s.shapes;
    const mk = (shape) => ctx.tensor({ t: 'T', shape, dtype: 'float32', fill: 'rand' });
    const recorded = lib.record((p, x, y) => [lib.ops.mse(lib.ops.linear(x, p.w, p.b), y), lib.ops.linear(x, p.w, p.b)], { b: mk([o]), w: mk([o, i]) }, mk([n, i]), mk([n, o]));
    ctx.programs.push(recorded);
    const compiled = recorded.compiled;
    // Handles, not Tensors: the raw interface takes what a backend hands out.
    const toHandles = (v) => (v instanceof lib.Tensor && !v.isDisposed ? v.handle : Array.isArray(v) ? v.map(toHandles) : v);
    const request = ctx.value(s.request);
    const rawRequest = request && typeof request === 'object' && !(request instanceof lib.Tensor) ? handleRequest(request, toHandles) : request;
    if (s.nested && rawRequest && typeof rawRequest === 'object') plantNestedGetter(rawRequest, s.nested, () => (s.nested.action === 'dispose' ? ctx.disposeAll() : undefined));
    let query;
    if (s.queryProgram === 'self') query = compiled;
    else if (s.queryProgram === 'disposed') {
      const other = lib.record((p, x, y) => lib.ops.mse(lib.ops.linear(x, p.w, p.b), y), { b: mk([o]), w: mk([o, i]) }, mk([n, i]), mk([n, o]));
      other.dispose();
      query = other.compiled;
    } else if (s.queryProgram === 'other') query = { run: () => [], dispose: () => undefined };
    else if (s.queryProgram === 'hostile') query = ctx.value(s.hostileQuery);
    const call = () => {
      if (s.method === 'metaGradient' || s.method === 'adaptBatch' || s.method === 'innerLoop') {
        if (!compiled[s.method]) return Promise.resolve(undefined);
        return compiled[s.method](rawRequest, query);
      }
      const list = toHandles(ctx.value(s.handleList));
      if (s.method === 'run') return compiled.run(list);
      if (s.method === 'vjp') return compiled.vjp(list, [null, null], [0, 1]);
      if (s.method === 'jvp') return compiled.jvp(list, list);
      return compiled.hvp(list, list, [null, null], [0, 1]);
    };
    const first = call();
    const pending = [first];
    if (s.after === 'disposeProgram') recorded.dispose();
    else if (s.after === 'disposeTensors') ctx.disposeAll();
    else if (s.after === 'concurrent') pending.push(call());
    else if (s.after === 'concurrentDispose') {
      pending.push(call());
      ctx.disposeAll();
    }
    const results = await Promise.all(pending.map((p) => Promise.resolve(p)));
    for (const r of results) disposeRawResult(recorded.backend, r);
    return undefined;
  },
};

/** Puts a getter that disposes everything (or throws) on a field the backend reads by reference. */
function plantNestedGetter(request, { field, action }, disposeAll) {
  const hostile = (target, key, value) =>
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (action === 'throw') throw new HostileError(`nested getter ${field}`);
        disposeAll();
        return value;
      },
    });
  const set = (key, value) => Object.defineProperty(request, key, { value, enumerable: true, configurable: true, writable: true });
  if (field === 'adam') set('adam', { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  if (field === 'implicitGradient') set('implicitGradient', { lambda: 1, cgSteps: 2, tolerance: 1e-6 });
  if (field === 'adam') hostile(request.adam, 'beta1', 0.9);
  else if (field === 'implicitGradient') hostile(request.implicitGradient, 'lambda', 1);
  else if (field === 'stepWeights') {
    const steps = Object.getOwnPropertyDescriptor(request, 'steps')?.value;
    set('stepWeights', [0, 0, 1].slice(0, (typeof steps === 'number' ? steps : 1) + 1));
    hostile(request.stepWeights, 0, request.stepWeights[0]);
  } else if (field === 'task' && Array.isArray(request.tasks) && request.tasks[0] && typeof request.tasks[0] === 'object') {
    hostile(request.tasks[0], 'support', request.tasks[0].support);
  } else if (field === 'innerLR' && Array.isArray(request.innerLR) && Array.isArray(request.innerLR[0])) {
    hostile(request.innerLR[0], 0, request.innerLR[0][0]);
  }
}

/** A request object with Tensors swapped for their handles, fields copied through their getters. */
function handleRequest(request, toHandles) {
  const out = {};
  for (const key of Object.keys(request)) {
    const descriptor = Object.getOwnPropertyDescriptor(request, key);
    if (descriptor.get) {
      // keep the hostile getter: it must fire while the backend reads the request
      Object.defineProperty(out, key, { enumerable: true, configurable: true, get: () => deepHandles(descriptor.get(), toHandles) });
    } else out[key] = deepHandles(request[key], toHandles);
  }
  return out;
}

function deepHandles(value, toHandles) {
  if (Array.isArray(value)) return value.map((v) => deepHandles(v, toHandles));
  const mapped = toHandles(value);
  if (mapped !== value) return mapped;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return handleRequest(value, toHandles);
  return value;
}

function disposeRawResult(backend, result) {
  const seen = [];
  const walk = (v, depth) => {
    if (!v || typeof v !== 'object' || depth > 4 || ArrayBuffer.isView(v)) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).forEach((x) => walk(x, depth + 1));
    seen.push(v);
  };
  walk(result, 0);
  for (const h of seen) {
    try {
      backend.dispose(h);
    } catch {
      // not a handle of this backend
    }
  }
}

// ---------------------------------------------------------------- the raw Backend (Tensor.backend)

const BACKEND_METHODS = ['exec', 'exec', 'exec', 'fromArray', 'toArray', 'shapeOf', 'dtypeOf', 'dispose', 'compile', 'compile'];

/** backend.exec(op, handles, attrs) and friends, below the front end's checks: the backend's own must hold. */
const backendKind = {
  name: 'backend',
  weight: 4,
  plan: (g, lib) => {
    const op = g.r.pick(Object.keys(lib.ops).filter((k) => typeof lib.ops[k] === 'function').sort());
    const attrs = g.options({
      value: g.number([1, 2]), axes: { t: 'lit', v: [0] }, keepDims: { t: 'lit', v: false }, shape: g.shape([g.dim(0), g.dim(1)]),
      axis: g.number([0, 1]), start: g.number([0]), end: g.number([1]), stride: { t: 'lit', v: [1, 1] }, padding: { t: 'lit', v: g.r.pick([[0, 0], [1, 1], [65535, 65535]]) },
      kernel: { t: 'lit', v: [2, 2] }, numClasses: g.number([2]), transA: { t: 'lit', v: false }, transB: { t: 'lit', v: false },
      inputShape: g.shape([1, 1, 3, 3]), weightShape: g.shape([1, 1, 2, 2]),
    });
    return {
      method: g.r.pick(BACKEND_METHODS),
      primitive: g.r.pick(['matmul', 'add', 'exp', 'sum', 'reshape', 'broadcastTo', 'concat', 'slice', 'softmax', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'maxPool2d', 'oneHot', 'squaredEuclidean', op, 'nope']),
      inputs: g.list(Array.from({ length: g.r.int(0, 3) }, () => g.maybe(g.tensorOf(g.r.chance(0.5) ? [g.dim(0), g.dim(1), g.dim(2), g.dim(2)] : g.randomShape())))),
      attrs,
      data: g.r.chance(0.8) ? { t: 'f32', v: [1, 2] } : g.hostile(),
      shape: g.shape([2]),
      // A ProgramSpec with ids, ops, shapes and attributes each sometimes wrong.
      spec: g.options({
        inputs: g.list([g.options({ shape: g.shape([2]), dtype: { t: 'lit', v: g.r.chance(0.9) ? 'float32' : 'int8' } }), g.options({ shape: g.shape([2]), dtype: { t: 'lit', v: 'float32' } })]),
        nodes: g.list([
          g.options({ op: { t: 'lit', v: g.r.pick(['add', 'mul', 'exp', 'matmul', 'sum', 'nope']) }, inputs: g.list([g.number([0]), g.number([1, 5, -1])]), attrs: g.options({ axes: { t: 'lit', v: [0] }, keepDims: { t: 'lit', v: false } }), shape: g.shape([2]), dtype: { t: 'lit', v: 'float32' } }),
          g.options({ op: { t: 'lit', v: g.r.pick(['sum', 'neg', 'softmax']) }, inputs: g.list([g.number([2, 3, 0])]), attrs: g.options({ axes: { t: 'lit', v: [0] }, keepDims: { t: 'lit', v: false } }), shape: g.shape([]), dtype: { t: 'lit', v: 'float32' } }),
        ]),
        outputs: g.list([g.number([3, 2, 9, -1])]),
      }),
      runInputs: g.list([g.tensorOf([2]), g.tensorOf([2])]),
    };
  },
  describe: (s) =>
    `backend.${s.method}(${s.method === 'exec' ? `'${s.primitive}', ${describe(s.inputs)}, ${describe(s.attrs)}` : s.method === 'fromArray' ? `${describe(s.data)}, ${describe(s.shape)}` : s.method === 'compile' ? `${describe(s.spec)}).run(${describe(s.runInputs)}` : describe(s.inputs)})`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const backend = ctx.tensor({ t: 'T', shape: [1], dtype: 'float32', fill: 'rand' }).backend;
    const inputs = ctx.value(s.inputs);
    const handles = Array.isArray(inputs) ? inputs.map((t) => (t instanceof lib.Tensor && !t.isDisposed ? t.handle : t)) : inputs;
    const one = Array.isArray(handles) ? handles[0] : handles;
    switch (s.method) {
      case 'exec': {
        const out = backend.exec(s.primitive, handles, ctx.value(s.attrs));
        backend.dispose(out);
        return undefined;
      }
      case 'fromArray': {
        const h = backend.fromArray(ctx.value(s.data), ctx.value(s.shape));
        backend.dispose(h);
        return undefined;
      }
      case 'compile': {
        const program = backend.compile(ctx.value(s.spec));
        ctx.programs.push(program);
        const inputs = ctx.value(s.runInputs);
        const outs = program.run(Array.isArray(inputs) ? inputs.map((t) => (t instanceof lib.Tensor && !t.isDisposed ? t.handle : t)) : inputs);
        for (const h of outs) backend.dispose(h);
        return undefined;
      }
      default:
        return backend[s.method](one);
    }
  },
};

// ---------------------------------------------------------------- the rest of the core's exports

const MISC = ['tidy', 'keep', 'sortedKeys', 'disposeParams', 'Random', 'setBackend', 'paramOrder', 'tidyLeak', 'multiStepLossWeights', 'cosineAnnealing'];

const miscKind = {
  name: 'misc',
  weight: 2,
  plan: (g) => ({ fn: g.r.pick(MISC), arg: g.r.chance(0.5) ? g.hostile() : g.tensorOf(g.randomShape()) }),
  describe: (s) => `${s.fn}(${describe(s.arg)})`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const arg = ctx.value(s.arg);
    switch (s.fn) {
      case 'tidy':
        return lib.tidy(arg);
      case 'tidyLeak':
        return lib.tidy(() => lib.keep(lib.ops.exp(arg)));
      case 'keep':
        return lib.keep(arg);
      case 'sortedKeys':
        return lib.sortedKeys(arg);
      case 'disposeParams':
        return lib.disposeParams(arg);
      case 'Random':
        return new lib.Random(arg).next();
      case 'paramOrder':
        return lib.nn.paramOrder(arg);
      case 'multiStepLossWeights':
        return lib.multiStepLossWeights(typeof s.arg.v === 'number' ? s.arg.v : 3, s.arg.t === 'lit' ? s.arg.v : 1, arg instanceof lib.Tensor ? 10 : arg);
      case 'cosineAnnealing':
        return lib.cosineAnnealing(1, s.arg.t === 'lit' ? s.arg.v : 5, arg instanceof lib.Tensor ? 10 : arg);
      default:
        try {
          return lib.setBackend(arg);
        } finally {
          lib.setBackend(ctx.backendName);
        }
    }
  },
};

// ---------------------------------------------------------------- episode samplers (lib/data) feeding learners

const samplerKind = {
  name: 'sampler',
  weight: 3,
  plan: (g) => ({
    source: g.r.pick(['episodes', 'sinusoid']),
    options: g.options({ ways: g.number([2, 3]), shots: g.number([1, 2]), queries: g.number([0, 1, 2]), seed: g.number([0, 5]), ...(g.r.chance(0.2) ? { classes: g.list([g.number([0]), g.number([1, 2])]) } : {}), ...(g.r.chance(0.2) ? { dtype: { t: 'lit', v: g.r.pick(['float64', 'int8']) } } : {}) }),
    count: g.number([1, 2]),
    classes: g.r.pick([2, 3, 4]),
    perClass: g.r.pick([1, 3, 4]),
    learn: g.r.chance(0.5),
  }),
  describe: (s) => `${s.source === 'episodes' ? `EpisodeSampler(ArrayDataset ${s.classes}x${s.perClass}` : 'sinusoid('}, ${describe(s.options)}).sample${s.learn ? ' -> ProtoNet/MAML' : ''}`,
  run: async (ctx, s) => {
    const { lib } = ctx;
    const options = ctx.value(s.options);
    if (s.source === 'sinusoid') {
      const source = lib.data.sinusoid(options);
      const batch = source.sampleBatch(ctx.value(s.count), options);
      if (!s.learn) return batch;
      const maml = new lib.MAML(lib.nn.mlp([1, 4, 1]), { innerSteps: 1 });
      const params = maml.init(0, batch[0]?.support?.x?.dtype);
      ctx.tensors.push(...Object.values(params));
      return maml.metaGradient(params, batch);
    }
    const n = s.classes * s.perClass;
    const dataset = new lib.data.ArrayDataset({
      name: 'fuzz',
      exampleShape: [2],
      values: Float32Array.from({ length: n * 2 }, (_, i) => i % 7),
      classStarts: Int32Array.from({ length: s.classes + 1 }, (_, c) => c * s.perClass),
      classNames: Array.from({ length: s.classes }, (_, c) => `c${c}`),
    });
    const sampler = new lib.data.EpisodeSampler(dataset, options);
    const episode = sampler.sample();
    if (!s.learn) return episode;
    const proto = new lib.ProtoNet(lib.nn.mlp([2, 3]));
    ctx.programs.push(proto);
    const params = proto.init(0, episode.support.x.dtype);
    ctx.tensors.push(...Object.values(params));
    return proto.lossAndGrad(params, episode);
  },
};

// ---------------------------------------------------------------- models

const nnKind = {
  name: 'nn',
  weight: 3,
  plan: (g) => ({
    model: g.r.pick(['mlp', 'conv4']),
    sizes: g.r.chance(0.7) ? { t: 'lit', v: [2, 3, 1] } : g.maybe({ t: 'lit', v: g.r.pick([[2], [2, 0], [2, -1], [2, 1.5], [2, 2 ** 40, 2 ** 40], []]) }),
    conv: g.options({ inChannels: g.number([1, 3]), hidden: g.number([2, 4]), outputs: g.number([0, 2]), imageSize: g.number([8, 28, 1]) }),
    seed: g.number([0, 1]),
    dtype: g.r.chance(0.1) ? g.hostile() : { t: 'lit', v: 'float32' },
    x: g.maybe(g.tensorOf([g.dim(0), 2])),
  }),
  describe: (s) => `nn.${s.model}(${describe(s.model === 'mlp' ? s.sizes : s.conv)}).init(${describe(s.seed)}, ${describe(s.dtype)}).apply(${describe(s.x)})`,
  run: (ctx, s) => {
    const { lib } = ctx;
    const model = s.model === 'mlp' ? lib.nn.mlp(ctx.value(s.sizes)) : lib.nn.conv4(ctx.value(s.conv));
    const params = model.init(ctx.value(s.seed), ctx.value(s.dtype));
    ctx.tensors.push(...Object.values(params));
    return model.apply(params, ctx.value(s.x));
  },
};

// ---------------------------------------------------------------- planted failures (--self-test)

/** Calls whose outcome is known, to prove the counters count: crash, hang, untyped, hostile, typed, ok. */
export const SELF_TEST_OUTCOMES = ['ok', 'ok', 'crash', 'typed', 'hostile', 'hang', 'ok', 'untyped'];

const selfTestKind = {
  name: 'selftest',
  weight: 0,
  plan: (_g, _lib, index) => ({ planted: SELF_TEST_OUTCOMES[index % SELF_TEST_OUTCOMES.length] }),
  describe: (s) => `planted ${s.planted}`,
  run: (ctx, s) => {
    switch (s.planted) {
      case 'crash':
        process.kill(process.pid, 'SIGSEGV');
        return new Promise(() => undefined);
      case 'hang':
        for (;;) {
          // a synchronous hang, as a native kernel stuck in a loop would be
        }
      case 'untyped':
        throw new TypeError('planted untyped error');
      case 'hostile':
        throw new HostileError('planted getter');
      case 'typed':
        throw new ctx.lib.ValueError('planted typed error');
      default:
        return undefined;
    }
  },
};

export const KINDS = [opKind, createKind, tensorMethodKind, transformKind, recordKind, recordConvKind, learnerKind, metricKind, rawKind, backendKind, miscKind, samplerKind, nnKind, ...DATA_KINDS];

/**
 * The call at `index`: { kind, backend, spec, desc, run(ctx) }. `only` (a RegExp) restricts the
 * kinds; selfTest plants known outcomes instead.
 */
export function planCall(lib, seed, index, { selfTest = false, only } = {}) {
  const g = new Gen(new Rng(seed, index));
  const kinds = selfTest ? [selfTestKind] : KINDS.filter((k) => !only || only.test(k.name));
  if (kinds.length === 0) throw new Error(`fuzz: no call kind matches ${only}`);
  const total = kinds.reduce((a, k) => a + (k.weight || 1), 0);
  let pick = g.r.next() * total;
  let kind = kinds[kinds.length - 1];
  for (const k of kinds) {
    pick -= k.weight || 1;
    if (pick < 0) {
      kind = k;
      break;
    }
  }
  const backend = g.r.pick(BACKENDS);
  const spec = kind.plan(g, lib, index);
  return { kind: kind.name, backend, spec, desc: `[${backend}] ${kind.describe(spec)}`, run: (ctx) => kind.run(ctx, spec) };
}
