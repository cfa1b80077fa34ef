/**
 * Files that appear only when complete: write to a uniquely named temporary sibling, then
 * rename (atomic on one filesystem). A crash leaves at most a stray temporary, never a
 * half-written file under the final name.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A fresh path next to `path`, e.g. ".name.tmp-1234-9f3a1c" in the same directory. */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  try {
    writeFileSync(temporary, Buffer.concat(chunks));
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
