import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAML } from '../../lib/algorithms/index.js';
import { setBackend } from '../../lib/backend/index.js';
import * as nn from '../../lib/nn/index.js';
import { metaTrain } from '../../lib/train/metaTrain.js';
import { Adam } from '../../lib/train/optimizers.js';
import { sinusoidTasks } from '../../lib/train/taskSource.js';

describe('resume on a real MAML sinusoid run (js core, float64)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metalearn-resume-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('3 iterations + resume for 3 more give exactly the numbers of 6 uninterrupted iterations', async () => {
    setBackend('js');
    const model = nn.mlp([1, 8, 8, 1]);
    const run = (iterations: number, extra: { resumeFrom?: string; checkpointPath?: string }) =>
      metaTrain({
        learner: new MAML(model, { innerLR: 0.01, innerSteps: 2, order: 2 }),
        tasks: sinusoidTasks({ shots: 5, queries: 5, dtype: 'float64' }),
        iterations,
        metaBatch: 3,
        optimizer: new Adam({ lr: 0.01 }),
        seed: 4,
        dtype: 'float64',
        progress: false,
        ...(extra.checkpointPath ? { checkpoint: { path: extra.checkpointPath, every: 3, model: 'mlp 1-8-8-1' } } : {}),
        ...(extra.resumeFrom ? { resumeFrom: extra.resumeFrom } : {}),
      });
    const straight = await run(6, {});
    const path = join(dir, 'c.safetensors');
    await run(3, { checkpointPath: path });
    const resumed = await run(6, { resumeFrom: path, checkpointPath: path });
    expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.slice(3).map((r) => r.loss));
    for (const name of Object.keys(straight.params)) {
      expect(Array.from(resumed.params[name].toArray())).toEqual(Array.from(straight.params[name].toArray()));
    }
    // Training moved the parameters (the comparison above is not between two untouched inits).
    expect(straight.history[5].loss).not.toBe(straight.history[0].loss);
  });
});
