/**
 * Where Omniglot files come from when they are not on disk yet, and how they get there.
 * Official image zips: Brenden Lake's repository (github.com/brendenlake/omniglot, python/);
 * md5 sums as published by torchvision (torchvision/datasets/omniglot.py).
 * all_runs.zip: same repository, python/one-shot-classification/; its md5 was computed from
 * the official file (shared/data/omniglot/all_runs.zip, see PROVENANCE.txt).
 * Vinyals split files: Jake Snell's prototypical-networks repository (MIT), data/omniglot/
 * splits/vinyals/; sha256 computed from the files in shared/data/omniglot/splits/vinyals.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { downloadVerified, type Checksum, type Fetcher } from './download.js';
import type { OmniglotSet } from './omniglotCharacters.js';
import { extractZip } from './zipArchive.js';

export interface RemoteFile {
  url: string;
  checksum: Checksum;
}

const OMNIGLOT_REPO = 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python';
const PROTONETS_SPLITS = 'https://raw.githubusercontent.com/jakesnell/prototypical-networks/master/data/omniglot/splits/vinyals';

export const OMNIGLOT_ARCHIVES: Record<OmniglotSet, RemoteFile> = {
  background: { url: `${OMNIGLOT_REPO}/images_background.zip`, checksum: { algorithm: 'md5', digest: '68d2efa1b9178cc56df9314c21c6e718' } },
  evaluation: { url: `${OMNIGLOT_REPO}/images_evaluation.zip`, checksum: { algorithm: 'md5', digest: '6b91aef0f799c5bb55b94e3f2daec811' } },
};

export const OMNIGLOT_ONE_SHOT_RUNS: RemoteFile = {
  url: `${OMNIGLOT_REPO}/one-shot-classification/all_runs.zip`,
  checksum: { algorithm: 'md5', digest: 'e8996daecdf12afeeb4a53a179f06b19' },
};

export type VinyalsSplit = 'train' | 'val' | 'test' | 'trainval';

export const VINYALS_SPLIT_FILES: Record<VinyalsSplit, RemoteFile> = {
  train: { url: `${PROTONETS_SPLITS}/train.txt`, checksum: { algorithm: 'sha256', digest: '984522c194c30fb678ce53304a160a42faf5403ad4f9a67010f32dd3a35738e0' } },
  val: { url: `${PROTONETS_SPLITS}/val.txt`, checksum: { algorithm: 'sha256', digest: '11f99e54faee3e26f53d3231c1cceac5bf7b8730e9be31cb6dab256551dc0c1a' } },
  test: { url: `${PROTONETS_SPLITS}/test.txt`, checksum: { algorithm: 'sha256', digest: '845264cc5c156180828ccf17915668b17ee21424d0170df6e7d81676aa5d1204' } },
  trainval: { url: `${PROTONETS_SPLITS}/trainval.txt`, checksum: { algorithm: 'sha256', digest: '5276ae50c755596d0bff7f2284e85625695549a85ee6e36b6491ad1e5d1cc26a' } },
};

/**
 * The unpacked image folder of an Omniglot zip, downloading and unpacking as needed:
 *   <omniglotDir>/<zip name>            the verified archive (skipped when `localArchive` is given)
 *   <omniglotDir>/unpacked/<zip stem>/  its contents (created atomically)
 * Returns the folder holding the alphabets (the archive's single top-level folder).
 */
export async function ensureUnpackedArchive(
  omniglotDir: string,
  remote: RemoteFile,
  options: { localArchive?: string; fetcher?: Fetcher },
): Promise<string> {
  const zipPath = options.localArchive ?? join(omniglotDir, basename(new URL(remote.url, 'file:///').pathname));
  const unpacked = join(omniglotDir, 'unpacked', basename(zipPath).replace(/\.zip$/i, ''));
  if (!existsSync(unpacked)) {
    if (!options.localArchive) await downloadVerified({ url: remote.url, destination: zipPath, checksum: remote.checksum, fetcher: options.fetcher });
    extractZip(zipPath, unpacked);
  }
  return singleTopFolder(unpacked);
}

function singleTopFolder(dir: string): string {
  const entries = readdirSync(dir).filter((n) => !n.startsWith('.'));
  if (entries.length === 1 && statSync(join(dir, entries[0])).isDirectory()) return join(dir, entries[0]);
  return dir;
}

/** Path of a Vinyals split file under splitsDir, downloaded (and verified) if absent. */
export async function ensureVinyalsSplitFile(splitsDir: string, split: VinyalsSplit, fetcher?: Fetcher): Promise<string> {
  const path = join(splitsDir, `${split}.txt`);
  if (existsSync(path)) return path;
  const remote = VINYALS_SPLIT_FILES[split];
  return downloadVerified({ url: remote.url, destination: path, checksum: remote.checksum, fetcher });
}

/** The Vinyals splits the CLI reads (train / val / test). */
export const CLI_VINYALS_SPLITS: readonly VinyalsSplit[] = ['train', 'val', 'test'];

export interface OmniglotDownloadOptions {
  /** Other locations / checksums for the image zips (a mirror; tests serve local files). */
  archives?: Partial<Record<OmniglotSet, RemoteFile>>;
  /** Other locations / checksums for the split files. */
  splits?: Partial<Record<VinyalsSplit, RemoteFile>>;
  fetcher?: Fetcher;
  /** Told about each file before it is fetched (progress lines). */
  onFile?: (url: string, destination: string) => void;
}

/**
 * Everything `omniglot({ root, source: 'zip', split: 'train' | 'val' | 'test' })` reads, under
 * <root>/omniglot: both official zips (md5-verified, unpacked) and the Vinyals split files
 * (sha256-verified). Creates <root> when missing: only called when the user asked for a download
 * (`metalearn download omniglot`, `metalearn train --download`). Returns <root>/omniglot.
 */
export async function downloadOmniglot(root: string, options: OmniglotDownloadOptions = {}): Promise<string> {
  const omniglotDir = join(root, 'omniglot');
  // The small split files first: a bad mirror or no network shows up before the 9 MB zips.
  const splitsDir = join(omniglotDir, 'splits', 'vinyals');
  for (const split of CLI_VINYALS_SPLITS) {
    const remote = options.splits?.[split] ?? VINYALS_SPLIT_FILES[split];
    const path = join(splitsDir, `${split}.txt`);
    if (existsSync(path)) continue;
    options.onFile?.(remote.url, path);
    await downloadVerified({ url: remote.url, destination: path, checksum: remote.checksum, fetcher: options.fetcher });
  }
  for (const set of ['background', 'evaluation'] as const) {
    const remote = options.archives?.[set] ?? OMNIGLOT_ARCHIVES[set];
    options.onFile?.(remote.url, omniglotDir);
    await ensureUnpackedArchive(omniglotDir, remote, { fetcher: options.fetcher });
  }
  return omniglotDir;
}
