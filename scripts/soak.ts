/**
 * npm run soak: a memory soak of the native core. Meta-trains second-order MAML on sinusoid
 * regression (the MAML paper's setup, as `metalearn demo`: MLP 1-40-40-1, 10 shots, 1 inner
 * step, meta-batch 25, Adam 1e-3) through the library's own metaTrain, and samples the
 * process's resident memory and the native core's live tensors along the way.
 *
 *   npm run soak -- [--iterations 10000] [--warmup 500] [--every 250] [--max-growth 5]
 *
 * Before every sample it runs a full garbage collection (node --expose-gc, set by the npm
 * script) so the numbers are what is retained, not garbage waiting for collection. The
 * baseline is taken after warm-up (allocator pools, V8's compiled code and the optimiser's
 * state settle there). Live tensors sampled during training include those whose wrappers
 * are garbage but whose finalizers have not run yet, so the exact leak check is the count once
 * training has returned, its parameters are disposed and finalizers have run: it must be back
 * to the count before training. Last line:
 *   soak: iterations=N rss_warm=..MB rss_end=..MB growth=..% live_tensors_warm=.. live_tensors_end=..
 *         live_tensors_before=.. live_tensors_after=.. seconds=..
 * Exit 1 when RSS grew by --max-growth percent or more after warm-up, or when tensors outlive
 * training. A reported check, not a timed unit test: METALEARN_THREADS=1 keeps it to one core.
 */
import { parseArgs } from 'node:util';

import { currentBackend } from '../lib/backend/index.js';
import { Adam, disposeParams, MAML, metaTrain, nn, setBackend, sinusoidTasks } from '../lib/index.js';

interface SoakOptions {
  iterations: number;
  warmup: number;
  every: number;
  maxGrowthPercent: number;
}

interface Sample {
  iteration: number;
  rssMB: number;
  liveTensors: number;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`soak: --${name} must be a positive integer, got '${text}'`);
  return value;
}

function readOptions(): SoakOptions {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '500' },
      every: { type: 'string', default: '250' },
      'max-growth': { type: 'string', default: '5' },
    },
  });
  const options = {
    iterations: positiveInteger('iterations', values.iterations),
    warmup: positiveInteger('warmup', values.warmup),
    every: positiveInteger('every', values.every),
    maxGrowthPercent: Number(values['max-growth']),
  };
  if (options.warmup >= options.iterations) throw new Error(`soak: --warmup (${options.warmup}) must be below --iterations (${options.iterations})`);
  if (!(options.maxGrowthPercent > 0)) throw new Error(`soak: --max-growth must be a positive percentage, got '${values['max-growth']}'`);
  return options;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

function sample(iteration: number): Sample {
  collectGarbage?.();
  return { iteration, rssMB: process.memoryUsage().rss / 2 ** 20, liveTensors: currentBackend().liveTensors() };
}

const mb = (value: number): string => `${value.toFixed(1)}MB`;

/** Live tensors once every unreachable wrapper's finalizer has run (they run after a GC, on a later turn). */
async function settledLiveTensors(): Promise<number> {
  let count = currentBackend().liveTensors();
  for (let round = 0; round < 10; round++) {
    collectGarbage?.();
    await new Promise((resolve) => setImmediate(resolve));
    const next = currentBackend().liveTensors();
    if (next === count && round > 0) break;
    count = next;
  }
  return count;
}

async function main(): Promise<number> {
  const options = readOptions();
  if (collectGarbage === undefined) console.warn('soak: run with node --expose-gc (npm run soak does) for stable RSS samples');
  setBackend('native');
  const model = nn.mlp([1, 40, 40, 1]);
  const learner = new MAML(model, { innerLR: 0.01, innerSteps: 1, order: 2 });
  const samples: Sample[] = [];
  const liveBefore = await settledLiveTensors();
  const started = performance.now();
  const result = await metaTrain({
    learner,
    tasks: sinusoidTasks({ shots: 10, queries: 10 }),
    iterations: options.iterations,
    metaBatch: 25,
    optimizer: new Adam({ lr: 1e-3 }),
    seed: 0,
    progress: false,
    onIteration: ({ iteration, loss }) => {
      if (iteration !== options.warmup && iteration % options.every !== 0 && iteration !== options.iterations) return;
      const s = sample(iteration);
      samples.push(s);
      console.log(`iteration ${iteration}: rss ${mb(s.rssMB)}, live tensors ${s.liveTensors}, loss ${loss.toPrecision(3)}`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  disposeParams(result.params);
  const liveAfter = await settledLiveTensors();
  const warm = samples.find((s) => s.iteration === options.warmup);
  const end = samples[samples.length - 1];
  if (warm === undefined || end.iteration !== options.iterations) throw new Error('soak: missing the warm-up or final sample');
  const peakAfterWarm = Math.max(...samples.filter((s) => s.iteration >= options.warmup).map((s) => s.rssMB));
  const growth = (100 * (end.rssMB - warm.rssMB)) / warm.rssMB;
  console.log(`peak rss after warm-up ${mb(peakAfterWarm)}; ${result.history.length} iteration records kept by metaTrain's history`);
  console.log(
    `soak: iterations=${options.iterations} rss_warm=${mb(warm.rssMB)} rss_end=${mb(end.rssMB)} growth=${growth.toFixed(2)}% ` +
      `live_tensors_warm=${warm.liveTensors} live_tensors_end=${end.liveTensors} live_tensors_before=${liveBefore} ` +
      `live_tensors_after=${liveAfter} seconds=${seconds.toFixed(0)}`,
  );
  let failed = false;
  if (growth >= options.maxGrowthPercent) {
    console.error(`soak: FAIL: RSS grew ${growth.toFixed(2)}% after warm-up (limit ${options.maxGrowthPercent}%)`);
    failed = true;
  }
  if (liveAfter > liveBefore) {
    console.error(`soak: FAIL: ${liveAfter - liveBefore} tensors outlive training (${liveBefore} live before, ${liveAfter} after)`);
    failed = true;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
