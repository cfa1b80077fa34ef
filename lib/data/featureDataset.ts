/**
 * Feature-vector datasets (text or tabular embeddings: FewRel, CLINC150-style intents after
 * embedding): examples are float vectors [D], so the same samplers give x [N*K, D].
 *
 * JSON lines: one object per line, {"label": "greeting", "features": [0.1, ...]} (keys
 * configurable); classes in order of first appearance.
 *
 * Binary (little endian), written by writeFeatureFile:
 *   bytes 0..7    magic "MLFEAT01"
 *   bytes 8..11   uint32 N (examples)   12..15 uint32 D (dimension)   16..19 uint32 C (classes)
 *   bytes 20..23  uint32 M, then M bytes of UTF-8 JSON: the C class names (array of strings)
 *   zero padding to a multiple of 4, then float32 features [N, D], then int32 labels [N] in [0, C)
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataError, ValueError } from '../errors.js';
import { ArrayDataset } from './arrayDataset.js';
import { writeFileAtomic } from '../train/atomicWrite.js';

export interface FeatureTable {
  /** [N, D] row-major */
  features: Float32Array;
  dimension: number;
  /** [N], values in [0, classNames.length) */
  labels: Int32Array;
  classNames: readonly string[];
}

/** A dataset over a feature table, examples grouped by label (stable: file order within a class). */
export function featureDataset(table: FeatureTable, name = 'features'): ArrayDataset {
  const { features, dimension, labels, classNames } = table;
  const count = labels.length;
  if (!Number.isInteger(dimension) || dimension < 1 || features.length !== count * dimension) {
    throw new DataError(`${name}: ${features.length} feature values do not fit ${count} examples x ${dimension} dimensions`);
  }
  const classStarts = new Int32Array(classNames.length + 1);
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new DataError(`${name}: example ${i} has label ${label}, outside [0, ${classNames.length})`);
    }
    classStarts[label + 1]++;
  }
  for (let c = 0; c < classNames.length; c++) classStarts[c + 1] += classStarts[c];
  const next = classStarts.slice(0, classNames.length);
  const values = new Float32Array(features.length);
  for (let i = 0; i < count; i++) {
    const row = next[labels[i]]++;
    values.set(features.subarray(i * dimension, (i + 1) * dimension), row * dimension);
  }
  return new ArrayDataset({ name, exampleShape: [dimension], values, classStarts, classNames });
}

export interface JsonLinesOptions {
  /** Default "label". */
  labelKey?: string;
  /** Default "features". */
  featuresKey?: string;
  name?: string;
}

export function readFeatureJsonLines(path: string, options: JsonLinesOptions = {}): FeatureTable {
  if (!existsSync(path)) throw new DataError(`feature file ${path} not found`);
  const labelKey = options.labelKey ?? 'label';
  const featuresKey = options.featuresKey ?? 'features';
  const classIndex = new Map<string, number>();
  const rows: number[][] = [];
  const labels: number[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim().length === 0) return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        throw new DataError(`${path}:${i + 1}: not valid JSON`);
      }
      const object = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
      const label = object[labelKey];
      const vector = object[featuresKey];
      if ((typeof label !== 'string' && typeof label !== 'number') || !Array.isArray(vector) || !vector.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        throw new DataError(`${path}:${i + 1}: expected {"${labelKey}": string|number, "${featuresKey}": [finite numbers]}`);
      }
      if (rows.length > 0 && vector.length !== rows[0].length) {
        throw new DataError(`${path}:${i + 1}: ${vector.length} features, earlier lines have ${rows[0].length}`);
      }
      const key = String(label);
      if (!classIndex.has(key)) classIndex.set(key, classIndex.size);
      labels.push(classIndex.get(key)!);
      rows.push(vector as number[]);
    });
  if (rows.length === 0) throw new DataError(`${path}: no examples`);
  const dimension = rows[0].length;
  const features = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => features.set(row, i * dimension));
  return { features, dimension, labels: Int32Array.from(labels), classNames: [...classIndex.keys()] };
}

const MAGIC = 'MLFEAT01';

export function writeFeatureFile(path: string, table: FeatureTable): void {
  const names = Buffer.from(JSON.stringify(table.classNames), 'utf8');
  const headerLength = 24 + names.length;
  const padding = (4 - (headerLength % 4)) % 4;
  const header = Buffer.alloc(headerLength + padding);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(table.labels.length, 8);
  header.writeUInt32LE(table.dimension, 12);
  header.writeUInt32LE(table.classNames.length, 16);
  header.writeUInt32LE(names.length, 20);
  names.copy(header, 24);
  const features = Buffer.from(table.features.buffer, table.features.byteOffset, table.features.byteLength);
  const labels = Buffer.from(table.labels.buffer, table.labels.byteOffset, table.labels.byteLength);
  if (table.features.length !== table.labels.length * table.dimension) {
    throw new ValueError(`writeFeatureFile: ${table.features.length} feature values do not fit ${table.labels.length} x ${table.dimension}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, [header, features, labels]);
}

export function readFeatureFile(path: string): FeatureTable {
  if (!existsSync(path)) throw new DataError(`feature file ${path} not found`);
  const file = readFileSync(path);
  if (file.length < 24 || file.toString('latin1', 0, 8) !== MAGIC) throw new DataError(`${path}: not a metalearn feature file (bad magic)`);
  const count = file.readUInt32LE(8);
  const dimension = file.readUInt32LE(12);
  const numClasses = file.readUInt32LE(16);
  const namesLength = file.readUInt32LE(20);
  const dataStart = Math.ceil((24 + namesLength) / 4) * 4;
  const expected = dataStart + count * dimension * 4 + count * 4;
  if (file.length !== expected) {
    throw new DataError(`${path}: ${file.length} bytes, header (${count} examples x ${dimension} dims, ${numClasses} classes) implies ${expected}`);
  }
  let classNames: unknown;
  try {
    classNames = JSON.parse(file.toString('utf8', 24, 24 + namesLength));
  } catch {
    throw new DataError(`${path}: class-name table is not valid JSON`);
  }
  if (!Array.isArray(classNames) || classNames.length !== numClasses || !classNames.every((n) => typeof n === 'string')) {
    throw new DataError(`${path}: class-name table must list ${numClasses} strings`);
  }
  // Copy into aligned buffers (a Buffer's byteOffset may not be a multiple of 4).
  const body = new Uint8Array(file.buffer, file.byteOffset + dataStart, expected - dataStart).slice();
  const features = new Float32Array(body.buffer, 0, count * dimension);
  const labels = new Int32Array(body.buffer, count * dimension * 4, count);
  return { features, dimension, labels, classNames };
}

/** A feature dataset from a .jsonl / .ndjson file (JSON lines) or any other file (binary format). */
export function loadFeatureDataset(path: string, options: JsonLinesOptions = {}): ArrayDataset {
  const table = /\.(jsonl|ndjson)$/i.test(path) ? readFeatureJsonLines(path, options) : readFeatureFile(path);
  return featureDataset(table, options.name ?? path);
}
