/**
 * METALEARN_NATIVE_BINARY (lib/backend/native.ts loadBinding): loads exactly the named .node file
 * and never falls back to build/Release or prebuilds/, so `npm run test:sanitize` cannot end up
 * testing an unsanitized binary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BackendError } from '../../lib/errors.js';
import { loadBinding, packageRoot } from '../../lib/backend/native.js';
import { native, nativeSkipReason } from './nativeHelpers.js';

const require = createRequire(import.meta.url);
const original = process.env.METALEARN_NATIVE_BINARY;

/** The binary this process already uses: the override when set (the sanitized run), else node-gyp-build's choice. */
function binaryInUse(): string {
  if (original !== undefined && original !== '') return original;
  return (require('node-gyp-build') as { path(dir: string): string }).path(packageRoot());
}

afterEach(() => {
  if (original === undefined) delete process.env.METALEARN_NATIVE_BINARY;
  else process.env.METALEARN_NATIVE_BINARY = original;
});

describe('METALEARN_NATIVE_BINARY', () => {
  it('a path that does not load is a BackendError naming it, not a fallback to another binary', () => {
    const missing = join(packageRoot(), 'build-does-not-exist', 'metalearn.node');
    process.env.METALEARN_NATIVE_BINARY = missing;
    expect(() => loadBinding()).toThrow(BackendError);
    expect(() => loadBinding()).toThrow(`METALEARN_NATIVE_BINARY=${missing} does not load`);
  });

  it('a relative path is refused (it would resolve against lib/backend, not the caller)', () => {
    process.env.METALEARN_NATIVE_BINARY = 'build/Release/metalearn.node';
    expect(() => loadBinding()).toThrow(BackendError);
    expect(() => loadBinding()).toThrow(/must be an absolute path.*got 'build\/Release\/metalearn.node'/);
  });

  it.skipIf(native === null)(`loads exactly the named file (${native === null ? nativeSkipReason : 'native'})`, () => {
    const path = binaryInUse();
    process.env.METALEARN_NATIVE_BINARY = path;
    const binding = loadBinding();
    expect(typeof binding.buildInfo().version).toBe('string');
    expect(Object.keys(require.cache)).toContain(path);
  });
});
