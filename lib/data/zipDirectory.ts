/**
 * The structure of a zip archive, read and cross-checked without trusting any single field:
 *
 *   [local header 30 B + name + extra][data] ... per entry
 *   [central directory: 46 B + name + extra + comment per entry]
 *   [zip64 end record 56 B + zip64 locator 20 B]   only when a field overflowed 16/32 bits
 *   [end of central directory 22 B + comment]
 *
 * Every entry's central record must agree with its local header (name bytes, method; CRC and
 * sizes unless the entry uses a data descriptor), entries may not overlap one another or the
 * central directory, and the directory must hold exactly the declared entries in exactly the
 * declared bytes. Anything else is a DataError naming the archive and the entry. (A bit flip or
 * a crafted header then either changes nothing that is read, or is refused.)
 */
import { DataError } from '../errors.js';

/** Random access to the archive's bytes (a buffer in memory or an open file). */
export interface ZipSource {
  readonly size: number;
  /** Exactly `length` bytes at `position` (the caller keeps the range inside `size`). */
  read(position: number, length: number): Uint8Array;
}

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated (the only methods read). */
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's local header starts in the archive. */
  headerOffset: number;
  /** Where the entry's (compressed) data starts and ends in the archive. */
  dataStart: number;
  dataEnd: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const MAX_COMMENT = 0xffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
const FLAG_UTF8 = 0x800;

interface CentralRecord {
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

/** The entries of the archive in central-directory order (directories included, names ending in '/'). */
export function readZipDirectory(source: ZipSource, archiveName: string): ZipEntry[] {
  const fail = (what: string): never => {
    throw new DataError(`${archiveName}: corrupt zip archive: ${what}`);
  };
  const end = findEndRecord(source, fail);
  if (end.directoryOffset + end.directorySize > end.recordOffset) {
    fail(`central directory [${end.directoryOffset}, +${end.directorySize}) runs past its end record at ${end.recordOffset}`);
  }
  const records = readCentralRecords(source.read(end.directoryOffset, end.directorySize), end.entryCount, fail);
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.name)) fail(`entry '${r.name}' appears twice`);
    seen.add(r.name);
  }
  const entries = records.map((record) => checkLocalHeader(source, record, fail));
  checkNoOverlap(entries, end.directoryOffset, fail);
  return entries;
}

interface EndRecord {
  recordOffset: number;
  entryCount: number;
  directorySize: number;
  directoryOffset: number;
}

/** The last end-of-central-directory record whose comment fits the file exactly; zip64 resolved. */
function findEndRecord(source: ZipSource, fail: (what: string) => never): EndRecord {
  if (source.size < EOCD_BYTES) fail(`${source.size} bytes is too short for a zip`);
  const tailLength = Math.min(source.size, EOCD_BYTES + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  const view = viewOf(tail);
  for (let at = tailLength - EOCD_BYTES; at >= 0; at--) {
    if (view.getUint32(at, true) !== EOCD_SIGNATURE) continue;
    if (at + EOCD_BYTES + view.getUint16(at + 20, true) !== tailLength) continue;
    const disk = view.getUint16(at + 4, true);
    const directoryDisk = view.getUint16(at + 6, true);
    const onDisk = view.getUint16(at + 8, true);
    const total = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 12, true);
    const offset = view.getUint32(at + 16, true);
    const recordOffset = tailStart + at;
    if (total === 0xffff || size === 0xffffffff || offset === 0xffffffff) return readZip64End(source, recordOffset, fail);
    if (disk !== 0 || directoryDisk !== 0 || onDisk !== total) fail('multi-disk archives are not supported');
    return { recordOffset, entryCount: total, directorySize: size, directoryOffset: offset };
  }
  return fail('no end-of-central-directory record (not a zip, or truncated)');
}

function readZip64End(source: ZipSource, endOffset: number, fail: (what: string) => never): EndRecord {
  if (endOffset < 20) fail('zip64 locator missing');
  const locator = viewOf(source.read(endOffset - 20, 20));
  if (locator.getUint32(0, true) !== ZIP64_LOCATOR_SIGNATURE) fail('zip64 locator missing');
  const recordOffset = safeUint64(locator, 8, 'zip64 end record offset', fail);
  if (recordOffset + 56 > endOffset - 20) fail(`zip64 end record offset ${recordOffset} is out of range`);
  const record = viewOf(source.read(recordOffset, 56));
  if (record.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) fail('zip64 end record has a bad signature');
  const onDisk = safeUint64(record, 24, 'zip64 entry count', fail);
  const total = safeUint64(record, 32, 'zip64 entry count', fail);
  if (record.getUint32(16, true) !== 0 || record.getUint32(20, true) !== 0 || onDisk !== total) fail('multi-disk archives are not supported');
  return {
    recordOffset,
    entryCount: total,
    directorySize: safeUint64(record, 40, 'zip64 directory size', fail),
    directoryOffset: safeUint64(record, 48, 'zip64 directory offset', fail),
  };
}

/** Exactly `count` records filling exactly the directory's bytes. */
function readCentralRecords(directory: Uint8Array, count: number, fail: (what: string) => never): CentralRecord[] {
  const view = viewOf(directory);
  const records: CentralRecord[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_BYTES > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      fail(`central directory entry ${i} of ${count} is missing or has a bad signature`);
    }
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + CENTRAL_BYTES + nameLength + extraLength + commentLength;
    if (next > directory.length) fail(`central directory entry ${i} runs past the directory`);
    const nameBytes = directory.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength);
    const name = decodeName(nameBytes, flags, fail);
    const extra = directory.subarray(at + CENTRAL_BYTES + nameLength, at + CENTRAL_BYTES + nameLength + extraLength);
    const sizes = resolveZip64(
      { uncompressed: view.getUint32(at + 24, true), compressed: view.getUint32(at + 20, true), offset: view.getUint32(at + 42, true) },
      extra,
      name,
      fail,
    );
    if (view.getUint16(at + 34, true) !== 0 && view.getUint16(at + 34, true) !== 0xffff) fail(`entry '${name}' starts on another disk`);
    records.push({
      name,
      nameBytes,
      flags,
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: sizes.compressed,
      uncompressedSize: sizes.uncompressed,
      localOffset: sizes.offset,
    });
    at = next;
  }
  if (at !== directory.length) fail(`central directory holds ${directory.length - at} bytes after its ${count} declared entries`);
  return records;
}

interface Sizes {
  uncompressed: number;
  compressed: number;
  offset: number;
}

/** Fields stored as 0xFFFFFFFF are in the zip64 extra field (id 1), in this order, 8 bytes each. */
function resolveZip64(sizes: Sizes, extra: Uint8Array, name: string, fail: (what: string) => never): Sizes {
  const needed = (['uncompressed', 'compressed', 'offset'] as const).filter((k) => sizes[k] === 0xffffffff);
  if (needed.length === 0) return sizes;
  const view = viewOf(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (at + 4 + length > extra.length) break;
    if (id === ZIP64_EXTRA_ID) {
      if (length < 8 * needed.length) fail(`entry '${name}': zip64 extra field is too short`);
      const out = { ...sizes };
      needed.forEach((key, i) => (out[key] = safeUint64(view, at + 4 + 8 * i, `entry '${name}' zip64 ${key} size`, fail)));
      return out;
    }
    at += 4 + length;
  }
  return fail(`entry '${name}': sizes overflow 32 bits but there is no zip64 extra field`);
}

/** Compares the local header with the central record; returns where the entry's data lies. */
function checkLocalHeader(source: ZipSource, record: CentralRecord, fail: (what: string) => never): ZipEntry {
  const { name } = record;
  if (record.localOffset + LOCAL_BYTES > source.size) fail(`entry '${name}': local header offset ${record.localOffset} is past the end`);
  const fixed = viewOf(source.read(record.localOffset, LOCAL_BYTES));
  if (fixed.getUint32(0, true) !== LOCAL_SIGNATURE) fail(`entry '${name}': bad local header signature at ${record.localOffset}`);
  const flags = fixed.getUint16(6, true);
  if ((flags | record.flags) & FLAG_ENCRYPTED) fail(`entry '${name}' is encrypted (not supported)`);
  if (fixed.getUint16(8, true) !== record.method) fail(`entry '${name}': local header says method ${fixed.getUint16(8, true)}, central directory ${record.method}`);
  if (record.method !== 0 && record.method !== 8) fail(`entry '${name}' uses compression method ${record.method} (only stored and deflate are read)`);
  if (record.method === 0 && record.compressedSize !== record.uncompressedSize) {
    fail(`entry '${name}' is stored but declares ${record.compressedSize} compressed and ${record.uncompressedSize} uncompressed bytes`);
  }
  const nameLength = fixed.getUint16(26, true);
  const extraLength = fixed.getUint16(28, true);
  const dataStart = record.localOffset + LOCAL_BYTES + nameLength + extraLength;
  if (dataStart > source.size) fail(`entry '${name}': local header runs past the end`);
  const local = source.read(record.localOffset + LOCAL_BYTES, nameLength + extraLength);
  if (!sameBytes(local.subarray(0, nameLength), record.nameBytes)) fail(`entry '${name}': the local header names it differently`);
  if (!(flags & FLAG_DATA_DESCRIPTOR)) {
    const localSizes = resolveZip64(
      { uncompressed: fixed.getUint32(22, true), compressed: fixed.getUint32(18, true), offset: 0 },
      local.subarray(nameLength),
      name,
      fail,
    );
    if (fixed.getUint32(14, true) !== record.crc32 || localSizes.compressed !== record.compressedSize || localSizes.uncompressed !== record.uncompressedSize) {
      fail(`entry '${name}': local header CRC or sizes differ from the central directory`);
    }
  }
  const dataEnd = dataStart + record.compressedSize;
  if (dataEnd > source.size) fail(`entry '${name}': ${record.compressedSize} compressed bytes run past the end (truncated?)`);
  return {
    name,
    method: record.method,
    crc32: record.crc32,
    compressedSize: record.compressedSize,
    uncompressedSize: record.uncompressedSize,
    headerOffset: record.localOffset,
    dataStart,
    dataEnd,
  };
}

/** Overlapping entries are how non-recursive zip bombs multiply one compressed block. */
function checkNoOverlap(entries: ZipEntry[], directoryOffset: number, fail: (what: string) => never): void {
  const byStart = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
  for (let i = 0; i < byStart.length; i++) {
    const limit = i + 1 < byStart.length ? byStart[i + 1].headerOffset : directoryOffset;
    if (byStart[i].dataEnd > limit) fail(`entry '${byStart[i].name}' overlaps the next entry or the central directory`);
  }
}

function decodeName(bytes: Uint8Array, flags: number, fail: (what: string) => never): string {
  if (flags & FLAG_UTF8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return fail('an entry name is not valid UTF-8');
    }
  }
  return new TextDecoder('latin1').decode(bytes); // CP437 in the spec; identical for ASCII names
}

function safeUint64(view: DataView, at: number, what: string, fail: (what: string) => never): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} ${value} is out of range`);
  return Number(value);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
