/**
 * Issue 5's benchmark: one ProtoNet training episode (loss, accuracy and gradient of the
 * conv4 embedding, 28x28x1, 64 filters) and the batched distance kernel, native vs TS twin.
 *   npx tsx bench/metric.bench.ts [--batched-only]
 * --batched-only: only the one-at-a-time vs batched table (results to metric-batched.json).
 * Batched episodes (native core): 8 episodes of 5-way 1-shot 15-query, scored (evaluation) and
 * differentiated (a meta-batch of 8) one at a time on the main thread vs in one batched call of the
 * replayed episode program (tasks on the engine's threads).
 * Distance: ops.squaredEuclidean([1000,1600], [20,1600]) -> [1000,20]; GFLOP/s counts
 * 3*n*m*d flops (a subtract, a multiply and an add per term), 96 MFLOP per call.
 */
import { ProtoNet, disposeParams, nn, ops, tensor, type BackendName } from '../lib/index.js';
import { CORES, coreCase, imageTensors, onCore, useCore } from './contenders.js';
import { printTable, ratio, runSideBySide, saveResults, warnIfBusy, type BenchCase, type CaseFigure } from './harness.js';
import { randomImageSet, randomNormalArray } from './workloads.js';

const EPISODES = [
  { label: '5-way 5-shot 15-query', ways: 5, shots: 5, queries: 15 },
  { label: '60-way 5-shot 5-query', ways: 60, shots: 5, queries: 5 },
];
const DISTANCE = { n: 1000, m: 20, d: 1600 };
const DISTANCE_FLOPS = 3 * DISTANCE.n * DISTANCE.m * DISTANCE.d;

function protoNetCase(core: BackendName, episode: (typeof EPISODES)[number]): BenchCase {
  const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 64 }));
  const params = proto.init(1);
  const support = imageTensors(randomImageSet(episode.ways, episode.shots, 1, 28, 5));
  const query = imageTensors(randomImageSet(episode.ways, episode.queries, 1, 28, 6));
  const task = { support, query };
  return coreCase(core, `ProtoNet episode ${episode.label}`, async () => disposeParams((await proto.lossAndGrad(params, task)).grads));
}

const BATCH = { ways: 5, shots: 1, queries: 15, tasks: 8 };

function batchedCases(): BenchCase[] {
  const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 64 }));
  const params = proto.init(1);
  const tasks = Array.from({ length: BATCH.tasks }, (_, t) => ({
    support: imageTensors(randomImageSet(BATCH.ways, BATCH.shots, 1, 28, 10 + 2 * t)),
    query: imageTensors(randomImageSet(BATCH.ways, BATCH.queries, 1, 28, 11 + 2 * t)),
  }));
  const label = `${BATCH.tasks} episodes 5-way 1-shot 15-query`;
  return [
    coreCase('native', `evaluate ${label}, one at a time`, async () => {
      for (const task of tasks) await proto.evaluateTask(params, task);
    }),
    coreCase('native', `evaluate ${label}, batched`, () => proto.evaluateTasks(params, tasks)),
    coreCase('native', `meta-gradient ${label}, one at a time`, async () => {
      for (const task of tasks) disposeParams((await proto.lossAndGrad(params, task)).grads);
    }),
    coreCase('native', `meta-gradient ${label}, batched`, async () => disposeParams((await proto.metaGradient(params, tasks)).grads)),
  ];
}

/** batched / one-at-a-time speed for evaluation and the meta-gradient (empty without the native rows). */
function batchedRatios(batched: CaseFigure[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  if (batched.length === 0) return ratios;
  for (const what of ['evaluate', 'meta-gradient']) {
    const name = `${what} ${BATCH.tasks} episodes 5-way 1-shot 15-query`;
    ratios[`${name}: batched/one at a time`] = ratio(batched, onCore(`${name}, batched`, 'native'), onCore(`${name}, one at a time`, 'native'));
  }
  console.log('\nratios');
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(60)} ${value.toFixed(2)}`);
  return ratios;
}

function distanceCase(core: BackendName): BenchCase {
  const a = tensor(randomNormalArray(DISTANCE.n * DISTANCE.d, 1), [DISTANCE.n, DISTANCE.d]);
  const b = tensor(randomNormalArray(DISTANCE.m * DISTANCE.d, 2), [DISTANCE.m, DISTANCE.d]);
  return coreCase(core, 'squaredEuclidean 1000x20x1600', () => ops.squaredEuclidean(a, b).dispose());
}

const BATCHED_ONLY = process.argv.includes('--batched-only');

async function main(): Promise<void> {
  warnIfBusy();
  if (BATCHED_ONLY) {
    const reason = useCore('native');
    if (reason) throw new Error(`--batched-only needs the native core: ${reason}`);
    const batched = await runSideBySide('batched episodes', batchedCases());
    printTable(`ProtoNet episodes one at a time vs batched (native core, ${BATCH.tasks} episodes per call)`, batched);
    saveResults('metric-batched', { batched, ratios: batchedRatios(batched) });
    return;
  }
  const cores = CORES.filter((core) => {
    const reason = useCore(core);
    if (reason) console.warn(`skipping the ${core} core: ${reason}`);
    return reason === null;
  });
  const build = (make: (core: BackendName) => BenchCase) => cores.map((core) => (useCore(core), make(core)));

  const distance = await runSideBySide('squaredEuclidean', build(distanceCase), { minSamples: 10 });
  for (const f of distance) f.extra = { GFLOPs: (DISTANCE_FLOPS * f.opsPerSec) / 1e9 };
  printTable(`squaredEuclidean [1000,1600] x [20,1600] (${DISTANCE_FLOPS / 1e6} MFLOP per call)`, distance);

  const episodes: CaseFigure[] = [];
  for (const episode of EPISODES) {
    episodes.push(...(await runSideBySide(`ProtoNet ${episode.label}`, build((core) => protoNetCase(core, episode)))));
  }
  for (const f of episodes) f.extra = { msPerEpisode: 1000 / f.opsPerSec };
  printTable('ProtoNet training episode (lossAndGrad, conv4 embedding)', episodes);

  let batched: CaseFigure[] = [];
  if (cores.includes('native')) {
    useCore('native');
    batched = await runSideBySide('batched episodes', batchedCases());
    printTable(`ProtoNet episodes one at a time vs batched (native core, ${BATCH.tasks} episodes per call)`, batched);
  }

  const ratios: Record<string, number> = {
    'squaredEuclidean native/js': ratio(distance, onCore('squaredEuclidean 1000x20x1600', 'native'), onCore('squaredEuclidean 1000x20x1600', 'js')),
  };
  for (const episode of EPISODES) {
    const name = `ProtoNet episode ${episode.label}`;
    ratios[`${name} native/js`] = ratio(episodes, onCore(name, 'native'), onCore(name, 'js'));
  }
  Object.assign(ratios, batchedRatios(batched));
  console.log('\nratios');
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(50)} ${value.toFixed(2)}`);
  saveResults('metric', { distance, distanceFlopsPerCall: DISTANCE_FLOPS, episodes, batched, ratios });
}

await main();
