/** numpy .npz archives: a zip of .npy files (stored or deflated), read with fflate. */
import { DataError } from '../errors.js';
import { parseNpy, type NpyArray } from './npy.js';
import { readZipFile } from './zipArchive.js';

/** Arrays of the .npz at `path` by name without ".npy"; only `names` if given (all required). */
export function readNpz(path: string, names?: readonly string[]): Map<string, NpyArray> {
  const wanted = names ? new Set(names.map((n) => `${n}.npy`)) : undefined;
  const entries = readZipFile(path, wanted ? (name) => wanted.has(name) : undefined);
  const arrays = new Map<string, NpyArray>();
  for (const [entry, bytes] of entries) {
    const name = entry.replace(/\.npy$/, '');
    arrays.set(name, parseNpy(bytes, `${path}:${entry}`, { inPlace: true })); // unzip output is ours
  }
  for (const name of names ?? []) {
    if (!arrays.has(name)) throw new DataError(`${path}: npz has no array '${name}' (found: ${[...arrays.keys()].join(', ') || 'none'})`);
  }
  return arrays;
}
