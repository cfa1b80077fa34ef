/**
 * Before a run touches Omniglot: is the data where --data-root says? Loading a missing set
 * would download it (lib/data/omniglot.ts), creating folders under a possibly mistyped path;
 * the CLI downloads only when asked (--download, `metalearn download omniglot`). This check
 * creates nothing. What counts as present, per set (background, evaluation), under
 * <root>/omniglot:
 *   npz/images_<set>.npz | unpacked/images_<set>/ | images_<set>.zip | a decoded cache file
 * and the Vinyals split files splits/vinyals/{train,val,test}.txt.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { CLI_VINYALS_SPLITS } from '../data/omniglotRemote.js';

const SETS = ['background', 'evaluation'] as const;

/** The files/folders that are missing under `root` (empty when Omniglot is usable offline). */
export function missingOmniglotFiles(root: string, cacheDir?: string): string[] {
  const dir = join(root, 'omniglot');
  const cache = cacheDir ?? join(dir, 'cache');
  const cached = existsSync(cache) && statSync(cache).isDirectory() ? readdirSync(cache) : [];
  const missing: string[] = [];
  for (const set of SETS) {
    const present =
      existsSync(join(dir, 'npz', `images_${set}.npz`)) ||
      existsSync(join(dir, 'unpacked', `images_${set}`)) ||
      existsSync(join(dir, `images_${set}.zip`)) ||
      cached.some((name) => name.startsWith('omniglot-') && name.includes(`-${set}-`) && name.endsWith('.bin'));
    if (!present) missing.push(`omniglot/npz/images_${set}.npz (or omniglot/images_${set}.zip)`);
  }
  for (const split of CLI_VINYALS_SPLITS) {
    if (!existsSync(join(dir, 'splits', 'vinyals', `${split}.txt`))) missing.push(`omniglot/splits/vinyals/${split}.txt`);
  }
  return missing;
}

/** A DataError naming the root and what it lacks, unless Omniglot is there. */
export function checkOmniglotDataRoot(root: string, flag: string, cacheDir?: string): void {
  const path = resolve(root);
  const how = `download it with 'metalearn download omniglot --data-root ${path}' or add --download`;
  if (!existsSync(path)) throw new DataError(`${flag} '${path}' does not exist (expected a folder holding omniglot/); ${how}, or fix the path`);
  if (!statSync(path).isDirectory()) throw new DataError(`${flag} '${path}' is not a folder (expected a folder holding omniglot/)`);
  const missing = missingOmniglotFiles(path, cacheDir);
  if (missing.length > 0) {
    throw new DataError(`${flag} '${path}' holds no usable Omniglot: missing ${missing.join(', ')}; ${how}, or fix the path`);
  }
}
