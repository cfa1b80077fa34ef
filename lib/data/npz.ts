/** numpy .npz archives: a zip of .npy files (stored or deflated), each member CRC-checked (zipArchive.ts). */
import { DataError } from '../errors.js';
import { parseNpy, type NpyArray } from './npy.js';
import { readZipFile, type ZipLimits } from './zipArchive.js';

/**
 * Arrays of the .npz at `path` by name without ".npy"; only `names` if given (all required).
 * `limits` raises or lowers the zip-bomb caps (DEFAULT_ZIP_LIMITS).
 */
export function readNpz(path: string, names?: readonly string[], limits?: ZipLimits): Map<string, NpyArray> {
  const wanted = names ? new Set(names.map((n) => `${n}.npy`)) : undefined;
  const entries = readZipFile(path, wanted ? (name) => wanted.has(name) : undefined, limits);
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
