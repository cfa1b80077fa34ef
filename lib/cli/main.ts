/**
 * The `metalearn` command line: train, eval, demo, predict, plot, download. bin/metalearn.js calls main().
 * Errors are reported as one line (`metalearn: error: ...`) with a non-zero exit code; a stack
 * trace is printed only for unexpected errors when METALEARN_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { MetalearnError } from '../errors.js';
import { demoCommand } from './demoCommand.js';
import { evalCommand } from './evalCommand.js';
import { predictCommand } from './predictCommand.js';
import { processIO, type CliIO } from './io.js';
import { trainCommand } from './trainCommand.js';
import { downloadCommand } from './downloadCommand.js';
import { TrainingInterrupted } from './interrupt.js';
import { plotCommand } from './plotCommand.js';

export function buildProgram(io: CliIO): Command {
  const program = new Command('metalearn')
    .description('meta-learning for TypeScript: MAML and family, Prototypical/Matching/Relation/Siamese networks')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  program.addCommand(trainCommand(io));
  program.addCommand(evalCommand(io));
  program.addCommand(demoCommand(io));
  program.addCommand(predictCommand(io));
  program.addCommand(plotCommand(io));
  program.addCommand(downloadCommand(io));
  // Settings are not inherited by addCommand; apply them to each subcommand.
  for (const command of program.commands.flatMap((c) => [c, ...c.commands])) {
    command.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput({ writeOut: io.out, writeErr: io.err });
  }
  return program;
}

/** Runs the CLI on user arguments (without node and script); resolves to the exit code. */
export async function main(args: string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version).
    return err.exitCode;
  }
  // A clean stop on SIGINT / SIGTERM: the train command has printed how to resume.
  if (err instanceof TrainingInterrupted) return err.exitCode;
  if (err instanceof MetalearnError) {
    io.err(`metalearn: error: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`metalearn: error: ${message}\n`);
  if (process.env.METALEARN_DEBUG === '1' && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  return 1;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
