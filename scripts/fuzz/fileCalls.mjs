/**
 * Data loaders and the checkpoint loader on small hostile files: a valid file of each format
 * is built, then mutated (bit flips, truncation, garbage, header edits) and written to the
 * worker's temp folder before the loader reads it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { zipSync } = require('fflate');
const { PNG } = require('pngjs');

let tempRoot;
/** The worker's own temp folder (removed when the worker exits). */
export function tempDir() {
  if (!tempRoot) {
    tempRoot = mkdtempSync(join(tmpdir(), 'metalearn-fuzz-'));
    process.on('exit', () => rmSync(tempRoot, { recursive: true, force: true }));
  }
  return tempRoot;
}

let fileCounter = 0;
function freshPath(name) {
  const dir = join(tempDir(), `c${fileCounter++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Byte mutations, planned as data: [kind, position fraction, value]. */
function planMutations(g) {
  const count = g.r.chance(0.15) ? 0 : g.r.int(1, 3);
  return Array.from({ length: count }, () => [g.r.pick(['flip', 'truncate', 'append', 'ff', 'zero', 'edit']), g.r.next(), g.r.int(0, 255)]);
}

const HEADER_EDITS = [
  [/\d+/, '4294967296'], [/\d+/, '-1'], [/\d+/, '1e300'], [/"float32"|'<f4'/, '"float16"'], [/\[/, '[1048576,1048576,'],
  [/"/, ''], [/\d+/, '99999999999'], [/format/, 'formot'], [/\{/, '{"__proto__":1,'], [/\]/, ',-3]'],
];

function mutate(bytes, mutations) {
  let out = Buffer.from(bytes);
  for (const [kind, at, value] of mutations) {
    const pos = Math.floor(at * out.length);
    if (kind === 'flip' && out.length) out[pos] ^= 1 << (value % 8);
    else if (kind === 'truncate') out = out.subarray(0, pos);
    else if (kind === 'append') out = Buffer.concat([out, Buffer.alloc(1 + (value % 64), value)]);
    else if (kind === 'ff' && out.length) out.fill(0xff, pos, Math.min(out.length, pos + 1 + (value % 8)));
    else if (kind === 'zero' && out.length) out.fill(0, pos, Math.min(out.length, pos + 1 + (value % 8)));
    else if (kind === 'edit') {
      const text = out.toString('latin1');
      const [pattern, replacement] = HEADER_EDITS[value % HEADER_EDITS.length];
      out = Buffer.from(text.replace(pattern, replacement), 'latin1');
    }
  }
  return new Uint8Array(out);
}

const describeMutations = (m) => (m.length ? m.map(([k, at, v]) => `${k}@${at.toFixed(3)}:${v}`).join('+') : 'intact');

const NPY_DTYPES = ['float32', 'float64', 'uint8', 'int32', 'int64'];

function npyBytes(lib, shape, dtype) {
  const n = shape[0] * shape[1];
  const Array_ = { float32: Float32Array, float64: Float64Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array }[dtype];
  const data = dtype === 'int64' ? new Array_(n).fill(1n) : Array_.from({ length: n }, (_, i) => i);
  try {
    return lib.data.encodeNpy({ dtype, shape, data });
  } catch {
    return lib.data.encodeNpy({ dtype: 'float32', shape, data: new Float32Array(n) });
  }
}

function pngBytes(side) {
  const png = new PNG({ width: side, height: side });
  png.data.fill(128);
  return PNG.sync.write(png);
}

function checkpointBytes(lib, shape) {
  const n = shape[0] * shape[1];
  return lib.encodeCheckpoint({
    params: { 'layer0.weight': { dtype: 'float32', shape, data: new Float32Array(n) } },
    optimizer: { kind: 'adam', step: 3, hyper: { lr: 0.001 }, slots: { m: { 'layer0.weight': { dtype: 'float64', shape, data: new Float64Array(n) } } } },
    iteration: 3,
    seed: 1,
    learner: 'maml',
    model: 'mlp',
    config: { ways: 5 },
    rng: { state: 1 },
  });
}

const fileKind = (name, weight, plan, run) => ({
  name,
  weight,
  plan: (g) => ({ ...plan(g), mutations: planMutations(g), dims: [g.dim(0), g.dim(1)], npyDtype: g.r.pick(NPY_DTYPES) }),
  describe: (s) => `${name}(${describeMutations(s.mutations)}${s.extra ? ', ' + s.extra : ''}) dims=${JSON.stringify(s.dims)}`,
  run: (ctx, s) => run(ctx, s),
});

export const DATA_KINDS = [
  fileKind('npy', 2, (g) => ({ extra: g.r.pick(['', 'inPlace']) }), (ctx, s) =>
    ctx.lib.data.parseNpy(mutate(npyBytes(ctx.lib, s.dims, s.npyDtype), s.mutations), 'fuzz.npy', { inPlace: s.extra === 'inPlace' })),
  fileKind('npz', 2, (g) => ({ extra: g.r.pick(['', 'names']) }), (ctx, s) => {
    const path = freshPath('fuzz.npz');
    writeFileSync(path, mutate(zipSync({ 'a.npy': npyBytes(ctx.lib, s.dims, s.npyDtype), 'b.npy': npyBytes(ctx.lib, s.dims, 'float32') }), s.mutations));
    return ctx.lib.data.readNpz(path, s.extra === 'names' ? ['a', 'c'] : undefined);
  }),
  fileKind('zip', 2, (g) => ({ extra: g.r.pick(['read', 'extract', 'slip']) }), (ctx, s) => {
    const entries = s.extra === 'slip' ? { '../evil.txt': new Uint8Array(3), '/abs.txt': new Uint8Array(1) } : { 'dir/a.txt': new Uint8Array(10).fill(65), 'b.bin': new Uint8Array(300) };
    const bytes = mutate(zipSync(entries), s.mutations);
    if (s.extra === 'read') return ctx.lib.data.readZip(bytes, 'fuzz.zip');
    const path = freshPath('fuzz.zip');
    writeFileSync(path, bytes);
    return ctx.lib.data.extractZip(path, join(path, '..', 'out'));
  }),
  fileKind('imageFolder', 2, (g) => ({ extra: g.r.pick(['8', '0', '-1', '2.5', 'NaN', '100000']) }), async (ctx, s) => {
    const dir = join(freshPath('x'), '..', 'images');
    for (const cls of ['a', 'b']) {
      mkdirSync(join(dir, cls), { recursive: true });
      writeFileSync(join(dir, cls, '0.png'), mutate(pngBytes(4), s.mutations));
    }
    const size = Number(s.extra);
    return ctx.lib.data.imageFolder({ dir, imageSize: size === 100000 ? [1, size] : size, channels: 1 });
  }),
  fileKind('featureFile', 2, () => ({}), (ctx, s) => {
    const path = freshPath('fuzz.features');
    const [n, d] = [s.dims[0] + 1, s.dims[1] + 1];
    ctx.lib.data.writeFeatureFile(path, { features: new Float32Array(n * d), dimension: d, labels: new Int32Array(n), classNames: ['a'] });
    writeFileSync(path, mutate(readFileSync(path), s.mutations));
    return ctx.lib.data.readFeatureFile(path);
  }),
  fileKind('checkpoint', 4, (g) => ({ extra: g.r.pick(['decode', 'load', 'expect', 'safetensors']) }), (ctx, s) => {
    const bytes = mutate(checkpointBytes(ctx.lib, s.dims), s.mutations);
    if (s.extra === 'safetensors') return ctx.lib.decodeSafetensors(bytes, 'fuzz');
    if (s.extra === 'decode') return ctx.lib.decodeCheckpoint(bytes, 'fuzz');
    const path = freshPath('fuzz.safetensors');
    writeFileSync(path, bytes);
    const expect = s.extra === 'expect' ? { learner: 'maml', params: { 'layer0.weight': { shape: s.dims, dtype: 'float32' } } } : undefined;
    return ctx.lib.loadCheckpoint(path, expect);
  }),
];
