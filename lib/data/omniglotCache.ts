/**
 * Cache of decoded, resized Omniglot sets (binaryCache.ts format), one file per
 * source / set / size / resize method, e.g. omniglot-npz-background-28-nearest.bin.
 * The metadata is validated against the request and the payload length; anything that does
 * not match is ignored (and then overwritten by a fresh build).
 */
import { join } from 'node:path';
import type { ResizeMethod } from './resize.js';
import { readCache, writeCache } from './binaryCache.js';
import type { OmniglotCharacters, OmniglotSet } from './omniglotCharacters.js';

/** Bump when the decoding or resizing changes, to invalidate old caches. */
export const OMNIGLOT_CACHE_VERSION = 1;

export interface OmniglotCacheKey {
  source: 'npz' | 'zip';
  set: OmniglotSet;
  size: number;
  method: ResizeMethod;
}

export function omniglotCachePath(cacheDir: string, key: OmniglotCacheKey): string {
  return join(cacheDir, `omniglot-${key.source}-${key.set}-${key.size}-${key.method}.bin`);
}

export function saveOmniglotCache(cacheDir: string, key: OmniglotCacheKey, characters: OmniglotCharacters): void {
  const metadata = {
    kind: 'omniglot',
    version: OMNIGLOT_CACHE_VERSION,
    ...key,
    drawings: characters.drawings,
    names: characters.names,
    fileIds: characters.fileIds,
  };
  writeCache(omniglotCachePath(cacheDir, key), metadata, characters.pixels);
}

export function loadOmniglotCache(cacheDir: string, key: OmniglotCacheKey): OmniglotCharacters | null {
  const cached = readCache(omniglotCachePath(cacheDir, key));
  if (!cached) return null;
  const m = cached.metadata;
  const names = m.names;
  const fileIds = m.fileIds;
  const drawings = m.drawings;
  const matches =
    m.kind === 'omniglot' &&
    m.version === OMNIGLOT_CACHE_VERSION &&
    m.source === key.source &&
    m.set === key.set &&
    m.size === key.size &&
    m.method === key.method &&
    Array.isArray(names) &&
    names.every((n) => typeof n === 'string') &&
    Array.isArray(fileIds) &&
    fileIds.length === names.length &&
    typeof drawings === 'number' &&
    cached.payload.length === names.length * drawings * key.size * key.size;
  if (!matches) return null;
  return {
    set: key.set,
    names: names as string[],
    fileIds: fileIds as number[],
    drawings: drawings as number,
    size: key.size,
    pixels: cached.payload,
  };
}
