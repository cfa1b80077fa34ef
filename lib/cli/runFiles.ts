/**
 * The files a training run writes into its --out directory, and the guard that keeps a new run
 * from mixing with an old one: an --out that already holds a run is refused unless the user
 * continues it (--resume) or starts afresh (--force, which removes exactly these files and
 * nothing else: other files the user keeps there stay).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../errors.js';

/** What `metalearn train` writes into --out. */
export const RUN_FILES = ['checkpoint.safetensors', 'metrics.jsonl', 'results.json', 'config.json', 'curves.svg'] as const;
/** Any of these means the directory holds a run (config.json / curves.svg alone are not worth refusing for). */
const RUN_MARKERS = ['metrics.jsonl', 'checkpoint.safetensors', 'results.json'] as const;

/** The run files present in `dir` (a missing dir holds none). */
export function existingRunFiles(dir: string): string[] {
  return RUN_MARKERS.filter((name) => existsSync(join(dir, name)));
}

export interface OutGuardOptions {
  resume: boolean;
  force: boolean;
}

/**
 * Refuses an --out holding a run unless resuming; with force, removes the run's files (and the
 * temporaries an interrupted atomic write of them left).
 */
export function guardOutputDir(dir: string, options: OutGuardOptions): void {
  if (options.resume && options.force) throw new ValueError('--force starts a fresh run and --resume continues one: give only one of them');
  if (options.resume) return;
  const present = existingRunFiles(dir);
  if (present.length === 0) return;
  if (!options.force) {
    throw new ValueError(
      `--out '${dir}' already holds a run (${present.join(', ')}); ` +
        `add --resume to continue it, --force to start afresh (removes ${RUN_FILES.join(', ')} there), or choose another --out`,
    );
  }
  removeRunFiles(dir);
}

function removeRunFiles(dir: string): void {
  const names = new Set<string>(RUN_FILES);
  for (const entry of readdirSync(dir)) {
    // lib/train/atomicWrite.ts names temporaries '.<target>.<pid>.<hex>.tmp'.
    const temporaryOf = /^\.(.+)\.\d+\.[0-9a-f]+\.tmp$/.exec(entry)?.[1];
    if (names.has(entry) || (temporaryOf !== undefined && names.has(temporaryOf))) rmSync(join(dir, entry), { force: true });
  }
}
