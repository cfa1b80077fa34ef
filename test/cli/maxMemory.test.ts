/**
 * --max-memory and the memory budget from the command line (issue 12, item 4): work that would
 * not fit is refused with one error line (estimate, limit, what to reduce) and a non-zero exit
 * before it allocates, instead of the process growing until the OS kills it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendNamed } from '../../lib/backend/index.js';
import { runCli } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'metalearn-cli-memory-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--max-memory', () => {
  it('a size that is not one is a ValueError message (train and eval)', async () => {
    for (const command of [['eval', '--checkpoint', join(dir, 'none.safetensors')], ['train', '--out', join(dir, 'bad-size')]]) {
      const run = await runCli(...command, '--max-memory', 'nonsense');
      expect(run.code).toBe(1);
      expect(run.err).toBe("metalearn: error: --max-memory must be a positive size such as 4GB, 512MB, 1.5GiB or a number of bytes, got 'nonsense'\n");
    }
  });

  it('train: a meta-batch over the limit stops before the first iteration, with the message and no checkpoint', async () => {
    const out = join(dir, 'too-small');
    const run = await runCli('train', '--backend', 'js', '--iterations', '3', '--val-episodes', '0', '--no-progress', '--out', out, '--max-memory', '10kB');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /metalearn: error: metaTrain: a meta-batch of 25 tasks of maml on sinusoid 10-shot 10-query needs an estimated .* more than the limit set by --max-memory \/ maxMemoryBytes \(10\.00 kB\)\. Reduce the meta-batch \(--meta-batch\)/,
    );
    expect(run.out).toBe('');
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(false);
  });

  it('train and eval run as before under a limit they fit', async () => {
    const out = join(dir, 'fits');
    const train = await runCli('train', '--backend', 'js', '--iterations', '2', '--val-episodes', '0', '--no-progress', '--out', out, '--max-memory', '1GB');
    expect(train.err).not.toContain('error');
    expect(train.code).toBe(0);
    const evaluated = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '3', '--max-memory', '512MB');
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/mse .* \(3 episodes\)/);
  });
});

const root = process.env.METALEARN_SHARED_DATA ?? '/work/shared/data';
const hasData = existsSync(join(root, 'omniglot', 'npz', 'images_background.npz'));
const noData = hasData ? '' : ` (skipped: no Omniglot npz under ${root})`;

describe('eval --ways 700 on Omniglot', () => {
  it.skipIf(!hasData)(`exits with the estimate, the limit and what to reduce, having allocated less than the limit${noData}`, async () => {
    const out = join(dir, 'protonet');
    const data = ['--dataset', 'omniglot', '--data-root', root, '--cache-dir', join(dir, 'cache')];
    const tiny = ['--iterations', '1', '--ways', '2', '--queries', '1', '--hidden', '4', '--val-episodes', '0'];
    const train = await runCli('train', '--backend', 'js', '--algo', 'protonet', ...data, ...tiny, '--no-progress', '--out', out);
    expect(train.code).toBe(0);

    const js = backendNamed('js');
    js.resetPeakTensorBytes!();
    const before = js.peakTensorBytes!();
    const limit = 200e6;
    const run = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--ways', '700', '--queries', '15', '--max-memory', '200MB');
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toMatch(
      /^metalearn: error: evaluate: one episode of protonet on omniglot\/test\S* 700-way 1-shot 15-query needs an estimated [\d.]+ GB of tensor memory \(episode tensors [\d.]+ MB, episode pass [\d.]+ GB, parameters [\d.]+ kB\), more than the limit set by --max-memory \/ maxMemoryBytes \(200\.00 MB\)\. Reduce the ways, shots or queries per class \(--ways, --shots, --queries\), or allow more memory/,
    );
    // One sampled episode and the traced pass's label constants, not the episode's activations.
    expect(js.peakTensorBytes!() - before).toBeLessThan(limit);
  }, 120_000);
});
