/**
 * Metrics as JSON lines: one object per line, e.g.
 *   {"event":"train","iteration":10,"loss":0.53,"accuracy":0.8,"lr":0.001,"gradNorm":1.2,"tasksPerSecond":410,"seconds":0.6}
 *   {"event":"validation","iteration":100,"metric":"accuracy","mean":0.91,"ci95":0.01,"loss":0.3,"episodes":100}
 * On resume, lines past the checkpoint's iteration (written after it by the interrupted run)
 * are dropped, so the file reads as one uninterrupted run.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomicWrite.js';

export type MetricsRecord = { event: string; iteration: number } & Record<string, number | string | boolean | null>;

export class MetricsLog {
  constructor(readonly path: string) {}

  write(record: MetricsRecord): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }

  /** Keeps only the records with iteration <= `iteration` (and any unparseable line is dropped). */
  truncateAfter(iteration: number): void {
    if (!existsSync(this.path)) return;
    const kept = readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => {
        try {
          return line.trim() !== '' && (JSON.parse(line) as MetricsRecord).iteration <= iteration;
        } catch {
          return false;
        }
      });
    writeFileAtomic(this.path, new TextEncoder().encode(kept.map((l) => l + '\n').join('')));
  }
}
