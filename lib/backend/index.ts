/**
 * Backend selection. Default: the native core if it loads, else the pure-TypeScript core,
 * with one line on stderr saying so. METALEARN_BACKEND=native|js or setBackend() choose
 * explicitly; asking for native where it cannot load throws BackendError.
 *
 * lib/backend/native.ts (written with the native core) exports loadNativeBackend(): Backend.
 * It is imported optionally, so the project works while that module or its binary is absent.
 */
import { BackendError } from '../errors.js';
import { createJsBackend } from './js/index.js';
import { guardBackend } from './backendGuard.js';
import type { Backend } from './types.js';

export type BackendName = 'native' | 'js';

interface NativeModule {
  loadNativeBackend(): Backend;
}

// A variable specifier keeps the import optional for the type checker and the bundler alike.
const nativeModulePath = './native.js';
let nativeModuleError = '';
const nativeModule: NativeModule | null = await import(nativeModulePath).then(
  (m: NativeModule) => m,
  (err: unknown) => {
    nativeModuleError = err instanceof Error ? err.message : String(err);
    return null;
  },
);

const cache: Partial<Record<BackendName, Backend>> = {};
let current: Backend | null = null;

function loadNative(): Backend {
  if (cache.native) return cache.native;
  if (!nativeModule) throw new BackendError(`native backend unavailable: lib/backend/native could not be imported (${nativeModuleError})`);
  try {
    cache.native = guardBackend(nativeModule.loadNativeBackend());
  } catch (err) {
    if (err instanceof BackendError) throw err;
    throw new BackendError(`native backend unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
  return cache.native;
}

function loadJs(): Backend {
  cache.js ??= guardBackend(createJsBackend());
  return cache.js;
}

/** Returns the backend of that name (loading it on first use); throws BackendError when it cannot load. */
export function backendNamed(name: BackendName): Backend {
  if (name === 'native') return loadNative();
  if (name === 'js') return loadJs();
  throw new BackendError(`unknown backend '${String(name)}' (expected 'native' or 'js')`);
}

function defaultBackend(): Backend {
  const requested = process.env.METALEARN_BACKEND;
  if (requested !== undefined && requested !== '') {
    if (requested !== 'native' && requested !== 'js') {
      throw new BackendError(`METALEARN_BACKEND must be 'native' or 'js', got '${requested}'`);
    }
    return backendNamed(requested);
  }
  try {
    return loadNative();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    process.stderr.write(`metalearn: native core not available (${reason}); using the pure-TypeScript core\n`);
    return loadJs();
  }
}

/** The backend every new tensor and op uses. */
export function currentBackend(): Backend {
  current ??= defaultBackend();
  return current;
}

/** Chooses the core explicitly. Throws BackendError for 'native' where no binary loads. */
export function setBackend(name: BackendName): void {
  current = backendNamed(name);
}

/** Which core runs: 'native' or 'js'. */
export function getBackend(): BackendName {
  return currentBackend().name;
}

/** True when the native core loads here (tests use it to skip with a reason). */
export function nativeAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    loadNative();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
