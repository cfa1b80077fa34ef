/**
 * Zip reading (fflate) and safe extraction. Extraction never writes outside its target
 * directory: every entry name is checked first (no absolute paths, drive letters, backslashes or
 * ".." segments, and the resolved path must stay under the target); one bad name rejects the
 * whole archive before anything is written. Files are unpacked into a temporary sibling
 * directory that is renamed onto the target only when complete, so an interrupted extraction
 * leaves no half-filled target behind.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { DataError } from '../errors.js';
import { temporarySibling } from './atomicFile.js';

/** Entries of a zip held in memory: name -> bytes (directories omitted). */
export function readZip(bytes: Uint8Array, archiveName: string, filter?: (name: string) => boolean): Map<string, Uint8Array> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, filter ? { filter: (file) => filter(file.name) } : undefined);
  } catch (err) {
    throw new DataError(`${archiveName}: corrupt or unreadable zip archive (${(err as Error).message})`);
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) if (!name.endsWith('/')) out.set(name, data);
  return out;
}

export function readZipFile(path: string, filter?: (name: string) => boolean): Map<string, Uint8Array> {
  if (!existsSync(path)) throw new DataError(`${path}: archive not found`);
  return readZip(readFileSync(path), path, filter);
}

/** The path an entry would be written to, or a DataError if it would leave targetDir. */
export function safeEntryPath(targetDir: string, entryName: string, archiveName: string): string {
  const root = resolve(targetDir);
  const segments = entryName.split('/');
  const unsafe =
    entryName.length === 0 ||
    entryName.includes('\\') ||
    entryName.includes('\0') ||
    isAbsolute(entryName) ||
    /^[a-zA-Z]:/.test(entryName) ||
    segments.includes('..');
  const full = resolve(root, entryName);
  if (unsafe || !(full === root || full.startsWith(root + sep))) {
    throw new DataError(`${archiveName}: entry '${entryName}' would be written outside ${root} (zip-slip); archive rejected`);
  }
  return full;
}

/**
 * Unpacks every file of the zip at zipPath into targetDir (created; must not exist yet).
 * Returns the number of files written.
 */
export function extractZip(zipPath: string, targetDir: string): number {
  const entries = readZipFile(zipPath);
  const staging = temporarySibling(targetDir);
  for (const name of entries.keys()) safeEntryPath(staging, name, zipPath);
  try {
    for (const [name, data] of entries) {
      const path = safeEntryPath(staging, name, zipPath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
    mkdirSync(staging, { recursive: true });
    mkdirSync(dirname(resolve(targetDir)), { recursive: true });
    renameSync(staging, targetDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (err instanceof DataError) throw err;
    throw new DataError(`${zipPath}: extraction into ${targetDir} failed (${(err as Error).message})`);
  }
  return entries.size;
}

/** A directory under `root` joined from POSIX-style relative parts. */
export function joinPosix(root: string, relative: string): string {
  return join(root, ...relative.split('/'));
}
