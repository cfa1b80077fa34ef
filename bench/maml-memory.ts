/**
 * Issue 4's memory benchmark: peak resident memory of second-order MAML on the Omniglot conv4
 * net as the number of inner steps k grows. Each (implementation, k) runs in a fresh child
 * process (node --expose-gc), which reports process.resourceUsage().maxRSS before and after
 * one meta-gradient; the growth per inner step is compared with the size of one parameter copy.
 * The native core also reports its peak live tensor bytes (as tensors need them and as its
 * allocator sized the blocks): an exact count beside the noisier RSS.
 *   npx tsx bench/maml-memory.ts [--only native|tfjs-cpu] [--repeats N]
 * metalearn: k = 1, 5, 10, 25, 50 (HVP recursion: expect about one parameter copy per step).
 * TensorFlow.js (cpu, nested tf.grads, the whole unrolled graph kept): k = 1, 5, 10; minutes.
 * With --only, the other implementations' rows are carried over from the previous record
 * (bench/results/maml-memory.json) and marked with the date they were measured.
 * Each (implementation, k) runs --repeats times (default 3; tfjs once) and reports the median.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  /** Native only: peak live tensor bytes during the meta-gradient over those live before it. */
  peakTensorMB?: number;
  /** The same with the allocator's rounding of each block. */
  peakTensorHeldMB?: number;
  /** Set on rows carried over from an earlier run: when that run was. */
  measured?: string;
}

interface Summary {
  params: number;
  paramCopyMB: number;
  growthPerStepMB: number;
  copiesPerStep: number;
  tensorCopiesPerStep?: number;
  tensorHeldCopiesPerStep?: number;
  measured?: string;
}

const RECORD = join(dirname(fileURLToPath(import.meta.url)), 'results', 'maml-memory.json');

function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes
}

async function childMetalearn(impl: 'native' | 'js', steps: number): Promise<ChildReport> {
  const { MAML, nn, setBackend, tensor, disposeParams } = await import('../lib/index.js');
  const { currentBackend } = await import('../lib/backend/index.js');
  setBackend(impl);
  const model = nn.conv4({ inChannels: 1, hidden: 64, outputs: TASK.ways });
  const params = model.init(1);
  const [task] = imageMetaBatch(1, TASK.ways, TASK.shots, TASK.queries, 9);
  const set = (s: typeof task.support) => ({ x: tensor(s.images, [s.n, s.channels, s.size, s.size]), y: s.labels });
  const tasks = [{ support: set(task.support), query: set(task.query) }];
  const maml = new MAML(model, { innerLR: 0.4, innerSteps: steps, order: 2 });
  const count = Object.values(params).reduce((n, p) => n + p.size, 0);
  const core = currentBackend();
  (globalThis as { gc?: () => void }).gc?.();
  core.resetPeakTensorBytes?.();
  const bytesBefore = tensorBytes(core);
  const before = maxRssMB();
  const t0 = performance.now();
  disposeParams((await maml.metaGradient(params, tasks)).grads);
  const seconds = (performance.now() - t0) / 1000;
  const report: ChildReport = { impl, steps, params: count, maxRssBeforeMB: before, maxRssAfterMB: maxRssMB(), seconds };
  const bytesAfter = tensorBytes(core);
  if (bytesBefore && bytesAfter) {
    report.peakTensorMB = (bytesAfter.peak - bytesBefore.live) / 2 ** 20;
    report.peakTensorHeldMB = (bytesAfter.peakHeld - bytesBefore.liveHeld) / 2 ** 20;
  }
  return report;
}

type TensorBytes = { live: number; peak: number; liveHeld: number; peakHeld: number };

/** The native core's byte counts (lib/backend/native.ts tensorBytes), when the core has them. */
function tensorBytes(core: object): TensorBytes | undefined {
  const counter = (core as { tensorBytes?: () => TensorBytes }).tensorBytes;
  return counter ? counter.call(core) : undefined;
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

interface Options {
  impls: Impl[];
  repeats: number;
}

function parseOptions(argv: string[]): Options {
  const all = Object.keys(STEPS) as Impl[];
  const only = argv.indexOf('--only');
  const repeatsAt = argv.indexOf('--repeats');
  const impls = only >= 0 ? all.filter((impl) => impl === argv[only + 1]) : all;
  if (only >= 0 && impls.length === 0) throw new Error(`--only: expected one of ${all.join(', ')}, got ${argv[only + 1]}`);
  const repeats = repeatsAt >= 0 ? Number(argv[repeatsAt + 1]) : 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats: expected an integer >= 1, got ${argv[repeatsAt + 1]}`);
  return { impls, repeats };
}

/** The element-wise median report of several runs of one (impl, k). */
function medianReport(runs: ChildReport[]): ChildReport {
  const median = (pick: (r: ChildReport) => number | undefined): number | undefined => {
    const values = runs.map(pick).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return values.length ? values[Math.floor((values.length - 1) / 2)] : undefined;
  };
  const report: ChildReport = {
    ...runs[0],
    maxRssBeforeMB: median((r) => r.maxRssBeforeMB) as number,
    maxRssAfterMB: median((r) => r.maxRssAfterMB) as number,
    seconds: median((r) => r.seconds) as number,
  };
  if (runs[0].peakTensorMB !== undefined) {
    report.peakTensorMB = median((r) => r.peakTensorMB);
    report.peakTensorHeldMB = median((r) => r.peakTensorHeldMB);
  }
  return report;
}

/** Reports and summaries of the implementations not run now, from the previous record. */
function carriedOver(skipped: Impl[]): { reports: ChildReport[]; summary: Record<string, Summary> } {
  const out = { reports: [] as ChildReport[], summary: {} as Record<string, Summary> };
  if (skipped.length === 0 || !existsSync(RECORD)) return out;
  const previous = JSON.parse(readFileSync(RECORD, 'utf8')) as {
    machine?: { date?: string };
    reports?: ChildReport[];
    summary?: Record<string, Summary>;
  };
  for (const impl of skipped) {
    for (const r of previous.reports ?? []) {
      if (r.impl === impl) out.reports.push({ ...r, measured: r.measured ?? previous.machine?.date });
    }
    const s = previous.summary?.[impl];
    if (s) out.summary[impl] = { ...s, measured: s.measured ?? previous.machine?.date };
  }
  return out;
}

function summarize(rows: ChildReport[]): Summary {
  const paramCopyMB = (rows[0].params * 4) / 2 ** 20; // float32
  const ks = rows.map((r) => r.steps);
  const growth = slope(ks, rows.map((r) => r.maxRssAfterMB));
  const summary: Summary = { params: rows[0].params, paramCopyMB, growthPerStepMB: growth, copiesPerStep: growth / paramCopyMB };
  if (rows.every((r) => r.peakTensorMB !== undefined)) {
    summary.tensorCopiesPerStep = slope(ks, rows.map((r) => r.peakTensorMB as number)) / paramCopyMB;
    summary.tensorHeldCopiesPerStep = slope(ks, rows.map((r) => r.peakTensorHeldMB as number)) / paramCopyMB;
  }
  return summary;
}

async function parent(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  warnIfBusy();
  const reports: ChildReport[] = [];
  const failures: { impl: Impl; steps: number; error: string }[] = [];
  for (const impl of options.impls) {
    const repeats = impl === 'tfjs-cpu' ? 1 : options.repeats;
    for (const steps of STEPS[impl]) {
      const runs: ChildReport[] = [];
      for (let rep = 0; rep < repeats; rep++) {
        const r = runChild(impl, steps);
        if ('error' in r) {
          console.log(`  ${impl} k=${steps}: ${r.error}`);
          failures.push(r);
        } else runs.push(r);
      }
      if (runs.length === 0) continue;
      const r = medianReport(runs);
      const tensors = r.peakTensorMB === undefined ? '' : `, peak tensors +${r.peakTensorMB.toFixed(1)} MB (held +${(r.peakTensorHeldMB as number).toFixed(1)} MB)`;
      console.log(`  ${impl} k=${steps}: peak RSS ${r.maxRssAfterMB.toFixed(1)} MB (before the meta-gradient ${r.maxRssBeforeMB.toFixed(1)} MB)${tensors}, ${r.seconds.toFixed(2)} s (median of ${runs.length})`);
      reports.push(r);
    }
  }
  const summary: Record<string, Summary> = {};
  for (const impl of options.impls) {
    const rows = reports.filter((r) => r.impl === impl);
    if (rows.length < 2) continue;
    const s = summarize(rows);
    summary[impl] = s;
    const tensors = s.tensorCopiesPerStep === undefined ? '' : `; peak live tensors grow ${s.tensorCopiesPerStep.toFixed(2)} copies per step (${(s.tensorHeldCopiesPerStep as number).toFixed(2)} as allocated)`;
    console.log(`${impl}: ${s.params} params = ${s.paramCopyMB.toFixed(3)} MB per float32 copy; peak RSS grows ${s.growthPerStepMB.toFixed(2)} MB per inner step = ${s.copiesPerStep.toFixed(1)} parameter copies${tensors}`);
  }
  const carried = carriedOver((Object.keys(STEPS) as Impl[]).filter((impl) => !options.impls.includes(impl)));
  saveResults('maml-memory', {
    task: TASK,
    repeats: options.repeats,
    reports: [...reports, ...carried.reports],
    failures,
    summary: { ...summary, ...carried.summary },
  });
}

async function child(impl: Impl, steps: number): Promise<void> {
  const report = impl === 'tfjs-cpu' ? await childTfjs(steps) : await childMetalearn(impl, steps);
  console.log(JSON.stringify(report));
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1] as Impl, Number(process.argv[childAt + 2]));
else await parent();
