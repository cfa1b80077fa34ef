/**
 * The fuzzer (scripts/fuzz.mjs) can fail: planted calls with known outcomes (--self-test: a
 * SIGSEGV, a synchronous hang, an untyped TypeError, a typed error, a hostile getter's error)
 * must be counted as such, named by index with a repro line, and make the exit code non-zero.
 * It runs the TypeScript sources here (--lib lib/index.ts under tsx), so no build is needed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function fuzz(...args: string[]): { status: number | null; lines: string[] } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/fuzz.mjs', '--lib', 'lib/index.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { status: run.status, lines: `${run.stdout}${run.stderr}`.trim().split('\n') };
}

describe('npm run fuzz', () => {
  it('counts a planted crash, hang and untyped error, names them and exits non-zero', () => {
    const { status, lines } = fuzz('--self-test', '--calls', '8', '--timeout', '1500');
    expect(lines.at(-1)).toBe('fuzz: calls=8 crashes=1 hangs=1 untyped=1');
    expect(status).toBe(1);
    const text = lines.join('\n');
    // SELF_TEST_OUTCOMES: index 2 crashes, 5 hangs, 7 throws a TypeError; 3 (typed) and 4 (hostile getter) are fine.
    expect(text).toMatch(/#2 \[\w+\] planted crash\n\s+signal SIGSEGV\n\s+repro: npm run fuzz -- --seed 1 --only 2 --self-test --lib lib\/index\.ts/);
    expect(text).toMatch(/#5 \[\w+\] planted hang\n\s+no answer within 1500 ms/);
    expect(text).toMatch(/#7 \[\w+\] planted untyped\n\s+TypeError: planted untyped error/);
    expect(text).toMatch(/selftest\s+ok 3\s+typed 1\s+hostile 1\s+untyped 1\s+crash 1\s+hang 1/);
  });

  it('--only replays one call: a typed error is not a failure', () => {
    const { status, lines } = fuzz('--self-test', '--only', '3');
    expect(lines).toContain('fuzz: call 3 -> typed (ValueError: planted typed error)');
    expect(lines.at(-1)).toBe('fuzz: calls=1 crashes=0 hangs=0 untyped=0');
    expect(status).toBe(0);
  });

  it('a seeded run over ops, tensor creation and the raw backend ends clean', () => {
    const { status, lines } = fuzz('--calls', '300', '--seed', '12', '--kinds', '^(op|create|tensorMethod|backend)$');
    expect(lines.at(-1)).toBe('fuzz: calls=300 crashes=0 hangs=0 untyped=0');
    expect(status).toBe(0);
  });
});
