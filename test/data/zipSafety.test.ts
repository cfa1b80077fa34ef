/** Zip bombs, lying headers, CRC-32 of npz members, and unpacks that leave nothing behind when they fail. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../lib/errors.js';
import { encodeNpy, type NpyArray } from '../../lib/data/npy.js';
import { readNpz } from '../../lib/data/npz.js';
import { extractZip, readZip } from '../../lib/data/zipArchive.js';
import { downloadVerified } from '../../lib/data/download.js';
import { ensureUnpackedArchive, type RemoteFile } from '../../lib/data/omniglotRemote.js';
import { removeTempDirs, tempDir } from './dataHelpers.js';

afterAll(removeTempDirs);

/** Offsets in a one-entry zip as fflate writes it: local header at 0, then data, central directory, end record. */
function layout(zip: Uint8Array): { view: DataView; central: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  expect(view.getUint32(end, true)).toBe(0x06054b50);
  return { view, central: view.getUint32(end + 16, true) };
}

/** Declares `size` uncompressed bytes in both headers (a lie the data does not back). */
function declareUncompressedSize(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice();
  const { view, central } = layout(out);
  view.setUint32(22, size, true);
  view.setUint32(central + 24, size, true);
  return out;
}

const MiB = 1024 * 1024;

describe('zip bombs and lying headers', () => {
  const zeros = zipSync({ 'bomb.bin': new Uint8Array(40 * MiB) }); // ~40 KB on disk

  it('refuses an entry over the compression-ratio cap before inflating it, naming entry, size and cap', () => {
    expect(zeros.length).toBeLessThan(100_000);
    expect(() => readZip(zeros, 'bomb.zip')).toThrow(DataError);
    expect(() => readZip(zeros, 'bomb.zip')).toThrow(/bomb\.zip: entry 'bomb\.bin' declares 41943040 bytes from \d+ compressed, ratio \d+:1 over the 200:1 cap/);
  });

  it('refuses an archive over the total-size cap, naming entry, size and cap', () => {
    const two = zipSync({ 'a.bin': new Uint8Array(3 * MiB), 'b.bin': new Uint8Array(3 * MiB) });
    const limits = { maxTotalBytes: 5 * MiB, maxCompressionRatio: 1e9 };
    expect(() => readZip(two, 'two.zip', undefined, limits)).toThrow(/entry 'b\.bin' \(3145728 bytes uncompressed\) takes the archive to 6291456 bytes, over the 5242880-byte cap/);
    expect(readZip(two, 'two.zip', (n) => n === 'a.bin', limits).get('a.bin')!.length).toBe(3 * MiB);
  });

  it('checks declared sizes before inflating: a tiny file declaring 4 GB hits the cap, not the inflater or the allocator', () => {
    const small = zipSync({ 'x.bin': Uint8Array.from({ length: 200 }, (_, i) => (i * 37) & 255) });
    const lying = declareUncompressedSize(small, 0xfffffff0);
    expect(() => readZip(lying, 'huge.zip')).toThrow(/huge\.zip: entry 'x\.bin' declares 4294967280 bytes from \d+ compressed, ratio \d+:1 over the 200:1 cap/);
    expect(() => readZip(lying, 'huge.zip', undefined, { maxCompressionRatio: Infinity, maxTotalBytes: 1e9 })).toThrow(
      /entry 'x\.bin' \(4294967280 bytes uncompressed\) takes the archive to 4294967280 bytes, over the 1000000000-byte cap/,
    );
  });

  it('stops an entry that inflates past its declared size (lying header), in memory and on disk', () => {
    const lying = declareUncompressedSize(zipSync({ 'big.bin': new Uint8Array(2 * MiB).fill(1) }), 1000);
    expect(() => readZip(lying, 'lying.zip')).toThrow(/lying\.zip: entry 'big\.bin' inflates past its declared 1000 bytes/);
    const dir = tempDir();
    writeFileSync(join(dir, 'lying.zip'), lying);
    expect(() => extractZip(join(dir, 'lying.zip'), join(dir, 'out'))).toThrow(/inflates past its declared 1000 bytes/);
    expect(readdirSync(dir)).toEqual(['lying.zip']); // no target, no staging folder
  });

  it('an entry that inflates to less than declared is refused too', () => {
    const short = declareUncompressedSize(zipSync({ 'a.bin': new Uint8Array(5000).fill(3) }), 6000);
    expect(() => readZip(short, 'short.zip')).toThrow(/inflated to 5000 bytes, the archive declares 6000/);
  });

  it('refuses entries whose data overlaps the next entry (how non-recursive bombs reuse one block)', () => {
    const zip = zipSync({ 'a.bin': Uint8Array.from([1, 2, 3, 4]), 'b.bin': Uint8Array.from([5]) }, { level: 0 });
    const overlapping = zip.slice();
    const { view, central } = layout(overlapping);
    for (const at of [18, 22, central + 20, central + 24]) view.setUint32(at, 4 + 30, true); // a.bin now spans b.bin's header
    expect(() => readZip(overlapping, 'o.zip')).toThrow(/o\.zip: corrupt zip archive: entry 'a\.bin' overlaps the next entry/);
  });

  it('refuses duplicate entry names and a local header that disagrees with the central directory', () => {
    const zip = zipSync({ 'ab.txt': new Uint8Array([1]) });
    const renamed = zip.slice();
    renamed[30] = 'x'.charCodeAt(0); // local header name 'xb.txt', central still 'ab.txt'
    expect(() => readZip(renamed, 'r.zip')).toThrow(/entry 'ab\.txt': the local header names it differently/);
    const two = Buffer.from(zipSync({ 'a.bin': new Uint8Array([1]), 'b.bin': new Uint8Array([2]) }, { level: 0 }));
    const twice = Buffer.from(two.toString('latin1').replaceAll('b.bin', 'a.bin'), 'latin1'); // both headers of the second entry
    expect(() => readZip(twice, 'd.zip')).toThrow(/d\.zip: corrupt zip archive: entry 'a\.bin' appears twice/);
  });
});

describe('zip64', () => {
  it('reads entries whose local headers keep their sizes in the zip64 extra field (Python zipfile with force_zip64, as numpy.savez writes)', () => {
    // Written by Python 3.11: zipfile.ZipFile.open(info, 'w', force_zip64=True); a.npy = 'hello' x 100 deflated, b.npy = 'xyz' stored.
    const zip = Buffer.from(
      'UEsDBC0AAAAIAAAAIVwoeIvI//////////8FABQAYS5ucHkBABAA9AEAAAAAAAAMAAAAAAAAAMtIzcnJzxglRhIBAFBLAwQtAAAAAAAAACFcZ7qO6///////////BQAUAGIubnB5AQAQAAMAAAAAAAAAAwAAAAAAAAB4eXpQSwECLQMtAAAACAAAACFcKHiLyAwAAAD0AQAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECLQMtAAAAAAAAACFcZ7qO6wMAAAADAAAABQAAAAAAAAAAAAAAgAFDAAAAYi5ucHlQSwUGAAAAAAIAAgBmAAAAfQAAAAAA',
      'base64',
    );
    const entries = readZip(zip, 'py.zip');
    expect(Buffer.from(entries.get('a.npy')!).toString()).toBe('hello'.repeat(100));
    expect(Buffer.from(entries.get('b.npy')!).toString()).toBe('xyz');
  });
});

describe('CRC-32 of zip and npz members', () => {
  it('a changed byte of stored data is a DataError naming the member', () => {
    const zip = zipSync({ 'm.bin': Uint8Array.from([1, 2, 3, 4]) }, { level: 0 });
    const bad = zip.slice();
    bad[30 + 'm.bin'.length] ^= 0x10;
    expect(() => readZip(bad, 'c.zip')).toThrow(/c\.zip: entry 'm\.bin': CRC-32 mismatch/);
  });

  it('every single-bit flip of a small npz loads identical data or raises DataError, never different data', () => {
    const arrays: Record<string, NpyArray> = {
      weights: { dtype: 'float32', shape: [2, 3], data: Float32Array.from([0.5, -1, 2, 3, 4.25, -6]) },
      labels: { dtype: 'int64', shape: [4], data: Float64Array.from([0, 1, 2, 3]) },
    };
    const npz = zipSync({ 'weights.npy': [encodeNpy(arrays.weights), { level: 0 }], 'labels.npy': [encodeNpy(arrays.labels), { level: 6 }] });
    const dir = tempDir();
    const path = join(dir, 'flip.npz');
    const snapshot = (loaded: Map<string, NpyArray>): string =>
      JSON.stringify([...loaded].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.dtype, v.shape, Array.from(v.data)]));
    writeFileSync(path, npz);
    const original = snapshot(readNpz(path));
    expect(original).toContain('"weights","float32",[2,3],[0.5,-1,2,3,4.25,-6]');
    let identical = 0;
    let refused = 0;
    const silentlyDifferent: number[] = [];
    for (let bit = 0; bit < npz.length * 8; bit++) {
      const flipped = npz.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      writeFileSync(path, flipped);
      try {
        if (snapshot(readNpz(path)) === original) identical++;
        else silentlyDifferent.push(bit);
      } catch (err) {
        if (!(err instanceof DataError)) throw new Error(`bit ${bit}: ${String(err)}`);
        refused++;
      }
    }
    expect(silentlyDifferent).toEqual([]);
    expect(refused).toBeGreaterThan(npz.length * 4); // every data bit at least: the CRC catches them
    expect(identical + refused).toBe(npz.length * 8);
  });
});

describe('unpacks and downloads leave nothing that is reused after a failure', () => {
  const remote: RemoteFile = { url: 'https://example.invalid/images_test.zip', checksum: { algorithm: 'md5', digest: '0'.repeat(32) } };
  const good = zipSync({ 'images_test/Alpha/c1/a.png': new Uint8Array([7]) });

  it('a failed unpack leaves no unpacked/<name>, and the next run unpacks again', async () => {
    const root = tempDir();
    const archive = join(root, 'images_test.zip');
    writeFileSync(archive, declareUncompressedSize(good, 0)); // inflates past its declared 0 bytes
    await expect(ensureUnpackedArchive(root, remote, { localArchive: archive })).rejects.toThrow(DataError);
    expect(existsSync(join(root, 'unpacked', 'images_test'))).toBe(false);
    expect(readdirSync(join(root, 'unpacked'))).toEqual([]); // no staging folder either
    writeFileSync(archive, good);
    const folder = await ensureUnpackedArchive(root, remote, { localArchive: archive });
    expect(folder).toBe(join(root, 'unpacked', 'images_test', 'images_test'));
    expect([...readFileSync(join(folder, 'Alpha', 'c1', 'a.png'))]).toEqual([7]);
  });

  it('removes the temporary of a killed download at the next download of the same file', async () => {
    const root = tempDir();
    const source = join(root, 'source.bin');
    writeFileSync(source, 'payload');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(root, `.file.bin.${deadPid}.89abcdef.tmp`), 'half');
    const sha256 = createHash('sha256').update('payload').digest('hex');
    await downloadVerified({ url: source, destination: join(root, 'file.bin'), checksum: { algorithm: 'sha256', digest: sha256 } });
    expect(readdirSync(root).sort()).toEqual(['file.bin', 'source.bin']);
  });

  it("removes the staging folder of a killed unpack at the next unpack of the same target", () => {
    const root = tempDir();
    writeFileSync(join(root, 'a.zip'), good);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const staging = join(root, `.out.${deadPid}.0123abcd.tmp`);
    mkdirSync(join(staging, 'images_test'), { recursive: true });
    extractZip(join(root, 'a.zip'), join(root, 'out'));
    expect(readdirSync(root).sort()).toEqual(['a.zip', 'out']);
  });
});
