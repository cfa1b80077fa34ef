/**
 * Lake et al.'s fixed Omniglot evaluation: 20 runs of 20-way one-shot classification
 * (all_runs.zip from the official repository). Run NN holds
 *   runNN/training/class01..20.png   one drawing per class (support, label = class number - 1)
 *   runNN/test/item01..20.png        one query per class
 *   runNN/class_labels.txt           lines "runNN/test/itemXX.png runNN/training/classYY.png"
 * Images are prepared exactly as omniglot() prepares them (ink = 1, resized from 105x105).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DType } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import { DataError } from '../errors.js';
import { downloadVerified, type Fetcher } from './download.js';
import { checkImageSize, OMNIGLOT_NATIVE_SIZE, storeDrawing } from './omniglotCharacters.js';
import { decodeOmniglotPng } from './omniglotFolder.js';
import { OMNIGLOT_ONE_SHOT_RUNS } from './omniglotRemote.js';
import { defaultDataRoot } from './paths.js';
import type { ResizeMethod } from './resize.js';
import { floatTensor } from './toTensor.js';
import { readZipFile } from './zipArchive.js';

export interface OneShotRun {
  /** x: [20, 1, S, S]; y[i] = i (class01 .. class20). */
  support: { x: Tensor; y: Int32Array };
  /** x: [20, 1, S, S]; y[j] = the class of test item j + 1. */
  query: { x: Tensor; y: Int32Array };
}

export interface OneShotRunsOptions {
  /** Default $METALEARN_DATA or ~/.cache/metalearn; the zip is <root>/omniglot/all_runs.zip. */
  root?: string;
  /** A local all_runs.zip to use instead. */
  archive?: string;
  imageSize?: number;
  resize?: ResizeMethod;
  dtype?: DType;
  fetcher?: Fetcher;
}

const RUNS = 20;
const WAYS = 20;

export async function omniglotOneShotRuns(options: OneShotRunsOptions = {}): Promise<OneShotRun[]> {
  const size = options.imageSize ?? 28;
  checkImageSize(size, 'omniglotOneShotRuns');
  let path = options.archive;
  if (path === undefined) {
    path = join(options.root ?? defaultDataRoot(), 'omniglot', 'all_runs.zip');
    if (!existsSync(path)) {
      await downloadVerified({ url: OMNIGLOT_ONE_SHOT_RUNS.url, checksum: OMNIGLOT_ONE_SHOT_RUNS.checksum, destination: path, fetcher: options.fetcher });
    }
  }
  const entries = readZipFile(path);
  const runs: OneShotRun[] = [];
  for (let r = 1; r <= RUNS; r++) runs.push(readRun(entries, `run${pad(r)}`, path, size, options));
  return runs;
}

function readRun(entries: Map<string, Uint8Array>, run: string, archive: string, size: number, options: OneShotRunsOptions): OneShotRun {
  const image = (name: string, out: Float32Array, index: number) => {
    const bytes = entries.get(`${run}/${name}`);
    if (!bytes) throw new DataError(`${archive}: missing ${run}/${name}`);
    const pixels = new Uint8Array(size * size);
    storeDrawing(decodeOmniglotPng(bytes, `${archive}:${run}/${name}`), false, OMNIGLOT_NATIVE_SIZE, size, options.resize ?? 'nearest', pixels, 0);
    for (let p = 0; p < pixels.length; p++) out[index * size * size + p] = pixels[p] / 255;
  };
  const support = new Float32Array(WAYS * size * size);
  const query = new Float32Array(WAYS * size * size);
  const supportLabels = Int32Array.from({ length: WAYS }, (_, i) => i);
  const queryLabels = new Int32Array(WAYS).fill(-1);
  for (let i = 0; i < WAYS; i++) image(`training/class${pad(i + 1)}.png`, support, i);
  for (const [item, cls] of readLabels(entries, run, archive)) {
    queryLabels[item] = cls;
    image(`test/item${pad(item + 1)}.png`, query, item);
  }
  const missing = queryLabels.indexOf(-1);
  if (missing !== -1) throw new DataError(`${archive}: ${run}/class_labels.txt has no label for test item ${missing + 1}`);
  const dtype = options.dtype ?? 'float32';
  const shape = [WAYS, 1, size, size];
  return {
    support: { x: floatTensor(support, shape, dtype), y: supportLabels },
    query: { x: floatTensor(query, shape, dtype), y: queryLabels },
  };
}

/** [test item index, class index] pairs, both 0-based. */
function readLabels(entries: Map<string, Uint8Array>, run: string, archive: string): [number, number][] {
  const bytes = entries.get(`${run}/class_labels.txt`);
  if (!bytes) throw new DataError(`${archive}: missing ${run}/class_labels.txt`);
  const pairs: [number, number][] = [];
  for (const line of new TextDecoder().decode(bytes).split(/\r?\n/)) {
    if (line.trim().length === 0) continue;
    const match = /test\/item(\d+)\.png\s+\S*training\/class(\d+)\.png/.exec(line);
    const item = match ? Number(match[1]) - 1 : -1;
    const cls = match ? Number(match[2]) - 1 : -1;
    if (item < 0 || item >= WAYS || cls < 0 || cls >= WAYS) throw new DataError(`${archive}: ${run}/class_labels.txt: bad line '${line}'`);
    pairs.push([item, cls]);
  }
  return pairs;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
