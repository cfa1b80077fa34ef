import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../lib/errors.js';
import { downloadVerified, fileFetcher, type Fetcher } from '../../lib/data/download.js';
import { encodeNpy, parseNpy } from '../../lib/data/npy.js';
import { readNpz } from '../../lib/data/npz.js';
import { extractZip } from '../../lib/data/zipArchive.js';
import { hasSmallZips, noSharedDataReason, omniglotDir, removeTempDirs, tempDir } from './dataHelpers.js';

afterAll(removeTempDirs);

describe('npy / npz', () => {
  it('parses a header written by hand (v1.0, bool, 2x3), bools as 0/1', () => {
    const header = "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const bytes = new Uint8Array(10 + padded.length + 6);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]);
    for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
    bytes.set([1, 0, 0, 255, 1, 0], 10 + padded.length); // some writers store True as 255
    const array = parseNpy(bytes, 'hand.npy');
    expect(array.dtype).toBe('bool');
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data)).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('round-trips int64, float32 and 1-d shapes, and reads npz entries', () => {
    const labels = encodeNpy({ dtype: 'int64', shape: [4], data: Float64Array.from([0, 1, -7, 2 ** 40]) });
    const weights = encodeNpy({ dtype: 'float32', shape: [2, 2], data: Float32Array.from([0.5, -1, 2, 3]) });
    expect(Array.from(parseNpy(labels, 'l').data)).toEqual([0, 1, -7, 2 ** 40]);
    const dir = tempDir();
    const path = join(dir, 'a.npz');
    writeFileSync(path, zipSync({ 'labels.npy': labels, 'weights.npy': weights }));
    const arrays = readNpz(path);
    expect(arrays.get('weights')!.shape).toEqual([2, 2]);
    expect(Array.from(arrays.get('weights')!.data)).toEqual([0.5, -1, 2, 3]);
    expect(() => readNpz(path, ['images'])).toThrow(/no array 'images'/);
  });

  it('rejects bad magic, truncated data, unsupported dtypes and corrupt archives', () => {
    expect(() => parseNpy(new Uint8Array(20), 'x.npy')).toThrow(DataError);
    const good = encodeNpy({ dtype: 'float32', shape: [3], data: new Float32Array(3) });
    expect(() => parseNpy(good.subarray(0, good.length - 1), 'x.npy')).toThrow(/truncated/);
    const text = new TextDecoder('latin1').decode(good).replace('<f4', '>f4');
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)), 'x.npy')).toThrow(/unsupported .npy dtype '>f4'/);
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.npz'), 'this is not a zip');
    expect(() => readNpz(join(dir, 'bad.npz'))).toThrow(DataError);
    expect(() => readNpz(join(dir, 'missing.npz'))).toThrow(/not found/);
  });
});

describe('zip extraction', () => {
  it('unpacks an archive into its target directory', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ok.zip'), zipSync({ 'top/a.txt': new TextEncoder().encode('A'), 'top/sub/b.txt': new TextEncoder().encode('B') }));
    expect(extractZip(join(dir, 'ok.zip'), join(dir, 'out'))).toBe(2);
    expect(readFileSync(join(dir, 'out', 'top', 'sub', 'b.txt'), 'utf8')).toBe('B');
  });

  it('rejects zip-slip entries and writes nothing at all', () => {
    for (const evil of ['../evil.txt', 'top/../../evil.txt', '/tmp/evil-abs.txt']) {
      const dir = tempDir();
      const target = join(dir, 'deep', 'out');
      mkdirSync(join(dir, 'deep'));
      writeFileSync(join(dir, 'evil.zip'), zipSync({ 'fine.txt': new Uint8Array([1]), [evil]: new Uint8Array([2]) }));
      expect(() => extractZip(join(dir, 'evil.zip'), target)).toThrow(/zip-slip/);
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(dir, 'deep', 'evil.txt'))).toBe(false);
      expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
      expect(readdirSync(join(dir, 'deep'))).toEqual([]); // no staging directory left behind
    }
  });

  it('reports a corrupt archive as DataError', () => {
    const dir = tempDir();
    const bytes = zipSync({ 'a.txt': new Uint8Array(1000).fill(7) });
    writeFileSync(join(dir, 'cut.zip'), bytes.subarray(0, bytes.length - 30));
    expect(() => extractZip(join(dir, 'cut.zip'), join(dir, 'out'))).toThrow(DataError);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe.skipIf(!hasSmallZips)(`verified download from a local HTTP server ${hasSmallZips ? '' : noSharedDataReason}`, () => {
  const zipPath = join(omniglotDir, 'images_background_small1.zip');
  const md5 = 'e704a628b5459e08445c13499850abc4';
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const bytes = readFileSync(zipPath);
    server = createServer((request, response) => {
      response.setHeader('Connection', 'close'); // no keep-alive reuse across tests
      if (request.url === '/small1.zip') {
        response.writeHead(200, { 'Content-Length': bytes.length });
        response.end(bytes);
      } else if (request.url === '/truncated.zip') {
        // Promises the whole file, sends half, then drops the connection.
        response.writeHead(200, { 'Content-Length': bytes.length });
        response.write(bytes.subarray(0, bytes.length >> 1), () => response.destroy());
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('downloads, verifies md5 and unpacks the official-format zip', async () => {
    const dir = tempDir();
    const destination = join(dir, 'small1.zip');
    await downloadVerified({ url: `${base}/small1.zip`, destination, checksum: { algorithm: 'md5', digest: md5 } });
    expect(readFileSync(destination).equals(readFileSync(zipPath))).toBe(true);
    extractZip(destination, join(dir, 'unpacked'));
    expect(readdirSync(join(dir, 'unpacked', 'images_background_small1')).sort()).toEqual(['Balinese', 'Early_Aramaic', 'Greek', 'Korean', 'Latin']);
  });

  it('a checksum mismatch is a DataError and leaves nothing under the final name', async () => {
    const dir = tempDir();
    const destination = join(dir, 'small1.zip');
    const wrong = { algorithm: 'md5' as const, digest: '0'.repeat(32) };
    await expect(downloadVerified({ url: `${base}/small1.zip`, destination, checksum: wrong })).rejects.toThrow(/md5 checksum mismatch: expected 0{32}, got e704a628/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an interrupted download never poisons the next run', async () => {
    const dir = tempDir();
    const destination = join(dir, 'small1.zip');
    const checksum = { algorithm: 'md5' as const, digest: md5 };
    await expect(downloadVerified({ url: `${base}/truncated.zip`, destination, checksum })).rejects.toThrow(DataError);
    expect(readdirSync(dir)).toEqual([]); // no partial file, no temp file
    await expect(downloadVerified({ url: `${base}/missing.zip`, destination, checksum })).rejects.toThrow(/HTTP 404/);
    await downloadVerified({ url: `${base}/small1.zip`, destination, checksum });
    expect(readFileSync(destination).equals(readFileSync(zipPath))).toBe(true);
  });

  it('a corrupt file already at the final name is replaced, a good one is reused', async () => {
    const dir = tempDir();
    const destination = join(dir, 'small1.zip');
    writeFileSync(destination, 'half a zip');
    let calls = 0;
    const counting: Fetcher = async (url, path) => {
      calls++;
      await fileFetcher(url, path);
    };
    const checksum = { algorithm: 'md5' as const, digest: md5 };
    await downloadVerified({ url: zipPath, destination, checksum, fetcher: counting });
    expect(calls).toBe(1);
    await downloadVerified({ url: zipPath, destination, checksum, fetcher: counting });
    expect(calls).toBe(1); // verified copy reused, no second fetch
  });
});
