/**
 * Issue 4's memory benchmark: peak resident memory of second-order MAML on the Omniglot conv4
 * net as the number of inner steps k grows. Each (implementation, k) runs in a fresh child
 * process (node --expose-gc), which reports process.resourceUsage().maxRSS before and after
 * one meta-gradient; the growth per inner step is compared with the size of one parameter copy.
 *   npx tsx bench/maml-memory.ts
 * metalearn: k = 1, 5, 10, 25, 50 (HVP recursion: expect about one parameter copy per step).
 * TensorFlow.js (cpu, nested tf.grads, the whole unrolled graph kept): k = 1, 5, 10.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { saveResults, warnIfBusy } from './harness.js';
import { imageMetaBatch } from './workloads.js';

type Impl = 'native' | 'js' | 'tfjs-cpu';

const STEPS: Record<Impl, number[]> = { native: [1, 5, 10, 25, 50], js: [], 'tfjs-cpu': [1, 5, 10] };
/** One task: 5-way 1-shot, 1 query per class as in MAML's code (the query's memory does not grow with k). */
const TASK = { ways: 5, shots: 1, queries: 1 };
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

interface ChildReport {
  impl: Impl;
  steps: number;
  params: number;
  maxRssBeforeMB: number;
  maxRssAfterMB: number;
  seconds: number;
}

function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes
}

async function childMetalearn(impl: 'native' | 'js', steps: number): Promise<ChildReport> {
  const { MAML, nn, setBackend, tensor, disposeParams } = await import('../lib/index.js');
  setBackend(impl);
  const model = nn.conv4({ inChannels: 1, hidden: 64, outputs: TASK.ways });
  const params = model.init(1);
  const [task] = imageMetaBatch(1, TASK.ways, TASK.shots, TASK.queries, 9);
  const set = (s: typeof task.support) => ({ x: tensor(s.images, [s.n, s.channels, s.size, s.size]), y: s.labels });
  const tasks = [{ support: set(task.support), query: set(task.query) }];
  const maml = new MAML(model, { innerLR: 0.4, innerSteps: steps, order: 2 });
  const count = Object.values(params).reduce((n, p) => n + p.size, 0);
  (globalThis as { gc?: () => void }).gc?.();
  const before = maxRssMB();
  const t0 = performance.now();
  disposeParams((await maml.metaGradient(params, tasks)).grads);
  return { impl, steps, params: count, maxRssBeforeMB: before, maxRssAfterMB: maxRssMB(), seconds: (performance.now() - t0) / 1000 };
}

async function childTfjs(steps: number): Promise<ChildReport> {
  const tf = await import('@tensorflow/tfjs-core');
  const { useTfjsBackend } = await import('./baselines/tfjs-setup.js');
  const { tfConv4, tfInitParams, countParams } = await import('./baselines/tfjs-models.js');
  const { crossEntropyLoss, tfImageTasks, tfMamlMetaGradient } = await import('./baselines/tfjs-maml.js');
  await useTfjsBackend('cpu');
  const model = tfConv4(1, 64, TASK.ways, 28);
  const params = tfInitParams(model, 1);
  const tasks = tfImageTasks(imageMetaBatch(1, TASK.ways, TASK.shots, TASK.queries, 9), TASK.ways);
  (globalThis as { gc?: () => void }).gc?.();
  const before = maxRssMB();
  const t0 = performance.now();
  tf.dispose(tfMamlMetaGradient(model, crossEntropyLoss, params, tasks, { innerLR: 0.4, innerSteps: steps, order: 2 }).grads);
  return { impl: 'tfjs-cpu', steps, params: countParams(model), maxRssBeforeMB: before, maxRssAfterMB: maxRssMB(), seconds: (performance.now() - t0) / 1000 };
}

function runChild(impl: Impl, steps: number): ChildReport | { impl: Impl; steps: number; error: string } {
  const self = fileURLToPath(import.meta.url);
  const out = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', impl, String(steps)], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 * 2 ** 20,
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('{'));
  if (out.status !== 0 || !line) {
    const why = out.error?.message ?? out.stderr.trim().split('\n').slice(-3).join(' | ');
    return { impl, steps, error: `child failed (status ${out.status}): ${why}` };
  }
  return JSON.parse(line) as ChildReport;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return num / den;
}

async function parent(): Promise<void> {
  warnIfBusy();
  const reports: ChildReport[] = [];
  const failures: { impl: Impl; steps: number; error: string }[] = [];
  for (const impl of Object.keys(STEPS) as Impl[]) {
    for (const steps of STEPS[impl]) {
      const r = runChild(impl, steps);
      if ('error' in r) {
        console.log(`  ${impl} k=${steps}: ${r.error}`);
        failures.push(r);
        continue;
      }
      console.log(`  ${impl} k=${steps}: peak RSS ${r.maxRssAfterMB.toFixed(1)} MB (before the meta-gradient ${r.maxRssBeforeMB.toFixed(1)} MB), ${r.seconds.toFixed(2)} s`);
      reports.push(r);
    }
  }
  const summary: Record<string, { params: number; paramCopyMB: number; growthPerStepMB: number; copiesPerStep: number }> = {};
  for (const impl of Object.keys(STEPS) as Impl[]) {
    const rows = reports.filter((r) => r.impl === impl);
    if (rows.length < 2) continue;
    const paramCopyMB = (rows[0].params * 4) / 2 ** 20; // float32
    const growth = slope(rows.map((r) => r.steps), rows.map((r) => r.maxRssAfterMB));
    summary[impl] = { params: rows[0].params, paramCopyMB, growthPerStepMB: growth, copiesPerStep: growth / paramCopyMB };
    console.log(`${impl}: ${rows[0].params} params = ${paramCopyMB.toFixed(3)} MB per float32 copy; peak RSS grows ${growth.toFixed(2)} MB per inner step = ${(growth / paramCopyMB).toFixed(1)} parameter copies`);
  }
  saveResults('maml-memory', { task: TASK, reports, failures, summary });
}

async function child(impl: Impl, steps: number): Promise<void> {
  const report = impl === 'tfjs-cpu' ? await childTfjs(steps) : await childMetalearn(impl, steps);
  console.log(JSON.stringify(report));
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1] as Impl, Number(process.argv[childAt + 2]));
else await parent();
