/**
 * Preprocessed-data cache files: a small header, JSON metadata, then a raw uint8 payload.
 *   bytes 0..7    magic "MLCACHE1"
 *   bytes 8..11   uint32 LE  metadata byte length M
 *   bytes 12..19  float64 LE payload byte length P (an exact integer)
 *   bytes 20..    metadata (UTF-8 JSON object), then the payload
 * Written atomically (temp file + rename). readCache returns null for a missing, truncated or
 * otherwise invalid file, so a bad cache is rebuilt rather than trusted.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../train/atomicWrite.js';

const MAGIC = 'MLCACHE1';
const HEADER_BYTES = 20;

export type CacheMetadata = Record<string, unknown>;

export function writeCache(path: string, metadata: CacheMetadata, payload: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(json.length, 8);
  header.writeDoubleLE(payload.length, 12);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, [header, json, payload]);
}

export function readCache(path: string): { metadata: CacheMetadata; payload: Uint8Array } | null {
  if (!existsSync(path)) return null;
  const file = readFileSync(path);
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, 8) !== MAGIC) return null;
  const metadataLength = file.readUInt32LE(8);
  const payloadLength = file.readDoubleLE(12);
  if (HEADER_BYTES + metadataLength + payloadLength !== file.length) return null;
  let metadata: unknown;
  try {
    metadata = JSON.parse(file.toString('utf8', HEADER_BYTES, HEADER_BYTES + metadataLength));
  } catch {
    return null;
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  const start = HEADER_BYTES + metadataLength;
  return { metadata: metadata as CacheMetadata, payload: new Uint8Array(file.buffer, file.byteOffset + start, payloadLength) };
}
