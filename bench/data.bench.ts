/**
 * Episodic data benchmark (issue 3): episodes per second on Omniglot 28x28 (Vinyals train
 * split with rotations, 4,112 classes) for 5-way 1-shot 15-query and 20-way 5-shot 15-query,
 * as typed arrays and as tensors; and the cold (decode the npz) and warm (preprocessed cache)
 * load time of the full Omniglot, both sets, 32,460 drawings.
 *
 *   npx tsx bench/data.bench.ts        (needs $METALEARN_SHARED_DATA or ../shared/data)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EpisodeSampler } from '../lib/data/episodeSampler.js';
import { omniglot } from '../lib/data/omniglot.js';
import { machineInfo, printTable, runSuite, saveResults, timeCase, warnIfBusy, type CaseFigure } from './harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sharedData = process.env.METALEARN_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');

/** Both Lake sets = every Omniglot drawing (964 + 659 characters x 20). */
async function loadFullOmniglot(cacheDir: string, cache: boolean): Promise<number> {
  const background = await omniglot({ root: sharedData, source: 'npz', split: 'background', cacheDir, cache });
  const evaluation = await omniglot({ root: sharedData, source: 'npz', split: 'evaluation', cacheDir, cache });
  return (background.numClasses + evaluation.numClasses) * 20;
}

/**
 * CPU milliseconds per call (user + system of this process over `count` calls after a warm-up):
 * on a shared machine this, unlike wall time, does not count time spent descheduled.
 */
function cpuMsPerCall(fn: () => unknown, count: number): number {
  for (let i = 0; i < Math.min(200, count); i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / count;
}

async function main(): Promise<void> {
  if (!existsSync(join(sharedData, 'omniglot', 'npz', 'images_background.npz'))) {
    console.log(`skipped: Omniglot npz not found under ${sharedData} (set METALEARN_SHARED_DATA)`);
    return;
  }
  warnIfBusy();
  const cacheDir = mkdtempSync(join(tmpdir(), 'metalearn-bench-data-'));
  try {
    console.log('load of the full Omniglot (32,460 drawings, npz source, 28x28):');
    const cold = await timeCase('omniglot full load, cold (decode npz, no cache)', () => loadFullOmniglot(cacheDir, false), 3, 5);
    await loadFullOmniglot(cacheDir, true); // writes the cache
    const warm = await timeCase('omniglot full load, warm (preprocessed cache)', () => loadFullOmniglot(cacheDir, true), 5, 2);

    const train = await omniglot({ root: sharedData, source: 'npz', split: 'train', cacheDir });
    const sampler = (ways: number, shots: number) => new EpisodeSampler(train, { ways, shots, queries: 15, seed: 1 });
    const s5 = sampler(5, 1);
    const s20 = sampler(20, 5);
    const s5t = sampler(5, 1);
    const s20t = sampler(20, 5);
    const episodes = await runSuite(
      'Omniglot episodes (Vinyals train + rotations, 28x28)',
      [
        { name: '5-way 1-shot 15-query, arrays', fn: () => s5.sampleArrays() },
        { name: '5-way 1-shot 15-query, tensors', fn: () => s5t.sample() },
        { name: '20-way 5-shot 15-query, arrays', fn: () => s20.sampleArrays() },
        { name: '20-way 5-shot 15-query, tensors', fn: () => s20t.sample() },
      ],
      { minSamples: 10, maxTime: 3 },
    );
    const loads: CaseFigure[] = [cold, warm].map((f) => ({ ...f, extra: { ms: 1000 / f.opsPerSec } }));
    const cpuMs: Record<string, number> = {
      '5-way 1-shot 15-query, arrays': cpuMsPerCall(() => s5.sampleArrays(), 3000),
      '5-way 1-shot 15-query, tensors': cpuMsPerCall(() => s5t.sample(), 3000),
      '20-way 5-shot 15-query, arrays': cpuMsPerCall(() => s20.sampleArrays(), 500),
      '20-way 5-shot 15-query, tensors': cpuMsPerCall(() => s20t.sample(), 500),
    };
    const withMs = episodes.map((f) => ({ ...f, extra: { wallMsPerEpisode: 1000 / f.opsPerSec, cpuMsPerEpisode: cpuMs[f.name] } }));
    printTable('Omniglot load', loads);
    printTable('Episodes per second', withMs);
    saveResults('data', { machine: machineInfo(), loads, episodes: withMs });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

await main();
