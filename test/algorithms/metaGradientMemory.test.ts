/**
 * Memory of the meta-gradient engines as the number of inner steps k grows (issue 4: "about
 * one parameter copy per step"). A count, not a timing: the backend's peak live tensor bytes
 * during one metaGradient call (Backend.peakTensorBytes), at k = 2 and k = 10, gives the growth
 * per extra step in parameter copies. Native: every tensor its core allocates. Pure TS: the
 * tensors the TypeScript engine holds (a compiled program's internals are not counted).
 * Also checks that the native engine's memory-saving paths (order 1, zero rates) give the same
 * numbers as the TypeScript engine.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { currentBackend } from '../../lib/backend/index.js';
import { tensor } from '../../lib/core/creation.js';
import { disposeParams, type Params } from '../../lib/core/params.js';
import { ANIL, MAML, MetaSGD } from '../../lib/algorithms/index.js';
import { regressionTask, tanhMlp } from './reference.js';

const SIZES = [1, 32, 32, 1];
const HEAD = ['layer2.weight', 'layer2.bias'];
const SMALL_K = 2;
const LARGE_K = 10;

type Run = (steps: number) => Promise<Params>;

/** Peak live tensor bytes during run(steps) above those live before it. */
async function peakGrowthBytes(run: Run, steps: number): Promise<number> {
  const core = currentBackend();
  if (!core.peakTensorBytes || !core.resetPeakTensorBytes) throw new Error(`backend ${core.name} does not count tensor bytes`);
  core.resetPeakTensorBytes();
  const before = core.peakTensorBytes();
  const grads = await run(steps);
  const peak = core.peakTensorBytes();
  disposeParams(grads);
  return peak - before;
}

/** Growth of peak tensor bytes per extra inner step, in copies of `copyBytes`. */
async function copiesPerStep(run: Run, copyBytes: number): Promise<number> {
  const small = await peakGrowthBytes(run, SMALL_K);
  const large = await peakGrowthBytes(run, LARGE_K);
  return (large - small) / (LARGE_K - SMALL_K) / copyBytes;
}

function bytesOf(params: Params, names: string[] = Object.keys(params)): number {
  return names.reduce((total, name) => total + params[name].size * 8, 0); // float64
}

describeEachBackend('meta-gradient memory grows by one parameter copy per inner step', (backend) => {
  const model = tanhMlp(SIZES);
  const tasks = () => [regressionTask(3, 8, 8)];

  it('MAML, second order: t_1..t_k and nothing else per step', async () => {
    const params = model.init(1, 'float64');
    const data = tasks();
    const run: Run = async (steps) => (await new MAML(model, { innerLR: 0.05, innerSteps: steps, order: 2 }).metaGradient(params, data)).grads;
    const copies = await copiesPerStep(run, bytesOf(params));
    console.log(`[${backend}] MAML order 2: ${copies.toFixed(3)} parameter copies per inner step`);
    expect(copies).toBeGreaterThanOrEqual(0.8);
    expect(copies).toBeLessThanOrEqual(1.5);
  });

  it('Meta-SGD (rate gradients), second order: the support gradient is recomputed, not kept', async () => {
    const metaSGD = (steps: number) => new MetaSGD(model, { innerLR: 0.05, innerSteps: steps, order: 2 });
    const params = metaSGD(SMALL_K).init(1, 'float64');
    const weights = Object.keys(params).filter((n) => !n.startsWith('lr/'));
    const data = tasks();
    const run: Run = async (steps) => (await metaSGD(steps).metaGradient(params, data)).grads;
    const copies = await copiesPerStep(run, bytesOf(params, weights));
    console.log(`[${backend}] Meta-SGD order 2: ${copies.toFixed(3)} parameter copies per inner step`);
    expect(copies).toBeGreaterThanOrEqual(0.8);
    expect(copies).toBeLessThanOrEqual(1.5);
  });

  it('ANIL: only the adapted head is copied per step', async () => {
    const params = model.init(1, 'float64');
    const data = tasks();
    const run: Run = async (steps) =>
      (await new ANIL(model, { innerLR: 0.05, innerSteps: steps, head: HEAD }).metaGradient(params, data)).grads;
    const perStep = await copiesPerStep(run, bytesOf(params, HEAD));
    console.log(`[${backend}] ANIL: ${perStep.toFixed(3)} head copies per inner step (the head is ${(bytesOf(params, HEAD) / bytesOf(params)).toFixed(3)} of the parameters)`);
    expect(perStep).toBeGreaterThanOrEqual(0.8);
    expect(perStep).toBeLessThanOrEqual(1.5);
  });

  it.skipIf(backend !== 'native')(
    `first order keeps no copy per step, or one with rate gradients (native engine${backend !== 'native' ? '; skipped: the TypeScript engine keeps t_1..t_k at order 1 too' : ''})`,
    async () => {
      const params = model.init(1, 'float64');
      const data = tasks();
      const maml: Run = async (steps) => (await new MAML(model, { innerLR: 0.05, innerSteps: steps, order: 1 }).metaGradient(params, data)).grads;
      const plain = await copiesPerStep(maml, bytesOf(params));
      const metaSGD = (steps: number) => new MetaSGD(model, { innerLR: 0.05, innerSteps: steps, order: 1 });
      const sgdParams = metaSGD(SMALL_K).init(1, 'float64');
      const weights = Object.keys(sgdParams).filter((n) => !n.startsWith('lr/'));
      const withRates = await copiesPerStep(async (steps) => (await metaSGD(steps).metaGradient(sgdParams, data)).grads, bytesOf(sgdParams, weights));
      console.log(`[native] order 1: ${plain.toFixed(3)} copies per step (MAML), ${withRates.toFixed(3)} (Meta-SGD)`);
      expect(Math.abs(plain)).toBeLessThanOrEqual(0.1);
      expect(withRates).toBeGreaterThanOrEqual(0.8);
      expect(withRates).toBeLessThanOrEqual(1.5);
    },
  );

  it.skipIf(backend !== 'native')(
    `the native engine's memory-saving paths agree with the TypeScript engine${backend !== 'native' ? ' (skipped: native only)' : ''}`,
    async () => {
      const data = [regressionTask(5, 6, 6), regressionTask(6, 6, 6)];
      const cases: [string, (engine: 'auto' | 'typescript') => Promise<Params>][] = [
        ['Meta-SGD order 1', async (engine) => {
          const m = new MetaSGD(model, { engine, innerLR: 0.05, innerSteps: 3, order: 1 });
          return (await m.metaGradient(sgdInit(m), data)).grads;
        }],
        ['Meta-SGD order 2', async (engine) => {
          const m = new MetaSGD(model, { engine, innerLR: 0.05, innerSteps: 3, order: 2 });
          return (await m.metaGradient(sgdInit(m), data)).grads;
        }],
        ['ANIL', async (engine) =>
          (await new ANIL(model, { engine, innerLR: 0.1, innerSteps: 3, head: HEAD }).metaGradient(model.init(2, 'float64'), data)).grads],
        ['MAML order 1', async (engine) =>
          (await new MAML(model, { engine, innerLR: 0.1, innerSteps: 3, order: 1 }).metaGradient(model.init(2, 'float64'), data)).grads],
      ];
      for (const [label, run] of cases) {
        const fromNative = await run('auto');
        const fromTs = await run('typescript');
        let worst = 0;
        for (const name of Object.keys(fromTs)) {
          const a = fromNative[name].toArray();
          const b = fromTs[name].toArray();
          b.forEach((v, e) => (worst = Math.max(worst, Math.abs(a[e] - v) / Math.max(1, Math.abs(v)))));
        }
        console.log(`[native] ${label}: max relative |native - TypeScript engine| = ${worst.toExponential(2)}`);
        expect(worst).toBeLessThan(1e-12);
      }
    },
  );

  /** Meta-SGD parameters with distinct rates per element, so a wrong rate gradient would show. */
  function sgdInit(m: MetaSGD): Params {
    const params = m.init(3, 'float64');
    for (const name of Object.keys(params).filter((n) => n.startsWith('lr/'))) {
      const p = params[name];
      params[name] = tensor(Array.from({ length: p.size }, (_, e) => 0.04 + 0.001 * (e % 7)), p.shape, 'float64');
    }
    return params;
  }
});
