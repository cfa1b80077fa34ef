/**
 * SIGINT / SIGTERM during `metalearn train` (a real child process, since signals are the point):
 * the step in flight finishes, a checkpoint is written atomically, the exact resume command is
 * printed, and the exit code is 130 / 143; that command continues the run. A second signal
 * exits at once (tested in-process).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { installStopHandlers } from '../../lib/cli/interrupt.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const mainTs = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'metalearn-interrupt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `metalearn <args>` from the TypeScript sources, in a child process. */
function metalearn(args: string[]): Child {
  const script = `import { main } from ${JSON.stringify(mainTs)}; process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { process: child, stderr: () => stderr, exit };
}

function trainIterations(out: string): number[] {
  const path = join(out, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { event: string; iteration: number })
    .filter((r) => r.event === 'train')
    .map((r) => r.iteration);
}

/** Resolves once metrics.jsonl holds a train record past `after` (the child is training). */
async function untilTrainedPast(out: string, after: number, child: Child): Promise<void> {
  while (!trainIterations(out).some((i) => i > after)) {
    if (child.process.exitCode !== null) throw new Error(`child exited early: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A run long enough never to end by itself; no periodic checkpoint, so only the signal writes one. */
const longRun = (out: string) => ['train', '--backend', 'js', '--hidden', '8', '--meta-batch', '2', '--iterations', '1000000', '--checkpoint-every', '1000000', '--val-episodes', '0', '--out', out, '--no-progress'];

describe('metalearn train: SIGINT / SIGTERM', () => {
  it('SIGINT: checkpoint of the last finished step, the resume command printed, exit 130; that command resumes (then SIGTERM: 143)', async () => {
    const out = join(dir, 'run');
    const first = metalearn(longRun(out));
    await untilTrainedPast(out, 0, first);
    first.process.kill('SIGINT');
    const { code } = await first.exit;
    expect(first.stderr()).toContain('SIGINT: finishing the current step');
    expect(code).toBe(130);
    const done = trainIterations(out);
    const checkpoint = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(checkpoint.iteration).toBe(done[done.length - 1]);
    expect(existsSync(join(out, 'curves.svg'))).toBe(true);
    const printed = /resume with:\n {2}(metalearn train .*)\n/.exec(first.stderr());
    expect(printed?.[1]).toBe(`metalearn train --resume --out ${out} --backend js --checkpoint-every 1000000 --val-episodes 0 --no-progress`);

    const second = metalearn(printed![1].split(' ').slice(1));
    await untilTrainedPast(out, checkpoint.iteration, second);
    second.process.kill('SIGTERM');
    expect((await second.exit).code).toBe(143);
    expect(second.stderr()).toContain('stopped by SIGTERM');
    const resumed = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(resumed.iteration).toBeGreaterThan(checkpoint.iteration);
    // One uninterrupted run: iterations 1..n, each once.
    const all = trainIterations(out);
    expect(all).toEqual(Array.from({ length: resumed.iteration }, (_, i) => i + 1));
  }, 120_000);

  // The second signal, in-process: in a child it races the end of the step the first one lets finish.
  it('a second signal exits at once with its code (130 / 143); the first only asks to stop', () => {
    const exits: number[] = [];
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => void exits.push(code ?? 0)) as typeof process.exit);
    const firsts: string[] = [];
    const listeners = process.listenerCount('SIGINT');
    const stop = installStopHandlers((signal) => firsts.push(signal));
    try {
      process.emit('SIGINT');
      expect(stop.signal.aborted).toBe(true);
      expect(stop.received()).toBe('SIGINT');
      expect(firsts).toEqual(['SIGINT']);
      expect(exits).toEqual([]);
      process.emit('SIGTERM');
      expect(exits).toEqual([143]);
      process.emit('SIGINT');
      expect(exits).toEqual([143, 130]);
      expect(firsts).toEqual(['SIGINT']);
    } finally {
      stop.dispose();
      exit.mockRestore();
    }
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
