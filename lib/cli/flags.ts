/** Flag value parsers and the flags shared by several commands. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseByteSize } from '../train/memoryBudget.js';

export function integerArg(value: string): number {
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

export function numberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

/** --backend and --dtype, as every numeric command takes them. */
export function addBackendFlags(command: Command): Command {
  return command
    .addOption(new Option('--backend <name>', 'numeric core: native (C++) or js (pure TypeScript); default: native if it loads').choices(['native', 'js']))
    .addOption(new Option('--dtype <dtype>', 'parameter and data dtype').choices(['float32', 'float64']));
}

export function addProgressFlag(command: Command): Command {
  return command.option('--progress', 'show a progress bar (default: only on a terminal)').option('--no-progress', 'never show a progress bar');
}

/**
 * --max-memory <size>: the memory limit for evaluation chunks and meta-batches ('4GB', '512MB',
 * '1.5GiB', bytes). A bad size is a ValueError (reported as 'metalearn: error: --max-memory ...').
 */
export function addMaxMemoryFlag(command: Command): Command {
  return command.option(
    '--max-memory <size>',
    'memory limit for one evaluation chunk or meta-batch, e.g. 4GB, 512MB (default: 80% of the free memory); larger work is chunked (eval) or refused',
    (value: string) => parseByteSize(value, '--max-memory'),
  );
}
