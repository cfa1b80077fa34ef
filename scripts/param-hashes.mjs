#!/usr/bin/env node
// Bit-identity check for refactors (issue 14): trains every algorithm for a few Omniglot
// iterations through the CLI, then prints the SHA-256 of the final parameters (the tensor
// bytes of checkpoint.safetensors, metadata excluded) and of the evaluation numbers.
// Run it before and after a change and compare the lines:
//   node scripts/param-hashes.mjs [--data-root ../shared/data] [--out hashes.txt] [--only maml,anil]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'data-root': { type: 'string', default: '../shared/data' },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});

// name, backend, extra flags. The js runs are short: the TypeScript engine is slow on conv4.
const RUNS = [
  ...['maml', 'fomaml', 'reptile', 'metasgd', 'anil', 'mamlpp', 'imaml', 'cavia'].map((algo) => [
    algo,
    'native',
    ['--iterations', '20', '--meta-batch', '4'],
  ]),
  ...['protonet', 'matching', 'relation', 'siamese'].map((algo) => [algo, 'native', ['--iterations', '20']]),
  ...['maml', 'mamlpp', 'imaml', 'reptile', 'metasgd'].map((algo) => [
    algo,
    'js',
    ['--iterations', '3', '--meta-batch', '2', '--hidden', '8', '--image-size', '16'],
  ]),
];

/** SHA-256 of a safetensors file's tensor bytes and header entries, without its metadata. */
function tensorHash(file) {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  delete header.__metadata__;
  const hash = createHash('sha256');
  for (const name of Object.keys(header).sort()) {
    const { dtype, shape, data_offsets: [start, end] } = header[name];
    hash.update(`${name} ${dtype} ${shape.join('x')}\n`);
    hash.update(bytes.subarray(8 + headerLength + start, 8 + headerLength + end));
  }
  return hash.digest('hex').slice(0, 16);
}

const only = values.only ? new Set(values.only.split(',')) : null;
const lines = [];
for (const [algo, backend, extra] of RUNS) {
  if (only && !only.has(algo)) continue;
  const dir = mkdtempSync(join(tmpdir(), `metalearn-hash-${algo}-`));
  const args = [
    'bin/metalearn.js', 'train', '--algo', algo, '--dataset', 'omniglot', '--data-root', values['data-root'],
    '--backend', backend, '--seed', '3', '--val-every', '10', '--val-episodes', '4', '--test-episodes', '4',
    '--checkpoint-every', '1000', '--no-progress', '--out', dir, ...extra,
  ];
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    throw new Error(`${algo} (${backend}) failed with exit ${run.status}`);
  }
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const numbers = createHash('sha256').update(JSON.stringify(results.test ?? results)).digest('hex').slice(0, 16);
  const line = `${algo.padEnd(9)} ${backend.padEnd(6)} params=${tensorHash(join(dir, 'checkpoint.safetensors'))} eval=${numbers}`;
  console.log(`${line}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  lines.push(line);
  rmSync(dir, { recursive: true, force: true });
}
if (values.out) writeFileSync(values.out, lines.join('\n') + '\n');
