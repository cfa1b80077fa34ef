import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '../../lib/train/safetensors.js';
import { encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../lib/train/checkpoint.js';
import { CheckpointError } from '../../lib/errors.js';
import { sampleCheckpoint } from '../helpers/checkpointFixture.js';

/** Header length (u64 LE) + header JSON padded with spaces to 8 bytes + data, built by hand. */
function handBuilt(headerJson: string, data: number[]): Uint8Array {
  const padded = headerJson + ' '.repeat((8 - (headerJson.length % 8)) % 8);
  const length = [padded.length, 0, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...length, ...Buffer.from(padded, 'ascii'), ...data]);
}

describe('safetensors byte layout', () => {
  it('encodes exactly the hand-built bytes', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'float32', shape: [2], data: Float32Array.from([1, -2]) } }, { k: 'v' });
    const header = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000, little-endian
    expect(Array.from(bytes)).toEqual(Array.from(handBuilt(header, [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])));
    expect((bytes.length - 8) % 8).toBe(0);
  });

  it('decodes a hand-built file as another writer would lay it out (F64, scalar, key order)', () => {
    const header = '{"b":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"a":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]}}';
    // 0.5 = 0x3fe0000000000000, 3 = 0x4008000000000000
    const bytes = handBuilt(header, [0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0, 0, 0, 0, 0, 0, 0x08, 0x40]);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({});
    expect(tensors.a).toEqual({ dtype: 'float64', shape: [1, 1], data: Float64Array.from([0.5]) });
    expect(tensors.b).toEqual({ dtype: 'float64', shape: [], data: Float64Array.from([3]) });
  });

  it('refuses truncated files, bad JSON, wrong dtypes and bad offsets with CheckpointError', () => {
    const good = encodeSafetensors({ a: { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) } });
    expect(() => decodeSafetensors(good.subarray(0, 5))).toThrow(/truncated.*less than the 8-byte/);
    expect(() => decodeSafetensors(good.subarray(0, 20))).toThrow(/truncated: header says/);
    expect(() => decodeSafetensors(good.subarray(0, good.length - 1))).toThrow(/run past the 7 data bytes/);
    expect(() => decodeSafetensors(handBuilt('{"a": nope}', []))).toThrow(/not valid UTF-8 JSON/);
    expect(() => decodeSafetensors(handBuilt('{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}', [1]))).toThrow(
      /dtype "I8"; only F32 and F64/,
    );
    expect(() => decodeSafetensors(handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /needs 4 bytes but data_offsets \[0, 8\] span 8/,
    );
    expect(() => decodeSafetensors(handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', [0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /starts at byte 4, expected 0/,
    );
    expect(() => decodeSafetensors(handBuilt('[1]', []))).toThrow(CheckpointError);
  });
});

describe('checkpoints', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'metalearn-ckpt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round trips params, optimiser state and metadata', () => {
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, sampleCheckpoint());
    expect(loadCheckpoint(path)).toEqual(sampleCheckpoint());
    // Params are stored under their own names, loadable by any safetensors reader.
    const raw = decodeSafetensors(readFileSync(path));
    expect(Object.keys(raw.tensors).sort()).toEqual(['layer0.bias', 'layer0.weight', 'optimizer/m/layer0.weight', 'optimizer/v/layer0.weight']);
    expect(raw.metadata.learner).toBe('maml');
    expect(readdirSync(dir)).toEqual(['c.safetensors']); // no temp file left
  });

  it('a crash before the rename leaves the old checkpoint intact and no temp file', () => {
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, sampleCheckpoint(7));
    const before = readFileSync(path);
    expect(() =>
      saveCheckpoint(path, sampleCheckpoint(8), {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      }),
    ).toThrow(/cannot write .*simulated crash/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(loadCheckpoint(path).iteration).toBe(7);
    expect(readdirSync(dir)).toEqual(['c.safetensors']);
  });

  it('a truncated temp file left by a killed process does not affect the real checkpoint', () => {
    const path = join(dir, 'c.safetensors');
    saveCheckpoint(path, sampleCheckpoint(7));
    const partial = encodeCheckpoint(sampleCheckpoint(9));
    writeFileSync(join(dir, '.c.safetensors.123.deadbeef.tmp'), partial.subarray(0, partial.length >> 1));
    expect(loadCheckpoint(path).iteration).toBe(7);
    saveCheckpoint(path, sampleCheckpoint(10));
    expect(loadCheckpoint(path).iteration).toBe(10);
  });

  it('an unwritable directory is a CheckpointError naming the path', () => {
    const path = join(dir, 'missing-subdir', 'c.safetensors');
    expect(() => saveCheckpoint(path, sampleCheckpoint())).toThrow(CheckpointError);
    expect(() => saveCheckpoint(path, sampleCheckpoint())).toThrow(/missing-subdir/);
  });

  it('validates on load: missing, truncated, foreign files and other models', () => {
    const path = join(dir, 'c.safetensors');
    expect(() => loadCheckpoint(path)).toThrow(/cannot read/);
    const bytes = encodeCheckpoint(sampleCheckpoint());
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    expect(() => loadCheckpoint(path)).toThrow(/truncated/);
    writeFileSync(path, encodeSafetensors({ w: { dtype: 'float32', shape: [1], data: Float32Array.from([1]) } }, { format: 'pt' }));
    expect(() => loadCheckpoint(path)).toThrow(/not a metalearn checkpoint/);

    saveCheckpoint(path, sampleCheckpoint());
    const otherModel = { 'layer0.weight': { shape: [3, 1] }, 'layer1.bias': { shape: [1] }, 'layer0.bias': { shape: [2] } };
    expect(() => loadCheckpoint(path, { params: otherModel })).toThrow(CheckpointError);
    expect(() => loadCheckpoint(path, { params: otherModel })).toThrow(
      /missing parameters \[layer1\.bias\]; 'layer0\.weight' has shape \[2, 1\], the model needs \[3, 1\]/,
    );
    expect(() => loadCheckpoint(path, { params: { 'layer0.weight': { shape: [2, 1] } } })).toThrow(/unexpected parameters \[layer0\.bias\]/);
    expect(() =>
      loadCheckpoint(path, { params: { 'layer0.weight': { shape: [2, 1], dtype: 'float64' }, 'layer0.bias': { shape: [2] } } }),
    ).toThrow(/'layer0\.weight' is float32, the model needs float64/);
    expect(() => loadCheckpoint(path, { learner: 'reptile' })).toThrow(/trained with learner 'maml', not 'reptile'/);
    const fits = { 'layer0.weight': { shape: [2, 1], dtype: 'float32' as const }, 'layer0.bias': { shape: [2] } };
    expect(loadCheckpoint(path, { params: fits, learner: 'maml' }).seed).toBe(42);
  });
});
