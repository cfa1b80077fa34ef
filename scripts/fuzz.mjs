#!/usr/bin/env node
/**
 * The hostile-input fuzzer (issue 12): random and hostile calls across the public API on both
 * backends, in child processes, so that a crash or a hang is counted instead of ending the run.
 *
 *   npm run build && npm run fuzz -- --calls 100000 --seed 1
 *
 * It runs the BUILT library (dist/index.js: build it first with `npx tsc -p tsconfig.build.json`,
 * and the addon with `npx cmake-js compile`), or another entry with --lib (e.g. `--lib
 * lib/index.ts` under `node --import tsx`).
 *
 * Options:
 *   --calls N       calls to make (default 10000)
 *   --seed S        seed (default 1); call i is generated from (S, i) alone
 *   --only I        run call I alone and print what it did (the repro of a reported failure)
 *   --workers W     child processes (default 2)
 *   --timeout MS    a call running longer is a hang (default 10000)
 *   --kinds REGEX   only call kinds whose name matches (op, create, transform, record, learner,
 *                   metric, raw, nn, npy, npz, zip, imageFolder, featureFile, checkpoint, ...)
 *   --self-test     planted calls with known outcomes (crash, hang, untyped, ...) to prove the counters
 *   --verbose       stacks of untyped errors, the workers' stderr
 *   --all           list every failure (default: the first 5 of each class)
 *
 * Outcomes: ok, typed (a MetalearnError), hostile (the fuzzer's own throwing getter, propagated),
 * untyped (anything else), crash (the worker died: signal or abnormal exit), hang (no answer
 * within --timeout; the worker is killed). Calls run in batches; when a worker dies or goes quiet
 * mid-batch, the calls it had not reported are run again one at a time in fresh workers to find
 * the culprit. The last line is `fuzz: calls=N crashes=C hangs=H untyped=U`; the exit code is 1
 * when any of C, H, U is above 0.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BATCH = 200;
const SHOWN_PER_CLASS = 5;
let onlyMessage;

function parseArgs(argv) {
  const opts = { calls: 10000, seed: 1, workers: 2, timeout: 10000, lib: join(root, 'dist', 'index.js'), selfTest: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`fuzz: ${arg} needs a value`);
      return argv[++i];
    };
    const integer = (name, min) => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`fuzz: ${name} must be an integer >= ${min}`);
      return v;
    };
    if (arg === '--calls') opts.calls = integer('--calls', 0);
    else if (arg === '--seed') opts.seed = integer('--seed', 0);
    else if (arg === '--only') opts.only = integer('--only', 0);
    else if (arg === '--workers') opts.workers = integer('--workers', 1);
    else if (arg === '--timeout') opts.timeout = integer('--timeout', 1);
    else if (arg === '--kinds') opts.kinds = value();
    else if (arg === '--lib') opts.lib = value();
    else if (arg === '--self-test') opts.selfTest = true;
    else if (arg === '--verbose') opts.verbose = true;
    else if (arg === '--all') opts.all = true;
    else throw new Error(`fuzz: unknown option ${arg}`);
  }
  return opts;
}

/** One child process and what it owes: the calls of its batch not reported yet. */
class Worker {
  constructor(opts, onMessage, onExit) {
    const workerOptions = { seed: opts.seed, selfTest: opts.selfTest, kinds: opts.kinds, lib: opts.lib, verbose: opts.verbose, messages: opts.only !== undefined };
    this.child = fork(join(root, 'scripts', 'fuzz', 'worker.mjs'), [JSON.stringify(workerOptions)], { stdio: ['ignore', 'ignore', opts.verbose ? 'inherit' : 'ignore', 'ipc'] });
    this.ready = false;
    this.owed = new Set();
    this.single = null;
    this.timer = null;
    this.dead = false;
    this.child.on('message', (m) => onMessage(this, m));
    this.child.on('exit', (code, signal) => {
      this.dead = true;
      clearTimeout(this.timer);
      onExit(this, code, signal);
    });
  }

  arm(ms, onTimeout) {
    clearTimeout(this.timer);
    this.timer = setTimeout(onTimeout, ms);
  }

  kill() {
    clearTimeout(this.timer);
    if (!this.dead) this.child.kill('SIGKILL');
  }
}

async function fuzz(opts) {
  if (!existsSync(opts.lib)) {
    throw new Error(`fuzz: ${opts.lib} not found: build first (npx tsc -p tsconfig.build.json), or pass --lib`);
  }
  const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.calls }, (_, i) => i);
  const batches = [];
  if (opts.only === undefined) for (let i = 0; i < indices.length; i += BATCH) batches.push(indices.slice(i, i + BATCH));
  const singles = opts.only !== undefined ? [opts.only] : [];
  const counts = { ok: 0, typed: 0, hostile: 0, untyped: 0, crash: 0, hang: 0 };
  const byKind = {};
  const failures = { crash: [], hang: [], untyped: [] };
  let nativeMissing = false;
  const started = Date.now();

  let calls = 0;
  // Batches a worker died or hung in: their owed calls are re-run alone to find the culprit.
  const batchFailures = [];

  const record = (r) => {
    calls += 1;
    counts[r.outcome] += 1;
    (byKind[r.kind] ??= { ok: 0, typed: 0, hostile: 0, untyped: 0, crash: 0, hang: 0 })[r.outcome] += 1;
    if (failures[r.outcome]) failures[r.outcome].push(r);
    for (const f of batchFailures) {
      if (!f.owed.delete(r.i)) continue;
      if (r.outcome === f.outcome) f.found = true;
      if (f.owed.size === 0 && !f.found) {
        // It died in a batch, but no call reproduces it alone: still counted, and said so.
        counts[f.outcome] += 1;
        failures[f.outcome].push({ i: f.first, kind: '?', desc: `a ${f.outcome} in the batch of calls ${f.first}..${f.last} that no call reproduces alone`, message: f.detail });
      }
    }
  };

  return new Promise((resolveRun) => {
    const workers = new Set();
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      for (const w of workers) w.kill();
      resolveRun({ calls, counts, byKind, failures, seconds: (Date.now() - started) / 1000, nativeMissing });
    };

    /** A worker died or hung: in a batch, re-run what it owed one at a time; alone, that call is the culprit. */
    const failed = (w, outcome, detail) => {
      if (w.single !== null) {
        record({ i: w.single.index, kind: w.single.kind ?? '?', outcome, desc: w.single.desc ?? '(not announced)', message: detail });
      } else if (w.owed.size > 0) {
        const owed = [...w.owed].sort((a, b) => a - b);
        singles.unshift(...owed);
        batchFailures.push({ outcome, detail, owed: new Set(owed), found: false, first: owed[0], last: owed[owed.length - 1] });
      }
      w.owed.clear();
      w.single = null;
    };

    const dispatch = (w) => {
      if (finished || w.dead || !w.ready) return;
      if (singles.length > 0) {
        const index = singles.shift();
        w.single = { index };
        w.child.send({ type: 'single', index });
        w.arm(opts.timeout * 3, () => hang(w));
      } else if (batches.length > 0) {
        const batch = batches.shift();
        for (const i of batch) w.owed.add(i);
        w.child.send({ type: 'batch', indices: batch });
        w.arm(opts.timeout, () => hang(w));
      } else {
        w.kill();
        workers.delete(w);
        if (workers.size === 0) finish();
      }
    };

    const hang = (w) => {
      failed(w, 'hang', `no answer within ${opts.timeout} ms`);
      w.hung = true;
      w.kill();
    };

    const onMessage = (w, m) => {
      if (m.type === 'ready') {
        w.ready = true;
        if (!m.native) nativeMissing = true;
        dispatch(w);
      } else if (m.type === 'start') {
        w.single = { index: m.i, kind: m.kind, desc: m.desc };
        if (opts.only !== undefined) console.log(`fuzz: call ${m.i}: ${m.desc}`);
        w.child.send({ type: 'go' });
        w.arm(opts.timeout, () => hang(w));
      } else if (m.type === 'results') {
        for (const r of m.results) {
          if (opts.only !== undefined) onlyMessage = r.message;
          w.owed.delete(r.i);
          if (w.single && w.single.index === r.i) w.single = null;
          record(r);
        }
        w.arm(opts.timeout, () => hang(w));
      } else if (m.type === 'idle') {
        clearTimeout(w.timer);
        dispatch(w);
      }
    };

    const onExit = (w, code, signal) => {
      workers.delete(w);
      if (!finished && !w.hung && (w.single !== null || w.owed.size > 0 || !w.ready)) {
        if (!w.ready && w.single === null && w.owed.size === 0) {
          console.error(`fuzz: a worker failed to start (code ${code}, signal ${signal}); is ${opts.lib} loadable?`);
          finish();
          return;
        }
        failed(w, 'crash', signal ? `signal ${signal}` : `exit code ${code}`);
      }
      if (!finished && (singles.length > 0 || batches.length > 0)) spawn();
      else if (workers.size === 0) finish();
    };

    const spawn = () => {
      const w = new Worker(opts, onMessage, onExit);
      workers.add(w);
    };

    const n = Math.max(1, Math.min(opts.workers, opts.only !== undefined ? 1 : opts.workers));
    if (indices.length === 0) finish();
    else for (let k = 0; k < n; k++) spawn();
  });
}

function report(opts, { calls, counts, byKind, failures, seconds, nativeMissing }) {
  const defaultLib = join(root, 'dist', 'index.js');
  const repro = (i) =>
    `npm run fuzz -- --seed ${opts.seed} --only ${i}${opts.selfTest ? ' --self-test' : ''}${opts.kinds ? ` --kinds '${opts.kinds}'` : ''}${opts.lib !== defaultLib ? ` --lib ${opts.lib}` : ''}`;
  if (nativeMissing) console.log('fuzz: the native core did not load: every call ran on the pure-TypeScript core');
  console.log(`fuzz: seed ${opts.seed}, ${calls} calls in ${seconds.toFixed(1)} s (${(calls / Math.max(seconds, 1e-3)).toFixed(0)} calls/s)`);
  for (const [kind, c] of Object.entries(byKind).sort()) {
    console.log(`  ${kind.padEnd(12)} ok ${c.ok}  typed ${c.typed}  hostile ${c.hostile}  untyped ${c.untyped}  crash ${c.crash}  hang ${c.hang}`);
  }
  for (const outcome of ['crash', 'hang', 'untyped']) {
    const list = failures[outcome].sort((a, b) => a.i - b.i);
    if (list.length === 0) continue;
    console.log(`${outcome} (${list.length}), first ${Math.min(SHOWN_PER_CLASS, list.length)}:`);
    for (const f of list.slice(0, opts.only !== undefined || opts.all ? list.length : SHOWN_PER_CLASS)) {
      console.log(`  #${f.i} ${f.desc}`);
      console.log(`     ${f.message ?? ''}`);
      if (opts.verbose && f.stack) console.log(f.stack.split('\n').slice(1, 4).map((l) => `       ${l.trim()}`).join('\n'));
      console.log(`     repro: ${repro(f.i)}`);
    }
  }
  if (opts.only !== undefined && calls === 1) {
    const outcome = Object.keys(counts).find((k) => counts[k] === 1);
    console.log(`fuzz: call ${opts.only} -> ${outcome}${onlyMessage ? ` (${onlyMessage})` : ''}`);
  }
  console.log(`fuzz: calls=${calls} crashes=${counts.crash} hangs=${counts.hang} untyped=${counts.untyped}`);
  return counts.crash + counts.hang + counts.untyped > 0 ? 1 : 0;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
try {
  const result = await fuzz(opts);
  process.exitCode = report(opts, result);
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
