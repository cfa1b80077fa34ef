/**
 * The primitive operations: the contract between the TypeScript front end and both cores
 * (native C++ and the pure-TypeScript twin). Every composite op of the public API
 * (linear, mean, crossEntropy, batchNorm, cosineSimilarity, prototypes, ...) is built in
 * the front end from these, so a backend implements exactly this list: for each primitive
 * a forward kernel, a JVP rule and a VJP rule. VJP and JVP rules are themselves written in
 * terms of primitives, so running the reverse pass on (value, tangent) pairs gives the
 * tangent of the gradient: forward-over-reverse Hessian-vector products for free.
 *
 * Conventions (identical on every backend):
 * - All tensor inputs of one primitive share one dtype ('float32' | 'float64'); the output
 *   has that dtype. Shapes are row-major (C order); images are NCHW.
 * - Binary elementwise ops broadcast like NumPy (align trailing axes; size-1 axes stretch).
 * - The front end validates shapes and attributes and infers the output shape before it
 *   calls a backend; backends validate again and throw instead of crashing.
 * - Axis attributes are already normalised by the front end to 0 <= axis < rank.
 *
 * Semantics (inputs -> output):
 *   matmul            [a, b] {transA, transB}: op(a) [n,k] x op(b) [k,m] -> [n,m]; op = transpose when the flag is set. 2-D only.
 *   add sub mul div   [a, b] broadcasting elementwise.
 *   neg exp log sqrt square relu tanh sigmoid softplus abs   [x] elementwise.
 *                     softplus(x) = log(1 + exp(x)) computed stably as max(x,0) + log1p(exp(-|x|)).
 *                     relu'(0) = 0; abs'(0) = 0.
 *   addScalar         [x] {value}: x + value.      mulScalar [x] {value}: x * value.
 *   powScalar         [x] {value}: x ** value (elementwise; x > 0 where value is not an integer).
 *   reluMask          [x, g] -> g where x > 0, else 0 (x and g of one shape). Used by relu's VJP.
 *   sum               [x] {axes, keepDims}: sum over the listed axes (sorted, unique; [] means none).
 *   broadcastTo       [x] {shape}: NumPy broadcast of x to shape.
 *   reshape           [x] {shape}: same element count, no -1 (front end resolves it).
 *   concat            [x0, x1, ...] {axis}.
 *   slice             [x] {axis, start, end}: x[..., start:end, ...] along axis (0 <= start <= end <= dim).
 *   softmax           [x] -> softmax along the last axis (max-subtracted).
 *   logSoftmax        [x] -> log-softmax along the last axis (max-subtracted, log-sum-exp).
 *   conv2d            [x [N,C,H,W], w [O,C,KH,KW]] {stride:[sh,sw], padding:[ph,pw]} -> [N,O,OH,OW],
 *                     OH = floor((H + 2 ph - KH) / sh) + 1 (zero padding; cross-correlation, like PyTorch).
 *   conv2dBackwardInput  [g [N,O,OH,OW], w [O,C,KH,KW]] {stride, padding, inputShape:[N,C,H,W]} -> d(conv)/dx applied to g.
 *   conv2dBackwardWeight [x [N,C,H,W], g [N,O,OH,OW]] {stride, padding, weightShape:[O,C,KH,KW]} -> d(conv)/dw applied to g.
 *                     Both are bilinear, so their JVPs are sums of the same op on tangents.
 *   maxPool2d         [x [N,C,H,W]] {kernel:[kh,kw], stride:[sh,sw]} -> [N,C,OH,OW], OH = floor((H - kh) / sh) + 1, no padding.
 *                     Ties: the first maximum in row-major order within the window wins.
 *   maxPool2dSelect   [x, t] {kernel, stride}: picks t at x's window argmax positions -> pooled shape (maxPool2d's JVP).
 *   maxPool2dScatter  [x, g] {kernel, stride}: adds g (pooled shape) into zeros shaped like x at x's argmax positions (maxPool2d's VJP).
 *   squaredEuclidean  [a [n,d], b [m,d]] -> [n,m], out[i,j] = sum_k (a[i,k] - b[j,k])^2 (clamped at >= 0).
 *   oneHot            [labels [n]] {numClasses} -> [n, numClasses]; labels hold integer class ids as floats.
 *                     A label that is not an integer in [0, numClasses) is an ERR_VALUE error. Derivatives are zero
 *                     (labels are data), so recorded loss programs can take labels as an ordinary input.
 */

export const PRIMITIVES = [
  'matmul',
  'add', 'sub', 'mul', 'div',
  'neg', 'exp', 'log', 'sqrt', 'square', 'relu', 'tanh', 'sigmoid', 'softplus', 'abs',
  'addScalar', 'mulScalar', 'powScalar',
  'reluMask',
  'sum', 'broadcastTo', 'reshape', 'concat', 'slice',
  'softmax', 'logSoftmax',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight',
  'maxPool2d', 'maxPool2dSelect', 'maxPool2dScatter',
  'squaredEuclidean',
  'oneHot',
] as const;

export type PrimitiveName = (typeof PRIMITIVES)[number];

/** Attributes of each primitive. Every attribute is JSON-serialisable. */
export interface PrimitiveAttrMap {
  matmul: { transA: boolean; transB: boolean };
  add: Record<string, never>;
  sub: Record<string, never>;
  mul: Record<string, never>;
  div: Record<string, never>;
  neg: Record<string, never>;
  exp: Record<string, never>;
  log: Record<string, never>;
  sqrt: Record<string, never>;
  square: Record<string, never>;
  relu: Record<string, never>;
  tanh: Record<string, never>;
  sigmoid: Record<string, never>;
  softplus: Record<string, never>;
  abs: Record<string, never>;
  addScalar: { value: number };
  mulScalar: { value: number };
  powScalar: { value: number };
  reluMask: Record<string, never>;
  sum: { axes: number[]; keepDims: boolean };
  broadcastTo: { shape: number[] };
  reshape: { shape: number[] };
  concat: { axis: number };
  slice: { axis: number; start: number; end: number };
  softmax: Record<string, never>;
  logSoftmax: Record<string, never>;
  conv2d: { stride: [number, number]; padding: [number, number] };
  conv2dBackwardInput: { stride: [number, number]; padding: [number, number]; inputShape: number[] };
  conv2dBackwardWeight: { stride: [number, number]; padding: [number, number]; weightShape: number[] };
  maxPool2d: { kernel: [number, number]; stride: [number, number] };
  maxPool2dSelect: { kernel: [number, number]; stride: [number, number] };
  maxPool2dScatter: { kernel: [number, number]; stride: [number, number] };
  squaredEuclidean: Record<string, never>;
  oneHot: { numClasses: number };
}

export type PrimitiveAttrs<P extends PrimitiveName = PrimitiveName> = PrimitiveAttrMap[P];
