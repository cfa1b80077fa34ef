/**
 * Downloads happen only when asked: `metalearn download omniglot [--data-root DIR]` (and
 * `train --download`). Exercised offline only: files served from disk (file:// URLs) or from an
 * HTTP server on 127.0.0.1; every file is checked against its checksum.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { downloadOmniglot } from '../../lib/data/omniglotRemote.js';
import { checkOmniglotDataRoot, missingOmniglotFiles } from '../../lib/cli/omniglotDataCheck.js';
import { hasOmniglotNpz, noSharedDataReason, omniglotDir } from '../data/dataHelpers.js';
import { runCli } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'metalearn-download-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const digest = (algorithm: 'md5' | 'sha256', path: string) => createHash(algorithm).update(readFileSync(path)).digest('hex');

/** A zip shaped like an official one: images_<set>/<alphabet>/<character>/<file>.png (bytes are placeholders). */
function fakeOmniglotZip(path: string, set: string): void {
  writeFileSync(path, zipSync({ [`images_${set}/Alphabet_${set}/character01/0101_01.png`]: new Uint8Array([1, 2, 3]) }));
}

describe('downloadOmniglot (lib)', () => {
  it('fetches and verifies the split files and both zips, unpacks them; the CLI data check then passes', async () => {
    const source = join(dir, 'source');
    mkdirSync(source);
    const archives: Record<string, { url: string; checksum: { algorithm: 'md5'; digest: string } }> = {};
    for (const set of ['background', 'evaluation']) {
      const zip = join(source, `images_${set}.zip`);
      fakeOmniglotZip(zip, set);
      archives[set] = { url: pathToFileURL(zip).href, checksum: { algorithm: 'md5', digest: digest('md5', zip) } };
    }
    const splits: Record<string, { url: string; checksum: { algorithm: 'sha256'; digest: string } }> = {};
    for (const split of ['train', 'val', 'test']) {
      const file = join(source, `${split}.txt`);
      writeFileSync(file, `Alphabet_background/character01/rot000\n`);
      splits[split] = { url: pathToFileURL(file).href, checksum: { algorithm: 'sha256', digest: digest('sha256', file) } };
    }
    const root = join(dir, 'lib-root');
    const fetched: string[] = [];
    expect(missingOmniglotFiles(root)).toHaveLength(5);
    const omniglot = await downloadOmniglot(root, { archives, splits, onFile: (url) => fetched.push(basename(url)) });
    expect(omniglot).toBe(join(root, 'omniglot'));
    expect(fetched).toEqual(['train.txt', 'val.txt', 'test.txt', 'images_background.zip', 'images_evaluation.zip']);
    expect(existsSync(join(root, 'omniglot', 'unpacked', 'images_background', 'images_background', 'Alphabet_background', 'character01', '0101_01.png'))).toBe(true);
    expect(missingOmniglotFiles(root)).toEqual([]);
    expect(() => checkOmniglotDataRoot(root, '--data-root')).not.toThrow();
  });
});

describe('metalearn download omniglot', () => {
  let server: Server;
  let mirror: string;
  beforeAll(async () => {
    // A mirror holding files under the official names: the split files as published (from the
    // shared data when present) and two zips that are NOT the official ones.
    const served = join(dir, 'mirror');
    mkdirSync(served);
    for (const set of ['background', 'evaluation']) fakeOmniglotZip(join(served, `images_${set}.zip`), set);
    if (hasOmniglotNpz) for (const split of ['train', 'val', 'test']) copyFileSync(join(omniglotDir, 'splits', 'vinyals', `${split}.txt`), join(served, `${split}.txt`));
    server = createServer((req, res) => {
      const name = (req.url ?? '').slice(1);
      const path = join(served, name);
      if (name.includes('/') || !existsSync(path)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': readFileSync(path).length }).end(readFileSync(path));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--help names --data-root', async () => {
    const { code, out } = await runCli('download', 'omniglot', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--data-root <dir>');
    expect((await runCli('--help')).out).toMatch(/^\s+download\b/m);
  });

  it.skipIf(!hasOmniglotNpz)(`verifies every file: the published split files are kept, a zip that is not the official one is refused ${hasOmniglotNpz ? '' : noSharedDataReason}`, async () => {
    const root = join(dir, 'cli-root');
    const { code, err } = await runCli('download', 'omniglot', '--data-root', root, '--mirror', mirror);
    expect(code).toBe(1);
    expect(err).toContain(`downloading ${mirror}train.txt`);
    expect(err).toMatch(new RegExp(`metalearn: error: download ${mirror}images_background\\.zip: md5 checksum mismatch: expected 68d2efa1b9178cc56df9314c21c6e718`));
    for (const split of ['train', 'val', 'test']) {
      expect(readFileSync(join(root, 'omniglot', 'splits', 'vinyals', `${split}.txt`), 'utf8')).toBe(readFileSync(join(omniglotDir, 'splits', 'vinyals', `${split}.txt`), 'utf8'));
    }
    // Nothing unverified under its final name, no temporaries left.
    expect(readdirSync(join(root, 'omniglot')).sort()).toEqual(['splits']);
  });

  it('a mirror missing the files is an error naming the URL', async () => {
    const root = join(dir, 'cli-root-404');
    const { code, err } = await runCli('download', 'omniglot', '--data-root', root, '--mirror', `${mirror}nothing-here/`);
    expect(code).toBe(1);
    expect(err).toContain(`download ${mirror}nothing-here/train.txt: HTTP 404`);
  });
});

describe('metalearn train --download', () => {
  it.skipIf(!hasOmniglotNpz)(`with the data already there downloads nothing and trains ${hasOmniglotNpz ? '' : noSharedDataReason}`, async () => {
    const out = join(dir, 'train-download');
    const { code, err } = await runCli('train', '--algo', 'protonet', '--dataset', 'omniglot', '--data-root', join(omniglotDir, '..'), '--download',
      '--hidden', '8', '--queries', '1', '--iterations', '1', '--val-episodes', '0', '--backend', 'js', '--out', out, '--no-progress');
    expect(err).not.toContain('downloading');
    expect(err).not.toContain('error');
    expect(code).toBe(0);
  }, 120_000);
});
