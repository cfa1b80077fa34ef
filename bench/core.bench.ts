/**
 * Issue 2's benchmark: the native core vs its pure-TypeScript twin, side by side.
 *   npx tsx bench/core.bench.ts            (add node --expose-gc for the GC part of the memory check)
 * Cases: matmul 64..512 (float32, GFLOP/s = 2 n^3 / time); conv4 forward+backward (grad of
 * cross-entropy) on 5 and 80 Omniglot-sized images, eager and recorded; hvp vs grad on the
 * sinusoid MLP (eager and recorded); a leak check over 2,000 grad calls.
 */
import { disposeParams, hvp, nn, ops, record, tensor, valueAndGrad, grad, type BackendName, type Params, type Tensor } from '../lib/index.js';
import { CORES, coreCase, countParams, imageTensors, liveTensorsOf, onCore, regressionTensors, useCore } from './contenders.js';
import { printTable, ratio, runSideBySide, saveResults, warnIfBusy, type BenchCase, type CaseFigure } from './harness.js';
import { randomImageSet, randomNormalArray, sinusoidMetaBatch } from './workloads.js';

const MATMUL_SIZES = [64, 128, 256, 512];
const CONV_BATCHES = [
  { label: '5-way 1-shot support (5 images)', n: 5, perClass: 1 },
  { label: '5-way 1-shot + 15 queries (80 images)', n: 80, perClass: 16 },
];

function matmulCases(core: BackendName): BenchCase[] {
  return MATMUL_SIZES.map((n) => {
    const a = tensor(randomNormalArray(n * n, n), [n, n]);
    const b = tensor(randomNormalArray(n * n, n + 1), [n, n]);
    return { name: onCore(`matmul ${n}`, core), fn: () => ops.matmul(a, b).dispose() };
  });
}

/** conv4 (28x28x1, 64 filters, 5-way head): value and gradient of the cross-entropy. */
function conv4Cases(core: BackendName, perClass: number, label: string): BenchCase[] {
  const model = nn.conv4({ inChannels: 1, hidden: 64, outputs: 5 });
  const params = model.init(1);
  const { x, y } = imageTensors(randomImageSet(5, perClass, 1, 28, 3));
  const loss = (p: Params) => ops.crossEntropy(model.apply(p, x), y);
  const program = record((p, images) => ops.crossEntropy(model.apply(p, images), y), params, x);
  return [
    coreCase(core, `conv4 fwd+bwd eager, ${label}`, () => disposeParams(valueAndGrad(loss)(params)[1])),
    coreCase(core, `conv4 fwd+bwd recorded, ${label}`, () => disposeParams(program.valueAndGrad(params, x)[1])),
  ];
}

/** The sinusoid MLP 1-40-40-1 on 10 points: grad and hvp, eager and recorded. */
function sinusoidSetup(): { loss: (p: Params) => Tensor; params: Params; v: Params; x: Tensor; y: Tensor } {
  const model = nn.mlp([1, 40, 40, 1]);
  const params = model.init(1);
  const { x, y } = regressionTensors(sinusoidMetaBatch(1, 10, 5)[0].support);
  const v: Params = {};
  for (const [name, p] of Object.entries(params)) v[name] = tensor(randomNormalArray(p.size, name.length), p.shape);
  return { loss: (p) => ops.mse(model.apply(p, x), y), params, v, x, y };
}

function hvpCases(core: BackendName): BenchCase[] {
  const { loss, params, v, x, y } = sinusoidSetup();
  const model = nn.mlp([1, 40, 40, 1]);
  const program = record((p, xs, ys) => ops.mse(model.apply(p, xs), ys), params, x, y);
  return [
    coreCase(core, 'mlp grad eager', () => disposeParams(grad(loss)(params))),
    coreCase(core, 'mlp hvp eager', () => disposeParams(hvp(loss, params, v))),
    coreCase(core, 'mlp grad recorded', () => disposeParams(program.grad(params, x, y))),
    coreCase(core, 'mlp hvp recorded', () => disposeParams(program.hvp(params, v, x, y))),
  ];
}

const gc = (globalThis as { gc?: () => void }).gc;

async function collectGarbage(): Promise<void> {
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    // FinalizationRegistry callbacks run on a later task.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface LeakFigure {
  core: BackendName;
  mode: string;
  calls: number;
  liveBefore: number;
  liveAfter: number;
  rssBeforeMB: number;
  rssAfterMB: number;
}

/** A function of its own, so that no gradient of the loop stays reachable from the caller's frame. */
function gradCalls(loss: (p: Params) => Tensor, params: Params, calls: number, dispose: boolean): void {
  for (let i = 0; i < calls; i++) {
    const g = grad(loss)(params);
    if (dispose) disposeParams(g);
  }
}

/** 2,000 grad calls on the MLP: with explicit dispose, then leaving the results to the GC. */
async function leakCheck(core: BackendName): Promise<LeakFigure[]> {
  const { loss, params } = sinusoidSetup();
  const figures: LeakFigure[] = [];
  const modes = gc ? ['dispose()', 'GC finalizers'] : ['dispose()'];
  for (const mode of modes) {
    for (let i = 0; i < 50; i++) disposeParams(grad(loss)(params)); // warm-up: caches, JIT
    await collectGarbage();
    const liveBefore = liveTensorsOf(Object.values(params)[0]);
    const rssBefore = process.memoryUsage().rss;
    gradCalls(loss, params, 2000, mode === 'dispose()');
    await collectGarbage();
    const liveAfter = liveTensorsOf(Object.values(params)[0]);
    figures.push({
      core, mode, calls: 2000, liveBefore, liveAfter,
      rssBeforeMB: rssBefore / 2 ** 20, rssAfterMB: process.memoryUsage().rss / 2 ** 20,
    });
  }
  return figures;
}

function withGflops(figures: CaseFigure[]): CaseFigure[] {
  for (const f of figures) {
    const m = /^matmul (\d+)/.exec(f.name);
    if (m) f.extra = { GFLOPs: (2 * Number(m[1]) ** 3 * f.opsPerSec) / 1e9 };
  }
  return figures;
}

async function main(): Promise<void> {
  warnIfBusy();
  const cores = CORES.filter((core) => {
    const reason = useCore(core);
    if (reason) console.warn(`skipping the ${core} core: ${reason}`);
    return reason === null;
  });
  const build = (make: (core: BackendName) => BenchCase[]) => cores.flatMap((core) => (useCore(core), make(core)));

  const matmul = withGflops(await runSideBySide('matmul float32', build(matmulCases)));
  printTable('matmul float32 (GFLOP/s = 2 n^3 / time)', matmul);

  const conv: CaseFigure[] = [];
  for (const batch of CONV_BATCHES) {
    conv.push(...(await runSideBySide(`conv4 ${batch.label}`, build((core) => conv4Cases(core, batch.perClass, batch.label)))));
  }
  printTable('conv4 forward + backward (cross-entropy gradient)', conv);

  const hvpFigures = await runSideBySide('sinusoid MLP grad vs hvp', build(hvpCases), { minSamples: 10 });
  printTable('sinusoid MLP 1-40-40-1, 10 points', hvpFigures);

  const ratios: Record<string, number> = {};
  for (const n of MATMUL_SIZES) ratios[`matmul ${n} native/js`] = ratio(matmul, onCore(`matmul ${n}`, 'native'), onCore(`matmul ${n}`, 'js'));
  for (const batch of CONV_BATCHES) {
    for (const mode of ['eager', 'recorded']) {
      const name = `conv4 fwd+bwd ${mode}, ${batch.label}`;
      ratios[`${name} native/js`] = ratio(conv, onCore(name, 'native'), onCore(name, 'js'));
    }
  }
  for (const core of cores) {
    for (const mode of ['eager', 'recorded']) {
      // time(hvp) / time(grad) = ops(grad) / ops(hvp); target <= 4.
      ratios[`hvp/grad cost ${mode} [${core}]`] = ratio(hvpFigures, onCore(`mlp grad ${mode}`, core), onCore(`mlp hvp ${mode}`, core));
    }
    ratios[`recorded/eager speed-up, grad [${core}]`] = ratio(hvpFigures, onCore('mlp grad recorded', core), onCore('mlp grad eager', core));
    ratios[`recorded/eager speed-up, hvp [${core}]`] = ratio(hvpFigures, onCore('mlp hvp recorded', core), onCore('mlp hvp eager', core));
  }
  ratios['hvp recorded native/js'] = ratio(hvpFigures, onCore('mlp hvp recorded', 'native'), onCore('mlp hvp recorded', 'js'));
  console.log('\nratios');
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(70)} ${value.toFixed(2)}`);

  const leaks: LeakFigure[] = [];
  for (const core of cores) {
    useCore(core);
    leaks.push(...(await leakCheck(core)));
  }
  console.log(`\nmemory over 2,000 grad calls${gc ? '' : ' (run with node --expose-gc to check the GC path too)'}`);
  for (const l of leaks) {
    console.log(`  [${l.core}] ${l.mode.padEnd(14)} live tensors ${l.liveBefore} -> ${l.liveAfter}, RSS ${l.rssBeforeMB.toFixed(0)} -> ${l.rssAfterMB.toFixed(0)} MB`);
  }
  const conv4Params = countParams(nn.conv4({ inChannels: 1, hidden: 64, outputs: 5 }).init(1));
  saveResults('core', { matmul, conv, hvp: hvpFigures, ratios, leaks, conv4Params, exposeGc: Boolean(gc), hvpTarget: 4, conv4Target: 20 });
}

await main();
