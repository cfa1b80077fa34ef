/**
 * A fuzz worker (a child process of scripts/fuzz.mjs). Messages from the parent:
 *   { type: 'batch', indices }   run these calls back to back; results are sent in groups
 *   { type: 'single', index }    announce the call ({ type: 'start', desc }), wait for { type: 'go' }, run it
 * Each result: { i, kind, outcome: 'ok' | 'typed' | 'hostile' | 'untyped', desc?, message? }.
 * A crash or a hang is what the parent sees when this process dies or goes quiet.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { planCall, disposeResult } from './calls.mjs';
import { CallContext } from './values.mjs';

const options = JSON.parse(process.argv[2]);
const only = options.kinds ? new RegExp(options.kinds) : undefined;
const lib = await import(pathToFileURL(resolve(options.lib)).href);
const nativeOk = lib.nativeAvailable ? lib.nativeAvailable().ok : (() => {
  try {
    lib.setBackend('native');
    return true;
  } catch {
    return false;
  }
})();

let current = null;
let lateError = null;
// Errors escaping a call asynchronously (a timer, a native callback) belong to the running call.
process.on('uncaughtException', (err) => {
  lateError ??= err;
});
process.on('unhandledRejection', (err) => {
  lateError ??= err;
});

function classify(err) {
  if (err instanceof lib.MetalearnError) return 'typed';
  if (err && err.fuzzHostile === true) return 'hostile';
  return 'untyped';
}

const oneLine = (err) => (err instanceof Error ? `${err.name}: ${err.message}` : `non-Error thrown: ${String(err)}`).split('\n')[0].slice(0, 300);

async function runCall(index, announce) {
  const call = planCall(lib, options.seed, index, { selfTest: options.selfTest, only });
  if (announce) await announce(call);
  const backend = call.backend === 'native' && !nativeOk ? 'js' : call.backend;
  lib.setBackend(backend);
  const ctx = new CallContext(lib, backend);
  current = index;
  lateError = null;
  let outcome = 'ok';
  let error;
  try {
    const result = await call.run(ctx);
    disposeResult(lib, result);
  } catch (err) {
    outcome = classify(err);
    error = err;
  }
  // Let asynchronous errors of this call (native completions, timers) land before it is scored.
  await new Promise((r) => setImmediate(r));
  if (lateError && outcome !== 'untyped' && classify(lateError) === 'untyped') {
    outcome = 'untyped';
    error = lateError;
  }
  ctx.cleanup();
  current = null;
  const result = { i: index, kind: call.kind, outcome };
  if (outcome === 'untyped' || (options.messages && error !== undefined)) {
    result.desc = call.desc;
    result.message = oneLine(error);
    if (options.verbose && error instanceof Error) result.stack = error.stack;
  }
  return result;
}

let pending = [];
let lastFlush = Date.now();
function flush() {
  if (pending.length) process.send({ type: 'results', results: pending });
  pending = [];
  lastFlush = Date.now();
}

let go = null;
process.on('message', async (msg) => {
  if (msg.type === 'go') {
    go?.();
    return;
  }
  if (msg.type === 'batch') {
    for (const index of msg.indices) {
      pending.push(await runCall(index));
      if (pending.length >= 64 || Date.now() - lastFlush > 200) flush();
    }
    flush();
    process.send({ type: 'idle' });
  } else if (msg.type === 'single') {
    const announce = (call) =>
      new Promise((resolve) => {
        go = resolve;
        process.send({ type: 'start', i: msg.index, kind: call.kind, desc: call.desc });
      });
    const result = await runCall(msg.index, announce);
    process.send({ type: 'results', results: [result] });
    process.send({ type: 'idle' });
  }
});

process.send({ type: 'ready', native: nativeOk });
void current;
