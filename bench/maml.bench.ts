/**
 * Issue 4's benchmark: time per meta-iteration of every optimization-based learner, native
 * core vs pure-TS twin, with TensorFlow.js (cpu and wasm backends, second order by nested
 * tf.grads) beside MAML on the same work.
 *   npx tsx bench/maml.bench.ts [--sinusoid-only | --conv-only] [--learners=Reptile,IMAML] [--cores=native]
 * --learners: only these rows (names as in LEARNERS; tfjs rows only when 'MAML order 1/2' is
 * listed); --cores: only these cores (native, js). Results go to a file named after the filters.
 * Sinusoid: meta-batch 25, 10-shot support and query, 1 inner step (MAML paper).
 * Omniglot conv4: 5-way 1-shot, 1 query per class (as MAML's own code), meta-batch 4,
 * 1 inner step, random 28x28 images (timing only).
 */
import {
  ANIL, CAVIA, IMAML, MAML, MAMLpp, MetaSGD, Reptile, nn, disposeParams,
  type BackendName, type MetaLearner, type Task,
} from '../lib/index.js';
import { tfjsConv4MamlCase, tfjsSinusoidMamlCase } from './baselines/tfjs-cases.js';
import { CORES, coreCase, imageTensors, onCore, regressionTensors, useCore } from './contenders.js';
import { printTable, ratio, runSideBySide, saveResults, warnIfBusy, type BenchCase, type CaseFigure } from './harness.js';
import { imageMetaBatch, sinusoidMetaBatch, type ImageTask, type SinusoidTask } from './workloads.js';

interface Workload {
  title: string;
  model: () => nn.Model;
  /** The same model with 4 extra input features for CAVIA's context, or null where CAVIA does not apply. */
  caviaModel: (() => nn.Model) | null;
  /** The model with per-step batch-norm rows for MAML++ (conv4 only), or null. */
  perStepModel: (() => nn.Model) | null;
  innerLR: number;
  tasks: () => Task[];
}

type LearnerFactory = (model: nn.Model, innerLR: number, caviaModel: nn.Model | null, perStepModel: nn.Model | null) => MetaLearner | null;

/** Every algorithm with one inner step; first-order and second-order MAML separately. */
const LEARNERS: Record<string, LearnerFactory> = {
  'MAML order 2': (m, lr) => new MAML(m, { innerLR: lr, innerSteps: 1, order: 2 }),
  'MAML order 1': (m, lr) => new MAML(m, { innerLR: lr, innerSteps: 1, order: 1 }),
  Reptile: (m, lr) => new Reptile(m, { innerLR: lr, innerSteps: 1 }),
  MetaSGD: (m, lr) => new MetaSGD(m, { innerLR: lr, innerSteps: 1 }),
  ANIL: (m, lr) => new ANIL(m, { innerLR: lr, innerSteps: 1 }),
  MAMLpp: (m, lr) => new MAMLpp(m, { innerLR: lr, innerSteps: 1 }),
  IMAML: (m, lr) => new IMAML(m, { innerLR: lr, innerSteps: 1, lambda: 1, cgSteps: 5 }),
  CAVIA: (_m, lr, cavia) => (cavia ? new CAVIA(cavia, { innerLR: lr, innerSteps: 1, contextSize: 4 }) : null),
  // MAML++ with per-step batch norm (2 inner steps: one BN row per state), on the native
  // meta-batch engine and, for comparison, on the TypeScript engine over the same programs.
  'MAMLpp per-step BN': (_m, lr, _c, perStep) => (perStep ? new MAMLpp(perStep, { innerLR: lr, innerSteps: 2 }) : null),
  'MAMLpp per-step BN (TypeScript engine)': (_m, lr, _c, perStep) =>
    perStep ? new MAMLpp(perStep, { innerLR: lr, innerSteps: 2, engine: 'typescript' }) : null,
};

function sinusoidTasks(batch: SinusoidTask[]): Task[] {
  return batch.map((t) => ({ support: regressionTensors(t.support), query: regressionTensors(t.query) }));
}

function imageTasks(batch: ImageTask[]): Task[] {
  return batch.map((t) => ({ support: imageTensors(t.support), query: imageTensors(t.query) }));
}

const SINUSOID_BATCH = sinusoidMetaBatch(25, 10, 42);
const CONV_BATCH = imageMetaBatch(4, 5, 1, 1, 42);

const WORKLOADS: Record<'sinusoid' | 'conv4', Workload> = {
  sinusoid: {
    title: 'sinusoid MLP 1-40-40-1, meta-batch 25, 10-shot, 1 step',
    model: () => nn.mlp([1, 40, 40, 1]),
    caviaModel: () => nn.mlp([1 + 4, 40, 40, 1]),
    perStepModel: null,
    innerLR: 0.01,
    tasks: () => sinusoidTasks(SINUSOID_BATCH),
  },
  conv4: {
    title: 'Omniglot conv4 (64 filters), 5-way 1-shot, 1 query/class, meta-batch 4, 1 step',
    model: () => nn.conv4({ inChannels: 1, hidden: 64, outputs: 5 }),
    caviaModel: null, // CAVIA's context enters as input features: defined for [n, d] inputs only.
    perStepModel: () => nn.conv4({ inChannels: 1, hidden: 64, outputs: 5, batchNormSteps: 2 }),
    innerLR: 0.4,
    tasks: () => imageTasks(CONV_BATCH),
  },
};

/** The value of `--name=a,b` on the command line, or null when absent. */
function listFlag(name: string): string[] | null {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3).split(',').filter((s) => s.length > 0) : null;
}

const ONLY_LEARNERS = listFlag('learners');
const ONLY_CORES = listFlag('cores');
for (const name of ONLY_LEARNERS ?? []) {
  if (!(name in LEARNERS)) throw new Error(`--learners: unknown learner '${name}' (known: ${Object.keys(LEARNERS).join(', ')})`);
}
const SELECTED_LEARNERS = Object.entries(LEARNERS).filter(([name]) => !ONLY_LEARNERS || ONLY_LEARNERS.includes(name));
const SELECTED_CORES = CORES.filter((core) => !ONLY_CORES || ONLY_CORES.includes(core));

function learnerCases(workload: Workload, core: BackendName): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const [name, make] of SELECTED_LEARNERS) {
    const learner = make(
      workload.model(),
      workload.innerLR,
      workload.caviaModel ? workload.caviaModel() : null,
      workload.perStepModel ? workload.perStepModel() : null,
    );
    if (!learner) continue;
    const params = learner.init(1);
    const tasks = workload.tasks();
    cases.push(coreCase(core, name, async () => disposeParams((await learner.metaGradient(params, tasks)).grads)));
  }
  return cases;
}

/** tfjs on conv4 takes minutes per meta-iteration: there only second order, the comparison that matters. */
async function tfjsCases(kind: 'sinusoid' | 'conv4'): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  const orders: (1 | 2)[] = kind === 'sinusoid' ? [2, 1] : [2];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const order of orders.filter((o) => !ONLY_LEARNERS || ONLY_LEARNERS.includes(`MAML order ${o}`))) {
      const name = `MAML order ${order} [tfjs-${backend}]`;
      cases.push(
        kind === 'sinusoid'
          ? await tfjsSinusoidMamlCase(name, backend, SINUSOID_BATCH, { innerLR: 0.01, innerSteps: 1, order })
          : await tfjsConv4MamlCase(name, backend, CONV_BATCH, 5, { innerLR: 0.4, innerSteps: 1, order }),
      );
    }
  }
  return cases;
}

function ratiosFor(figures: CaseFigure[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const name of Object.keys(LEARNERS)) {
    ratios[`${name} native/js`] = ratio(figures, onCore(name, 'native'), onCore(name, 'js'));
  }
  ratios['MAMLpp per-step BN native engine/TypeScript engine [native core]'] = ratio(
    figures,
    onCore('MAMLpp per-step BN', 'native'),
    onCore('MAMLpp per-step BN (TypeScript engine)', 'native'),
  );
  for (const order of [2, 1]) {
    for (const backend of ['cpu', 'wasm']) {
      ratios[`MAML order ${order} native/tfjs-${backend}`] = ratio(figures, onCore(`MAML order ${order}`, 'native'), `MAML order ${order} [tfjs-${backend}]`);
      ratios[`MAML order ${order} js/tfjs-${backend}`] = ratio(figures, onCore(`MAML order ${order}`, 'js'), `MAML order ${order} [tfjs-${backend}]`);
    }
  }
  return Object.fromEntries(Object.entries(ratios).filter(([, v]) => Number.isFinite(v)));
}

async function runWorkload(kind: 'sinusoid' | 'conv4'): Promise<{ figures: CaseFigure[]; ratios: Record<string, number> }> {
  const workload = WORKLOADS[kind];
  const cases: BenchCase[] = [];
  for (const core of SELECTED_CORES) {
    const reason = useCore(core);
    if (reason) console.warn(`skipping the ${core} core: ${reason}`);
    else cases.push(...learnerCases(workload, core));
  }
  cases.push(...(await tfjsCases(kind)));
  const figures = await runSideBySide(workload.title, cases, { minSamples: 5, maxTime: 3 });
  for (const f of figures) f.extra = { msPerIteration: 1000 / f.opsPerSec };
  printTable(`${workload.title} (ops/s = meta-iterations per second)`, figures);
  const ratios = ratiosFor(figures);
  for (const [name, value] of Object.entries(ratios)) console.log(`  ${name.padEnd(40)} ${value.toFixed(2)}`);
  return { figures, ratios };
}

async function main(): Promise<void> {
  warnIfBusy();
  const only = process.argv.includes('--sinusoid-only') ? 'sinusoid' : process.argv.includes('--conv-only') ? 'conv4' : null;
  const record: Record<string, unknown> = { sinusoid: WORKLOADS.sinusoid.title, conv4: WORKLOADS.conv4.title };
  for (const kind of ['sinusoid', 'conv4'] as const) {
    if (only && only !== kind) continue;
    record[`${kind}Results`] = await runWorkload(kind);
  }
  const filters = [only, ONLY_LEARNERS?.join('-'), ONLY_CORES?.join('-')]
    .filter((f): f is string => Boolean(f))
    .map((f) => f.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''));
  saveResults(['maml', ...filters].join('-'), record);
}

await main();
