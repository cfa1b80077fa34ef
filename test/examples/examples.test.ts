/**
 * Runs each example as a user would (`npx tsx examples/X.ts`, importing 'metalearn' through
 * the package's own "exports", i.e. dist/), in a child process, and checks what it prints:
 * the regression examples must report a lower MSE after adaptation than before. The Omniglot
 * example runs only where the shared data is (and always checks its missing-data message).
 * Type-checking the examples is `npm run typecheck` (tsconfig.json includes examples/).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const sharedData = resolve(process.env.METALEARN_SHARED_DATA ?? join(root, '..', 'shared', 'data'));
const hasOmniglot = existsSync(join(sharedData, 'omniglot', 'npz', 'images_background.npz'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function runExample(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(tsx, [join('examples', name), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The number printed after `label` on its line, e.g. 'MSE before adaptation: 3.25 +/- ...' -> 3.25. */
function printed(stdout: string, label: string): number {
  const line = stdout.split('\n').find((l) => l.startsWith(label));
  expect(line, `no line starting '${label}' in:\n${stdout}`).toBeDefined();
  const value = Number(/-?\d+(\.\d+)?(e-?\d+)?/.exec(line!.slice(label.length))?.[0]);
  expect(Number.isFinite(value), `no number after '${label}' in '${line}'`).toBe(true);
  return value;
}

function expectAdaptationHelps(outcome: Outcome, afterLabel: string): void {
  expect(outcome.code, outcome.stderr).toBe(0);
  const before = printed(outcome.stdout, 'MSE before adaptation:');
  const after = printed(outcome.stdout, afterLabel);
  expect(after).toBeGreaterThan(0);
  expect(after).toBeLessThan(before);
}

describe('examples/', () => {
  it('sinusoid-maml.ts: MSE after 10 adaptation steps is below the MSE before', async () => {
    expectAdaptationHelps(await runExample('sinusoid-maml.ts'), 'MSE after 10 steps:');
  });

  it('custom-model-and-sampler.ts: the custom model adapts to the custom tasks', async () => {
    expectAdaptationHelps(await runExample('custom-model-and-sampler.ts'), 'MSE after 5 steps:');
  });

  it('adapt-and-predict.ts: a checkpoint loads, adapts and predicts', async () => {
    const outcome = await runExample('adapt-and-predict.ts');
    expect(outcome.stdout).toContain('maml: predicted 50x1 values');
    expectAdaptationHelps(outcome, 'MSE after adaptation:');
  });

  it('omniglot-protonet.ts: without data, exits 1 naming the root and how to fetch it', async () => {
    const outcome = await runExample('omniglot-protonet.ts', ['--data-root', join(root, 'no-such-data-root')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(join(root, 'no-such-data-root'));
    expect(outcome.stderr).toContain('metalearn download omniglot');
    expect(existsSync(join(root, 'no-such-data-root'))).toBe(false);
  });

  it.skipIf(!hasOmniglot)('omniglot-protonet.ts: trains briefly and tests well above chance (20%)', async () => {
    const outcome = await runExample('omniglot-protonet.ts', ['--iterations', '10', '--data-root', sharedData]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(printed(outcome.stdout, 'test 5-way 5-shot accuracy: accuracy')).toBeGreaterThan(40);
  });
});
