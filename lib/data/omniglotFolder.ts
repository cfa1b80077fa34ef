/**
 * Omniglot from the official layout <dir>/<Alphabet>/characterNN/<file_id>_<NN>.png (1-bit PNG,
 * black ink on white), as unpacked from images_background.zip / images_evaluation.zip.
 * Characters come out sorted by "Alphabet/characterNN", drawings by NN.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { decodeImage } from './imageDecode.js';
import type { ResizeMethod } from './resize.js';
import { OMNIGLOT_NATIVE_SIZE, storeDrawing, type OmniglotCharacters, type OmniglotSet } from './omniglotCharacters.js';

const DRAWING_FILE = /^(\d+)_(\d+)\.png$/;

function subdirectories(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory())
    .sort();
}

/** Ink (1/0) of one official drawing PNG, [105, 105]. */
export function decodeOmniglotPng(bytes: Uint8Array, name: string): Uint8Array {
  const image = decodeImage(bytes, name);
  if (image.width !== OMNIGLOT_NATIVE_SIZE || image.height !== OMNIGLOT_NATIVE_SIZE) {
    throw new DataError(`${name}: Omniglot drawings are 105x105, got ${image.width}x${image.height}`);
  }
  const ink = new Uint8Array(image.width * image.height);
  for (let p = 0; p < ink.length; p++) ink[p] = image.rgba[4 * p] < 128 ? 1 : 0;
  return ink;
}

export function readOmniglotFolder(dir: string, set: OmniglotSet, size: number, method: ResizeMethod): OmniglotCharacters {
  if (!existsSync(dir)) throw new DataError(`omniglot: image folder ${dir} not found`);
  const characters: { name: string; files: string[]; fileId: number }[] = [];
  for (const alphabet of subdirectories(dir)) {
    for (const character of subdirectories(join(dir, alphabet))) {
      const folder = join(dir, alphabet, character);
      const files = readdirSync(folder)
        .filter((f) => DRAWING_FILE.test(f))
        .sort((a, b) => Number(DRAWING_FILE.exec(a)![2]) - Number(DRAWING_FILE.exec(b)![2]));
      if (files.length === 0) continue;
      characters.push({ name: `${alphabet}/${character}`, files: files.map((f) => join(folder, f)), fileId: Number(DRAWING_FILE.exec(files[0])![1]) });
    }
  }
  if (characters.length === 0) throw new DataError(`omniglot: no <Alphabet>/<character>/<id>_<NN>.png drawings under ${dir}`);
  const drawings = characters[0].files.length;
  const odd = characters.find((c) => c.files.length !== drawings);
  if (odd) throw new DataError(`omniglot: ${odd.name} has ${odd.files.length} drawings, ${characters[0].name} has ${drawings}`);
  const pixels = new Uint8Array(characters.length * drawings * size * size);
  let offset = 0;
  for (const character of characters) {
    for (const file of character.files) {
      const ink = decodeOmniglotPng(readFileSync(file), file);
      storeDrawing(ink, false, OMNIGLOT_NATIVE_SIZE, size, method, pixels, offset);
      offset += size * size;
    }
  }
  return { set, names: characters.map((c) => c.name), fileIds: characters.map((c) => c.fileId), drawings, size, pixels };
}
