/**
 * Issue 12, item 4: work that does not fit in memory is refused (OutOfMemoryError with the
 * estimate, the limit and what to reduce) or, for evaluation, chunked, before it runs.
 *  - the model (lib/train/memoryBudget.ts) against the native core's measured peak tensor bytes,
 *    on ProtoNet and MAML passes (evaluation and meta-gradient, support- and query-heavy);
 *  - evaluate() under a small maxMemoryBytes scores smaller chunks with the very same numbers;
 *  - an impossible limit: OutOfMemoryError from evaluate() and metaTrain() before any work runs;
 *  - parseByteSize (--max-memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBackend, nativeAvailable, setBackend } from '../../lib/backend/index.js';
import { ArrayDataset } from '../../lib/data/arrayDataset.js';
import { EpisodeSampler } from '../../lib/data/episodeSampler.js';
import { disposeParams, type Params } from '../../lib/core/params.js';
import * as nn from '../../lib/nn/index.js';
import { MAML } from '../../lib/algorithms/index.js';
import type { MetaLearner, Task, TaskScore } from '../../lib/algorithms/types.js';
import { ProtoNet } from '../../lib/metric/index.js';
import { OutOfMemoryError, ValueError } from '../../lib/errors.js';
import { evaluate } from '../../lib/train/evaluate.js';
import { metaTrain } from '../../lib/train/metaTrain.js';
import { Adam } from '../../lib/train/optimizers.js';
import {
  evaluationChunkBytes,
  engineThreads,
  metaBatchBytes,
  MODEL_FACTOR_HIGH,
  MODEL_FACTOR_LOW,
  parseByteSize,
} from '../../lib/train/memoryBudget.js';
import { disposeTasks, episodeTasks, sinusoidTasks, type TaskSource } from '../../lib/train/taskSource.js';
import { algorithmNames, usesInnerSteps } from '../../lib/cli/registry.js';
import { resolveRunConfig } from '../../lib/cli/runConfig.js';
import { buildRun } from '../../lib/cli/runSetup.js';

/** Random images [1, side, side] of `classes` classes with `perClass` examples each. */
function randomImages(classes: number, perClass: number, side: number): ArrayDataset {
  const size = side * side;
  const values = new Float32Array(classes * perClass * size);
  let state = 12345;
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = (state >>> 8) / 2 ** 24;
  }
  const classStarts = Int32Array.from({ length: classes + 1 }, (_, c) => c * perClass);
  return new ArrayDataset({ name: 'random', exampleShape: [1, side, side], values, classStarts, classNames: Array.from({ length: classes }, (_, c) => `c${c}`) });
}

const hasNative = nativeAvailable().ok;

describe.skipIf(!hasNative)(`the memory model against the native core's peak tensor bytes${hasNative ? '' : ' (skipped: native binary not available)'}`, () => {
  beforeAll(() => setBackend('native'));
  afterAll(() => setBackend('js'));
  const dataset = randomImages(8, 20, 28);
  const protoNet = () => new ProtoNet(nn.conv4({ inChannels: 1, hidden: 32, imageSize: 28 }));
  const maml = (steps: number) =>
    new MAML(nn.conv4({ inChannels: 1, hidden: 32, outputs: 5, imageSize: 28 }), { innerLR: 0.4, innerSteps: steps, testInnerSteps: steps, order: 2 });

  /** Measured peak above what was live before (the tasks and params) over the estimate without the tasks' own tensors. */
  async function ratio(learner: MetaLearner, shots: number, queries: number, count: number, pass: 'evaluate' | 'metaGradient', steps: number): Promise<number> {
    const core = currentBackend();
    const params = learner.init(0, 'float32');
    const tasks = episodeTasks(dataset, { ways: 5, shots, queries }).sample(3, count);
    const profile = learner.memoryProfile!(params, tasks[0]);
    const threads = engineThreads(core);
    core.resetPeakTensorBytes!();
    const before = core.peakTensorBytes!();
    let estimate: number;
    if (pass === 'evaluate') {
      await learner.evaluateTasks!(params, tasks, { innerSteps: steps });
      estimate = evaluationChunkBytes(profile, steps, count, threads);
    } else {
      disposeParams((await learner.metaGradient(params, tasks)).grads);
      estimate = metaBatchBytes(profile, count, threads);
    }
    const measured = core.peakTensorBytes!() - before;
    disposeTasks(tasks);
    disposeParams(params);
    const result = measured / (estimate - count * profile.episodeBytes);
    console.log(`[native] ${learner.name} ${pass} ${shots}-shot ${queries}-query x${count}, ${steps} steps, ${threads} threads: measured/estimated ${result.toFixed(3)}`);
    return result;
  }

  const cases: [string, () => MetaLearner, number, number, number, 'evaluate' | 'metaGradient', number][] = [
    ['ProtoNet evaluation', protoNet, 1, 15, 4, 'evaluate', 0],
    ['ProtoNet meta-gradient', protoNet, 1, 15, 3, 'metaGradient', 0],
    ['MAML evaluation, query-heavy', () => maml(3), 1, 15, 4, 'evaluate', 3],
    ['MAML evaluation, support-heavy', () => maml(2), 10, 1, 3, 'evaluate', 2],
    ['MAML second-order meta-gradient, query-heavy', () => maml(1), 1, 15, 3, 'metaGradient', 1],
    ['MAML second-order meta-gradient, support-heavy', () => maml(2), 10, 1, 2, 'metaGradient', 2],
  ];
  for (const [label, make, shots, queries, count, pass, steps] of cases) {
    it(`${label}: measured / estimated peak within [${MODEL_FACTOR_LOW}, ${MODEL_FACTOR_HIGH}]`, async () => {
      const r = await ratio(make(), shots, queries, count, pass, steps);
      expect(r).toBeGreaterThanOrEqual(MODEL_FACTOR_LOW);
      expect(r).toBeLessThanOrEqual(MODEL_FACTOR_HIGH);
    }, 60_000);
  }
});

/** The learner with every scoring call's task count recorded. */
function countingCalls(learner: MetaLearner): { learner: MetaLearner; calls: number[] } {
  const calls: number[] = [];
  const counted: MetaLearner = Object.create(learner) as MetaLearner;
  counted.evaluateTasks = async (params: Params, tasks: Task[], options?: { innerSteps?: number }): Promise<TaskScore[]> => {
    calls.push(tasks.length);
    return learner.evaluateTasks!(params, tasks, options);
  };
  return { learner: counted, calls };
}

/** The same tasks without sampleEach: the whole block is made up front. */
function withoutSampleEach(source: TaskSource): TaskSource {
  return { kind: source.kind, description: source.description, sample: (seed, count) => source.sample(seed, count) };
}

describe('evaluate() under a memory limit', () => {
  beforeAll(() => setBackend('js'));
  const learner = new MAML(nn.mlp([1, 40, 40, 1]), { innerLR: 0.01, innerSteps: 1, testInnerSteps: 3 });
  const tasks = sinusoidTasks({ shots: 10, queries: 10, dtype: 'float64' });
  let params: Params;
  beforeAll(() => {
    params = learner.init(1, 'float64');
  });
  afterAll(() => disposeParams(params));

  /**
   * A limit that fits one task of the evaluation but not two, also for a source without
   * sampleEach, which holds the block's 25 episodes (each far smaller than a task's other
   * kept tensors, its adapted weights).
   */
  function oneTaskLimit(): number {
    const [task] = tasks.sample(0, 1);
    const profile = learner.memoryProfile(params, task);
    disposeTasks([task]);
    expect(25 * profile.episodeBytes).toBeLessThan(profile.paramBytes);
    return evaluationChunkBytes(profile, 3, 1, 1) + 25 * profile.episodeBytes;
  }

  it('scores smaller chunks, with the same numbers as the default chunks (with and without sampleEach)', async () => {
    const plain = countingCalls(learner);
    const expected = await evaluate(plain.learner, params, tasks, { episodes: 30, seed: 4 });
    expect(plain.calls).toEqual([25, 5]);
    for (const source of [tasks, withoutSampleEach(tasks)]) {
      const small = countingCalls(learner);
      const result = await evaluate(small.learner, params, source, { episodes: 30, seed: 4, maxMemoryBytes: oneTaskLimit() });
      expect(small.calls.length).toBe(30);
      expect(small.calls.every((n) => n === 1)).toBe(true);
      expect(result).toEqual(expected);
    }
  });

  it('refuses, before scoring anything, when one episode does not fit: OutOfMemoryError with estimate, limit, what to reduce', async () => {
    const counted = countingCalls(learner);
    const failure = evaluate(counted.learner, params, tasks, { episodes: 30, maxMemoryBytes: 1000 });
    await expect(failure).rejects.toThrow(OutOfMemoryError);
    await expect(failure).rejects.toThrow(
      /^evaluate: one episode of maml on sinusoid 10-shot 10-query needs an estimated [\d.]+ kB of tensor memory \(.*\), more than the limit set by --max-memory \/ maxMemoryBytes \(1\.00 kB\)\. Reduce the ways, shots or queries per class \(--ways, --shots, --queries\), the inner steps \(3: --inner-steps\)/,
    );
    expect(counted.calls).toEqual([]);
    await expect(evaluate(learner, params, tasks, { episodes: 3, maxMemoryBytes: -5 })).rejects.toThrow(ValueError);
    await expect(evaluate(learner, params, tasks, { episodes: 3, maxMemoryBytes: Number.NaN })).rejects.toThrow(/maxMemoryBytes must be a positive finite number of bytes, got NaN/);
  });

  it('chunks metric learners\' episodes too (ProtoNet on images)', async () => {
    const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 4, imageSize: 16 }));
    const protoParams = proto.init(0, 'float32');
    const source = episodeTasks(randomImages(6, 8, 16), { ways: 3, shots: 1, queries: 2 });
    const [task] = source.sample(0, 1);
    const limit = evaluationChunkBytes(proto.memoryProfile(protoParams, task), 0, 2, 1) + 1;
    disposeTasks([task]);
    const plain = countingCalls(proto);
    const expected = await evaluate(plain.learner, protoParams, source, { episodes: 7, seed: 2 });
    const small = countingCalls(proto);
    const result = await evaluate(small.learner, protoParams, source, { episodes: 7, seed: 2, maxMemoryBytes: limit });
    expect(plain.calls).toEqual([7]);
    expect(small.calls).toEqual([2, 2, 2, 1]);
    expect(result).toEqual(expected);
    disposeParams(protoParams);
  });
});

describe('MetricLearner.evaluate() under a memory limit', () => {
  beforeAll(() => setBackend('js'));

  it('scores smaller chunks with the same numbers, and refuses an episode that cannot fit', async () => {
    const dataset = randomImages(6, 8, 16);
    const sampler = () => new EpisodeSampler(dataset, { ways: 3, shots: 1, queries: 2, seed: 9 });
    const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 4, imageSize: 16 }));
    const params = proto.init(0, 'float32');
    const calls: number[] = [];
    const batched = proto.evaluateTasks.bind(proto);
    proto.evaluateTasks = async (p, tasks) => {
      calls.push(tasks.length);
      return batched(p, tasks);
    };
    const expected = await proto.evaluate(params, sampler(), { episodes: 5 });
    expect(calls).toEqual([5]);
    const probe = sampler().sample();
    const limit = evaluationChunkBytes(proto.memoryProfile(params, probe), 0, 2, 1) + 1;
    disposeTasks([probe]);
    calls.length = 0;
    expect(await proto.evaluate(params, sampler(), { episodes: 5, maxMemoryBytes: limit })).toEqual(expected);
    expect(calls).toEqual([2, 2, 1]);
    calls.length = 0;
    await expect(proto.evaluate(params, sampler(), { episodes: 5, maxMemoryBytes: 100 })).rejects.toThrow(
      /^protonet\.evaluate: one episode of protonet on 3-way episodes needs an estimated [\d.]+ kB of tensor memory .*more than the limit set by --max-memory \/ maxMemoryBytes \(100 bytes\)\. Reduce the ways, shots or queries per class/,
    );
    expect(calls).toEqual([]);
    disposeParams(params);
  });
});

describe('metaTrain() under a memory limit', () => {
  beforeAll(() => setBackend('js'));

  it('refuses a meta-batch that does not fit before the first iteration, naming the meta-batch', async () => {
    const learner = new MAML(nn.mlp([1, 40, 40, 1]), { innerLR: 0.01, innerSteps: 1 });
    const iterations: number[] = [];
    const run = metaTrain({
      learner,
      tasks: sinusoidTasks({ shots: 10, queries: 10 }),
      iterations: 3,
      metaBatch: 25,
      optimizer: new Adam({ lr: 1e-3 }),
      maxMemoryBytes: 10_000,
      onIteration: (record) => iterations.push(record.iteration),
    });
    await expect(run).rejects.toThrow(OutOfMemoryError);
    await expect(run).rejects.toThrow(
      /^metaTrain: a meta-batch of 25 tasks of maml on sinusoid 10-shot 10-query needs an estimated [\d.]+ [kM]B of tensor memory \(per task: .*\), more than the limit set by --max-memory \/ maxMemoryBytes \(10\.00 kB\)\. Reduce the meta-batch \(--meta-batch\), .*inner steps \(1: --inner-steps\).*The meta-batch is not changed for you/,
    );
    expect(iterations).toEqual([]);
  });

  it('trains as before when the meta-batch fits', async () => {
    const learner = new MAML(nn.mlp([1, 8, 1]), { innerLR: 0.01, innerSteps: 1 });
    const result = await metaTrain({ learner, tasks: sinusoidTasks({ shots: 5, queries: 5 }), iterations: 2, metaBatch: 2, optimizer: new Adam({ lr: 1e-3 }), maxMemoryBytes: 1e9 });
    expect(result.iteration).toBe(2);
    disposeParams(result.params);
  });
});

describe('every registered learner sizes its tasks (so evaluate and metaTrain check them all)', () => {
  beforeAll(() => setBackend('js'));

  it('memoryProfile: the episode tensors as counted by hand, a forward pass, the inner loop where there is one', () => {
    const dataset = randomImages(6, 4, 28);
    for (const algo of algorithmNames()) {
      const run = buildRun(resolveRunConfig({ algo, dataset: 'omniglot', hidden: 4, ways: 3, queries: 2 }));
      const params = run.learner.init(0, 'float32');
      const [task] = episodeTasks(dataset, { ways: 3, shots: 1, queries: 2 }).sample(1, 1);
      const profile = run.learner.memoryProfile!(params, task);
      // 3 support + 6 query images of 28 x 28 float32.
      expect(profile.episodeBytes, algo).toBe(9 * 28 * 28 * 4);
      expect(profile.queryForwardBytes, algo).toBeGreaterThan(0);
      expect(profile.hasInnerLoop, algo).toBe(usesInnerSteps(algo));
      expect(profile.supportForwardBytes > 0, algo).toBe(usesInnerSteps(algo));
      disposeTasks([task]);
      disposeParams(params);
    }
  });
});

describe('parseByteSize (--max-memory)', () => {
  it('reads decimal and binary units and plain bytes', () => {
    expect(parseByteSize('4GB')).toBe(4_000_000_000);
    expect(parseByteSize('512MB')).toBe(512_000_000);
    expect(parseByteSize('512mb')).toBe(512_000_000);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('64KiB')).toBe(65_536);
    expect(parseByteSize(' 2 kB ')).toBe(2000);
    expect(parseByteSize('100000')).toBe(100_000);
    expect(parseByteSize('3g')).toBe(3e9);
  });

  it('refuses anything else with a ValueError naming the flag and the value', () => {
    for (const bad of ['nonsense', '', '0', '0MB', '-1GB', '1XB', 'NaN', '1e9', 'GB', '1.2.3MB', '99999999999TB']) {
      expect(() => parseByteSize(bad), bad).toThrow(ValueError);
      expect(() => parseByteSize(bad), bad).toThrow(`--max-memory must be a positive size such as 4GB, 512MB, 1.5GiB or a number of bytes, got '${bad}'`);
    }
  });
});
