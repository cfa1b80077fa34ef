/**
 * Who frees what (lib/core/ownership.ts): a learner call frees every tensor it made for itself
 * (scalar inner rates, CAVIA's zero context, class ids as floats) and nothing it borrowed
 * (the caller's params, MetaSGD's learned rates, the tasks). After one round that records the
 * programs, a second round of metaGradient, evaluateTasks, evaluateTask and adaptParams leaves
 * backend.liveTensors() where it was, for every inner-loop learner, on both engines.
 */
import { expect, it } from 'vitest';
import { describeEachBackend } from '../helpers/backends.js';
import { currentBackend } from '../../lib/backend/index.js';
import { ANIL, CAVIA, IMAML, MAML, MAMLpp, MetaSGD, Reptile } from '../../lib/algorithms/index.js';
import type { MetaLearner, Params, Task } from '../../lib/algorithms/types.js';
import { classificationTask, tanhMlp } from './reference.js';

const WAYS = 3;

describeEachBackend('inner-loop learners free their temporaries', () => {
  it('metaGradient, evaluateTasks, evaluateTask and adaptParams leave no live tensors behind', async () => {
    const model = tanhMlp([2, 4, WAYS]);
    const tasks: Task[] = [classificationTask(1, 6, 2, WAYS), classificationTask(2, 6, 2, WAYS)];
    for (const engine of ['auto', 'typescript'] as const) {
      const options = { innerSteps: 2, innerLR: 0.1, engine };
      const learners: (MetaLearner & { adaptParams(p: Params, s: Task['support']): Promise<Params> })[] = [
        new MAML(model, options),
        new MetaSGD(model, options),
        new ANIL(model, options),
        new CAVIA(tanhMlp([4, 4, WAYS]), { ...options, contextSize: 2 }), // the context joins the 2 inputs
        new MAMLpp(model, options),
        new Reptile(model, options),
        new IMAML(model, { ...options, cgSteps: 2 }),
      ];
      for (const learner of learners) {
        const params = learner.init(3, 'float64');
        const round = async () => {
          const { grads, buffers } = await learner.metaGradient(params, tasks);
          for (const t of [...Object.values(grads), ...Object.values(buffers ?? {})]) t.dispose();
          await learner.evaluateTasks?.(params, tasks);
          await learner.evaluateTask(params, tasks[0]);
          const adapted = await learner.adaptParams(params, tasks[0].support);
          for (const t of Object.values(adapted)) t.dispose();
        };
        await round(); // records the programs
        const before = currentBackend().liveTensors();
        await round();
        expect(currentBackend().liveTensors() - before, `${learner.name} (${engine})`).toBe(0);
        for (const t of Object.values(params)) t.dispose();
      }
    }
  });
});
