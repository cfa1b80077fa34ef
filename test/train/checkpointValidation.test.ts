/** Every field of a checkpoint is validated on load: a bad one is a CheckpointError naming it, what was expected and what was given. */
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../lib/train/checkpoint.js';
import { decodeSafetensors, encodeSafetensors } from '../../lib/train/safetensors.js';
import type { NamedArrays } from '../../lib/train/namedArrays.js';
import { CheckpointError } from '../../lib/errors.js';
import { sampleCheckpoint } from '../helpers/checkpointFixture.js';

/** The shared valid checkpoint every case below breaks one field of. */
function sample(): Checkpoint {
  return sampleCheckpoint();
}

/** The sample checkpoint re-encoded with some metadata fields replaced (undefined: removed) and tensors changed. */
function tampered(metadata: Record<string, string | undefined>, editTensors: (t: NamedArrays) => void = () => {}): Uint8Array {
  const decoded = decodeSafetensors(encodeCheckpoint(sample()));
  const meta: Record<string, string> = { ...decoded.metadata };
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) delete meta[key];
    else meta[key] = value;
  }
  editTensors(decoded.tensors);
  return encodeSafetensors(decoded.tensors, meta);
}

function loadError(bytes: Uint8Array): CheckpointError {
  try {
    decodeCheckpoint(bytes, 'c.safetensors');
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw new Error(`expected CheckpointError, got ${String(err)}`);
  }
  throw new Error('expected CheckpointError, the checkpoint loaded');
}

/** Header length (u64 LE) + header JSON padded with spaces to 8 bytes + data. */
function handBuilt(headerJson: string, data: number[], headerLength?: bigint): Uint8Array {
  const padded = headerJson + ' '.repeat((8 - (headerJson.length % 8)) % 8);
  const out = new Uint8Array(8 + padded.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(padded.length), true);
  out.set(Buffer.from(padded, 'utf8'), 8);
  out.set(data, 8 + padded.length);
  return out;
}

describe('checkpoint metadata validation', () => {
  it('the untampered sample loads (the cases below fail only for their one change)', () => {
    expect(decodeCheckpoint(tampered({}), 'c.safetensors')).toEqual(sample());
  });

  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    ['optimizer "null" (was a TypeError)', { optimizer: 'null' }, /metadata 'optimizer' must be a JSON object, got "null"/],
    ['optimizer not JSON', { optimizer: '{kind' }, /metadata 'optimizer' must be valid JSON, got "\{kind"/],
    ['optimizer an array', { optimizer: '[]' }, /metadata 'optimizer' must be a JSON object, got "\[\]"/],
    ['optimizer kind', { optimizer: '{"kind":"rmsprop","step":1,"hyper":{}}' }, /'optimizer' 'kind' must be 'sgd' or 'adam', got "rmsprop"/],
    ['optimizer step negative', { optimizer: '{"kind":"adam","step":-1,"hyper":{}}' }, /'step' must be a non-negative integer, got -1/],
    ['optimizer step fractional', { optimizer: '{"kind":"adam","step":1.5,"hyper":{}}' }, /'step' must be a non-negative integer, got 1.5/],
    ['optimizer step string', { optimizer: '{"kind":"adam","step":"3","hyper":{}}' }, /'step' must be a non-negative integer, got "3"/],
    ['optimizer hyper missing', { optimizer: '{"kind":"adam","step":1}' }, /'hyper' must be an object of numbers, got undefined/],
    ['optimizer hyper null', { optimizer: '{"kind":"adam","step":1,"hyper":null}' }, /'hyper' must be an object of numbers, got null/],
    ['optimizer hyper value', { optimizer: '{"kind":"adam","step":1,"hyper":{"lr":"fast"}}' }, /'hyper.lr' must be a finite number, got "fast"/],
    ['rng null (was accepted)', { rng: 'null' }, /metadata 'rng' must be a JSON object, got "null"/],
    ['rng a list', { rng: '[1,2]' }, /metadata 'rng' must be a JSON object, got "\[1,2\]"/],
    ['config 1 (was accepted)', { config: '1' }, /metadata 'config' must be a JSON object, got "1"/],
    ['config a string', { config: '"x"' }, /metadata 'config' must be a JSON object/],
    ['config with a repeated key', { config: '{"a":1,"a":2}' }, /metadata 'config' must be JSON without repeated keys \('a' occurs twice\)/],
    ['config missing', { config: undefined }, /metadata has no 'config'/],
    ['iteration empty', { iteration: '' }, /metadata 'iteration' must be a decimal integer, got ""/],
    ['iteration exponent', { iteration: '1e3' }, /metadata 'iteration' must be a decimal integer, got "1e3"/],
    ['iteration hex', { iteration: '0x10' }, /must be a decimal integer, got "0x10"/],
    ['iteration padded', { iteration: ' 7' }, /must be a decimal integer, got " 7"/],
    ['iteration negative', { iteration: '-1' }, /metadata 'iteration' must be a non-negative integer, got "-1"/],
    ['iteration past 2^53', { iteration: '9007199254740993' }, /must be a decimal integer, got "9007199254740993"/],
    ['seed not a number', { seed: 'abc' }, /metadata 'seed' must be a decimal integer, got "abc"/],
    ['learner empty', { learner: '' }, /metadata 'learner' must be a non-empty string, got ""/],
    ['model missing', { model: undefined }, /metadata has no 'model'/],
    ['format missing', { format: undefined }, /metadata has no 'format'/],
    ['format_version', { format_version: '2' }, /format_version '2' is not supported \(expected 1\)/],
    ['params not a list', { params: '"layer0.bias"' }, /metadata 'params' must be a list of parameter names.*got "\\"layer0.bias\\""/],
    ['params with a number', { params: '["layer0.bias",3]' }, /metadata 'params' must be a list of parameter names/],
    ['params twice', { params: '["layer0.bias","layer0.bias","layer0.weight"]' }, /metadata 'params' lists 'layer0.bias' twice/],
    ['params naming a prototype key', { params: '["constructor","layer0.bias","layer0.weight"]' }, /parameter 'constructor' is listed in metadata but has no tensor/],
    ['params missing a tensor', { params: '["layer0.weight"]' }, /tensor 'layer0.bias' is neither a listed parameter nor an optimizer slot/],
  ];
  for (const [what, change, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(loadError(tampered(change)).message).toMatch(message);
    });
  }

  it('any hostile value in any metadata field loads or is a CheckpointError, nothing else', () => {
    const hostile = ['', 'null', '1', '-1', '1e999', 'NaN', '"x"', '[]', '{}', '{"__proto__":{"x":1}}', '[null]', 'true', '\u0000', '{'.repeat(10000)];
    const keys = Object.keys(decodeSafetensors(encodeCheckpoint(sample())).metadata);
    for (const key of keys) {
      for (const value of hostile) {
        try {
          decodeCheckpoint(tampered({ [key]: value }), 'c.safetensors');
        } catch (err) {
          if (!(err instanceof CheckpointError)) throw new Error(`${key}=${JSON.stringify(value).slice(0, 20)}: ${String(err)}`);
        }
      }
    }
  });
});

describe('checkpoint tensor validation', () => {
  const f64 = (shape: number[], values: number[]) => ({ dtype: 'float64' as const, shape, data: Float64Array.from(values) });
  const cases: [string, (t: NamedArrays) => void, RegExp][] = [
    ['a stray tensor', (t) => (t.stray = f64([1], [1])), /tensor 'stray' is neither a listed parameter nor an optimizer slot/],
    ['a slot the optimizer does not have', (t) => (t['optimizer/velocity/layer0.weight'] = f64([2, 1], [0, 0])), /'optimizer\/velocity\/layer0.weight' is not a slot of the 'adam' optimizer/],
    ['a slot name without a parameter', (t) => (t['optimizer/m'] = f64([1], [0])), /'optimizer\/m' is not a slot of the 'adam' optimizer/],
    ['a slot of no parameter', (t) => (t['optimizer/m/nothing'] = f64([1], [0])), /optimizer slot 'optimizer\/m\/nothing' belongs to no listed parameter/],
    ['a float32 slot', (t) => (t['optimizer/m/layer0.weight'] = { dtype: 'float32', shape: [2, 1], data: new Float32Array(2) }), /must be float64 \[2, 1\] like its parameter, got float32 \[2, 1\]/],
    ['a slot of another shape', (t) => (t['optimizer/v/layer0.weight'] = f64([2], [0, 0])), /'optimizer\/v\/layer0.weight' must be float64 \[2, 1\] like its parameter, got float64 \[2\]/],
    ['a NaN parameter', (t) => (t['layer0.bias'] = { dtype: 'float32', shape: [2], data: Float32Array.from([0, NaN]) }), /tensor 'layer0.bias' holds NaN at element 1 \(expected finite values\)/],
    ['an infinite slot', (t) => (t['optimizer/m/layer0.weight'] = f64([2, 1], [Infinity, 0])), /tensor 'optimizer\/m\/layer0.weight' holds Infinity at element 0/],
  ];
  for (const [what, edit, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(loadError(tampered({}, edit)).message).toMatch(message);
    });
  }
});

describe('safetensors header validation', () => {
  const entry = '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  const cases: [string, Uint8Array, RegExp][] = [
    ['a huge header length', handBuilt(`{${entry}}`, [0, 0, 0, 0], 2n ** 64n - 1n), /header length 18446744073709552000 exceeds the 100000000-byte limit/],
    ['a header length past the file', handBuilt(`{${entry}}`, [0, 0, 0, 0], 4096n), /truncated: header says 4096 header bytes/],
    ['a zero header length', handBuilt(`{${entry}}`, [0, 0, 0, 0], 0n), /header is not valid UTF-8 JSON/],
    ['a duplicate tensor name', handBuilt(`{${entry},${entry}}`, [0, 0, 0, 0]), /header names 'a' twice/],
    ['a duplicate metadata key', handBuilt(`{"__metadata__":{"k":"1","k":"2"},${entry}}`, [0, 0, 0, 0]), /header names 'k' twice/],
    ['a __proto__ tensor', handBuilt(`{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, [0, 0, 0, 0]), /tensor name '__proto__' is not allowed/],
    ['an entry that is a list', handBuilt('{"a":[1,2]}', []), /entry 'a' must be an object \{dtype, shape, data_offsets\}, got \[1,2\]/],
    ['a negative dimension', handBuilt('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor 'a' has an invalid shape \[-1\]/],
    ['a fractional dimension', handBuilt('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /invalid shape \[1.5\]/],
    ['reversed offsets', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', [0, 0, 0, 0]), /needs 4 bytes but data_offsets \[4, 0\] span -4/],
    ['negative offsets', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', [0, 0, 0, 0]), /invalid data_offsets \[-4,0\]/],
    ['huge offsets', handBuilt('{"a":{"dtype":"F32","shape":[1],"data_offsets":[1e300,1e300]}}', [0, 0, 0, 0]), /invalid data_offsets/],
    ['a shape bigger than its data', handBuilt('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /needs 8 bytes but data_offsets \[0, 4\] span 4/],
    ['an overflowing shape', handBuilt('{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', new Array(8).fill(0)), /needs \d+ bytes but data_offsets \[0, 8\] span 8/],
    ['a metadata value that is not a string', handBuilt(`{"__metadata__":{"k":1},${entry}}`, [0, 0, 0, 0]), /__metadata__ value for 'k' is number, not a string/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => decodeSafetensors(bytes)).toThrow(CheckpointError);
      expect(() => decodeSafetensors(bytes)).toThrow(message);
    });
  }

  it('every truncation of a checkpoint is a CheckpointError', () => {
    const bytes = encodeCheckpoint(sample());
    for (let length = 0; length < bytes.length; length++) loadError(bytes.subarray(0, length));
  });
});
