/**
 * Reader for numpy's .npy format (versions 1.0, 2.0, 3.0):
 *   "\x93NUMPY", major, minor, header length (uint16 LE for v1, uint32 LE for v2/3),
 *   an ASCII Python dict {'descr': '<i8', 'fortran_order': False, 'shape': (964, 20, 105, 105), }
 *   padded with spaces to a 16/64-byte boundary, then the raw C-order data.
 * Supported dtypes: bool (|b1), uint8 (|u1), little-endian int32, int64, float32, float64.
 * int64 comes back as Float64Array (exact for |values| <= 2^53, checked).
 * bool comes back as 0/1 bytes: numpy reads any nonzero byte as True, and some writers store
 * True as 255 (the shared Omniglot npz does), so bools are normalised.
 */
import { DataError } from '../errors.js';

export type NpyDType = 'bool' | 'uint8' | 'int32' | 'int64' | 'float32' | 'float64';

export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  /** bool and uint8: Uint8Array (bool as 0/1); int64: Float64Array. */
  data: Uint8Array | Int32Array | Float32Array | Float64Array;
}

const DESCRS: Record<string, { dtype: NpyDType; bytes: number }> = {
  '|b1': { dtype: 'bool', bytes: 1 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '<i4': { dtype: 'int32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
  '<f4': { dtype: 'float32', bytes: 4 },
  '<f8': { dtype: 'float64', bytes: 8 },
};

/**
 * inPlace: the caller owns `bytes` and allows them to be reused and modified (saves a copy of
 * large bool / uint8 arrays, e.g. the 212 MB Omniglot images); default false.
 */
export function parseNpy(bytes: Uint8Array, name: string, options: { inPlace?: boolean } = {}): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${name}: not a .npy file (bad magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(`${name}: unsupported .npy version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new DataError(`${name}: .npy header runs past the end of the file`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header, name);
  const type = DESCRS[descr];
  if (!type) throw new DataError(`${name}: unsupported .npy dtype '${descr}' (supported: ${Object.keys(DESCRS).join(', ')})`);
  if (fortranOrder) throw new DataError(`${name}: Fortran-ordered .npy arrays are not supported`);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * type.bytes;
  if (dataStart + byteLength > bytes.length) {
    throw new DataError(`${name}: truncated .npy data: shape [${shape.join(', ')}] needs ${byteLength} bytes, file has ${bytes.length - dataStart}`);
  }
  // Wider types are copied into a fresh, aligned buffer (the data offset inside a zip entry
  // need not be aligned); single bytes are used in place when allowed.
  const inPlace = options.inPlace === true && type.bytes === 1;
  // Uint8Array's slice, not the argument's own: a Node Buffer's slice() is a view (into the
  // shared pool, at a byteOffset typedView would not see), not a copy.
  const raw = inPlace ? bytes.subarray(dataStart, dataStart + byteLength) : Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + byteLength);
  if (type.dtype === 'bool') for (let i = 0; i < raw.length; i++) if (raw[i] > 1) raw[i] = 1;
  return { dtype: type.dtype, shape, data: typedView(raw, type.dtype, name) };
}

function typedView(raw: Uint8Array, dtype: NpyDType, name: string): NpyArray['data'] {
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return raw;
    case 'int32':
      return new Int32Array(raw.buffer, 0, raw.length / 4);
    case 'float32':
      return new Float32Array(raw.buffer, 0, raw.length / 4);
    case 'float64':
      return new Float64Array(raw.buffer, 0, raw.length / 8);
    case 'int64': {
      const wide = new BigInt64Array(raw.buffer, 0, raw.length / 8);
      const out = new Float64Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = wide[i];
        if (v > 9007199254740992n || v < -9007199254740992n) throw new DataError(`${name}: int64 value ${v} at ${i} does not fit a double exactly`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

function parseHeader(header: string, name: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new DataError(`${name}: bad dimension '${s}' in .npy shape (${shapeText})`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

/** Serialises an array as .npy v1.0 (used by tests to build fixtures; bool/uint8/int32/int64/float32/float64). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const descr = Object.entries(DESCRS).find(([, t]) => t.dtype === array.dtype)![0];
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const body = encodeData(array);
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(body, 10 + header.length);
  return out;
}

function encodeData(array: NpyArray): Uint8Array {
  const d = array.data;
  if (array.dtype === 'int64') {
    const wide = BigInt64Array.from(Array.from(d, (v) => BigInt(v)));
    return new Uint8Array(wide.buffer);
  }
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
}
