/**
 * The CLI guards the user's work (issue 13, item 4): metric learners refuse a regression dataset,
 * a missing or empty --data-root is an error that creates nothing, --resume lists the flags that
 * conflict with the checkpoint (--override lets the overridable ones win), and an --out that
 * holds a run is refused unless --resume or --force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../lib/train/checkpoint.js';
import { resolveRunConfig, runConfigToJson } from '../../lib/cli/runConfig.js';
import { runCli } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'metalearn-guards-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny sinusoid run on the pure-TypeScript core. */
const tiny = (out: string, ...extra: string[]) =>
  runCli('train', '--backend', 'js', '--hidden', '8', '--meta-batch', '2', '--iterations', '2', '--val-episodes', '2', '--out', out, '--no-progress', ...extra);

describe('metric learners on a dataset they cannot use', () => {
  for (const algo of ['protonet', 'matching', 'relation', 'siamese']) {
    it(`${algo} on the default dataset (sinusoid) is a ValueError naming the datasets that fit; nothing is created`, async () => {
      const out = join(dir, `metric-${algo}`);
      const { code, err } = await runCli('train', '--algo', algo, '--backend', 'js', '--out', out, '--no-progress');
      expect(code).toBe(1);
      expect(err).toMatch(new RegExp(`^metalearn: error: --algo ${algo} is a metric learner: .* --dataset sinusoid \\(the default\\) is regression\\. Datasets that fit ${algo}: omniglot \\(add --dataset omniglot\\)\\n$`));
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('--data-root', () => {
  it('a path that does not exist: an error naming it and what it expected; no folder created, no download', async () => {
    const root = join(dir, 'no-such-root');
    const out = join(dir, 'out-missing-root');
    const { code, err } = await runCli('train', '--algo', 'protonet', '--dataset', 'omniglot', '--data-root', root, '--out', out, '--backend', 'js');
    expect(code).toBe(1);
    expect(err).toContain(`--data-root '${root}' does not exist (expected a folder holding omniglot/)`);
    expect(err).toContain(`metalearn download omniglot --data-root ${root}`);
    expect(err).toContain('--download');
    expect(existsSync(root)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('a folder without Omniglot: an error listing the files it looks for; the folder stays empty', async () => {
    const root = join(dir, 'empty-root');
    mkdirSync(root);
    const { code, err } = await runCli('train', '--algo', 'maml', '--dataset', 'omniglot', '--data-root', root, '--out', join(dir, 'out-empty-root'), '--backend', 'js');
    expect(code).toBe(1);
    expect(err).toContain(`--data-root '${root}' holds no usable Omniglot: missing`);
    for (const file of ['omniglot/npz/images_background.npz', 'omniglot/npz/images_evaluation.npz', 'omniglot/splits/vinyals/train.txt', 'omniglot/splits/vinyals/val.txt', 'omniglot/splits/vinyals/test.txt']) {
      expect(err).toContain(file);
    }
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(join(dir, 'out-empty-root'))).toBe(false);
  });

  it('eval of an omniglot checkpoint with a --data-root that does not exist is the same error; nothing created', async () => {
    const root = join(dir, 'no-such-root-eval');
    const out = join(dir, 'run-for-eval');
    expect((await tiny(out)).code).toBe(0);
    // A sinusoid run has no data root to check: nothing changes for it.
    const ok = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '2', '--data-root', root, '--no-histogram');
    expect(ok.code).toBe(0);
    // The same checkpoint file relabelled as an omniglot run: the data check comes before the weights are read.
    const omniglotRun = join(dir, 'omniglot.safetensors');
    const stored = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    saveCheckpoint(omniglotRun, { ...stored, learner: 'protonet', config: runConfigToJson(resolveRunConfig({ algo: 'protonet', dataset: 'omniglot', hidden: 8 })) });
    const { code, err } = await runCli('eval', '--backend', 'js', '--checkpoint', omniglotRun, '--episodes', '2', '--data-root', root);
    expect(code).toBe(1);
    expect(err).toContain(`--data-root '${root}' does not exist (expected a folder holding omniglot/)`);
    expect(existsSync(root)).toBe(false);
  });

  it('--download with a generated dataset is an error', async () => {
    const { code, err } = await tiny(join(dir, 'out-download-sinusoid'), '--download');
    expect(code).toBe(1);
    expect(err).toMatch(/--download applies to --dataset omniglot; sinusoid tasks are generated/);
  });
});

describe('--resume with conflicting flags', () => {
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'resume');
    const first = await tiny(out);
    expect(first.code).toBe(0);
  });

  it('lists every conflict (flag, checkpoint value, given value) and trains nothing', async () => {
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const { code, err } = await runCli('train', '--backend', 'js', '--resume', '--out', out, '--algo', 'fomaml', '--hidden', '16', '--meta-lr', '0.01', '--iterations', '4', '--no-progress');
    expect(code).toBe(1);
    expect(err).toContain('3 flags conflict with the checkpoint:');
    expect(err).toContain('  --algo: checkpoint "maml", given "fomaml"');
    expect(err).toContain('  --hidden: checkpoint 8, given 16');
    expect(err).toContain('  --meta-lr: checkpoint 0.001, given 0.01');
    expect(err).toContain('--override');
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
    expect(loadCheckpoint(join(out, 'checkpoint.safetensors')).iteration).toBe(2);
  });

  it('a flag equal to the checkpoint\'s value, and --iterations, are not conflicts', async () => {
    const { code, err } = await runCli('train', '--backend', 'js', '--resume', '--out', out, '--algo', 'maml', '--hidden', '8', '--iterations', '3', '--val-episodes', '2', '--no-progress');
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    expect(loadCheckpoint(join(out, 'checkpoint.safetensors')).iteration).toBe(3);
  });

  it('--override: the given values win where allowed; a weight-shaping flag still refuses', async () => {
    const refused = await runCli('train', '--backend', 'js', '--resume', '--override', '--out', out, '--hidden', '16', '--meta-lr', '0.01', '--iterations', '4', '--no-progress');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('1 flag conflicts with the checkpoint:\n  --hidden: checkpoint 8, given 16\n');
    expect(refused.err).toContain('cannot be overridden');
    const { code, err } = await runCli('train', '--backend', 'js', '--resume', '--override', '--out', out, '--meta-lr', '0.01', '--inner-lr', '0.02', '--iterations', '4', '--val-episodes', '2', '--no-progress');
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    const checkpoint = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(checkpoint.iteration).toBe(4);
    expect(checkpoint.config).toMatchObject({ metaLR: 0.01, innerLR: 0.02, hidden: 8, algo: 'maml' });
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ metaLR: 0.01, innerLR: 0.02 });
  });

  it('--override without --resume is an error', async () => {
    const { code, err } = await tiny(join(dir, 'override-alone'), '--override');
    expect(code).toBe(1);
    expect(err).toContain('--override applies with --resume only');
  });
});

describe('an --out that already holds a run', () => {
  it('is refused without --resume or --force, and left untouched', async () => {
    const out = join(dir, 'reuse');
    expect((await tiny(out)).code).toBe(0);
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const checkpoint = readFileSync(join(out, 'checkpoint.safetensors'));
    const { code, err } = await tiny(out, '--seed', '3');
    expect(code).toBe(1);
    expect(err).toContain(`--out '${out}' already holds a run (metrics.jsonl, checkpoint.safetensors); add --resume to continue it, --force to start afresh`);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(metrics);
    expect(readFileSync(join(out, 'checkpoint.safetensors')).equals(checkpoint)).toBe(true);
  });

  it('a results.json alone counts as a run', async () => {
    const out = join(dir, 'results-only');
    mkdirSync(out);
    writeFileSync(join(out, 'results.json'), '{}');
    const { code, err } = await tiny(out);
    expect(code).toBe(1);
    expect(err).toContain('already holds a run (results.json)');
  });

  it('--force starts afresh: removes the old run files and their temporaries, nothing else', async () => {
    const out = join(dir, 'force');
    expect((await tiny(out, '--iterations', '3')).code).toBe(0);
    writeFileSync(join(out, 'results.json'), '{"old":true}');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, '.metrics.jsonl.999999.abcdef01.tmp'), 'half');
    const { code, err } = await tiny(out, '--force');
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    const iterations = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === 'train').map((r) => r.iteration);
    expect(iterations).toEqual([1, 2]);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    expect(existsSync(join(out, '.metrics.jsonl.999999.abcdef01.tmp'))).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(loadCheckpoint(join(out, 'checkpoint.safetensors')).iteration).toBe(2);
  });

  it('--force with --resume is an error', async () => {
    const { code, err } = await tiny(join(dir, 'force'), '--force', '--resume');
    expect(code).toBe(1);
    expect(err).toContain('give only one of them');
  });
});
