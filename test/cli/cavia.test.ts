/** `metalearn train --algo cavia`: the model gets its context inputs (sinusoid) or FiLM layer (omniglot). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCheckpoint } from '../../lib/train/checkpoint.js';
import { runCli } from './helpers.js';

const DATA = resolve(process.env.METALEARN_SHARED_DATA ?? '../shared/data');
const hasOmniglot = existsSync(join(DATA, 'omniglot', 'npz', 'images_background.npz'));

describe('metalearn train --algo cavia', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-cavia-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sinusoid: the MLP takes 1 + context inputs, defaults context 4 and inner lr 1; eval rebuilds it', async () => {
    const out = join(dir, 'sinusoid');
    const run = await runCli('train', '--backend', 'js', '--algo', 'cavia', '--dataset', 'sinusoid', '--meta-batch', '2', '--hidden', '8',
      '--iterations', '3', '--val-episodes', '0', '--out', out, '--no-progress');
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    const checkpoint = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(checkpoint).toMatchObject({ learner: 'cavia', model: 'mlp 5-8-8-1' });
    expect(checkpoint.params['layer0.weight'].shape).toEqual([8, 5]);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ contextSize: 4, innerLR: 1 });
    const evaluated = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '3');
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/cavia on sinusoid/);
  });

  it('--context-size belongs to cavia only, and must be a positive integer', async () => {
    const other = await runCli('train', '--algo', 'maml', '--context-size', '3', '--iterations', '1', '--out', join(dir, 'x'));
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/--context-size applies to --algo cavia only/);
    const zero = await runCli('train', '--algo', 'cavia', '--context-size', '0', '--iterations', '1', '--out', join(dir, 'y'));
    expect(zero.code).toBe(1);
    expect(zero.err).toMatch(/--context-size must be a positive integer/);
  });

  it.skipIf(!hasOmniglot)(`omniglot: conv4 with a FiLM layer fed by the context${hasOmniglot ? '' : ' (skipped: no Omniglot under ' + DATA + ')'}`, async () => {
    const out = join(dir, 'omniglot');
    const run = await runCli('train', '--algo', 'cavia', '--dataset', 'omniglot', '--data-root', DATA, '--meta-batch', '1', '--hidden', '4',
      '--context-size', '5', '--queries', '2', '--iterations', '2', '--val-episodes', '0', '--test-episodes', '2', '--out', out, '--no-progress');
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.err + run.out).toMatch(/FiLM\(context 5\)/);
    const checkpoint = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(checkpoint.params['film.weight'].shape).toEqual([8, 5]);
  });
});
