/**
 * Argument plans for every exported op (lib/ops/index.ts). An op missing here (added later)
 * still gets fuzzed with one to three random tensors.
 */

const pairOrNumber = (g, good) => (g.r.chance(0.5) ? g.number(good) : { t: 'lit', v: [g.r.pick(good), g.r.pick(good)] });

function convShapes(g) {
  // Sometimes the shapes of issue 12's overflow: an empty 65536x65536 kernel.
  if (g.r.chance(0.05)) return { x: [1, 1, 1, 1], w: [0, 1, 65536, 65536] };
  const [n, c, h, o] = [g.dim(0), g.dim(1), g.dim(2) + 2, g.dim(3)];
  const k = g.r.int(0, 3);
  return { x: [n, c, h, h], w: [o, c, k, k] };
}

const convOptions = (g) => g.options({ stride: pairOrNumber(g, [1, 2]), padding: pairOrNumber(g, [0, 1, 2, g.r.chance(0.1) ? 65535 : 0]) });
const poolOptions = (g) => g.options({ kernel: pairOrNumber(g, [1, 2, 3]), stride: pairOrNumber(g, [1, 2]) });
const labels = (g, n, classes) => {
  const values = Array.from({ length: n }, (_, i) => (g.r.chance(0.03) ? g.r.pick([-1, classes, 0.5]) : i % Math.max(classes, 1)));
  return g.maybe(g.r.chance(0.8) ? { t: 'i32', v: values } : { t: 'T', shape: [n], dtype: g.dtype, fill: 'int' });
};

const unary = (g) => [g.maybe(g.tensorOf(g.randomShape()))];
const binary = (g) => {
  const shape = g.randomShape();
  const other = g.r.chance(0.7) ? shape : g.r.chance(0.5) ? shape.slice(1) : g.randomShape();
  return [g.maybe(g.tensorOf(shape)), g.maybe(g.tensorOf(other))];
};
const operands = (g) => {
  const [a, b] = binary(g);
  if (g.r.chance(0.2)) return [a, g.number([2, -1, 0.5, 0])];
  if (g.r.chance(0.1)) return [g.number([2, 3]), b];
  return [a, b];
};
const scalarOp = (g) => [g.maybe(g.tensorOf(g.randomShape())), g.number([2, -1, 0.5, 0, 3])];
const axis = (g, rank) => g.number([0, -1, rank - 1, rank]);
const axes = (g, rank) => (g.r.chance(0.3) ? { t: 'lit', v: undefined } : g.r.chance(0.5) ? axis(g, rank) : g.list([axis(g, rank), axis(g, rank)]));

export const OP_ARGS = {
  matmul: (g) => {
    const [n, k, m] = [g.dim(0), g.dim(1), g.dim(2)];
    return [g.maybe(g.tensorOf([n, k])), g.maybe(g.tensorOf(g.r.chance(0.8) ? [k, m] : [m, k])), g.options({ transA: { t: 'lit', v: g.r.chance(0.2) }, transB: { t: 'lit', v: g.r.chance(0.2) } })];
  },
  add: operands, sub: operands, mul: operands, div: operands,
  neg: unary, exp: unary, log: unary, sqrt: unary, square: unary, relu: unary, tanh: unary,
  sigmoid: unary, softplus: unary, abs: unary, softmax: unary, logSoftmax: unary,
  addScalar: scalarOp, mulScalar: scalarOp, powScalar: scalarOp, pow: scalarOp,
  reluMask: binary,
  sum: (g) => {
    const shape = g.randomShape();
    return [g.maybe(g.tensorOf(shape)), axes(g, shape.length), { t: 'lit', v: g.r.chance(0.5) }];
  },
  mean: (g) => {
    const shape = g.randomShape();
    return [g.maybe(g.tensorOf(shape)), axes(g, shape.length), { t: 'lit', v: g.r.chance(0.5) }];
  },
  broadcastTo: (g) => {
    const shape = g.randomShape();
    return [g.maybe(g.tensorOf(shape)), g.shape([g.dim(4), ...shape])];
  },
  reshape: (g) => {
    const shape = g.randomShape();
    const size = shape.reduce((a, b) => a * b, 1);
    return [g.maybe(g.tensorOf(shape)), g.shape(g.r.pick([[size], [-1], [size, 1], [1, -1], [-1, -1], [size + 1], [0, -1]]))];
  },
  concat: (g) => {
    const shape = g.randomShape();
    const items = Array.from({ length: g.r.int(0, 3) }, () => g.maybe(g.tensorOf(shape)));
    return [g.list(items), axis(g, shape.length)];
  },
  slice: (g) => {
    const shape = g.randomShape();
    return [g.maybe(g.tensorOf(shape)), axis(g, shape.length), g.number([0, 1, -1]), g.number([1, 2, shape[0] ?? 0, 5])];
  },
  conv2dRaw: (g) => {
    const s = convShapes(g);
    return [g.maybe(g.tensorOf(s.x)), g.maybe(g.tensorOf(s.w)), convOptions(g)];
  },
  conv2d: (g) => {
    const s = convShapes(g);
    const bias = g.r.chance(0.5) ? g.maybe(g.tensorOf([s.w[0]])) : { t: 'lit', v: g.r.pick([null, undefined]) };
    return [g.maybe(g.tensorOf(s.x)), g.maybe(g.tensorOf(s.w)), bias, convOptions(g)];
  },
  conv2dBackwardInput: (g) => {
    const s = convShapes(g);
    const out = [s.x[0], s.w[0], s.x[2] - s.w[2] + 1, s.x[3] - s.w[3] + 1];
    return [g.maybe(g.tensorOf(out)), g.maybe(g.tensorOf(s.w)), g.shape(s.x), convOptions(g)];
  },
  conv2dBackwardWeight: (g) => {
    const s = convShapes(g);
    const out = [s.x[0], s.w[0], s.x[2] - s.w[2] + 1, s.x[3] - s.w[3] + 1];
    return [g.maybe(g.tensorOf(s.x)), g.maybe(g.tensorOf(out)), g.shape(s.w), convOptions(g)];
  },
  maxPool2d: (g) => [g.maybe(g.tensorOf(convShapes(g).x)), poolOptions(g)],
  maxPool2dSelect: (g) => {
    const x = convShapes(g).x;
    return [g.maybe(g.tensorOf(x)), g.maybe(g.tensorOf(x)), poolOptions(g)];
  },
  maxPool2dScatter: (g) => {
    const x = convShapes(g).x;
    return [g.maybe(g.tensorOf(x)), g.maybe(g.tensorOf([x[0], x[1], Math.floor(x[2] / 2), Math.floor(x[3] / 2)])), poolOptions(g)];
  },
  squaredEuclidean: (g) => [g.maybe(g.tensorOf([g.dim(0), g.dim(2)])), g.maybe(g.tensorOf([g.dim(1), g.dim(2)]))],
  cosineSimilarity: (g) => [g.maybe(g.tensorOf([g.dim(0), g.dim(2)])), g.maybe(g.tensorOf([g.dim(1), g.dim(2)])), g.number([1e-8, 0, 1])],
  linear: (g) => {
    const [n, i, o] = [g.dim(0), g.dim(1), g.dim(2)];
    const bias = g.r.chance(0.6) ? g.maybe(g.tensorOf([o])) : { t: 'lit', v: undefined };
    return [g.maybe(g.tensorOf([n, i])), g.maybe(g.tensorOf([i, o])), bias];
  },
  batchNorm: (g) => {
    const x = convShapes(g).x;
    const c = g.r.chance(0.5) ? x[1] : x[x.length - 1];
    return [g.maybe(g.tensorOf(x)), g.maybe(g.tensorOf([c])), g.maybe(g.tensorOf([c])), g.options({ eps: g.number([1e-5, 0]) })];
  },
  crossEntropy: (g) => {
    const [n, k] = [g.dim(0), g.dim(1)];
    return [g.maybe(g.tensorOf([n, k])), labels(g, n, k)];
  },
  accuracy: (g) => {
    const [n, k] = [g.dim(0), g.dim(1)];
    return [g.maybe(g.tensorOf([n, k])), labels(g, n, k)];
  },
  mse: binary,
  bceWithLogits: binary,
  prototypes: (g) => {
    const [n, d, k] = [g.dim(0) + 1, g.dim(1), g.dim(2)];
    return [g.maybe(g.tensorOf([n, d])), labels(g, n, k), g.number([k, 0, -1, 1.5])];
  },
  oneHot: (g) => {
    const [n, k] = [g.dim(0), g.dim(1)];
    return [labels(g, n, k), g.number([k, 0, -1, 1.5, 2 ** 40]), g.r.chance(0.3) ? g.maybe(g.tensorOf([1])) : { t: 'lit', v: undefined }];
  },
  checkLabels: (g) => {
    const [n, k] = [g.dim(0), g.dim(1)];
    return [{ t: 'lit', v: 'fuzz' }, labels(g, n, k), g.number([k, 0]), g.number([n, n + 1])];
  },
  lstmCell: (g) => {
    const [n, i, h] = [g.dim(0), g.dim(1), g.dim(2)];
    const weights = g.options({
      weightIh: g.maybe(g.tensorOf([4 * h, i])),
      weightHh: g.maybe(g.tensorOf([4 * h, h])),
      bias: g.maybe(g.tensorOf([4 * h])),
    });
    return [g.maybe(g.tensorOf([n, i])), g.maybe(g.tensorOf([n, h])), g.maybe(g.tensorOf([n, h])), weights];
  },
};

/** Arguments for op `name`; ops without a plan get one to three random tensors. */
export function planOpArgs(g, name) {
  const plan = OP_ARGS[name];
  const args = plan ? plan(g) : Array.from({ length: g.r.int(1, 3) }, () => g.maybe(g.tensorOf(g.randomShape())));
  if (g.r.chance(0.03)) args.pop();
  if (g.r.chance(0.03)) args.push(g.hostile());
  return args;
}
