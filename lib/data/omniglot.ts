/**
 * Omniglot for few-shot learning.
 *   split 'background' | 'evaluation': Lake et al.'s split (964 / 659 characters);
 *   split 'train' | 'val' | 'test' | 'trainval': Vinyals et al.'s split as used by ProtoNets
 *     (1,028 / 172 / 423 / 1,200 characters), drawn from both sets.
 *   rotations: every character also at 90, 180, 270 degrees as new classes (default: true for
 *     the Vinyals splits, whose files list rotations, false for Lake's).
 *   source 'npz': <root>/omniglot/npz/images_<set>.npz + char_ids.csv (numpy form);
 *   source 'zip': the official zips, downloaded into <root>/omniglot (md5-verified) and
 *     unpacked there, or read from local paths given in `archives`.
 * Images: [1, imageSize, imageSize], ink = 1, background = 0, resized from 105x105 (nearest by
 * default). Classes are ordered by name ("Alphabet/characterNN"), or by split-file line.
 * Decoded sets are cached in <root>/omniglot/cache (see omniglotCache.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, ValueError } from '../errors.js';
import { ArrayDataset } from './arrayDataset.js';
import type { ImageDataset } from './dataset.js';
import type { Fetcher } from './download.js';
import { checkImageSize, type OmniglotCharacters, type OmniglotSet } from './omniglotCharacters.js';
import { loadOmniglotCache, saveOmniglotCache, type OmniglotCacheKey } from './omniglotCache.js';
import { readOmniglotFolder } from './omniglotFolder.js';
import { readOmniglotNpz } from './omniglotNpz.js';
import { ensureUnpackedArchive, ensureVinyalsSplitFile, OMNIGLOT_ARCHIVES, type RemoteFile, type VinyalsSplit } from './omniglotRemote.js';
import { readVinyalsSplit } from './omniglotSplits.js';
import { defaultDataRoot } from './paths.js';
import type { ResizeMethod } from './resize.js';
import { RotatedClassesDataset, type RotatedClass } from './rotatedClassesDataset.js';

export type OmniglotSplit = VinyalsSplit | OmniglotSet;

export interface OmniglotOptions {
  /** Data root; default $METALEARN_DATA or ~/.cache/metalearn. Omniglot lives in <root>/omniglot. */
  root?: string;
  /** Default: 'npz' if <root>/omniglot/npz/images_background.npz exists, else 'zip'. */
  source?: 'npz' | 'zip';
  /** Default 'train'. */
  split?: OmniglotSplit;
  /** Side of the square images; default 28. */
  imageSize?: number;
  rotations?: boolean;
  /** Default 'nearest'. */
  resize?: ResizeMethod;
  /** Use and write the preprocessed cache; default true. */
  cache?: boolean;
  /** Default <root>/omniglot/cache. */
  cacheDir?: string;
  /** Default <root>/omniglot/splits/vinyals (files downloaded there if missing). */
  splitsDir?: string;
  /** zip source: local official zips to read instead of downloading. */
  archives?: Partial<Record<OmniglotSet, string>>;
  /** zip source: other download locations / checksums (e.g. a mirror). */
  remote?: Partial<Record<OmniglotSet, RemoteFile>>;
  /** Downloader; default http(s) via fetch, file paths copied. */
  fetcher?: Fetcher;
}

const VINYALS_SPLITS: readonly string[] = ['train', 'val', 'test', 'trainval'];
const LAKE_SPLITS: readonly string[] = ['background', 'evaluation'];

export class OmniglotDataset implements ImageDataset {
  readonly name: string;
  readonly numClasses: number;
  readonly exampleShape: readonly number[];
  readonly imageShape: readonly [number, number, number];

  constructor(
    readonly split: OmniglotSplit,
    readonly source: 'npz' | 'zip',
    /** All loaded characters (the base classes), one per name. */
    readonly characters: ArrayDataset,
    private readonly view: RotatedClassesDataset,
  ) {
    this.name = view.name;
    this.numClasses = view.numClasses;
    this.exampleShape = view.exampleShape;
    this.imageShape = view.imageShape;
  }

  examplesOf(cls: number): number {
    return this.view.examplesOf(cls);
  }

  getExample(cls: number, index: number, out: Float32Array, offset: number): void {
    this.view.getExample(cls, index, out, offset);
  }

  className(cls: number): string {
    return this.view.className(cls);
  }

  /** The character (base class) and rotation behind class `cls`. */
  classInfo(cls: number): RotatedClass {
    if (!Number.isInteger(cls) || cls < 0 || cls >= this.numClasses) {
      throw new ValueError(`${this.name}: class ${cls} out of range [0, ${this.numClasses})`);
    }
    return this.view.classes[cls];
  }
}

export async function omniglot(options: OmniglotOptions = {}): Promise<OmniglotDataset> {
  const root = options.root ?? defaultDataRoot();
  const omniglotDir = join(root, 'omniglot');
  const split = options.split ?? 'train';
  const isVinyals = VINYALS_SPLITS.includes(split);
  if (!isVinyals && !LAKE_SPLITS.includes(split)) {
    throw new ValueError(`omniglot: unknown split '${split}' (train | val | test | trainval | background | evaluation)`);
  }
  const size = options.imageSize ?? 28;
  checkImageSize(size, 'omniglot');
  const method = options.resize ?? 'nearest';
  if (method !== 'nearest' && method !== 'bilinear') throw new ValueError(`omniglot: unknown resize '${String(method)}' (nearest | bilinear)`);
  const rotations = options.rotations ?? isVinyals;
  const source = options.source ?? (existsSync(join(omniglotDir, 'npz', 'images_background.npz')) ? 'npz' : 'zip');
  if (source !== 'npz' && source !== 'zip') throw new ValueError(`omniglot: unknown source '${String(source)}' (npz | zip)`);

  const sets: OmniglotSet[] = isVinyals ? ['background', 'evaluation'] : [split as OmniglotSet];
  const loaded: OmniglotCharacters[] = [];
  for (const set of sets) loaded.push(await loadSet({ ...options, root, source, set, size, method }));
  const characters = concatenate(loaded, `omniglot/${sets.join('+')}`);
  const index = new Map<string, number>();
  for (let c = 0; c < characters.numClasses; c++) index.set(characters.className(c), c);

  let classes: RotatedClass[];
  if (isVinyals) {
    const splitsDir = options.splitsDir ?? join(omniglotDir, 'splits', 'vinyals');
    const file = await ensureVinyalsSplitFile(splitsDir, split as VinyalsSplit, options.fetcher);
    classes = readVinyalsSplit(file, index, rotations);
  } else {
    const sorted = [...index.keys()].sort();
    classes = sorted.flatMap((name) => (rotations ? [0, 1, 2, 3] : [0]).map((quarterTurns) => ({ baseClass: index.get(name)!, quarterTurns })));
  }
  const name = `omniglot/${split}${rotations ? '+rotations' : ''}`;
  const view = new RotatedClassesDataset(characters, classes, name, rotations);
  return new OmniglotDataset(split, source, characters, view);
}

interface SetRequest extends OmniglotOptions {
  root: string;
  source: 'npz' | 'zip';
  set: OmniglotSet;
  size: number;
  method: ResizeMethod;
}

/** One set, from the cache when valid, else decoded (and then cached). */
async function loadSet(request: SetRequest): Promise<OmniglotCharacters> {
  const omniglotDir = join(request.root, 'omniglot');
  const useCache = request.cache ?? true;
  const cacheDir = request.cacheDir ?? join(omniglotDir, 'cache');
  const key: OmniglotCacheKey = { source: request.source, set: request.set, size: request.size, method: request.method };
  if (useCache) {
    const cached = loadOmniglotCache(cacheDir, key);
    if (cached) return cached;
  }
  const characters = await decodeSet(request, omniglotDir);
  if (useCache) {
    try {
      saveOmniglotCache(cacheDir, key, characters);
    } catch {
      // A read-only data root just means no cache: the data itself is fine.
    }
  }
  return characters;
}

async function decodeSet(request: SetRequest, omniglotDir: string): Promise<OmniglotCharacters> {
  const { set, size, method } = request;
  if (request.source === 'npz') {
    const npzDir = join(omniglotDir, 'npz');
    if (!existsSync(join(npzDir, `images_${set}.npz`))) {
      throw new DataError(`omniglot: ${join(npzDir, `images_${set}.npz`)} not found (source 'npz' needs the numpy form; use source 'zip' to download the official zips)`);
    }
    return readOmniglotNpz(npzDir, set, size, method);
  }
  const folder = await ensureUnpackedArchive(omniglotDir, request.remote?.[set] ?? OMNIGLOT_ARCHIVES[set], {
    localArchive: request.archives?.[set],
    fetcher: request.fetcher,
  });
  return readOmniglotFolder(folder, set, size, method);
}

/** One uint8 dataset over several sets' characters (ink 0/255 read as 0/1). */
function concatenate(parts: OmniglotCharacters[], name: string): ArrayDataset {
  const size = parts[0].size;
  const drawings = parts[0].drawings;
  const odd = parts.find((p) => p.drawings !== drawings);
  if (odd) throw new DataError(`omniglot: set ${odd.set} has ${odd.drawings} drawings per character, ${parts[0].set} has ${drawings}`);
  const names = parts.flatMap((p) => p.names);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new DataError(`omniglot: character ${duplicate} appears twice across ${parts.map((p) => p.set).join(' + ')}`);
  const values = parts.length === 1 ? parts[0].pixels : concatBytes(parts.map((p) => p.pixels));
  const classStarts = Int32Array.from({ length: names.length + 1 }, (_, c) => c * drawings);
  return new ArrayDataset({ name, exampleShape: [1, size, size], values, classStarts, classNames: names, scale: 1 / 255 });
}

function concatBytes(arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
