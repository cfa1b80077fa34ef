/**
 * What a user sees when no native binary loads: the import-time notice (lib/backend/native.ts,
 * printed once by lib/backend/index.ts) and the install script's warning (scripts/install-native.mjs)
 * must both name the one command that builds the core from a user's project
 * (scripts/native-advice.mjs), not this package's own `npm run build:native`.
 * Each case runs in a copy of the package that has no binary (temp folder, node_modules by link).
 * That the command really builds the core from a user's project is checked by
 * `node scripts/check-tarball.mjs --rebuild` (it compiles).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NATIVE_BUILD_COMMAND } from '../../scripts/native-advice.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const copies: string[] = [];

/** A folder named like the package, with the given entries copied and node_modules linked; no build/, no prebuilds/. */
function packageCopy(entries: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'metalearn-advice-'));
  copies.push(dir);
  for (const entry of entries) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** A PATH with node only: no cmake, no compiler, so a build attempt fails at once. */
function nodeOnlyPath(dir: string): string {
  const bin = join(dir, '.bin-node-only');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

function childEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path };
  delete env.METALEARN_BACKEND;
  delete env.METALEARN_NATIVE_BINARY;
  delete env.METALEARN_SKIP_NATIVE_BUILD;
  return env;
}

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('the advice when no native binary loads', () => {
  it('names a command that exists in a user project, not this package\'s npm script', () => {
    expect(NATIVE_BUILD_COMMAND).toBe('npm rebuild metalearn --foreground-scripts');
  });

  it('the first import says once on stderr which command builds the native core, and runs on the TS core', () => {
    const dir = packageCopy(['package.json', 'lib', 'binding.d.ts']);
    const script = `
      import { getBackend, tensor, ops } from './lib/index.ts';
      ops.exp(tensor([1], [1])); ops.exp(tensor([2], [1]));
      console.log(getBackend());
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: dir,
      env: childEnv(dirname(process.execPath)),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('js');
    const notices = r.stderr.split('\n').filter((l) => l.startsWith('metalearn:'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`\`${NATIVE_BUILD_COMMAND}\``);
    expect(notices[0]).toContain(`no binary loads from ${dir}`);
    expect(notices[0]).not.toMatch(/run `npm run build:native`/);
  });

  it('the install script, when it cannot build, warns with the same command and does not fail the install', () => {
    const dir = packageCopy(['package.json', 'scripts']);
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'install-native.mjs')], {
      cwd: dir,
      env: childEnv(nodeOnlyPath(dir)),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('metalearn: the native core could not be built');
    expect(r.stderr).toContain(`\`${NATIVE_BUILD_COMMAND}\``);
  });
});
