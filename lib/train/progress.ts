/**
 * The training progress bar (cli-progress) on stderr: iteration, loss, accuracy, tasks/second.
 * Shown on a TTY, or when asked; otherwise every call is a no-op.
 */
import cliProgress from 'cli-progress';

export interface ProgressValues {
  loss: number;
  accuracy?: number;
  tasksPerSecond: number;
}

export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar | undefined;

  constructor(enabled: boolean, start: number, total: number) {
    if (!enabled) return;
    this.bar = new cliProgress.SingleBar(
      {
        format: 'meta-train {bar} {value}/{total} | loss {loss} | acc {acc} | {tps} tasks/s | eta {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, start, { loss: '-', acc: '-', tps: '-' });
  }

  update(iteration: number, values: ProgressValues): void {
    this.bar?.update(iteration, {
      loss: values.loss.toPrecision(4),
      acc: values.accuracy === undefined ? '-' : `${(100 * values.accuracy).toFixed(1)}%`,
      tps: values.tasksPerSecond.toFixed(0),
    });
  }

  stop(): void {
    this.bar?.stop();
  }
}
