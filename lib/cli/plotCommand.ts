/** `metalearn plot RUN_DIR... [--out file.svg]`: the training curves of one or several runs on one figure. */
import { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ValueError } from '../errors.js';
import { writeFileAtomic } from '../train/atomicWrite.js';
import type { CliIO } from './io.js';
import { readRunDir, renderTrainingCurves } from './trainingCurves.js';

export function plotCommand(io: CliIO): Command {
  return new Command('plot')
    .description('draw the training curves (loss, accuracy or MSE vs meta-iteration, train and validation) of one or more runs on one figure')
    .argument('<run-dir...>', "run directories (the --out of 'metalearn train'), each holding metrics.jsonl")
    .option('--out <file>', 'SVG file to write (default: <first run>/curves.svg for one run, curves.svg in the current directory for several)')
    .action((dirs: string[], flags: { out?: string }) => {
      const runs = dirs.map(readRunDir);
      const names = runs.map((r) => r.name);
      // Two runs called 'run' in different parents would share a legend name: use the paths then.
      if (new Set(names).size !== names.length) runs.forEach((r, i) => (r.name = dirs[i]));
      const out = resolve(flags.out ?? (dirs.length === 1 ? join(dirs[0], 'curves.svg') : 'curves.svg'));
      if (!existsSync(dirname(out))) throw new ValueError(`--out '${out}': folder ${dirname(out)} does not exist`);
      writeFileAtomic(out, Buffer.from(renderTrainingCurves(runs)));
      io.out(`wrote ${out} (${runs.length} run${runs.length === 1 ? '' : 's'}: ${runs.map((r) => r.name).join(', ')})\n`);
    });
}
