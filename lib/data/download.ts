/**
 * Downloads with checksum verification that never poison the next run:
 *   - the fetcher writes to a temporary sibling; only a file whose checksum matches is renamed
 *     to its final name, so the final name always holds a complete, verified file;
 *   - a file already at the final name is verified again before use and replaced if it fails;
 *   - temporaries of a killed download are removed by the next download of the same file
 *     (train/atomicWrite.ts, the one atomic writer).
 * The fetcher is injectable (tests serve files from disk or from an HTTP server on 127.0.0.1).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, copyFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DataError } from '../errors.js';
import { commitTemporary, removeStaleTemporaries, temporarySibling } from '../train/atomicWrite.js';

/** Writes the bytes found at `url` to the file `destination` (which it creates). */
export type Fetcher = (url: string, destination: string) => Promise<void>;

/** Expected digest of a file; hex, lower case. */
export interface Checksum {
  algorithm: 'md5' | 'sha256';
  digest: string;
}

/** HTTP(S) with Node's global fetch, streamed to disk; checks status and Content-Length. */
export const httpFetcher: Fetcher = async (url, destination) => {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
    throw new DataError(`download ${url}: request failed (${detail})`);
  }
  if (!response.ok || response.body === null) {
    throw new DataError(`download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  let received = 0;
  body.on('data', (chunk: Buffer) => (received += chunk.length));
  try {
    await pipeline(body, createWriteStream(destination));
  } catch (err) {
    throw new DataError(`download ${url}: interrupted after ${received} bytes (${(err as Error).message})`);
  }
  const expected = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(expected) && received !== expected) {
    throw new DataError(`download ${url}: got ${received} bytes, Content-Length said ${expected}`);
  }
};

/** file:// URLs or plain local paths, copied. */
export const fileFetcher: Fetcher = async (url, destination) => {
  const source = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!existsSync(source)) throw new DataError(`download ${url}: file not found`);
  copyFileSync(source, destination);
};

/** http(s) URLs through httpFetcher, anything else through fileFetcher. */
export const defaultFetcher: Fetcher = (url, destination) =>
  /^https?:/i.test(url) ? httpFetcher(url, destination) : fileFetcher(url, destination);

export async function fileDigest(path: string, algorithm: Checksum['algorithm']): Promise<string> {
  const hash = createHash(algorithm);
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export interface DownloadRequest {
  url: string;
  destination: string;
  /** Required: an unverified file is never trusted. */
  checksum: Checksum;
  fetcher?: Fetcher;
}

/** Ensures `destination` holds the verified file from `url`; returns destination. */
export async function downloadVerified(request: DownloadRequest): Promise<string> {
  const { url, destination, checksum } = request;
  if (existsSync(destination)) {
    if ((await fileDigest(destination, checksum.algorithm)) === checksum.digest) return destination;
    rmSync(destination, { force: true }); // corrupt or stale: fetch again
  }
  mkdirSync(dirname(destination), { recursive: true });
  removeStaleTemporaries(destination); // left by a download that was killed
  const temporary = temporarySibling(destination);
  try {
    await (request.fetcher ?? defaultFetcher)(url, temporary);
    const actual = await fileDigest(temporary, checksum.algorithm);
    if (actual !== checksum.digest) {
      throw new DataError(`download ${url}: ${checksum.algorithm} checksum mismatch: expected ${checksum.digest}, got ${actual}`);
    }
    commitTemporary(temporary, destination);
  } catch (err) {
    rmSync(temporary, { force: true });
    if (err instanceof DataError) throw err;
    throw new DataError(`download ${url}: ${(err as Error).message}`);
  }
  return destination;
}
