/**
 * The native metaGradient with a separate query program (CompiledProgram.metaGradient(request,
 * queryProgram)): support and query sets of other sizes, two recordings of one loss. Checked in
 * float64 against the TypeScript engine (lib/algorithms/innerLoop.ts, which takes the two
 * programs as EnginePrograms) to 1e-12: on random tanh MLPs (k = 1, 2; order 1 and 2; per-step,
 * per-parameter rates with lrGrads; multi-step weights), and through the MAML learners on a tiny
 * conv4 3-way task with 1 support and 3 query images per class. Also: 1 and 3 threads give the
 * same numbers, and a query program with another parameter list is a typed error.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { Backend, CompiledProgram, DType, Handle, MetaGradientRequest, MetaGradientResult, ProgramSpec } from '../../lib/backend/types.js';
import { createJsBackend } from '../../lib/backend/js/index.js';
import { getBackend, setBackend } from '../../lib/backend/index.js';
import { metaGradientInTypeScript, runMetaGradient, type EnginePrograms } from '../../lib/algorithms/innerLoop.js';
import { MAML, MetaSGD } from '../../lib/algorithms/index.js';
import type { MetaStepResult, Task } from '../../lib/algorithms/types.js';
import { tensor } from '../../lib/core/creation.js';
import { conv4 } from '../../lib/nn/conv4.js';
import { BackendError, DisposedError, DTypeError, ShapeError, ValueError } from '../../lib/errors.js';
import { uniform } from '../algorithms/reference.js';
import { maxRelativeDiff, native, nativeSkipReason, randomArray, rng, withThreads } from './nativeHelpers.js';
import { mlpParamShapes, mlpSpec } from '../helpers/tanhMlpSpec.js';

const skip = native === null;
const title = (what: string) => `${what}${skip ? ` (${nativeSkipReason})` : ''}`;

const paramShapes = mlpParamShapes;

interface Setup {
  b: Backend;
  programs: EnginePrograms;
  request: MetaGradientRequest;
}

/**
 * A random meta-batch on a random MLP (hidden width from the seed): support sets of nSupport
 * points, query sets of nQuery, per-step per-parameter rates.
 */
function setup(seed: number, steps: number, order: 1 | 2, extra: Partial<MetaGradientRequest> = {}, numTasks = 3): Setup {
  const b = native!;
  const next = rng(seed);
  const h = 3 + Math.floor(next() * 6);
  const nSupport = 5;
  const nQuery = 9;
  const set = (n: number): Handle[] => {
    const x = randomArray([n, 1], 'float64', next, -2, 2);
    const y = x.map((v) => Math.sin(2 * v + 0.3)) as Float64Array;
    return [b.fromArray(x, [n, 1]), b.fromArray(y, [n, 1])];
  };
  const support = b.compile(mlpSpec(nSupport, h));
  const query = b.compile(mlpSpec(nQuery, h));
  const shapes = paramShapes(h);
  return {
    b,
    programs: { support: { compiled: support, numOutputs: 2 }, query: { compiled: query, numOutputs: 2 } },
    request: {
      numParams: 4,
      params: shapes.map((s) => b.fromArray(randomArray(s, 'float64', next, -1, 1), s)),
      tasks: Array.from({ length: numTasks }, () => ({ support: set(nSupport), query: set(nQuery) })),
      steps,
      innerLR: Array.from({ length: Math.max(1, steps) }, () => shapes.map((s) => b.fromArray(randomArray(s, 'float64', next, 0.05, 0.3), s))),
      order,
      ...extra,
    },
  };
}

/** Largest relative difference over every number of two results (loss, query losses and outputs, grads, lrGrads). */
function resultDiff(b: Backend, x: MetaGradientResult, y: MetaGradientResult): number {
  const flat = (r: MetaGradientResult) => [
    r.loss,
    ...r.queryLosses,
    ...[...r.grads, ...(r.lrGrads ?? []).flat(), ...r.queryOutputs.flat()].flatMap((h) => Array.from(b.toArray(h))),
  ];
  if ((x.lrGrads === undefined) !== (y.lrGrads === undefined)) return Infinity;
  return maxRelativeDiff(flat(x), flat(y));
}

describe(title('native metaGradient with a query program of other shapes'), () => {
  const cases: { name: string; steps: number; order: 1 | 2; extra: Partial<MetaGradientRequest> }[] = [];
  for (const steps of [1, 2]) {
    for (const order of [1, 2] as const) {
      cases.push({ name: `k = ${steps}, order ${order}`, steps, order, extra: {} });
      cases.push({ name: `k = ${steps}, order ${order}, lrGrads`, steps, order, extra: { lrGrads: true } });
    }
  }
  cases.push({ name: 'k = 2, order 2, multi-step weights and lrGrads', steps: 2, order: 2, extra: { lrGrads: true, stepWeights: [0.2, 0.3, 0.5] } });
  cases.push({ name: 'k = 2, order 1, multi-step weights', steps: 2, order: 1, extra: { stepWeights: [0.25, 0.25, 0.5] } });

  cases.forEach(({ name, steps, order, extra }, c) => {
    it.skipIf(skip)(`${name}: equals the TypeScript engine to 1e-12`, async () => {
      const s = setup(700 + c, steps, order, extra);
      const fromNative = await s.programs.support.compiled.metaGradient!(s.request, s.programs.query.compiled);
      const fromTs = await metaGradientInTypeScript(s.b, s.programs, s.request);
      const diff = resultDiff(s.b, fromNative, fromTs);
      expect(diff).toBeLessThan(1e-12);
      expect(fromNative.queryOutputs[0][0] && s.b.shapeOf(fromNative.queryOutputs[0][0])).toEqual([9, 1]);
      if (extra.lrGrads) expect(fromNative.lrGrads!.length).toBe(steps);
    });
  });

  it.skipIf(skip)('k = 0: the query losses are the query program run at the parameters on each query set', async () => {
    // The support program cannot take the 9-point query data at all (ShapeError): the query
    // program must be the one evaluated.
    const s = setup(720, 0, 2);
    await expect(s.programs.support.compiled.metaGradient!(s.request)).rejects.toThrow(ShapeError);
    const r = await s.programs.support.compiled.metaGradient!(s.request, s.programs.query.compiled);
    s.request.tasks.forEach((task, t) => {
      const direct = s.programs.query.compiled.run([...s.request.params, ...task.query]);
      expect(r.queryLosses[t]).toBe(s.b.toArray(direct[0])[0]);
    });
  });

  it.skipIf(skip)('runMetaGradient takes the native engine for two native programs, with the same numbers', async () => {
    const s = setup(721, 2, 2, { lrGrads: true });
    const spy = vi.spyOn(s.programs.support.compiled, 'metaGradient');
    const auto = await runMetaGradient(s.b, s.programs, s.request);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][1]).toBe(s.programs.query.compiled);
    const typescript = await runMetaGradient(s.b, s.programs, s.request, 'typescript');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(resultDiff(s.b, auto, typescript)).toBeLessThan(1e-12);
  });

  it.skipIf(skip)('1 and 3 threads give the same numbers (tasks reduced in order)', async () => {
    const s = setup(722, 2, 2, { lrGrads: true, stepWeights: [0.1, 0.2, 0.7] }, 7);
    const run = () => s.programs.support.compiled.metaGradient!(s.request, s.programs.query.compiled);
    const one = await withThreads(1, run);
    const three = await withThreads(3, run);
    expect(resultDiff(s.b, one, three)).toBe(0);
  });

  it.skipIf(skip)('a query program with another parameter list, or not a native one, is a typed error', async () => {
    const s = setup(723, 1, 2);
    const b = s.b;
    const h = b.shapeOf(s.request.params[1])[0];
    const run = (query: CompiledProgram) => s.programs.support.compiled.metaGradient!(s.request, query);
    // Parameter 0 of shape [2, h] instead of [1, h].
    await expect(run(b.compile(mlpSpec(9, h, 'float64', [2, h])))).rejects.toThrow(ShapeError);
    await expect(run(b.compile(mlpSpec(9, h, 'float64', [2, h])))).rejects.toThrow(/query program's parameter 0 has shape \[2, ?\d+\]/);
    await expect(run(b.compile(mlpSpec(9, h + 1)))).rejects.toThrow(ShapeError);
    await expect(run(b.compile(mlpSpec(9, h, 'float32')))).rejects.toThrow(DTypeError);
    const fewer: ProgramSpec = {
      inputs: [{ shape: [1, h], dtype: 'float64' }],
      nodes: [{ op: 'sum', inputs: [0], attrs: { axes: [0, 1], keepDims: false }, shape: [], dtype: 'float64' }],
      outputs: [1],
    };
    await expect(run(b.compile(fewer))).rejects.toThrow(ValueError);
    const disposed = b.compile(mlpSpec(9, h));
    disposed.dispose();
    await expect(run(disposed)).rejects.toThrow(DisposedError);
    await expect(run(createJsBackend().compile(mlpSpec(9, h)))).rejects.toThrow(BackendError);
    // The query data must fit the query program: a task with the support program's data count but wrong shapes.
    const wrongData = { ...s.request, tasks: [{ support: s.request.tasks[0].support, query: s.request.tasks[0].support }] };
    await expect(s.programs.support.compiled.metaGradient!(wrongData, s.programs.query.compiled)).rejects.toThrow(ShapeError);
  });
});

// ---- through the learners: conv4, 3-way, 1 support / 3 query images per class -----------------

const SIZE = 16;
const WAYS = 3;

function imageSet(seed: number, perClass: number) {
  const n = perClass * WAYS;
  return { x: tensor(uniform(seed, n * SIZE * SIZE), [n, 1, SIZE, SIZE], 'float64'), y: Int32Array.from({ length: n }, (_, i) => i % WAYS) };
}

const imageTasks = (): Task[] => [0, 1, 2, 3].map((t) => ({ support: imageSet(900 + t, 1), query: imageSet(950 + t, 3) }));

function stepDiff(x: MetaStepResult, y: MetaStepResult): number {
  let m = Math.abs(x.loss - y.loss) / (1 + Math.abs(y.loss));
  for (const name of Object.keys(y.grads)) m = Math.max(m, maxRelativeDiff(x.grads[name].toArray(), y.grads[name].toArray()));
  return m;
}

describe(title('learners on a tiny conv4 classification task (1 support / 3 query per class)'), () => {
  let previous: ReturnType<typeof getBackend>;
  beforeAll(() => {
    previous = getBackend();
    if (!skip) setBackend('native');
  });
  afterAll(() => setBackend(previous));

  const model = () => conv4({ inChannels: 1, hidden: 3, outputs: WAYS, imageSize: SIZE });
  const learners = [
    { name: 'MAML order 2, k = 2', make: (engine: 'auto' | 'typescript') => new MAML(model(), { innerLR: 0.2, innerSteps: 2, engine }) },
    { name: 'MAML order 1, k = 1', make: (engine: 'auto' | 'typescript') => new MAML(model(), { innerLR: 0.2, innerSteps: 1, order: 1, engine }) },
    { name: 'Meta-SGD (lrGrads), k = 2', make: (engine: 'auto' | 'typescript') => new MetaSGD(model(), { innerLR: 0.2, innerSteps: 2, engine }) },
  ];
  for (const { name, make } of learners) {
    it.skipIf(skip)(`${name}: native engine = TypeScript engine to 1e-12, in one native call`, async () => {
      const auto = make('auto');
      const typescript = make('typescript');
      const params = auto.init(5, 'float64');
      const nativeCalls = vi.fn();
      const fromNative = await spyOnNativeMetaGradient(nativeCalls, () => auto.metaGradient(params, imageTasks()));
      expect(nativeCalls).toHaveBeenCalledTimes(1);
      const fromTs = await typescript.metaGradient(params, imageTasks());
      const diff = stepDiff(fromNative, fromTs);
      expect(diff).toBeLessThan(1e-12);
      expect(Object.values(fromNative.grads).some((g) => g.toArray().some((v) => v !== 0))).toBe(true);
    });
  }
});

/** Runs f with every native CompiledProgram's metaGradient counted in `calls` (given a query program). */
async function spyOnNativeMetaGradient<T>(calls: (hasQuery: boolean) => void, f: () => Promise<T>): Promise<T> {
  const probe = native!.compile(mlpSpec(1, 1));
  const prototype = Object.getPrototypeOf(probe) as { metaGradient: (r: MetaGradientRequest, q?: CompiledProgram) => Promise<MetaGradientResult> };
  probe.dispose();
  const original = prototype.metaGradient;
  prototype.metaGradient = function (this: CompiledProgram, r: MetaGradientRequest, q?: CompiledProgram) {
    if (q !== undefined) calls(true);
    return original.call(this, r, q);
  };
  try {
    return await f();
  } finally {
    prototype.metaGradient = original;
  }
}
