/**
 * The safetensors file format (https://github.com/huggingface/safetensors), so checkpoints
 * load in Python with `safetensors.numpy.load_file`:
 *
 *   [8 bytes]  N = header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: { "<name>": { "dtype": "F32" | "F64", "shape": [...],
 *                                         "data_offsets": [begin, end] }, ...,
 *                            "__metadata__": { "<key>": "<string value>" } }
 *              padded with spaces to a multiple of 8 bytes
 *   [rest]     the tensors' raw little-endian bytes; offsets are relative to the start of this
 *              block, and the tensors tile it exactly (no gaps, no overlap), as the reference
 *              implementation requires.
 *
 * Only F32 and F64 are written or read: metalearn tensors are float32 or float64.
 */
import { CheckpointError } from '../errors.js';
import type { DType } from '../backend/types.js';
import { duplicateJsonKey } from './duplicateJsonKey.js';
import { sizeOf, type NamedArray, type NamedArrays } from './namedArrays.js';

export interface SafetensorsContents {
  tensors: NamedArrays;
  metadata: Record<string, string>;
}

const DTYPE_CODE: Record<DType, 'F32' | 'F64'> = { float32: 'F32', float64: 'F64' };
const BYTES_PER_ELEMENT: Record<'F32' | 'F64', number> = { F32: 4, F64: 8 };
/** The reference implementation refuses headers above 100 MB; so do we. */
const MAX_HEADER_BYTES = 100_000_000;
/** Names that would reach Object.prototype when used as keys of a plain record. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

interface HeaderEntry {
  dtype: 'F32' | 'F64';
  shape: number[];
  data_offsets: [number, number];
}

/** Serialises tensors (in sorted name order) and string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: NamedArrays, metadata: Record<string, string> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    checkArray(name, t);
    const code = DTYPE_CODE[t.dtype];
    const bytes = t.data.length * BYTES_PER_ELEMENT[code];
    header[name] = { dtype: code, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // space padding
  const dataStart = 8 + headerLength;
  for (const name of names) {
    const entry = header[name] as HeaderEntry;
    writeData(view, dataStart + entry.data_offsets[0], tensors[name]);
  }
  return out;
}

/**
 * Parses safetensors bytes. `source` names the file in errors. Throws CheckpointError for a
 * truncated file, a bad header, an unsupported dtype or offsets that do not tile the data.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  if (bytes.length < 8) {
    throw new CheckpointError(`${source}: truncated: ${bytes.length} bytes, less than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true)); // may round above 2^53, but then it is over the limit anyway
  if (headerLength > MAX_HEADER_BYTES) {
    throw new CheckpointError(`${source}: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
  }
  if (8 + headerLength > bytes.length) {
    throw new CheckpointError(`${source}: truncated: header says ${headerLength} header bytes but the file has ${bytes.length - 8} after the length`);
  }
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), source);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata(header.__metadata__, source);
  const entries = Object.keys(header)
    .filter((name) => name !== '__metadata__')
    .map((name) => ({ name, entry: readEntry(name, header[name], source) }));
  checkTiling(entries, dataLength, source);
  const tensors: NamedArrays = {};
  for (const { name, entry } of entries) {
    tensors[name] = readData(view, dataStart + entry.data_offsets[0], entry);
  }
  return { tensors, metadata };
}

function checkArray(name: string, t: NamedArray): void {
  if (RESERVED_NAMES.has(name)) throw new CheckpointError(`safetensors: tensor name '${name}' is not allowed`);
  const expected = sizeOf(t.shape);
  if (t.data.length !== expected) {
    throw new CheckpointError(`safetensors: tensor '${name}' has ${t.data.length} elements but shape [${t.shape.join(', ')}] needs ${expected}`);
  }
  if (!(t.dtype in DTYPE_CODE)) {
    throw new CheckpointError(`safetensors: tensor '${name}' has unsupported dtype '${String(t.dtype)}'`);
  }
}

function writeData(view: DataView, at: number, t: NamedArray): void {
  if (t.dtype === 'float64') {
    for (let i = 0; i < t.data.length; i++) view.setFloat64(at + 8 * i, t.data[i], true);
  } else {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i], true);
  }
}

function readData(view: DataView, at: number, entry: HeaderEntry): NamedArray {
  const n = sizeOf(entry.shape);
  if (entry.dtype === 'F64') {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat64(at + 8 * i, true);
    return { dtype: 'float64', shape: entry.shape, data };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(at + 4 * i, true);
  return { dtype: 'float32', shape: entry.shape, data };
}

function parseHeader(bytes: Uint8Array, source: string): Record<string, unknown> {
  let parsed: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`${source}: header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CheckpointError(`${source}: header is not a JSON object`);
  }
  const duplicate = duplicateJsonKey(text);
  if (duplicate !== undefined) throw new CheckpointError(`${source}: header names '${duplicate}' twice (ambiguous)`);
  const reserved = Object.keys(parsed).find((name) => RESERVED_NAMES.has(name));
  if (reserved !== undefined) throw new CheckpointError(`${source}: tensor name '${reserved}' is not allowed`);
  return parsed as Record<string, unknown>;
}

function readMetadata(raw: unknown, source: string): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointError(`${source}: __metadata__ is not an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (RESERVED_NAMES.has(key)) throw new CheckpointError(`${source}: __metadata__ key '${key}' is not allowed`);
    if (typeof value !== 'string') {
      throw new CheckpointError(`${source}: __metadata__ value for '${key}' is ${typeof value}, not a string`);
    }
    out[key] = value;
  }
  return out;
}

function readEntry(name: string, raw: unknown, source: string): HeaderEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointError(`${source}: entry '${name}' must be an object {dtype, shape, data_offsets}, got ${JSON.stringify(raw)}`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (dtype !== 'F32' && dtype !== 'F64') {
    throw new CheckpointError(`${source}: tensor '${name}' has dtype ${JSON.stringify(dtype)}; only F32 and F64 are supported`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new CheckpointError(`${source}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new CheckpointError(`${source}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const entry: HeaderEntry = { dtype, shape: shape as number[], data_offsets: [offsets[0], offsets[1]] };
  const expectedBytes = sizeOf(entry.shape) * BYTES_PER_ELEMENT[dtype];
  if (offsets[1] - offsets[0] !== expectedBytes) {
    throw new CheckpointError(
      `${source}: tensor '${name}' (${dtype} [${entry.shape.join(', ')}]) needs ${expectedBytes} bytes but data_offsets [${offsets[0]}, ${offsets[1]}] span ${offsets[1] - offsets[0]}`,
    );
  }
  return entry;
}

/** The tensors must cover [0, dataLength) exactly, in offset order. */
function checkTiling(entries: { name: string; entry: HeaderEntry }[], dataLength: number, source: string): void {
  const sorted = [...entries].sort((a, b) => a.entry.data_offsets[0] - b.entry.data_offsets[0]);
  let expectedBegin = 0;
  for (const { name, entry } of sorted) {
    const [begin, end] = entry.data_offsets;
    if (end > dataLength) {
      throw new CheckpointError(`${source}: tensor '${name}' data_offsets [${begin}, ${end}] run past the ${dataLength} data bytes (truncated file?)`);
    }
    if (begin !== expectedBegin) {
      throw new CheckpointError(`${source}: tensor '${name}' starts at byte ${begin}, expected ${expectedBegin} (gap or overlap in data_offsets)`);
    }
    expectedBegin = end;
  }
  if (expectedBegin !== dataLength) {
    throw new CheckpointError(`${source}: ${dataLength - expectedBegin} bytes after the last tensor are not described by the header`);
  }
}
