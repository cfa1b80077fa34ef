/**
 * parseNpy on what readFileSync returns: a small file's Buffer is a view into Node's shared
 * pool (byteOffset > 0), and Buffer.slice() is a view too. The values must still be the file's.
 */
import { expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy } from '../../lib/data/npy.js';

it('parseNpy reads float32, float64 and int32 arrays from a pooled Buffer (byteOffset > 0)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metalearn-npy-'));
  try {
    const arrays = [
      { dtype: 'float64' as const, shape: [3], data: Float64Array.of(0.25, 2, -7.5) },
      { dtype: 'float32' as const, shape: [2, 2], data: Float32Array.of(1.5, -2, 3, 4) },
      { dtype: 'int32' as const, shape: [3], data: Int32Array.of(0, 2, 1) },
    ];
    arrays.forEach((a, i) => writeFileSync(join(dir, `${i}.npy`), encodeNpy(a)));
    arrays.forEach((a, i) => {
      const bytes = readFileSync(join(dir, `${i}.npy`));
      const parsed = parseNpy(bytes, `${i}.npy`);
      expect(parsed.shape).toEqual(a.shape);
      expect(Array.from(parsed.data)).toEqual(Array.from(a.data));
      // The same bytes at a nonzero offset of a larger buffer, explicitly.
      const padded = new Uint8Array(bytes.length + 24);
      padded.set(bytes, 24);
      expect(Array.from(parseNpy(padded.subarray(24), `${i}.npy`).data)).toEqual(Array.from(a.data));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
