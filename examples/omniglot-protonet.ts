/**
 * Prototypical Networks (Snell et al., 2017) on Omniglot: train a conv4 embedding on 5-way
 * 5-shot episodes of the Vinyals background classes (with the 90-degree rotations as new
 * classes), then test on 5-way 1-shot and 5-shot episodes of the test classes, mean accuracy
 * +/- 95% CI.
 *
 * Data: --data-root DIR, else $METALEARN_DATA, else ../shared/data; it must hold
 * omniglot/npz/images_{background,evaluation}.npz (or the official zips) and
 * omniglot/splits/vinyals/*.txt (`npx metalearn download omniglot --data-root DIR` fetches them).
 *
 *   npx tsx examples/omniglot-protonet.ts [--iterations 200] [--data-root DIR]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Adam, ProtoNet, data, episodeTasks, evaluate, formatEvaluation, getBackend, metaTrain, nn } from 'metalearn';
import { exampleArgs } from './exampleArgs.js';

const { iterations, dataRoot } = exampleArgs(200);
const root = resolve(dataRoot ?? process.env.METALEARN_DATA ?? '../shared/data');
const missing = ['background', 'evaluation']
  .filter((set) => !existsSync(join(root, 'omniglot', 'npz', `images_${set}.npz`)) && !existsSync(join(root, 'omniglot', `images_${set}.zip`)))
  .map((set) => `omniglot/npz/images_${set}.npz`);
if (!existsSync(join(root, 'omniglot', 'splits', 'vinyals', 'test.txt'))) missing.push('omniglot/splits/vinyals/*.txt');
if (missing.length > 0) {
  console.error(`omniglot-protonet: no Omniglot data under ${root} (missing ${missing.join(', ')}).`);
  console.error(`Fetch it with 'npx metalearn download omniglot --data-root ${root}', or pass --data-root / set METALEARN_DATA.`);
  process.exit(1);
}

const train = await data.omniglot({ root, split: 'train', rotations: true });
const test = await data.omniglot({ root, split: 'test', rotations: true });
const proto = new ProtoNet(nn.conv4({ inChannels: 1, hidden: 64 }));

console.log(`ProtoNet on Omniglot (${root}), ${iterations} episodes of 5-way 5-shot training on the ${getBackend()} core`);
const started = performance.now();
const trained = await metaTrain({
  learner: proto,
  tasks: episodeTasks(train, { ways: 5, shots: 5, queries: 15 }),
  iterations,
  metaBatch: 1, // one episode per update, as in the paper
  optimizer: new Adam({ lr: 1e-3 }),
  progress: false,
});
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s, final loss ${trained.history.at(-1)?.loss.toFixed(3)}`);

for (const shots of [1, 5]) {
  const result = await evaluate(proto, trained.params, episodeTasks(test, { ways: 5, shots, queries: 15 }), { episodes: 200 });
  console.log(`test 5-way ${shots}-shot accuracy: ${formatEvaluation(result)}`);
}
