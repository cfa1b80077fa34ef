/**
 * The one atomic file writer of metalearn (checkpoints, metrics, caches, downloads, unpacked
 * archives). A file appears under its final name only when complete:
 *
 *   1. the bytes go to a temporary sibling in the same directory (same filesystem, so the
 *      rename is atomic), named  .<target name>.<writer pid>.<8 hex>.tmp
 *   2. the temporary is fsynced, renamed over the target, and the directory is fsynced, so
 *      the rename survives a crash of the machine, not only of the process;
 *   3. on any failure the temporary is removed.
 *
 * A writer killed between 1 and 2 (kill -9, power loss) cannot clean up; the pid in the name
 * lets the next save of the same target recognise such leftovers: a temporary whose writer is
 * no longer alive, or that is older than STALE_AGE_MS, is removed (removeStaleTemporaries).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteHooks {
  /** Called after the temp file is complete and synced, just before the rename (tests inject failures here). */
  beforeRename?: (tempPath: string) => void;
}

/** A temporary older than this is stale even if a process with its pid is alive (pids get reused). */
export const STALE_AGE_MS = 24 * 60 * 60 * 1000;

const TEMP_SUFFIX = '.tmp';

/** A fresh temporary path next to `path`: ".<name>.<pid>.<8 hex>.tmp" in the same directory. */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Replaces `path` with `data` (one buffer or chunks written in order) atomically. The folder
 * must exist (callers decide whether a missing one is an error). Stale temporaries of the same
 * target are removed first.
 */
export function writeFileAtomic(path: string, data: Uint8Array | readonly Uint8Array[], hooks: AtomicWriteHooks = {}): void {
  removeStaleTemporaries(path);
  const tempPath = temporarySibling(path);
  try {
    writeAndSync(tempPath, data instanceof Uint8Array ? [data] : data);
    hooks.beforeRename?.(tempPath);
    renameSync(tempPath, path);
  } catch (err) {
    rmSync(tempPath, { recursive: true, force: true });
    throw err;
  }
  syncDirectory(dirname(path));
}

/**
 * Moves a finished temporary (file or directory, from temporarySibling) onto `path`: fsyncs a
 * file's data, renames, fsyncs the directory. For writers that produce the temporary themselves
 * (streamed downloads, unpacked archives). The caller removes the temporary if this throws.
 */
export function commitTemporary(tempPath: string, path: string): void {
  if (statSync(tempPath).isFile()) syncFile(tempPath);
  renameSync(tempPath, path);
  syncDirectory(dirname(path));
}

/**
 * Removes the temporaries of `path` left by killed writers: those whose pid is not a live
 * process, and those older than maxAgeMs whatever their pid. A live writer's temporary (this
 * process's included) younger than that is left alone. Returns the paths removed.
 */
export function removeStaleTemporaries(path: string, maxAgeMs = STALE_AGE_MS, now = Date.now()): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no directory yet: nothing stale
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = writerPid(name, prefix);
    if (pid === undefined) continue;
    const full = join(dir, name);
    let ageMs: number;
    try {
      ageMs = now - statSync(full).mtimeMs;
    } catch {
      continue; // removed meanwhile by its writer
    }
    if (isProcessAlive(pid) && ageMs <= maxAgeMs) continue;
    rmSync(full, { recursive: true, force: true });
    removed.push(full);
  }
  return removed;
}

/** The writer pid in ".<target>.<pid>.<8 hex>.tmp", or undefined if `name` is not a temporary of the target. */
function writerPid(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) return undefined;
  const match = /^(\d+)\.[0-9a-f]{8}$/.exec(name.slice(prefix.length, -TEMP_SUFFIX.length));
  return match ? Number(match[1]) : undefined;
}

function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function writeAndSync(path: string, chunks: readonly Uint8Array[]): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.length) written += writeSync(fd, chunk, written, chunk.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
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
