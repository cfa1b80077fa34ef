#!/usr/bin/env node
/**
 * Kill test (issue 12): `metalearn train` on sinusoid writes a checkpoint every iteration and is
 * killed with SIGKILL at seeded random points, again and again, each run resuming from what the
 * previous one left. After every kill:
 *   - the surviving checkpoint must load (loadCheckpoint validates every field);
 *   - a copy of it, resumed to the end in a separate folder, must give a final checkpoint
 *     byte-identical to an uninterrupted reference run's, with identical per-iteration losses;
 *   - temporaries left by a kill inside a save must be gone after the next run's first save.
 *
 *   node scripts/kill-test.mjs [--kills 50] [--seed 1] [--iterations 200] [--max-delay-ms 300] [--backend js|native] [--no-build]
 *
 * Last line: "kill test: K kills, L checkpoints loaded, R resumed bit-identically, F failures";
 * exit status 1 on any failure. Default backend: js (the pure-TypeScript core, no native build needed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const options = parseArgs(process.argv.slice(2));
const started = Date.now();

if (options.build) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('the TypeScript build failed');
}
const { loadCheckpoint } = await import(join(root, 'dist', 'train', 'checkpoint.js'));

const CHECKPOINT = 'checkpoint.safetensors';
const common = ['--checkpoint-every', '1', '--val-episodes', '0', '--backend', options.backend, '--no-progress', '--iterations', String(options.iterations)];
const freshArgs = (out) => [
  ...['train', '--algo', 'maml', '--dataset', 'sinusoid', '--meta-batch', '2', '--hidden', '8', '--shots', '5', '--inner-steps', '1', '--seed', '3'],
  ...common,
  '--out',
  out,
];
const resumeArgs = (out) => ['train', '--resume', join(out, CHECKPOINT), ...common, '--out', out];
const cli = (args) => [join(root, 'bin', 'metalearn.js'), ...args];

const scratch = mkdtempSync(join(tmpdir(), 'metalearn-kill-test-'));
const random = mulberry32(options.seed);
try {
  const reference = join(scratch, 'reference');
  runToEnd(freshArgs(reference));
  const referenceCheckpoint = readFileSync(join(reference, CHECKPOINT));
  const referenceLosses = lossesByIteration(reference);

  const counts = { kills: 0, loaded: 0, resumed: 0, killedInSave: 0, staleRemoved: 0, finishedBeforeKill: 0 };
  const failures = [];
  let work = join(scratch, 'run-0');
  let pendingStale = [];
  for (let trial = 1; counts.kills < options.kills; trial++) {
    const resuming = existsSync(join(work, CHECKPOINT));
    const before = mtimeOf(join(work, CHECKPOINT));
    const child = spawn(process.execPath, cli(resuming ? resumeArgs(work) : freshArgs(work)), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
    let done = false;
    exited.then(() => (done = true));

    // Kill only once this run is saving checkpoints, at a seeded random point after its first save.
    while (!done && mtimeOf(join(work, CHECKPOINT)) === before) await sleep(2);
    const removedNow = pendingStale.filter((path) => !existsSync(path));
    await sleep(random() * options.maxDelayMs);
    if (done) {
      const { code } = await exited;
      if (code !== 0) failures.push(`trial ${trial}: the run exited with ${code} before the kill: ${stderr.trim().split('\n').pop()}`);
      else if (!readFileSync(join(work, CHECKPOINT)).equals(referenceCheckpoint)) failures.push(`trial ${trial}: a chain of resumed runs ended with a checkpoint different from the reference`);
      counts.finishedBeforeKill++;
      counts.staleRemoved += pendingStale.filter((path) => !existsSync(path)).length;
      pendingStale = [];
      work = join(scratch, `run-${trial}`); // start a fresh chain
      continue;
    }
    child.kill('SIGKILL');
    await exited;
    counts.kills++;
    counts.staleRemoved += removedNow.length;
    for (const path of pendingStale) if (!removedNow.includes(path)) failures.push(`kill ${counts.kills}: stale temporary ${path} survived the next save`);

    pendingStale = readdirSync(work).filter((name) => name.startsWith(`.${CHECKPOINT}.`)).map((name) => join(work, name));
    if (pendingStale.length > 0) counts.killedInSave++;
    const survivor = join(work, CHECKPOINT);
    if (!existsSync(survivor)) {
      failures.push(`kill ${counts.kills}: no checkpoint survived`);
      continue;
    }
    let iteration;
    try {
      iteration = loadCheckpoint(survivor).iteration;
      counts.loaded++;
    } catch (err) {
      failures.push(`kill ${counts.kills}: the surviving checkpoint does not load: ${err.message}`);
      continue;
    }
    const problem = checkResume(survivor, iteration, referenceCheckpoint, referenceLosses, join(scratch, `verify-${counts.kills}`));
    if (problem === undefined) counts.resumed++;
    else failures.push(`kill ${counts.kills} (checkpoint at iteration ${iteration}): ${problem}`);
  }
  if (pendingStale.length > 0) {
    // The last kill's temporaries: the next save of the same target (one more resumed run) removes them.
    runToEnd(resumeArgs(work));
    counts.staleRemoved += pendingStale.filter((path) => !existsSync(path)).length;
    for (const path of pendingStale) if (existsSync(path)) failures.push(`stale temporary ${path} survived the next save`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const failure of failures) console.log(`FAIL ${failure}`);
  console.log(
    `${counts.killedInSave} of ${counts.kills} kills landed inside a checkpoint save (a temporary was left); ${counts.staleRemoved} such temporaries removed by the next save; ` +
      `${counts.finishedBeforeKill} runs ended before their kill; ${options.iterations} iterations per run, backend ${options.backend}, seed ${options.seed}, ${seconds} s`,
  );
  console.log(`kill test: ${counts.kills} kills, ${counts.loaded} checkpoints loaded, ${counts.resumed} resumed bit-identically, ${failures.length} failures`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} finally {
  if (!options.keep) rmSync(scratch, { recursive: true, force: true });
  else console.log(`kept ${scratch}`);
}

/** Resumes a copy of the checkpoint to the end; the result must equal the uninterrupted reference. */
function checkResume(survivor, iteration, referenceCheckpoint, referenceLosses, dir) {
  runToEnd(resumeArgs(dir), () => copyFileSync(survivor, join(dir, CHECKPOINT)));
  const losses = lossesByIteration(dir);
  for (let i = iteration + 1; i <= options.iterations; i++) {
    if (losses.get(i) !== referenceLosses.get(i)) return `iteration ${i}: loss ${losses.get(i)} after resume, ${referenceLosses.get(i)} uninterrupted`;
  }
  if (!readFileSync(join(dir, CHECKPOINT)).equals(referenceCheckpoint)) return 'the final checkpoint differs from the uninterrupted run';
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

function runToEnd(args, prepare) {
  const out = args[args.indexOf('--out') + 1];
  spawnSync('mkdir', ['-p', out]);
  prepare?.();
  const run = spawnSync(process.execPath, cli(args), { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) fail(`metalearn ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
}

/** iteration -> 'loss gradNorm' from metrics.jsonl (timings left out: they differ between runs). */
function lossesByIteration(dir) {
  const out = new Map();
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return out; // a resumed run with no iterations left writes no metrics
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line);
    if (record.event === 'train') out.set(record.iteration, `${record.loss} ${record.gradNorm}`);
  }
  return out;
}

function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function sleep(ms) {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** Seeded uniform numbers in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseArgs(argv) {
  const out = { kills: 50, seed: 1, iterations: 200, maxDelayMs: 300, build: true, keep: false, backend: 'js' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--no-build') out.build = false;
    else if (flag === '--keep') out.keep = true;
    else if (flag === '--kills') out.kills = Number(argv[++i]);
    else if (flag === '--backend') out.backend = argv[++i];
    else if (flag === '--seed') out.seed = Number(argv[++i]);
    else if (flag === '--iterations') out.iterations = Number(argv[++i]);
    else if (flag === '--max-delay-ms') out.maxDelayMs = Number(argv[++i]);
    else fail(`unknown argument ${flag}`);
  }
  for (const key of ['kills', 'iterations']) if (!Number.isSafeInteger(out[key]) || out[key] < 1) fail(`--${key} must be a positive integer`);
  if (out.backend !== 'js' && out.backend !== 'native') fail('--backend must be js or native');
  if (!Number.isFinite(out.maxDelayMs) || out.maxDelayMs < 0) fail('--max-delay-ms must be a non-negative number');
  return out;
}

function fail(message) {
  console.error(`kill test: ${message}`);
  process.exit(1);
}
