/**
 * Vinyals split files: one class per line, "Alphabet/characterNN/rotDDD" (DDD in 000, 090, 180,
 * 270). Resolved against the loaded characters by name; an unknown character or rotation is a
 * DataError naming the file and line.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import type { RotatedClass } from './rotatedClassesDataset.js';

const LINE = /^(.+\/[^/]+)\/rot(\d{3})$/;

/**
 * The classes of a split file. With rotations: every line as its own class. Without: each
 * character once (first appearance order), rotation 0.
 */
export function readVinyalsSplit(path: string, characterIndex: ReadonlyMap<string, number>, rotations: boolean): RotatedClass[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const classes: RotatedClass[] = [];
  const seen = new Set<number>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    const match = LINE.exec(line);
    const degrees = match ? Number(match[2]) : NaN;
    if (!match || ![0, 90, 180, 270].includes(degrees)) {
      throw new DataError(`${path}:${i + 1}: expected 'Alphabet/characterNN/rotDDD' (DDD = 000|090|180|270), got '${line}'`);
    }
    const baseClass = characterIndex.get(match[1]);
    if (baseClass === undefined) {
      throw new DataError(`${path}:${i + 1}: split names unknown class '${match[1]}' (not among the ${characterIndex.size} loaded characters)`);
    }
    if (rotations) classes.push({ baseClass, quarterTurns: degrees / 90 });
    else if (!seen.has(baseClass)) classes.push({ baseClass, quarterTurns: 0 });
    seen.add(baseClass);
  });
  if (classes.length === 0) throw new DataError(`${path}: split file lists no classes`);
  return classes;
}
