/** Shared helpers for test/data: where the real data is, temp dirs, synthetic datasets. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArrayDataset } from '../../lib/data/arrayDataset.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** $METALEARN_SHARED_DATA, default ../shared/data relative to the repo root. */
export const sharedData = process.env.METALEARN_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
export const omniglotDir = join(sharedData, 'omniglot');
export const hasOmniglotNpz = existsSync(join(omniglotDir, 'npz', 'images_background.npz')) && existsSync(join(omniglotDir, 'npz', 'images_evaluation.npz'));
export const hasSmallZips = existsSync(join(omniglotDir, 'images_background_small1.zip'));
export const hasAllRuns = existsSync(join(omniglotDir, 'all_runs.zip'));
export const noSharedDataReason = `(skipped: shared data not found at ${sharedData}; set METALEARN_SHARED_DATA)`;

const made: string[] = [];
export function tempDir(prefix = 'metalearn-data-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A feature dataset whose examples say where they come from: example i of class c is the
 * vector [c, i, 1000 * c + i] (exampleShape [3]); class c holds sizes[c] examples.
 */
export function taggedDataset(sizes: number[]): ArrayDataset {
  const total = sizes.reduce((a, b) => a + b, 0);
  const values = new Float32Array(total * 3);
  const classStarts = new Int32Array(sizes.length + 1);
  let row = 0;
  sizes.forEach((n, c) => {
    classStarts[c + 1] = classStarts[c] + n;
    for (let i = 0; i < n; i++, row++) values.set([c, i, 1000 * c + i], row * 3);
  });
  return new ArrayDataset({ name: 'tagged', exampleShape: [3], values, classStarts, classNames: sizes.map((_, c) => `class${c}`) });
}

/** (class, index) of every example of an episode side, from a taggedDataset's x. */
export function tagsOf(x: Float32Array): [number, number][] {
  const tags: [number, number][] = [];
  for (let i = 0; i < x.length; i += 3) tags.push([x[i], x[i + 1]]);
  return tags;
}
