/**
 * Omniglot from the numpy form (shared/data/omniglot/npz, see PROVENANCE.txt there):
 *   images_<set>.npz: images bool [chars, 20, 105, 105] (True = white background, False = ink),
 *                     labels int64 [chars, 20];
 *   char_ids.csv: file_id,set,npz_index,alphabet,character,vinyals_split (row npz_index of the
 *                 set's npz is character alphabet/character, official file id file_id).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { readNpz } from './npz.js';
import type { ResizeMethod } from './resize.js';
import { OMNIGLOT_NATIVE_SIZE, storeDrawing, type OmniglotCharacters, type OmniglotSet } from './omniglotCharacters.js';

export interface CharacterId {
  fileId: number;
  set: OmniglotSet;
  npzIndex: number;
  alphabet: string;
  character: string;
  vinyalsSplit: string;
}

export function readCharIds(path: string): CharacterId[] {
  if (!existsSync(path)) throw new DataError(`omniglot: character table ${path} not found`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0];
  if (header !== 'file_id,set,npz_index,alphabet,character,vinyals_split') {
    throw new DataError(`${path}: unexpected header '${header}'`);
  }
  return lines.slice(1).map((line, i) => {
    const [fileId, set, npzIndex, alphabet, character, vinyalsSplit] = line.split(',');
    if (vinyalsSplit === undefined || (set !== 'background' && set !== 'evaluation')) {
      throw new DataError(`${path}: malformed line ${i + 2}: '${line}'`);
    }
    return { fileId: Number(fileId), set, npzIndex: Number(npzIndex), alphabet, character, vinyalsSplit };
  });
}

/** Reads one set from `npzDir` (holding images_<set>.npz and char_ids.csv). */
export function readOmniglotNpz(npzDir: string, set: OmniglotSet, size: number, method: ResizeMethod): OmniglotCharacters {
  const path = join(npzDir, `images_${set}.npz`);
  const ids = readCharIds(join(npzDir, 'char_ids.csv')).filter((c) => c.set === set);
  const images = readNpz(path, ['images']).get('images')!;
  const [chars, drawings, height, width] = images.shape;
  if (images.dtype !== 'bool' || images.shape.length !== 4 || height !== OMNIGLOT_NATIVE_SIZE || width !== OMNIGLOT_NATIVE_SIZE) {
    throw new DataError(`${path}: images must be bool [chars, drawings, 105, 105], got ${images.dtype} [${images.shape.join(', ')}]`);
  }
  if (chars !== ids.length) throw new DataError(`${path}: ${chars} characters but char_ids.csv lists ${ids.length} for set ${set}`);
  const byRow = new Array<CharacterId>(chars);
  for (const id of ids) byRow[id.npzIndex] = id;
  const plane = height * width;
  const pixels = new Uint8Array(chars * drawings * size * size);
  const data = images.data as Uint8Array;
  for (let i = 0; i < chars * drawings; i++) {
    // False (0) = ink
    storeDrawing(data.subarray(i * plane, (i + 1) * plane), true, OMNIGLOT_NATIVE_SIZE, size, method, pixels, i * size * size);
  }
  return {
    set,
    names: byRow.map((c, row) => {
      if (!c) throw new DataError(`${path}: char_ids.csv has no entry for row ${row} of set ${set}`);
      return `${c.alphabet}/${c.character}`;
    }),
    fileIds: byRow.map((c) => c.fileId),
    drawings,
    size,
    pixels,
  };
}
