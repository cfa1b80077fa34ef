/**
 * The metric learners' CLI flags: documented in --help, validated with typed errors, stored in
 * the checkpoint's run config so `metalearn eval` rebuilds the same model; old checkpoints
 * without these keys still load (with the values those runs used).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '../../lib/errors.js';
import { resolveRunConfig, runConfigFromJson, runConfigToJson } from '../../lib/cli/runConfig.js';
import { loadCheckpoint, saveCheckpoint } from '../../lib/train/checkpoint.js';
import { runCli } from './helpers.js';

const METRIC_FLAGS = ['--fce', '--fce-steps', '--cosine-scale', '--siamese-loss', '--margin', '--relation-module', '--relation-hidden'];

describe('metric learner flags: help and validation', () => {
  it('train --help documents each flag and the siamese loss choices', async () => {
    const { code, out } = await runCli('train', '--help');
    expect(code).toBe(0);
    for (const flag of METRIC_FLAGS) expect(out).toMatch(new RegExp(`^\\s+${flag}\\b.*\\S`, 'm'));
    for (const choice of ['verification', 'contrastive', 'triplet', 'conv', 'mlp']) expect(out).toContain(`"${choice}"`);
  });

  it('resolves only the running algorithm\'s options, defaults filled in', () => {
    const omniglot = { dataset: 'omniglot' };
    expect(resolveRunConfig({ ...omniglot, algo: 'matching' })).toMatchObject({ fce: false, cosineScale: 1 });
    // Metric learners update once per episode by default (their papers); the MAML family keeps meta-batch 32.
    for (const algo of ['protonet', 'matching', 'relation', 'siamese']) expect(resolveRunConfig({ ...omniglot, algo }).metaBatch).toBe(1);
    expect(resolveRunConfig({ ...omniglot, algo: 'protonet', metaBatch: 4 }).metaBatch).toBe(4);
    expect(resolveRunConfig({ ...omniglot, algo: 'maml' }).metaBatch).toBe(32);
    expect(resolveRunConfig({ ...omniglot, algo: 'matching', cosineScale: 10 })).toMatchObject({ fce: false, cosineScale: 10 });
    expect(resolveRunConfig({ ...omniglot, algo: 'matching', fce: true })).toMatchObject({ fce: true, fceSteps: 2 });
    expect(resolveRunConfig({ ...omniglot, algo: 'siamese' })).toMatchObject({ siameseLoss: 'verification' });
    expect(resolveRunConfig({ ...omniglot, algo: 'siamese', siameseLoss: 'triplet' })).toMatchObject({ siameseLoss: 'triplet', margin: 1 });
    expect(resolveRunConfig({ ...omniglot, algo: 'relation' })).toMatchObject({ relationModule: 'conv', relationHidden: 8 });
    expect(resolveRunConfig({ ...omniglot, algo: 'relation', relationModule: 'mlp' })).toMatchObject({ relationModule: 'mlp', relationHidden: 64 });
    expect(resolveRunConfig({ dataset: 'sinusoid', algo: 'relation' })).toMatchObject({ relationModule: 'mlp', relationHidden: 64 });
    const proto = resolveRunConfig({ ...omniglot, algo: 'protonet' });
    for (const key of ['fce', 'fceSteps', 'cosineScale', 'siameseLoss', 'margin', 'relationModule', 'relationHidden']) expect(proto).not.toHaveProperty(key);
    expect(resolveRunConfig({ ...omniglot, algo: 'matching' })).not.toHaveProperty('fceSteps');
    expect(resolveRunConfig({ ...omniglot, algo: 'siamese' })).not.toHaveProperty('margin');
  });

  it('a flag of another algorithm, or out of range, is a ValueError naming the flag', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ algo: 'protonet', fce: true }, /--fce applies to --algo matching only, not 'protonet'/],
      [{ algo: 'matching', fceSteps: 3 }, /--fce-steps needs --fce/],
      [{ algo: 'matching', fce: true, fceSteps: 0 }, /--fce-steps must be an integer >= 1, got 0/],
      [{ algo: 'protonet', cosineScale: 10 }, /--cosine-scale applies to --algo matching only, not 'protonet'/],
      [{ algo: 'matching', cosineScale: -2 }, /--cosine-scale must be a finite number > 0, got -2/],
      [{ algo: 'maml', relationHidden: 8 }, /--relation-hidden applies to --algo relation only, not 'maml'/],
      [{ algo: 'relation', relationHidden: 0 }, /--relation-hidden must be an integer >= 1, got 0/],
      [{ algo: 'protonet', relationModule: 'conv' }, /--relation-module applies to --algo relation only, not 'protonet'/],
      [{ algo: 'relation', relationModule: 'cnn' }, /--relation-module must be one of mlp, conv, got 'cnn'/],
      [{ algo: 'relation', relationModule: 'conv', dataset: 'sinusoid' }, /--relation-module conv needs image data \(omniglot\)/],
      [{ algo: 'relation', margin: 2 }, /--margin applies to --algo siamese only, not 'relation'/],
      [{ algo: 'siamese', margin: 2 }, /--margin applies to --siamese-loss contrastive or triplet, not 'verification'/],
      [{ algo: 'siamese', siameseLoss: 'contrastive', margin: -1 }, /--margin must be a finite number > 0, got -1/],
      [{ algo: 'siamese', siameseLoss: 'hinge' }, /--siamese-loss must be one of verification, contrastive, triplet, got 'hinge'/],
    ];
    for (const [choices, message] of bad) {
      const resolve = () => resolveRunConfig({ dataset: 'omniglot', ...choices } as Parameters<typeof resolveRunConfig>[0]);
      expect(resolve).toThrow(ValueError);
      expect(resolve).toThrow(message);
    }
  });

  it('the CLI reports bad values as one line, before any data is read', async () => {
    const misplaced = await runCli('train', '--algo', 'protonet', '--dataset', 'omniglot', '--fce', '--data-root', '/nonexistent');
    expect(misplaced.code).toBe(1);
    expect(misplaced.err).toBe("metalearn: error: --fce applies to --algo matching only, not 'protonet'\n");
    const margin = await runCli('train', '--algo', 'siamese', '--siamese-loss', 'triplet', '--margin', '0', '--dataset', 'omniglot', '--data-root', '/nonexistent');
    expect(margin.err).toBe('metalearn: error: --margin must be a finite number > 0, got 0\n');
    const loss = await runCli('train', '--algo', 'siamese', '--siamese-loss', 'cosine');
    expect(loss.code).not.toBe(0);
    expect(loss.err).toMatch(/argument 'cosine' is invalid.*verification, contrastive, triplet/s);
    const width = await runCli('train', '--algo', 'relation', '--relation-hidden', 'wide');
    expect(width.err).toContain('expected an integer');
    const module = await runCli('train', '--algo', 'relation', '--relation-module', 'transformer');
    expect(module.code).not.toBe(0);
    expect(module.err).toMatch(/argument 'transformer' is invalid.*mlp, conv/s);
  });

  it('a checkpoint config written before these flags existed loads with the values those runs used', () => {
    const legacy = (algo: string) => {
      const config = runConfigToJson(resolveRunConfig({ algo: 'protonet', dataset: 'omniglot' }));
      return runConfigFromJson({ ...config, algo }, 'legacy checkpoint');
    };
    expect(legacy('matching')).toMatchObject({ fce: false });
    expect(legacy('siamese')).toMatchObject({ siameseLoss: 'verification' });
    // Relation runs before --relation-module trained the MLP module; new Omniglot runs default to conv.
    expect(legacy('relation')).toMatchObject({ relationModule: 'mlp', relationHidden: 64 });
    expect(resolveRunConfig({ algo: 'relation', dataset: 'omniglot' }).relationModule).toBe('conv');
  });
});

const root = process.env.METALEARN_SHARED_DATA ?? '/work/shared/data';
const hasData = existsSync(join(root, 'omniglot', 'npz', 'images_background.npz'));
const noData = hasData ? '' : ` (skipped: no Omniglot npz under ${root})`;

// Tiny Omniglot runs on the pure-TypeScript core (2-way 1-shot, 4 filters, 2 iterations): the
// flags reach the learner (its parameters show it), the checkpoint stores them, eval rebuilds it.
describe('metric learner flags: train -> checkpoint -> eval on Omniglot', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-cli-metric-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function train(name: string, ...flags: string[]): Promise<string> {
    const out = join(dir, name);
    const tiny = ['--iterations', '2', '--meta-batch', '1', '--ways', '2', '--queries', '1', '--hidden', '4', '--val-episodes', '0'];
    const data = ['--dataset', 'omniglot', '--data-root', root, '--cache-dir', join(dir, 'cache')];
    const run = await runCli('train', '--backend', 'js', ...data, ...tiny, '--no-progress', '--out', out, ...flags);
    expect(run.err).not.toContain('error');
    expect(run.code).toBe(0);
    return join(out, 'checkpoint.safetensors');
  }

  async function evaluate(checkpoint: string): Promise<{ code: number; out: string; err: string }> {
    return runCli('eval', '--backend', 'js', '--checkpoint', checkpoint, '--episodes', '2', '--json');
  }

  it.skipIf(!hasData)(`--fce, --siamese-loss/--margin, --relation-module and --relation-hidden are stored and rebuilt by eval${noData}`, async () => {
    const cases: [string[], Record<string, unknown>, (shapes: Record<string, readonly number[]>) => void][] = [
      [['--algo', 'matching', '--fce', '--fce-steps', '3'], { fce: true, fceSteps: 3 }, (s) => expect(s['fce.query.weightIh']).toEqual([16, 8])],
      [['--algo', 'matching', '--cosine-scale', '10'], { fce: false, cosineScale: 10 }, (s) => expect(s['fce.query.weightIh']).toBeUndefined()],
      [['--algo', 'siamese', '--siamese-loss', 'triplet', '--margin', '0.5'], { siameseLoss: 'triplet', margin: 0.5 }, (s) => expect(s['siamese.weight']).toBeUndefined()],
      [['--algo', 'siamese'], { siameseLoss: 'verification' }, (s) => expect(s['siamese.weight']).toEqual([4, 1])],
      [['--algo', 'relation', '--relation-module', 'mlp', '--relation-hidden', '6'], { relationModule: 'mlp', relationHidden: 6 }, (s) => expect(s['relation.layer0.weight']).toEqual([6, 8])],
      // conv: 4-filter maps 4x7x7; the module's blocks take 8 channels, 7 -> 3 -> 1, then FC 5 and FC 1.
      [['--algo', 'relation', '--relation-hidden', '5'], { relationModule: 'conv', relationHidden: 5 }, (s) => {
        expect(s['relation.block0.conv.weight']).toEqual([4, 8, 3, 3]);
        expect(s['relation.fc1.weight']).toEqual([5, 4]);
        expect(s['relation.fc2.weight']).toEqual([1, 5]);
      }],
    ];
    for (const [flags, stored, checkParams] of cases) {
      const path = await train(flags.join(' ').replace(/\W+/g, '-'), ...flags);
      const checkpoint = loadCheckpoint(path);
      expect(checkpoint.config).toMatchObject(stored);
      checkParams(Object.fromEntries(Object.entries(checkpoint.params).map(([k, v]) => [k, v.shape])));
      const evaluated = await evaluate(path);
      expect(evaluated.err).toBe('');
      expect(evaluated.code).toBe(0);
      expect(JSON.parse(evaluated.out).config).toMatchObject(stored);
    }
  }, 120_000);

  it.skipIf(!hasData)(`a metric learner's eval: no inner steps in the report, --inner-steps refused${noData}`, async () => {
    const path = await train('protonet-steps', '--algo', 'protonet');
    const plain = await runCli('eval', '--backend', 'js', '--checkpoint', path, '--episodes', '2');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^protonet on .*, test split, checkpoint iteration 2:/m);
    expect(plain.out).not.toContain('inner steps');
    const refused = await runCli('eval', '--backend', 'js', '--checkpoint', path, '--episodes', '2', '--inner-steps', '3');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--inner-steps applies to the MAML family; 'protonet' adapts without inner steps/);
  }, 60_000);

  it.skipIf(!hasData)(`eval loads a relation checkpoint whose config predates the flags as the MLP model it was${noData}`, async () => {
    const path = await train('legacy-relation', '--algo', 'relation', '--relation-module', 'mlp');
    const checkpoint = loadCheckpoint(path);
    const { relationHidden, relationModule, ...legacyConfig } = checkpoint.config;
    expect([relationModule, relationHidden]).toEqual(['mlp', 64]);
    const legacyPath = join(dir, 'legacy.safetensors');
    saveCheckpoint(legacyPath, { ...checkpoint, config: legacyConfig });
    expect(JSON.stringify(loadCheckpoint(legacyPath).config)).not.toContain('relationHidden');
    const evaluated = await evaluate(legacyPath);
    expect(evaluated.err).toBe('');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.out).config).toMatchObject({ algo: 'relation', relationModule: 'mlp', relationHidden: 64 });
    expect(readFileSync(join(dir, 'legacy-relation', 'config.json'), 'utf8')).toContain('"relationHidden": 64');
  }, 60_000);
});
