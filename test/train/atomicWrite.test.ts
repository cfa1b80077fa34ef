import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_AGE_MS, commitTemporary, removeStaleTemporaries, temporarySibling, writeFileAtomic } from '../../lib/train/atomicWrite.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

/** A temporary of `target` as a writer with `pid` names it. */
function plantTemp(dir: string, target: string, pid: number, hex = 'deadbeef'): string {
  const path = join(dir, `.${target}.${pid}.${hex}.tmp`);
  writeFileSync(path, 'partial');
  return path;
}

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one buffer or chunks in order, leaves no temporary', () => {
    const path = join(dir, 'sub', 'f.bin');
    mkdirSync(join(dir, 'sub'));
    writeFileAtomic(path, [Uint8Array.from([1, 2]), Uint8Array.from([3])]);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    writeFileAtomic(path, Uint8Array.from([9]));
    expect([...readFileSync(path)]).toEqual([9]);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['f.bin']);
  });

  it('a failure before the rename keeps the old file and removes the temporary', () => {
    const path = join(dir, 'f.bin');
    writeFileAtomic(path, Uint8Array.from([1]));
    let seen = '';
    expect(() =>
      writeFileAtomic(path, Uint8Array.from([2]), {
        beforeRename: (temp) => {
          seen = temp;
          throw new Error('injected');
        },
      }),
    ).toThrow('injected');
    expect(seen).toMatch(new RegExp(`\\.f\\.bin\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    expect([...readFileSync(path)]).toEqual([1]);
    expect(readdirSync(dir)).toEqual(['f.bin']);
  });

  it('a failing rename (target is a non-empty folder) removes the temporary', () => {
    const path = join(dir, 'taken');
    mkdirSync(path);
    writeFileSync(join(path, 'x'), 'x');
    expect(() => writeFileAtomic(path, Uint8Array.from([1]))).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it("removes a dead writer's temporary (file or folder) at the next save of the same target", () => {
    const pid = deadPid();
    plantTemp(dir, 'f.bin', pid);
    mkdirSync(join(dir, `.f.bin.${pid}.0badf00d.tmp`)); // an unpack's staging folder
    writeFileSync(join(dir, `.f.bin.${pid}.0badf00d.tmp`, 'inner'), 'x');
    writeFileAtomic(join(dir, 'f.bin'), Uint8Array.from([1]));
    expect(readdirSync(dir)).toEqual(['f.bin']);
  });

  it("leaves a live writer's temporary alone, and other files too", async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const live = plantTemp(dir, 'f.bin', sleeper.pid!);
      const own = plantTemp(dir, 'f.bin', process.pid);
      const otherTarget = plantTemp(dir, 'g.bin', deadPid());
      writeFileSync(join(dir, '.f.bin.notatemp'), 'x');
      writeFileAtomic(join(dir, 'f.bin'), Uint8Array.from([1]));
      expect(readdirSync(dir).sort()).toEqual(['.f.bin.notatemp', live, own, otherTarget, join(dir, 'f.bin')].map((p) => p.replace(dir + '/', '')).sort());
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('a temporary older than the age limit is stale even if its pid is alive (pids get reused)', () => {
    const old = plantTemp(dir, 'f.bin', process.pid);
    const when = new Date(Date.now() - STALE_AGE_MS - 60_000);
    utimesSync(old, when, when);
    expect(removeStaleTemporaries(join(dir, 'f.bin'))).toEqual([old]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('commitTemporary moves a finished temporary file or folder onto the target', () => {
    const target = join(dir, 'out');
    const temp = temporarySibling(target);
    mkdirSync(temp);
    writeFileSync(join(temp, 'a'), 'A');
    commitTemporary(temp, target);
    expect(readFileSync(join(target, 'a'), 'utf8')).toBe('A');
    expect(readdirSync(dir)).toEqual(['out']);
  });
});
