import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../lib/train/checkpoint.js';
import { runCli } from './helpers.js';

/** The flags the issue and the task name for `metalearn train`. */
const TRAIN_FLAGS = [
  '--algo', '--dataset', '--ways', '--shots', '--queries', '--meta-batch', '--inner-lr', '--inner-steps', '--test-inner-steps',
  '--order', '--meta-lr', '--optimizer', '--iterations', '--seed', '--data-root', '--out', '--resume', '--backend', '--dtype',
];
const ALGORITHMS = ['maml', 'fomaml', 'reptile', 'metasgd', 'anil', 'mamlpp', 'imaml', 'cavia'];

describe('metalearn --help', () => {
  it('lists the commands', async () => {
    const { code, out } = await runCli('--help');
    expect(code).toBe(0);
    for (const command of ['train', 'eval', 'demo']) expect(out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('train --help documents every flag, each with a description, and every algorithm', async () => {
    const { code, out } = await runCli('train', '--help');
    expect(code).toBe(0);
    for (const flag of TRAIN_FLAGS) expect(out).toContain(flag);
    // Every option line carries a description after the flag column.
    const optionLines = out.split('\n').filter((l) => /^\s+--/.test(l) || /^\s+-\w, --/.test(l));
    for (const line of optionLines) expect(line.trim()).toMatch(/^\S.*\s{2,}\S/);
    for (const algo of ALGORITHMS) expect(out).toContain(`"${algo}"`);
  });

  it('eval and demo --help document their flags', async () => {
    const evalHelp = (await runCli('eval', '--help')).out;
    for (const flag of ['--checkpoint', '--episodes', '--inner-steps', '--split', '--seed', '--data-root', '--backend']) expect(evalHelp).toContain(flag);
    const demoHelp = (await runCli('demo', '--help')).out;
    for (const flag of ['--iterations', '--meta-batch', '--test-tasks', '--out', '--seed', '--backend']) expect(demoHelp).toContain(flag);
  });
});

describe('metalearn errors', () => {
  it('an unknown flag exits non-zero with a message and no stack trace', async () => {
    const { code, err } = await runCli('train', '--bogus-flag', '3');
    expect(code).not.toBe(0);
    expect(err).toContain("unknown option '--bogus-flag'");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('an unknown algorithm lists the known ones', async () => {
    const { code, err } = await runCli('train', '--algo', 'nope');
    expect(code).not.toBe(0);
    expect(err).toMatch(/argument 'nope' is invalid.*maml/s);
  });

  it('an unknown command and a bad number are errors', async () => {
    expect((await runCli('fly')).code).not.toBe(0);
    const { code, err } = await runCli('train', '--ways', 'five');
    expect(code).not.toBe(0);
    expect(err).toContain('expected an integer');
  });

  it('an unwritable output directory is a one-line error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metalearn-cli-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const { code, err } = await runCli('train', '--out', join(file, 'run'), '--iterations', '1', '--no-progress');
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(err).toMatch(/^metalearn: error: output directory '.*a-file\/run' is not writable/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

// These runs use the pure-TypeScript core explicitly: deterministic everywhere, and independent
// of whether the native binary is built.
describe('metalearn train / eval / demo on sinusoid (tiny runs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('train writes checkpoint, metrics and config; resume continues; eval reports mean +/- CI', async () => {
    const out = join(dir, 'run');
    const common = ['--backend', 'js', '--dataset', 'sinusoid', '--meta-batch', '2', '--hidden', '8', '--out', out, '--no-progress', '--val-episodes', '3'];
    const first = await runCli('train', ...common, '--iterations', '4', '--checkpoint-every', '2', '--val-every', '2');
    expect(first.err).not.toContain('error');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/trained 4 iterations/);
    expect(first.out).toMatch(/validation \(10 inner steps\): mse /);
    const checkpoint = loadCheckpoint(join(out, 'checkpoint.safetensors'));
    expect(checkpoint).toMatchObject({ iteration: 4, learner: 'maml', model: 'mlp 1-8-8-1' });
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ algo: 'maml', hidden: 8, innerLR: 0.01 });

    const resumed = await runCli('train', '--backend', 'js', '--resume', '--out', out, '--iterations', '6', '--no-progress', '--val-episodes', '0');
    expect(resumed.code).toBe(0);
    expect(loadCheckpoint(join(out, 'checkpoint.safetensors')).iteration).toBe(6);
    const iterations = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === 'train').map((r) => r.iteration);
    expect(iterations).toEqual([1, 2, 3, 4, 5, 6]);

    const evaluated = await runCli('eval', '--backend', 'js', '--checkpoint', join(out, 'checkpoint.safetensors'), '--episodes', '5', '--inner-steps', '2');
    expect(evaluated.err).toBe('');
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/maml on sinusoid 10-shot, test split, 2 inner steps, checkpoint iteration 6:\n\s+mse \S+ \+\/- \S+ \(5 episodes\)/);
  });

  it('eval refuses a checkpoint whose weights do not fit its model, naming the mismatch', async () => {
    const good = loadCheckpoint(join(dir, 'run', 'checkpoint.safetensors'));
    const foreign = join(dir, 'foreign.safetensors');
    saveCheckpoint(foreign, { ...good, config: { ...good.config, hidden: 16 } });
    const { code, err } = await runCli('eval', '--checkpoint', foreign, '--episodes', '2');
    expect(code).toBe(1);
    expect(err).toMatch(/^metalearn: error: checkpoint '.*foreign\.safetensors' does not fit this model .*'layer0\.weight' has shape \[8, 1\], the model needs \[16, 1\]/);
    const truncated = join(dir, 'truncated.safetensors');
    writeFileSync(truncated, readFileSync(join(dir, 'run', 'checkpoint.safetensors')).subarray(0, 100));
    const t = await runCli('eval', '--checkpoint', truncated);
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/truncated/);
  });

  it('demo --iterations 20 writes a valid SVG figure and the MSE table', async () => {
    const svgPath = join(dir, 'demo.svg');
    const { code, out, err } = await runCli('demo', '--backend', 'js', '--iterations', '20', '--meta-batch', '5', '--test-tasks', '4', '--out', svgPath, '--no-progress');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^MAML\s+\d/m);
    expect(out).toMatch(/^pretrained\s+\d/m);
    expect(out).toMatch(/^from scratch\s+\d/m);
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    // Three panels, each: truth + 3 predictions; 10 support triangles each.
    expect(svg.match(/<polyline /g)).toHaveLength(12);
    expect((svg.match(/<g[ >]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
    for (const label of ['ground truth', 'pre-update', '1 grad step', '10 grad steps', '10 points used for grad']) expect(svg).toContain(label);
  });

  it('demo refuses an unwritable figure path', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, '');
    chmodSync(blocker, 0o444);
    const { code, err } = await runCli('demo', '--iterations', '1', '--meta-batch', '1', '--test-tasks', '1', '--no-baselines', '--out', join(blocker, 'x.svg'), '--no-progress');
    expect(code).toBe(1);
    expect(err).toMatch(/cannot write the figure/);
    expect(existsSync(join(blocker, 'x.svg'))).toBe(false);
  });
});
