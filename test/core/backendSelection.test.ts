/** Default backend choice, METALEARN_BACKEND, and the single stderr notice (in child processes). */
import { it, expect, describe } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../lib/backend/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = `
  import { tensor, ops, getBackend } from './lib/index.ts';
  ops.exp(tensor([1], [1])); ops.exp(tensor([2], [1]));
  console.log(getBackend());
`;

function runChild(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

const native = nativeAvailable();

describe('backend selection', () => {
  it('METALEARN_BACKEND=js selects the TS core silently', () => {
    const r = runChild({ METALEARN_BACKEND: 'js' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('js');
    expect(r.stderr).not.toMatch(/metalearn:/);
  });

  it.skipIf(native.ok)('default without a native binary: the TS core, and exactly one stderr line saying so (skipped when a native binary loads)', () => {
    const r = runChild({ METALEARN_BACKEND: undefined });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('js');
    const notices = r.stderr.split('\n').filter((l) => l.startsWith('metalearn: native core not available'));
    expect(notices.length).toBe(1);
    expect(notices[0]).toMatch(/using the pure-TypeScript core$/);
  });

  it.skipIf(!native.ok)('default with a native binary: native, silently (skipped when no native binary loads)', () => {
    const r = runChild({ METALEARN_BACKEND: undefined });
    expect(r.stdout).toBe('native');
    expect(r.stderr).not.toMatch(/metalearn:/);
  });

  it.skipIf(native.ok)('METALEARN_BACKEND=native without a binary is an error, not a fallback (skipped when a native binary loads)', () => {
    const r = runChild({ METALEARN_BACKEND: 'native' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/BackendError/);
  });

  it('an invalid METALEARN_BACKEND is an error', () => {
    const r = runChild({ METALEARN_BACKEND: 'cuda' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/METALEARN_BACKEND must be 'native' or 'js'/);
  });
});
