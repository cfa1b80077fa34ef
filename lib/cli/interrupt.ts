/**
 * Ctrl-C (SIGINT) and SIGTERM during `metalearn train`: the first one asks the training loop to
 * stop after the step in flight (metaTrain's `signal`), which then writes a checkpoint; the CLI
 * prints how to resume and exits 130 (SIGINT) or 143 (SIGTERM), the shell's 128 + signal number.
 * A second signal exits at once with the same code (the last periodic checkpoint stays valid:
 * checkpoints are written atomically).
 */

/** Thrown by the train command after a clean stop; main() turns it into the exit code. */
export class TrainingInterrupted extends Error {
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    readonly exitCode: number,
  ) {
    super(`interrupted by ${signal}`);
    this.name = 'TrainingInterrupted';
  }
}

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export interface StopHandlers {
  signal: AbortSignal;
  /** The signal received, once one was. */
  received(): 'SIGINT' | 'SIGTERM' | undefined;
  /** Removes the process handlers (always call it: tests run the CLI in-process). */
  dispose(): void;
}

export function installStopHandlers(onFirst: (signal: 'SIGINT' | 'SIGTERM') => void): StopHandlers {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const handle = (signal: 'SIGINT' | 'SIGTERM') => {
    if (received !== undefined) {
      process.exit(SIGNAL_EXIT_CODES[signal]);
      return; // process.exit does not return, except where a test replaced it
    }
    received = signal;
    onFirst(signal);
    controller.abort(signal);
  };
  const onInt = () => handle('SIGINT');
  const onTerm = () => handle('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** A shell word: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
