/**
 * `metalearn download omniglot [--data-root DIR]`: fetches what `metalearn train --dataset
 * omniglot` reads (the official zips, md5-verified and unpacked, and the Vinyals split files,
 * sha256-verified) into <DIR>/omniglot. The only command, with `train --download`, that
 * downloads. --mirror points at another location holding the same files (same names, same
 * checksums): an institute mirror, or a local folder / 127.0.0.1 server in tests.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { defaultDataRoot } from '../data/paths.js';
import { downloadOmniglot, OMNIGLOT_ARCHIVES, VINYALS_SPLIT_FILES, CLI_VINYALS_SPLITS, type OmniglotDownloadOptions, type RemoteFile } from '../data/omniglotRemote.js';
import type { CliIO } from './io.js';

interface DownloadFlags {
  dataRoot?: string;
  mirror?: string;
}

export function downloadCommand(io: CliIO): Command {
  const command = new Command('download').description('download a dataset (verified by checksum) into the data root');
  command
    .command('omniglot')
    .description('Omniglot: images_background.zip, images_evaluation.zip (unpacked) and the Vinyals train/val/test split files, into <data-root>/omniglot')
    .option('--data-root <dir>', 'data root to download into; created if missing (default: $METALEARN_DATA or ~/.cache/metalearn)')
    .option('--mirror <url>', 'base URL (http(s):// or file://) holding the same files under the same names, checked against the same checksums')
    .action(async (flags: DownloadFlags) => {
      const root = resolve(flags.dataRoot ?? defaultDataRoot());
      const dir = await downloadOmniglotWithProgress(root, flags.mirror, io);
      io.out(`omniglot ready in ${dir}\n`);
    });
  return command;
}

/** downloadOmniglot with a progress line per file; shared by `download omniglot` and `train --download`. */
export function downloadOmniglotWithProgress(root: string, mirror: string | undefined, io: CliIO): Promise<string> {
  return downloadOmniglot(root, { ...mirrorRemotes(mirror), onFile: (url, destination) => io.err(`downloading ${url} -> ${destination}\n`) });
}

function mirrorRemotes(mirror: string | undefined): Pick<OmniglotDownloadOptions, 'archives' | 'splits'> {
  if (mirror === undefined) return {};
  const base = mirror.endsWith('/') ? mirror : `${mirror}/`;
  const moved = (file: RemoteFile): RemoteFile => ({ url: base + file.url.slice(file.url.lastIndexOf('/') + 1), checksum: file.checksum });
  return {
    archives: { background: moved(OMNIGLOT_ARCHIVES.background), evaluation: moved(OMNIGLOT_ARCHIVES.evaluation) },
    splits: Object.fromEntries(CLI_VINYALS_SPLITS.map((s) => [s, moved(VINYALS_SPLIT_FILES[s])])),
  };
}
