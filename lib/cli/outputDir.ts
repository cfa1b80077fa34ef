/** Creates the output directory and proves it writable before any long work starts. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValueError } from '../errors.js';

export function prepareOutputDir(dir: string): string {
  const path = resolve(dir);
  const probe = join(path, `.metalearn-write-test-${process.pid}`);
  try {
    mkdirSync(path, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new ValueError(`output directory '${path}' is not writable: ${(err as Error).message}`);
  }
  return path;
}
