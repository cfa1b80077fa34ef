/**
 * Zip reading and safe extraction.
 *
 * Structure: zipDirectory.ts reads the central directory and cross-checks it with every local
 * header. Data: each entry is inflated in a stream of small chunks (fflate's Inflate), its
 * CRC-32 checked (zlib.crc32), so corrupt data is a DataError, never silently different bytes.
 *
 * Zip bombs: before anything is inflated, the declared sizes of the entries read must stay under
 * ZipLimits (total uncompressed bytes, compression ratio); while inflating, an entry that
 * produces more than it declared is stopped at once (headers can lie), so memory and disk use
 * are bounded by the caps, not by what the archive claims.
 *
 * Extraction never writes outside its target directory: every entry name is checked first (no
 * absolute paths, drive letters, backslashes or ".." segments, and the resolved path must stay
 * under the target); one bad name rejects the whole archive before anything is written. Files
 * are unpacked into a temporary sibling directory that is renamed onto the target only when
 * complete; a failed unpack removes it, and one left by a killed process is removed by the next
 * extraction to the same target (train/atomicWrite.ts).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';
import { DataError } from '../errors.js';
import { commitTemporary, removeStaleTemporaries, temporarySibling } from '../train/atomicWrite.js';
import { readZipDirectory, type ZipEntry, type ZipSource } from './zipDirectory.js';

export interface ZipLimits {
  /** Most uncompressed bytes taken from one archive, all entries read together. Default 4 GiB. */
  maxTotalBytes?: number;
  /**
   * Largest uncompressed : compressed ratio of an entry of at least RATIO_CHECK_MIN_BYTES.
   * Default 200 (real data: the Omniglot npz is 71:1; deflate's maximum is about 1032:1).
   */
  maxCompressionRatio?: number;
}

export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = { maxTotalBytes: 4 * 1024 ** 3, maxCompressionRatio: 200 };
/** Smaller entries may compress as well as they like: they cannot be a bomb. */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;
/** Compressed bytes fed to the inflater at a time: one push inflates to at most ~1032x this. */
const INPUT_CHUNK_BYTES = 16 * 1024;

/** Entries of a zip held in memory: name -> bytes (directories omitted). */
export function readZip(bytes: Uint8Array, archiveName: string, filter?: (name: string) => boolean, limits?: ZipLimits): Map<string, Uint8Array> {
  return readEntries(memorySource(bytes), archiveName, filter, limits);
}

export function readZipFile(path: string, filter?: (name: string) => boolean, limits?: ZipLimits): Map<string, Uint8Array> {
  return withFileSource(path, (source) => readEntries(source, path, filter, limits));
}

function readEntries(source: ZipSource, archiveName: string, filter: ((name: string) => boolean) | undefined, limits: ZipLimits | undefined): Map<string, Uint8Array> {
  const entries = readZipDirectory(source, archiveName).filter((e) => !e.name.endsWith('/') && (filter === undefined || filter(e.name)));
  checkDeclaredSizes(entries, archiveName, limits);
  const out = new Map<string, Uint8Array>();
  for (const entry of entries) {
    const bytes = new Uint8Array(entry.uncompressedSize);
    let at = 0;
    inflateEntry(source, entry, archiveName, (chunk) => {
      bytes.set(chunk, at);
      at += chunk.length;
    });
    out.set(entry.name, bytes);
  }
  return out;
}

/** Refuses, before inflating anything, an archive whose declared sizes exceed the limits. */
function checkDeclaredSizes(entries: readonly ZipEntry[], archiveName: string, limits: ZipLimits = {}): void {
  const { maxTotalBytes, maxCompressionRatio } = { ...DEFAULT_ZIP_LIMITS, ...limits };
  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressedSize;
    if (total > maxTotalBytes) {
      throw new DataError(
        `${archiveName}: entry '${entry.name}' (${entry.uncompressedSize} bytes uncompressed) takes the archive to ${total} bytes, over the ${maxTotalBytes}-byte cap (zip bomb?); refused`,
      );
    }
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize >= RATIO_CHECK_MIN_BYTES && ratio > maxCompressionRatio) {
      throw new DataError(
        `${archiveName}: entry '${entry.name}' declares ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed, ratio ${ratio.toFixed(0)}:1 over the ${maxCompressionRatio}:1 cap (zip bomb?); refused`,
      );
    }
  }
}

/**
 * Streams the entry's uncompressed bytes to `sink` in chunks, stopping as soon as it produces
 * more than declared; then checks the length and the CRC-32.
 */
function inflateEntry(source: ZipSource, entry: ZipEntry, archiveName: string, sink: (chunk: Uint8Array) => void): void {
  const where = `${archiveName}: entry '${entry.name}'`;
  let produced = 0;
  let crc = 0;
  const accept = (chunk: Uint8Array): void => {
    produced += chunk.length;
    if (produced > entry.uncompressedSize) {
      throw new DataError(`${where} inflates past its declared ${entry.uncompressedSize} bytes (lying header or zip bomb); refused`);
    }
    crc = crc32(chunk, crc);
    sink(chunk);
  };
  const inflater = entry.method === 8 ? new Inflate((chunk) => accept(chunk)) : undefined;
  try {
    let at = entry.dataStart;
    do {
      const length = Math.min(INPUT_CHUNK_BYTES, entry.dataEnd - at);
      const chunk = source.read(at, length);
      at += length;
      if (inflater) inflater.push(chunk, at >= entry.dataEnd);
      else if (length > 0) accept(chunk);
    } while (at < entry.dataEnd);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${where}: corrupt compressed data (${(err as Error).message})`);
  }
  if (produced !== entry.uncompressedSize) {
    throw new DataError(`${where}: inflated to ${produced} bytes, the archive declares ${entry.uncompressedSize} (corrupt or truncated)`);
  }
  if (crc >>> 0 !== entry.crc32) {
    throw new DataError(`${where}: CRC-32 mismatch (archive says ${hex(entry.crc32)}, data gives ${hex(crc >>> 0)}): corrupt data`);
  }
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
 * Unpacks every file of the zip at zipPath into targetDir (created; must not exist yet), one
 * entry at a time, streamed to disk. Returns the number of files written.
 */
export function extractZip(zipPath: string, targetDir: string, limits?: ZipLimits): number {
  return withFileSource(zipPath, (source) => {
    const entries = readZipDirectory(source, zipPath);
    const staging = temporarySibling(targetDir);
    for (const entry of entries) safeEntryPath(staging, entry.name, zipPath);
    const files = entries.filter((e) => !e.name.endsWith('/'));
    checkDeclaredSizes(files, zipPath, limits);
    mkdirSync(dirname(resolve(targetDir)), { recursive: true });
    removeStaleTemporaries(targetDir); // a staging directory left by a killed extraction
    try {
      mkdirSync(staging);
      for (const entry of files) extractEntry(source, entry, safeEntryPath(staging, entry.name, zipPath), zipPath);
      commitTemporary(staging, targetDir);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (err instanceof DataError) throw err;
      throw new DataError(`${zipPath}: extraction into ${targetDir} failed (${(err as Error).message})`);
    }
    return files.length;
  });
}

function extractEntry(source: ZipSource, entry: ZipEntry, path: string, archiveName: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'wx', 0o644);
  try {
    inflateEntry(source, entry, archiveName, (chunk) => {
      for (let written = 0; written < chunk.length; ) written += writeSync(fd, chunk, written, chunk.length - written);
    });
  } finally {
    closeSync(fd);
  }
}

/** A directory under `root` joined from POSIX-style relative parts. */
export function joinPosix(root: string, relative: string): string {
  return join(root, ...relative.split('/'));
}

function memorySource(bytes: Uint8Array): ZipSource {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, position + length) };
}

/** Runs `use` with random access to the file at `path` (read on demand, not loaded whole). */
function withFileSource<T>(path: string, use: (source: ZipSource) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `${path}: archive not found` : `${path}: cannot open archive (${(err as Error).message})`);
  }
  try {
    const size = fstatSync(fd).size;
    return use({
      size,
      read(position, length) {
        const out = new Uint8Array(length);
        for (let done = 0; done < length; ) {
          const n = readSync(fd, out, done, length - done, position + done);
          if (n === 0) throw new DataError(`${path}: archive ended early (changed while reading?)`);
          done += n;
        }
        return out;
      },
    });
  } finally {
    closeSync(fd);
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
