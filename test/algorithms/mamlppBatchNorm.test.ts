/**
 * MAML++ per-step batch norm (lib/nn/perStepBatchNorm.ts, lib/algorithms/mamlpp.ts):
 * - the meta-gradient, through per-step batch-norm rows and learned per-step rates, against
 *   central finite differences of the whole unrolled inner loop (written out below with plain
 *   replays of one recorded loss, no engine);
 * - state t_j really uses row j;
 * - running statistics after one meta-batch against a hand computation, their path through
 *   metaTrain into a checkpoint and back, and the non-transductive evaluation they allow.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAMLpp, stepRateName } from '../../lib/algorithms/index.js';
import type { LabeledSet, Params, Task } from '../../lib/algorithms/types.js';
import { metaGradientInTypeScript } from '../../lib/algorithms/innerLoop.js';
import { tensor } from '../../lib/core/creation.js';
import type { RecordedProgram } from '../../lib/core/record.js';
import { record } from '../../lib/core/transforms.js';
import type { Tensor } from '../../lib/core/tensor.js';
import { ShapeError, ValueError } from '../../lib/errors.js';
import { conv4, mlp } from '../../lib/nn/index.js';
import { perStepBatchNorm, runningMeanName, runningVarName, stepOneHot } from '../../lib/nn/perStepBatchNorm.js';
import * as ops from '../../lib/ops/index.js';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { metaTrain } from '../../lib/train/metaTrain.js';
import { SGD } from '../../lib/train/optimizers.js';
import { paramsToArrays } from '../../lib/train/paramArrays.js';
import { describeEachBackend } from '../helpers/backends.js';
import { nativeAvailable, setBackend } from '../../lib/backend/index.js';
import { expectClose } from '../helpers/finiteDifferences.js';
import { uniform } from './reference.js';

const SIZE = 16;
const STEPS = 2;
const WAYS = 2;

/** Smallest distance of the FD test's activations from a kink, and the FD step (far smaller). */
const KINK_MARGIN = 1e-5;
const FD_STEP = 1e-7;

const tinyConv4 = () => conv4({ inChannels: 1, hidden: 2, outputs: WAYS, imageSize: SIZE, batchNormSteps: STEPS });

/** n images [n,1,16,16] in [0, 1), labels cycling over the ways. */
function imageSet(seed: number, n: number): LabeledSet {
  const xs = uniform(seed, n * SIZE * SIZE).map((v) => (v + 1) / 2);
  return { x: tensor(xs, [n, 1, SIZE, SIZE], 'float64'), y: Int32Array.from({ length: n }, (_, i) => i % WAYS) };
}

const imageTask = (seed: number, shots = 2): Task => ({ support: imageSet(seed, WAYS * shots), query: imageSet(seed + 100, WAYS * shots) });

/** MAML++ params with every per-step row and rate distinct, so mixing up rows or steps shows. */
function distinctParams(learner: MAMLpp): Params {
  const params = learner.init(7, 'float64');
  for (let b = 0; b < 4; b++) {
    const rows = STEPS + 1;
    params[`block${b}.bn.weight`] = tensor(uniform(30 + b, rows * 2).map((v) => 1 + 0.4 * v), [rows, 2], 'float64');
    params[`block${b}.bn.bias`] = tensor(uniform(40 + b, rows * 2).map((v) => 0.3 * v), [rows, 2], 'float64');
  }
  Object.keys(params)
    .filter((n) => n.startsWith('lr/'))
    .sort()
    .forEach((n, i) => {
      params[n] = tensor(0.05 + 0.01 * (i % 7), [], 'float64');
    });
  return params;
}

/** The model's weights (not rates, not buffers), by name. */
const weightNames = (params: Params): string[] => Object.keys(params).filter((n) => !n.startsWith('lr/') && !n.startsWith('bn_stats/')).sort();
const adaptedNames = (params: Params): string[] => weightNames(params).filter((n) => !n.includes('.bn.'));

/**
 * The reference: the MAML++ objective written out. For each task, t_0 = weights,
 * t_{j+1} = t_j - lr_j * grad L_s(t_j; row j) on the conv and head weights (per-step
 * batch-norm rows stay), F = sum_j w_j L_q(t_j; row j), averaged over tasks.
 */
class UnrolledReference {
  private readonly program: RecordedProgram;
  private readonly oneHots: Tensor[];

  constructor(
    private readonly model: ReturnType<typeof tinyConv4>,
    example: Params,
    exampleSet: LabeledSet,
  ) {
    this.oneHots = Array.from({ length: STEPS + 1 }, (_, j) => stepOneHot(exampleSet.x, j, STEPS + 1));
    const loss = (p: Params, x: Tensor, y: Tensor, step: Tensor): Tensor => ops.crossEntropy(model.applyAtStep(p, x, step).output, y);
    this.program = record(loss, example, exampleSet.x, labelsOf(exampleSet), this.oneHots[0]);
  }

  /** F for all params (weights and 'lr/...' rates) and the per-state query losses and states. */
  objective(params: Params, tasks: Task[], weights: number[]): number {
    let total = 0;
    for (const task of tasks) {
      this.states(params, task.support).forEach((t, j) => {
        if (weights[j] !== 0) total += weights[j] * this.loss(t, task.query, j);
      });
    }
    return total / tasks.length;
  }

  /** t_0 .. t_k on one support set. */
  states(params: Params, support: LabeledSet): Params[] {
    const weights: Params = {};
    for (const n of weightNames(params)) weights[n] = params[n];
    const states = [weights];
    for (let j = 0; j < STEPS; j++) {
      const t = states[j];
      const [, g] = this.program.valueAndGrad(t, support.x, labelsOf(support), this.oneHots[j]);
      const next: Params = { ...t };
      for (const n of adaptedNames(params)) next[n] = ops.sub(t[n], ops.mul(params[stepRateName(n, j)], g[n]));
      states.push(next);
    }
    return states;
  }

  loss(t: Params, set: LabeledSet, j: number): number {
    return this.program.run(t, set.x, labelsOf(set), this.oneHots[j])[0].item();
  }
}

/**
 * How far a forward pass is from the kinks of ReLU and max-pool: the smallest |pre-ReLU value|
 * and the smallest gap between the two largest entries of a pooling window (windows whose
 * maximum is positive). Finite differences are only valid well inside one smooth piece.
 */
function kinkMargin(params: Params, x: Tensor, step: Tensor): number {
  let margin = Infinity;
  let h = x;
  for (let b = 0; b < 4; b++) {
    h = ops.conv2d(h, params[`block${b}.conv.weight`], params[`block${b}.conv.bias`], { padding: 1 });
    const layer = { name: `block${b}`, weight: `block${b}.bn.weight`, bias: `block${b}.bn.bias` };
    const pre = perStepBatchNorm(params, layer, h, step, 'batch').y;
    const a = ops.relu(pre).toArray();
    for (const v of pre.toArray()) margin = Math.min(margin, Math.abs(v));
    const [N, C, H, W] = pre.shape;
    for (let n = 0; n < N * C; n++) {
      for (let r = 0; r + 1 < H; r += 2) {
        for (let q = 0; q + 1 < W; q += 2) {
          const at = (dr: number, dq: number): number => a[(n * H + r + dr) * W + q + dq];
          const v = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)].sort((u, w) => w - u);
          if (v[0] > 0) margin = Math.min(margin, v[0] - v[1]);
        }
      }
    }
    h = ops.maxPool2d(ops.relu(pre), { kernel: 2 });
  }
  return margin;
}

function labelsOf(set: LabeledSet): Tensor {
  return tensor(Array.from(set.y as Int32Array), [(set.y as Int32Array).length], 'float64');
}

/** Central differences of f over every element of params[name]. */
function numericGradientOf(f: (p: Params) => number, params: Params, name: string, h = FD_STEP): Float64Array {
  const base = params[name].toArray();
  const out = new Float64Array(base.length);
  const shifted = (i: number, d: number): Params => {
    const values = Float64Array.from(base);
    values[i] += d;
    return { ...params, [name]: tensor(values, params[name].shape, 'float64') };
  };
  for (let i = 0; i < base.length; i++) out[i] = (f(shifted(i, h)) - f(shifted(i, -h))) / (2 * h);
  return out;
}

describeEachBackend('MAML++ per-step batch norm', () => {
  it('meta-gradient = central differences of the unrolled inner loop (conv, per-step BN rows, per-step rates), k = 2', async () => {
    const model = tinyConv4();
    const learner = new MAMLpp(model, { innerSteps: STEPS, multiStepLossIterations: 1000 });
    expect(learner.perStepBatchNorm).toBe(true);
    const weights = learner.currentSchedule().stepWeights;
    expect(weights).toEqual([0, 0.5, 0.5]);
    const params = distinctParams(learner);
    const tasks = [imageTask(3), imageTask(4)];
    const reference = new UnrolledReference(model, Object.fromEntries(weightNames(params).map((n) => [n, params[n]])), tasks[0].support);

    // Every forward pass of the objective stays clear of ReLU / max-pool kinks by far more than
    // the finite-difference step moves any activation (else the seeds must change).
    for (const task of tasks) {
      reference.states(params, task.support).forEach((t, j) => {
        for (const set of [task.support, task.query]) {
          expect(kinkMargin(t, set.x, stepOneHot(set.x, j, STEPS + 1)), `kink margin at t_${j}`).toBeGreaterThan(KINK_MARGIN);
        }
      });
    }

    const result = await learner.metaGradient(params, tasks);
    expect(result.loss).toBeCloseTo(reference.objective(params, tasks, weights), 10);

    const f = (p: Params): number => reference.objective(p, tasks, weights);
    let worst = 0;
    const checked = [...weightNames(params), ...Object.keys(params).filter((n) => n.startsWith('lr/'))];
    for (const name of checked) {
      const numeric = numericGradientOf(f, params, name);
      const engine = result.grads[name].toArray();
      expectClose(engine, numeric, 1e-7, 1e-4, `dF/d${name}`);
      for (let i = 0; i < numeric.length; i++) worst = Math.max(worst, Math.abs(engine[i] - numeric[i]));
    }
    // Every per-step row gets its own, nonzero gradient (each state's row is used).
    for (let b = 0; b < 4; b++) {
      const g = result.grads[`block${b}.bn.weight`].toArray();
      for (let j = 0; j <= STEPS; j++) expect(Math.abs(g[2 * j]) + Math.abs(g[2 * j + 1]), `block${b} row ${j}`).toBeGreaterThan(1e-8);
    }
    // Buffers are not trained: zero gradient.
    for (const name of Object.keys(params).filter((n) => n.startsWith('bn_stats/'))) {
      expect(Array.from(result.grads[name].toArray()).every((v) => v === 0), name).toBe(true);
    }
    console.log(`per-step BN meta-gradient: ${checked.length} tensors, max |engine - finite differences| = ${worst.toExponential(2)}`);
  });

  it('state t_j uses row j: row 1 moves t_2 but not t_1; row 2 only the final evaluation (by hand: constant features)', async () => {
    const learner = new MAMLpp(tinyConv4(), { innerSteps: STEPS });
    const params = distinctParams(learner);
    const task = imageTask(3);
    const withRow = (p: Params, name: string, row: number, values: number[]): Params => {
      const data = Float64Array.from(p[name].toArray());
      values.forEach((v, c) => (data[row * 2 + c] = v));
      return { ...p, [name]: tensor(data, p[name].shape, 'float64') };
    };
    const adaptedHead = async (p: Params, steps: number) => {
      const a = await learner.adaptParams(p, task.support, { innerSteps: steps });
      return Array.from(a['head.weight'].toArray()).concat(Array.from(a['block0.conv.weight'].toArray()));
    };

    const row1 = withRow(params, 'block1.bn.weight', 1, [3, -2]);
    expect(await adaptedHead(row1, 1)).toEqual(await adaptedHead(params, 1));
    expect(await adaptedHead(row1, 2)).not.toEqual(await adaptedHead(params, 2));
    const row0 = withRow(params, 'block1.bn.weight', 0, [3, -2]);
    expect(await adaptedHead(row0, 1)).not.toEqual(await adaptedHead(params, 1));

    // Row 2 of the last block with gamma = 0, beta = b: every query image's features are relu(b),
    // so its logits are W_2 relu(b) + c_2 with the adapted head (W_2, c_2); the adaptation itself
    // never reads row 2.
    const b = [0.7, -0.4];
    const row2 = withRow(withRow(params, 'block3.bn.weight', 2, [0, 0]), 'block3.bn.bias', 2, b);
    expect(await adaptedHead(row2, 2)).toEqual(await adaptedHead(params, 2));
    const adapted = await learner.adaptParams(row2, task.support, { innerSteps: 2 });
    const W = adapted['head.weight'].toArray();
    const c = adapted['head.bias'].toArray();
    const features = b.map((v) => Math.max(v, 0));
    const logits = [0, 1].map((o) => W[o * 2] * features[0] + W[o * 2 + 1] * features[1] + c[o]);
    const logSumExp = Math.log(Math.exp(logits[0]) + Math.exp(logits[1]));
    const labels = task.query.y as Int32Array;
    const expectedLoss = labels.reduce((s, y) => s + logSumExp - logits[y], 0) / labels.length;
    const score = await learner.evaluateTask(row2, task, { innerSteps: 2 });
    expect(score.loss).toBeCloseTo(expectedLoss, 10);
  });

  it('running statistics after one meta-batch: momentum 0.1 toward the task-mean batch statistics of each state (block0 row 0 by hand)', async () => {
    const model = tinyConv4();
    const learner = new MAMLpp(model, { innerSteps: STEPS, batchNormMomentum: 0.1 });
    const params = distinctParams(learner);
    const tasks = [imageTask(4), imageTask(5)];
    const result = await learner.metaGradient(params, tasks);
    const buffers = result.buffers as Params;
    expect(Object.keys(buffers).sort()).toEqual(Object.keys(params).filter((n) => n.startsWith('bn_stats/')).sort());

    // Row 0 of block 0 entirely by hand: the first conv of the support images at t_0 (naive loops).
    const w = params['block0.conv.weight'].toArray();
    const bias = params['block0.conv.bias'].toArray();
    const handMean = [0, 0];
    const handVar = [0, 0];
    for (const task of tasks) {
      const x = task.support.x.toArray();
      const n = task.support.x.shape[0];
      for (let o = 0; o < 2; o++) {
        const values: number[] = [];
        for (let i = 0; i < n; i++) {
          for (let r = 0; r < SIZE; r++) {
            for (let q = 0; q < SIZE; q++) {
              let acc = bias[o];
              for (let dr = -1; dr <= 1; dr++) {
                for (let dq = -1; dq <= 1; dq++) {
                  const rr = r + dr;
                  const qq = q + dq;
                  if (rr >= 0 && rr < SIZE && qq >= 0 && qq < SIZE) acc += w[o * 9 + (dr + 1) * 3 + (dq + 1)] * x[i * SIZE * SIZE + rr * SIZE + qq];
                }
              }
              values.push(acc);
            }
          }
        }
        const m = values.reduce((s, v) => s + v, 0) / values.length;
        const unbiased = values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
        handMean[o] += m / tasks.length;
        handVar[o] += unbiased / tasks.length;
      }
    }
    const mean0 = buffers[runningMeanName('block0')].toArray();
    const var0 = buffers[runningVarName('block0')].toArray();
    expectClose([mean0[0], mean0[1]], handMean.map((m) => 0.9 * 0 + 0.1 * m), 1e-12, 1e-10, 'block0 running mean row 0');
    expectClose([var0[0], var0[1]], handVar.map((v) => 0.9 * 1 + 0.1 * v), 1e-12, 1e-10, 'block0 running var row 0');

    // Every layer and row: the support set's statistics at t_0, t_1 and the query set's at t_2,
    // on states from the unrolled reference.
    const reference = new UnrolledReference(model, Object.fromEntries(weightNames(params).map((n) => [n, params[n]])), tasks[0].support);
    const expected: number[][][] = Array.from({ length: 4 }, () => [new Array(6).fill(0), new Array(6).fill(0)]);
    for (const task of tasks) {
      reference.states(params, task.support).forEach((t, j) => {
        const set = j < STEPS ? task.support : task.query;
        const stats = model.applyAtStep(t, set.x, stepOneHot(set.x, j, STEPS + 1)).batchStatistics;
        for (let b = 0; b < 4; b++) {
          for (let s = 0; s < 2; s++) {
            const v = stats[2 * b + s].toArray();
            for (let c = 0; c < 2; c++) expected[b][s][j * 2 + c] += v[c] / tasks.length;
          }
        }
      });
    }
    for (let b = 0; b < 4; b++) {
      const mean = buffers[runningMeanName(`block${b}`)].toArray();
      const variance = buffers[runningVarName(`block${b}`)].toArray();
      expectClose(mean, expected[b][0].map((m) => 0.1 * m), 1e-12, 1e-9, `block${b} running mean`);
      expectClose(variance, expected[b][1].map((v) => 0.9 + 0.1 * v), 1e-12, 1e-9, `block${b} running var`);
    }
  });

  it("'running' statistics evaluate each query image on its own (non-transductive); 'batch' does not", async () => {
    const trained = new MAMLpp(tinyConv4(), { innerSteps: STEPS });
    const params = distinctParams(trained);
    const step = await trained.metaGradient(params, [imageTask(6)]);
    const withStats = { ...params, ...(step.buffers as Params) };
    const support = imageSet(8, 4);
    const query = imageSet(9, 4);
    const half = (from: number): LabeledSet => ({
      x: ops.slice(query.x, 0, from, from + 2),
      y: (query.y as Int32Array).slice(from, from + 2),
    });
    for (const statistics of ['running', 'batch'] as const) {
      const learner = new MAMLpp(tinyConv4(), { innerSteps: STEPS, batchNormStatistics: statistics });
      const whole = await learner.evaluateTask(withStats, { support, query });
      const first = await learner.evaluateTask(withStats, { support, query: half(0) });
      const second = await learner.evaluateTask(withStats, { support, query: half(2) });
      const split = (first.loss + second.loss) / 2;
      if (statistics === 'running') expect(whole.loss).toBeCloseTo(split, 10);
      else expect(Math.abs(whole.loss - split)).toBeGreaterThan(1e-6);
    }
  });
});

const native = nativeAvailable();

describe.skipIf(!native.ok)(`MAML++ per-step batch norm: native engine = TypeScript engine${native.ok ? '' : ` (skipped: ${native.reason})`}`, () => {
  beforeEach(() => setBackend('native'));

  it('loss, every meta-gradient, rate gradient and running statistic agree to 1e-12 (order 2 and order 1)', async () => {
    for (const order of [2, 1] as const) {
      const make = (engine: 'auto' | 'typescript') =>
        new MAMLpp(tinyConv4(), { innerSteps: STEPS, multiStepLossIterations: 1000, engine, ...(order === 1 ? { firstOrderIterations: 1e9 } : {}) });
      const auto = make('auto');
      const typescript = make('typescript');
      const params = distinctParams(auto);
      const tasks = [imageTask(21), imageTask(22), imageTask(23)];
      // Count calls of the native single-call engine: 'auto' must use it, 'typescript' must not.
      const probe = record((p: Params) => ops.sum(p.w), { w: tensor([1], [1], 'float64') });
      const spy = vi.spyOn(Object.getPrototypeOf(probe.compiled) as { metaGradient: () => unknown }, 'metaGradient');
      const a = await auto.metaGradient(params, tasks);
      expect(spy.mock.calls.length, 'native engine calls with engine auto').toBe(1);
      const b = await typescript.metaGradient(params, tasks);
      expect(spy.mock.calls.length, 'native engine calls with engine typescript').toBe(1);
      spy.mockRestore();
      probe.dispose();
      expect(Math.abs(a.loss - b.loss), `order ${order} loss`).toBeLessThan(1e-12);
      expect(Math.abs((a.accuracy ?? -1) - (b.accuracy ?? -2))).toBeLessThan(1e-12);
      for (const name of Object.keys(b.grads)) {
        expectClose(a.grads[name].toArray(), b.grads[name].toArray(), 1e-12, 1e-10, `order ${order} dF/d${name}`);
      }
      const buffers = b.buffers as Params;
      expect(Object.keys(buffers).length).toBeGreaterThan(0);
      for (const name of Object.keys(buffers)) {
        expectClose((a.buffers as Params)[name].toArray(), buffers[name].toArray(), 1e-12, 1e-10, `order ${order} ${name}`);
      }
    }
  });

  it('the native engine checks per-step data itself (count, index, shape) with typed errors', async () => {
    const { program, oneHot, request } = stepDataFixture();
    const run = (index: number, values: Tensor[]) =>
      (program.compiled.metaGradient as NonNullable<typeof program.compiled.metaGradient>)(request({ index, values }));
    await expect(run(2, [oneHot, oneHot])).rejects.toThrow(ShapeError);
    await expect(run(9, [oneHot, oneHot, oneHot])).rejects.toThrow(ValueError);
    await expect(run(0, [oneHot, oneHot, oneHot])).rejects.toThrow(ShapeError);
    const ok = await run(2, [oneHot, oneHot, oneHot]);
    expect(Number.isFinite(ok.loss)).toBe(true);
    // Malformed per-step data reaching the binding is a typed error, never a crash.
    const raw = program.compiled.metaGradient as (r: unknown) => Promise<unknown>;
    const malformed = (stepData: unknown) => raw.call(program.compiled, { ...request({ index: 2, values: [oneHot, oneHot, oneHot] }), stepData });
    await expect(malformed({ index: -1, values: [] })).rejects.toThrow(ValueError);
    await expect(malformed({ index: 2, values: 'not tensors' })).rejects.toThrow(ValueError);
    await expect(malformed(7)).rejects.toThrow(ValueError);
  });
});

describe('MAML++ per-step batch norm: training loop and checkpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-mamlpp-bn-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('metaTrain stores the running statistics (buffers) and a checkpoint round-trips them and the per-step rows', async () => {
    const learner = new MAMLpp(tinyConv4(), { innerSteps: STEPS });
    const tasks = { kind: 'classification' as const, description: 'fixed images', sample: () => [imageTask(11), imageTask(12)] };
    // The buffers after iteration 1 from the same tasks at the same initial params.
    const first = await learner.metaGradient(learner.init(0, 'float64'), tasks.sample());
    const expectedMean = (first.buffers as Params)[runningMeanName('block2')].toArray();
    learner.setIteration(0);

    const path = join(dir, 'checkpoint.safetensors');
    const result = await metaTrain({
      learner,
      tasks,
      iterations: 1,
      metaBatch: 2,
      optimizer: new SGD({ lr: 0.01 }),
      dtype: 'float64',
      checkpoint: { path, every: 1, model: 'conv4 per-step BN' },
      progress: false,
    });
    expectClose(result.params[runningMeanName('block2')].toArray(), expectedMean, 1e-14, 1e-12, 'trained running mean');
    expect(Array.from(expectedMean).some((v) => v !== 0)).toBe(true);

    const template = paramsToArrays(learner.init(0, 'float64'));
    const loaded = loadCheckpoint(path, { params: template, learner: 'mamlpp' });
    for (const name of Object.keys(result.params)) {
      expect(loaded.params[name].shape, name).toEqual(result.params[name].shape);
      expect(Array.from(loaded.params[name].data), name).toEqual(Array.from(result.params[name].toArray()));
    }
    expect(loaded.params[runningVarName('block0')].shape).toEqual([STEPS + 1, 2]);
    expect(loaded.params['block0.bn.weight'].shape).toEqual([STEPS + 1, 2]);
  });

  it('bad configurations and requests give typed errors', async () => {
    expect(() => new MAMLpp(mlp([2, 3, 2]), { perStepBatchNorm: true })).toThrow(ValueError);
    expect(() => new MAMLpp(tinyConv4(), { innerSteps: 3 })).toThrow(/serves 2 inner steps/);
    expect(() => new MAMLpp(tinyConv4(), { innerSteps: STEPS, perStepBatchNorm: false })).toThrow(ValueError);
    expect(() => new MAMLpp(tinyConv4(), { innerSteps: STEPS, batchNormStatistics: 'moving' as 'batch' })).toThrow(ValueError);
    expect(() => conv4({ inChannels: 1, hidden: 2, imageSize: SIZE, batchNormSteps: 0 })).toThrow(ValueError);
    // A plain conv4 (no per-step rows) keeps the old MAML++ behaviour.
    expect(new MAMLpp(conv4({ inChannels: 1, hidden: 2, outputs: 2, imageSize: SIZE })).perStepBatchNorm).toBe(false);

    // The engine checks per-step data: one value per state, at an existing data input.
    const { program, oneHot, request } = stepDataFixture();
    const engine = { support: { compiled: program.compiled, numOutputs: 1 }, query: { compiled: program.compiled, numOutputs: 1 } };
    await expect(metaGradientInTypeScript(program.backend, engine, request({ index: 2, values: [oneHot, oneHot] }))).rejects.toThrow(ShapeError);
    await expect(metaGradientInTypeScript(program.backend, engine, request({ index: 9, values: [oneHot, oneHot, oneHot] }))).rejects.toThrow(ValueError);
    await expect(metaGradientInTypeScript(program.backend, engine, request({ index: 0, values: [oneHot, oneHot, oneHot] }))).rejects.toThrow(ShapeError);
  });
});

/** A per-step-BN loss program on one tiny image set, and meta-gradient requests over it with the given per-step data. */
function stepDataFixture() {
  const model = tinyConv4();
  const params = new MAMLpp(model, { innerSteps: STEPS }).init(0, 'float64');
  const set = imageSet(1, 2);
  const oneHot = stepOneHot(set.x, 0, STEPS + 1);
  const loss = (p: Params, x: Tensor, y: Tensor, s: Tensor) => ops.crossEntropy(model.applyAtStep(p, x, s).output, y);
  const program = record(loss, weightsOnly(params), set.x, labelsOf(set), oneHot);
  const names = program.paramNames;
  const data = program.dataHandles(set.x, labelsOf(set), oneHot);
  const request = (stepData: { index: number; values: Tensor[] }) => ({
    numParams: names.length,
    params: names.map((n) => params[n].handle),
    tasks: [{ support: data, query: data }],
    steps: STEPS,
    innerLR: [names.map(() => tensor(0.1, [], 'float64').handle)],
    order: 2 as const,
    stepData: { index: stepData.index, values: stepData.values.map((v) => v.handle) },
  });
  return { program, oneHot, request };
}

function weightsOnly(params: Params): Params {
  return Object.fromEntries(Object.entries(params).filter(([n]) => !n.startsWith('lr/') && !n.startsWith('bn_stats/')));
}
