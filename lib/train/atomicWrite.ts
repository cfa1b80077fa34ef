/**
 * Atomic file replacement: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A crash or error at any point leaves either the old file or
 * the new one, never a partial file, at `path`.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteHooks {
  /** Called after the temp file is complete and synced, just before the rename (tests inject failures here). */
  beforeRename?: (tempPath: string) => void;
}

export function writeFileAtomic(path: string, bytes: Uint8Array, hooks: AtomicWriteHooks = {}): void {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeAndSync(tempPath, bytes);
    hooks.beforeRename?.(tempPath);
    renameSync(tempPath, path);
  } catch (err) {
    removeQuietly(tempPath);
    throw err;
  }
  syncDirectory(dirname(path));
}

function writeAndSync(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename durable. Some platforms cannot open or fsync a directory; that is not an error. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // the temp file may not exist yet
  }
}
