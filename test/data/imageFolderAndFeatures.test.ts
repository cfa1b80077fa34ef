import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ValueError } from '../../lib/errors.js';
import { EpisodeSampler } from '../../lib/data/episodeSampler.js';
import { featureDataset, loadFeatureDataset, readFeatureFile, writeFeatureFile } from '../../lib/data/featureDataset.js';
import { existsSync } from 'node:fs';
import { imageFolder, readSplitCsv } from '../../lib/data/imageFolder.js';
import { noSharedDataReason, removeTempDirs, sharedData, tempDir } from './dataHelpers.js';

afterAll(removeTempDirs);

/** A solid-colour PNG of width x height. */
function solidPng(width: number, height: number, [r, g, b]: number[]): Buffer {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) png.data.set([r, g, b, 255], 4 * p);
  return PNG.sync.write(png);
}

/** A PNG whose red channel is a horizontal ramp: pixel (y, x) = 10 * x. */
function rampPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set([10 * x, 0, 0, 255], 4 * (y * width + x));
  return PNG.sync.write(png);
}

function solidJpeg(width: number, height: number, [r, g, b]: number[]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([r, g, b, 255], 4 * p);
  return jpeg.encode({ data, width, height }, 100).data;
}

describe('imageFolder', () => {
  const dir = tempDir();
  const colours: Record<string, number[]> = { cat: [200, 0, 0], dog: [0, 100, 0], emu: [0, 0, 50] };
  for (const [name, colour] of Object.entries(colours)) {
    mkdirSync(join(dir, name));
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, name, `img${i}.png`), solidPng(12, 8, colour));
    writeFileSync(join(dir, name, `img4.jpg`), solidJpeg(16, 16, colour));
    writeFileSync(join(dir, name, 'notes.txt'), 'ignored');
  }

  it('one class per sorted sub-folder, PNG and JPEG, resized, values in [0, 1]', async () => {
    const ds = await imageFolder({ dir, imageSize: 6 });
    expect(ds.numClasses).toBe(3);
    expect([0, 1, 2].map((c) => ds.className(c))).toEqual(['cat', 'dog', 'emu']);
    expect(ds.examplesOf(0)).toBe(5);
    expect(ds.imageShape).toEqual([3, 6, 6]);
    const out = new Float32Array(108);
    ds.getExample(1, 0, out, 0); // PNG, exact
    expect(out[0]).toBeCloseTo(0, 6);
    expect(out[36]).toBeCloseTo(100 / 255, 6);
    expect(out[72]).toBeCloseTo(0, 6);
    ds.getExample(0, 4, out, 0); // JPEG quality 100: within a few levels
    expect(Math.abs(out[0] - 200 / 255)).toBeLessThan(4 / 255);
  });

  it('grey conversion uses 0.299 R + 0.587 G + 0.114 B, and normalize applies (v - mean) / std', async () => {
    const grey = await imageFolder({ dir, imageSize: 4, channels: 1, normalize: { mean: [0.5], std: [0.25] } });
    const out = new Float32Array(16);
    grey.getExample(0, 0, out, 0);
    expect(out[5]).toBeCloseTo(((0.299 * 200) / 255 - 0.5) / 0.25, 2); // rounded to a uint8 level
    await expect(imageFolder({ dir, imageSize: 4, channels: 1, normalize: { mean: [0.5, 0.5], std: [1, 1] } })).rejects.toThrow(ValueError);
  });

  it('bilinear resize of a ramp matches the hand-computed value', async () => {
    const rampDir = tempDir();
    mkdirSync(join(rampDir, 'only'));
    writeFileSync(join(rampDir, 'only', 'a.png'), rampPng(8, 2));
    const ds = await imageFolder({ dir: rampDir, imageSize: [2, 4] });
    const out = new Float32Array(24);
    ds.getExample(0, 0, out, 0);
    // 8 -> 4 columns: output x samples source position 2x + 0.5, i.e. mean of columns 2x and 2x+1 = 10 * (2x + 0.5)
    expect(Array.from(out.subarray(0, 4)).map((v) => Math.round(v * 255))).toEqual([5, 25, 45, 65]);
  });

  it('reads a Ravi-format split CSV with an images dir', async () => {
    const images = tempDir();
    const names: string[] = [];
    for (const [label, colour] of [['n01', [10, 20, 30]], ['n02', [40, 50, 60]]] as const) {
      for (let i = 1; i <= 3; i++) {
        const file = `${label}0000000${i}.jpg`;
        writeFileSync(join(images, file), solidJpeg(8, 8, [...colour]));
        names.push(`${file},${label}`);
      }
    }
    const csv = join(images, 'train.csv');
    writeFileSync(csv, `filename,label\n${names.join('\n')}\n`);
    const ds = await imageFolder({ dir: images, splitCsv: csv, imageSize: 4 });
    expect(ds.numClasses).toBe(2);
    expect(ds.className(1)).toBe('n02');
    expect(ds.examplesOf(1)).toBe(3);
    const sampler = new EpisodeSampler(ds, { ways: 2, shots: 1, queries: 2, seed: 1 });
    expect(sampler.sampleArrays().support.shape).toEqual([2, 3, 4, 4]);
    writeFileSync(csv, `filename,label\nmissing.jpg,n03\n`);
    await expect(imageFolder({ dir: images, splitCsv: csv, imageSize: 4 })).rejects.toThrow(/missing\.jpg not found/);
    writeFileSync(csv, `file,class\n`);
    await expect(imageFolder({ dir: images, splitCsv: csv, imageSize: 4 })).rejects.toThrow(/expected header 'filename,label'/);
  });

  it('an undecodable image is a DataError naming the file', async () => {
    const bad = tempDir();
    mkdirSync(join(bad, 'cls'));
    writeFileSync(join(bad, 'cls', 'broken.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from('garbage')]));
    await expect(imageFolder({ dir: bad, imageSize: 4 })).rejects.toThrow(/broken\.png: undecodable image/);
    writeFileSync(join(bad, 'cls', 'broken.png'), 'plain text');
    await expect(imageFolder({ dir: bad, imageSize: 4 })).rejects.toThrow(DataError);
  });
});

describe('feature datasets', () => {
  it('JSON lines with configurable keys, classes in order of appearance, same samplers', () => {
    const dir = tempDir();
    const path = join(dir, 'intents.jsonl');
    const lines = [];
    for (let i = 0; i < 12; i++) lines.push(JSON.stringify({ intent: ['greet', 'bye', 'help'][i % 3], emb: [i, i * 2] }));
    writeFileSync(path, lines.join('\n') + '\n');
    const ds = loadFeatureDataset(path, { labelKey: 'intent', featuresKey: 'emb' });
    expect(ds.numClasses).toBe(3);
    expect(ds.className(1)).toBe('bye');
    expect(ds.exampleShape).toEqual([2]);
    const out = new Float32Array(2);
    ds.getExample(1, 2, out, 0); // third 'bye' line is i = 7
    expect(Array.from(out)).toEqual([7, 14]);
    const ep = new EpisodeSampler(ds, { ways: 3, shots: 2, queries: 2, seed: 1 }).sample();
    expect(ep.support.x.shape).toEqual([6, 2]);
    writeFileSync(path, '{"intent": "a", "emb": [1, 2]}\n{"intent": "b", "emb": [1]}\n');
    expect(() => loadFeatureDataset(path, { labelKey: 'intent', featuresKey: 'emb' })).toThrow(/:2: 1 features, earlier lines have 2/);
  });

  it('binary format round-trips and rejects truncation and bad magic', () => {
    const dir = tempDir();
    const path = join(dir, 'feats.bin');
    const table = { features: Float32Array.from([1, 2, 3, 4, 5, 6]), dimension: 2, labels: Int32Array.from([1, 0, 1]), classNames: ['zero', 'one'] };
    writeFeatureFile(path, table);
    const back = readFeatureFile(path);
    expect(Array.from(back.features)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(back.labels)).toEqual([1, 0, 1]);
    expect(back.classNames).toEqual(['zero', 'one']);
    const ds = loadFeatureDataset(path);
    const out = new Float32Array(2);
    ds.getExample(1, 1, out, 0);
    expect(Array.from(out)).toEqual([5, 6]);
    writeFileSync(path, Buffer.from('MLFEAT01' + '\0'.repeat(30)));
    expect(() => readFeatureFile(path)).toThrow(DataError);
    writeFileSync(path, 'nope');
    expect(() => readFeatureFile(path)).toThrow(/bad magic/);
    expect(() => featureDataset({ ...table, labels: Int32Array.from([0, 2, 1]) })).toThrow(/example 1 has label 2, outside \[0, 2\)/);
  });
});

const raviDir = join(sharedData, 'mini-imagenet', 'splits', 'ravi');
const hasRavi = existsSync(join(raviDir, 'train.csv'));

describe.skipIf(!hasRavi)(`mini-ImageNet Ravi split files ${hasRavi ? '' : noSharedDataReason}`, () => {
  it('list 64 / 16 / 20 classes of 600 images', () => {
    const expected: Record<string, number> = { train: 64, val: 16, test: 20 };
    for (const [split, classes] of Object.entries(expected)) {
      const listing = readSplitCsv('/images', join(raviDir, `${split}.csv`));
      expect(listing.classNames).toHaveLength(classes);
      expect(listing.files.every((f) => f.length === 600)).toBe(true);
    }
  });
});
