/**
 * Omniglot on the real data in $METALEARN_SHARED_DATA (default ../shared/data): counts, splits,
 * pixel agreement of the official zips and the npz form, cache behaviour, one-shot runs.
 */
import { readFileSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../lib/errors.js';
import { EpisodeSampler } from '../../lib/data/episodeSampler.js';
import { readNpz } from '../../lib/data/npz.js';
import { omniglot, type OmniglotDataset } from '../../lib/data/omniglot.js';
import { omniglotCachePath } from '../../lib/data/omniglotCache.js';
import { decodeOmniglotPng } from '../../lib/data/omniglotFolder.js';
import { readCharIds } from '../../lib/data/omniglotNpz.js';
import { omniglotOneShotRuns } from '../../lib/data/omniglotOneShotRuns.js';
import { rotateQuarterTurns } from '../../lib/data/rotate.js';
import { readZipFile } from '../../lib/data/zipArchive.js';
import { hasAllRuns, hasOmniglotNpz, hasSmallZips, noSharedDataReason, omniglotDir, removeTempDirs, sharedData, tempDir } from './dataHelpers.js';

const skip = !hasOmniglotNpz;
const reason = skip ? noSharedDataReason : '';

afterAll(removeTempDirs);

/** One preprocessed cache for the whole file (the first npz load of a set fills it). */
let sharedCache = '';
function cacheDirForFile(): string {
  if (!sharedCache) sharedCache = tempDir();
  return sharedCache;
}

describe.skipIf(skip)(`Omniglot, npz source ${reason}`, () => {
  let cacheDir = '';
  let background: OmniglotDataset;
  let evaluation: OmniglotDataset;

  beforeAll(async () => {
    cacheDir = cacheDirForFile();
    background = await omniglot({ root: sharedData, source: 'npz', split: 'background', cacheDir });
    evaluation = await omniglot({ root: sharedData, source: 'npz', split: 'evaluation', cacheDir });
  });

  it("Lake's split: 964 background / 659 evaluation characters, 20 drawings each, 28x28", () => {
    expect(background.numClasses).toBe(964);
    expect(evaluation.numClasses).toBe(659);
    expect(background.imageShape).toEqual([1, 28, 28]);
    for (const ds of [background, evaluation]) for (let c = 0; c < ds.numClasses; c++) expect(ds.examplesOf(c)).toBe(20);
    expect(background.className(0)).toMatch(/^[^/]+\/character\d\d$/);
  });

  it('ink is 1 on a 0 background (values are 0 or 1, ink the minority)', () => {
    const out = new Float32Array(784);
    let ink = 0;
    for (let c = 0; c < 50; c++) {
      background.getExample(c * 19, c % 20, out, 0);
      for (const v of out) {
        expect(v === 0 || v === 1).toBe(true);
        ink += v;
      }
    }
    const fraction = ink / (50 * 784);
    expect(fraction).toBeGreaterThan(0.03);
    expect(fraction).toBeLessThan(0.3);
  });

  it('Vinyals split: 1,028 / 172 / 423 characters x 4 rotations = 4112 / 688 / 1692 classes', async () => {
    const counts: Record<string, [number, number]> = { train: [4112, 1028], val: [688, 172], test: [1692, 423], trainval: [4800, 1200] };
    for (const [split, [withRot, chars]] of Object.entries(counts)) {
      const rotated = await omniglot({ root: sharedData, source: 'npz', split: split as 'train', cacheDir });
      const plain = await omniglot({ root: sharedData, source: 'npz', split: split as 'train', rotations: false, cacheDir });
      expect(rotated.numClasses).toBe(withRot);
      expect(plain.numClasses).toBe(chars);
    }
    const test = await omniglot({ root: sharedData, source: 'npz', split: 'test', cacheDir });
    const lines = readFileSync(join(omniglotDir, 'splits', 'vinyals', 'test.txt'), 'utf8').trim().split('\n');
    expect(test.className(0)).toBe(lines[0]);
    expect(test.className(1691)).toBe(lines[1691]);
  });

  it('agrees with char_ids.csv on which characters form each Vinyals split', async () => {
    const ids = readCharIds(join(omniglotDir, 'npz', 'char_ids.csv'));
    const val = await omniglot({ root: sharedData, source: 'npz', split: 'val', rotations: false, cacheDir });
    const names = new Set(Array.from({ length: val.numClasses }, (_, c) => val.className(c).replace(/\/rot000$/, '')));
    const expected = new Set(ids.filter((i) => i.vinyalsSplit === 'val').map((i) => `${i.alphabet}/${i.character}`));
    expect(names).toEqual(expected);
  });

  it('rotation classes are the rotated character', async () => {
    const train = await omniglot({ root: sharedData, source: 'npz', split: 'train', cacheDir });
    const name = train.className(1).replace(/\/rot\d+$/, '');
    expect(train.className(1)).toBe(`${name}/rot090`);
    const upright = new Float32Array(784);
    const turned = new Float32Array(784);
    const expected = new Float32Array(784);
    train.getExample(0, 5, upright, 0);
    train.getExample(1, 5, turned, 0);
    rotateQuarterTurns(upright, 0, expected, 0, 1, 28, 1);
    expect(Array.from(turned)).toEqual(Array.from(expected));
  });

  it('samples real 5-way 1-shot 15-query episodes deterministically', async () => {
    const test = await omniglot({ root: sharedData, source: 'npz', split: 'test', cacheDir });
    const a = new EpisodeSampler(test, { ways: 5, shots: 1, queries: 15, seed: 1 }).sampleArrays();
    const b = new EpisodeSampler(test, { ways: 5, shots: 1, queries: 15, seed: 1 }).sampleArrays();
    expect(a.support.shape).toEqual([5, 1, 28, 28]);
    expect(a.query.shape).toEqual([75, 1, 28, 28]);
    expect(b.classes).toEqual(a.classes);
    expect(Array.from(b.query.x)).toEqual(Array.from(a.query.x));
    expect(() => new EpisodeSampler(test, { ways: 5, shots: 5, queries: 16 })).toThrow(/holds 20 examples, but 5 shots \+ 16 queries need 21/);
    expect(() => new EpisodeSampler(test, { ways: 1693, shots: 1, queries: 1 })).toThrow(/1693 ways but only 1692 classes/);
  });

  it('the cache gives the same pixels, and a corrupt cache is rebuilt instead of trusted', async () => {
    const path = omniglotCachePath(cacheDir, { source: 'npz', set: 'evaluation', size: 28, method: 'nearest' });
    const before = statSync(path).size;
    truncateSync(path, 1000);
    const rebuilt = await omniglot({ root: sharedData, source: 'npz', split: 'evaluation', cacheDir });
    expect(statSync(path).size).toBe(before);
    const fromCache = await omniglot({ root: sharedData, source: 'npz', split: 'evaluation', cacheDir });
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    const c = new Float32Array(784);
    for (const cls of [0, 300, 658]) {
      evaluation.getExample(cls, 7, a, 0);
      rebuilt.getExample(cls, 7, b, 0);
      fromCache.getExample(cls, 7, c, 0);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(Array.from(c)).toEqual(Array.from(a));
    }
    writeFileSync(path, 'MLCACHE1 but garbage');
    expect((await omniglot({ root: sharedData, source: 'npz', split: 'evaluation', cacheDir })).numClasses).toBe(659);
  });

  it('a split file naming an unknown class is a DataError naming file, line and class', async () => {
    const splitsDir = tempDir();
    writeFileSync(join(splitsDir, 'val.txt'), 'Greek/character01/rot000\nNowhere/character99/rot090\n');
    await expect(omniglot({ root: sharedData, source: 'npz', split: 'val', cacheDir, splitsDir })).rejects.toThrow(
      /val\.txt:2: split names unknown class 'Nowhere\/character99'/,
    );
    writeFileSync(join(splitsDir, 'test.txt'), 'Greek/character01/rot045\n');
    await expect(omniglot({ root: sharedData, source: 'npz', split: 'test', cacheDir, splitsDir })).rejects.toThrow(DataError);
  });

  it('a missing npz is a DataError that says what to do', async () => {
    const root = tempDir();
    await expect(omniglot({ root, source: 'npz', split: 'background', cache: false })).rejects.toThrow(/images_background\.npz not found/);
  });
});

describe.skipIf(skip || !hasSmallZips)(`Omniglot official zips vs npz ${skip || !hasSmallZips ? noSharedDataReason : ''}`, () => {
  it('every PNG of the small official zips equals its npz drawing (row by file id, column = NN - 1)', () => {
    const ids = readCharIds(join(omniglotDir, 'npz', 'char_ids.csv'));
    const rowOf = new Map(ids.filter((i) => i.set === 'background').map((i) => [i.fileId, i.npzIndex]));
    const images = readNpz(join(omniglotDir, 'npz', 'images_background.npz'), ['images']).get('images')!;
    const data = images.data as Uint8Array;
    const plane = 105 * 105;
    let checked = 0;
    for (const zip of ['images_background_small1.zip', 'images_background_small2.zip']) {
      for (const [name, bytes] of readZipFile(join(omniglotDir, zip), (n) => n.endsWith('.png'))) {
        const [, fileId, drawing] = /(\d+)_(\d+)\.png$/.exec(name)!.map(Number);
        const ink = decodeOmniglotPng(bytes, name);
        const start = (rowOf.get(fileId)! * 20 + drawing - 1) * plane;
        for (let p = 0; p < plane; p++) if (ink[p] !== 1 - data[start + p]) throw new Error(`${zip}:${name} differs from npz at pixel ${p}`);
        checked++;
      }
    }
    expect(checked).toBe(5840);
  });

  it("the zip source (small1 as the 'background' archive) gives the npz source's 28x28 pixels", async () => {
    const root = tempDir();
    const small1 = join(omniglotDir, 'images_background_small1.zip');
    const remote = { background: { url: small1, checksum: { algorithm: 'md5' as const, digest: 'e704a628b5459e08445c13499850abc4' } } };
    const fromZip = await omniglot({ root, source: 'zip', split: 'background', remote });
    const fromNpz = await omniglot({ root: sharedData, source: 'npz', split: 'background', cacheDir: cacheDirForFile() });
    expect(fromZip.numClasses).toBe(136);
    const npzClass = new Map(Array.from({ length: fromNpz.numClasses }, (_, c) => [fromNpz.className(c), c]));
    const a = new Float32Array(784);
    const b = new Float32Array(784);
    for (let c = 0; c < fromZip.numClasses; c++) {
      const match = npzClass.get(fromZip.className(c));
      expect(match).toBeDefined();
      for (let d = 0; d < 20; d += 3) {
        fromZip.getExample(c, d, a, 0);
        fromNpz.getExample(match!, d, b, 0);
        expect(Array.from(a)).toEqual(Array.from(b));
      }
    }
    // Second load: archive verified and reused, unpacked folder and cache reused.
    const again = await omniglot({ root, source: 'zip', split: 'background', remote, fetcher: () => Promise.reject(new Error('no fetch expected')) });
    expect(again.numClasses).toBe(136);
  });

  it('a corrupt local archive is a DataError', async () => {
    const root = tempDir();
    const bad = join(root, 'images_background.zip');
    writeFileSync(bad, 'not a zip');
    await expect(omniglot({ root, source: 'zip', split: 'background', archives: { background: bad } })).rejects.toThrow(DataError);
  });

  it('a checksum mismatch on the archive is a DataError', async () => {
    const root = tempDir();
    const remote = { background: { url: join(omniglotDir, 'images_background_small2.zip'), checksum: { algorithm: 'md5' as const, digest: 'e704a628b5459e08445c13499850abc4' } } };
    await expect(omniglot({ root, source: 'zip', split: 'background', remote })).rejects.toThrow(/checksum mismatch/);
  });
});

describe.skipIf(!hasAllRuns)(`Omniglot 20-way one-shot runs ${hasAllRuns ? '' : noSharedDataReason}`, () => {
  it('reads 20 runs of 20 support and 20 query images with their labels', async () => {
    const runs = await omniglotOneShotRuns({ archive: join(omniglotDir, 'all_runs.zip') });
    expect(runs).toHaveLength(20);
    const firstLines = new TextDecoder()
      .decode(readZipFile(join(omniglotDir, 'all_runs.zip')).get('run01/class_labels.txt')!)
      .trim()
      .split(/\r?\n/);
    for (const run of runs) {
      expect(run.support.x.shape).toEqual([20, 1, 28, 28]);
      expect(run.query.x.shape).toEqual([20, 1, 28, 28]);
      expect(Array.from(run.support.y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect([...run.query.y].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(Array.from(run.support.x.toArray()).every((v) => v === 0 || v === 1)).toBe(true);
    }
    // run01: "run01/test/item01.png run01/training/class08.png" -> query 0 has label 7
    const [, cls] = /item01\.png \S*class(\d+)\.png/.exec(firstLines.find((l) => l.includes('item01'))!)!;
    expect(runs[0].query.y[0]).toBe(Number(cls) - 1);
  });

  it('downloads all_runs.zip (verified) into <root>/omniglot when absent', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'omniglot'));
    let fetched = '';
    const runs = await omniglotOneShotRuns({
      root,
      imageSize: 14,
      fetcher: async (url, destination) => {
        fetched = url;
        writeFileSync(destination, readFileSync(join(omniglotDir, 'all_runs.zip')));
      },
    });
    expect(fetched).toMatch(/brendenlake\/omniglot\/master\/python\/one-shot-classification\/all_runs\.zip$/);
    expect(runs[3].support.x.shape).toEqual([20, 1, 14, 14]);
  });
});
