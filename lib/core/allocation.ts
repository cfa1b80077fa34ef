/**
 * Sizes of tensors about to be made, checked before any memory is asked for: an element count
 * past 2^53 (where doubles stop counting exactly) is a ShapeError; a tensor larger than this
 * machine's memory is an OutOfMemoryError (asking for it would fail, or swap until the OS kills
 * the process). And the one conversion of a JavaScript allocation failure (a RangeError from an
 * ArrayBuffer or typed array) into an OutOfMemoryError.
 */
import { totalmem } from 'node:os';
import { OutOfMemoryError, ShapeError, ValueError } from '../errors.js';
import { MAX_TENSOR_ELEMENTS } from '../backend/js/jsTensor.js';
import type { DType } from '../backend/types.js';
import { formatShape } from './shape.js';

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8 };

/** Physical memory, read once (os.totalmem() reads /proc/meminfo on every call; every op checks its output size). */
const MACHINE_MEMORY = totalmem();

const gigabytes = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/**
 * Elements of a valid shape (see checkShape), after refusing sizes no core here can hold: past
 * 2^53 elements a ShapeError; past the cores' own cap (MAX_TENSOR_ELEMENTS, as native and the
 * TypeScript core refuse it) a ValueError; past `limit` bytes (this machine's memory) an
 * OutOfMemoryError.
 */
export function checkAllocation(op: string, shape: readonly number[], dtype: DType, limit = MACHINE_MEMORY): number {
  let elements = 1;
  for (const d of shape) elements *= d;
  if (!Number.isSafeInteger(elements)) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} has more than 2^53 elements`);
  }
  if (elements > MAX_TENSOR_ELEMENTS) {
    throw new ValueError(`${op}: shape ${formatShape(shape)} is too large (${elements} elements; the most one tensor may have is ${MAX_TENSOR_ELEMENTS})`);
  }
  const bytes = elements * BYTES_PER_ELEMENT[dtype];
  if (bytes > limit) {
    throw new OutOfMemoryError(
      `${op}: a ${dtype} tensor of shape ${formatShape(shape)} needs ${gigabytes(bytes)}, more than this machine's memory (${gigabytes(limit)}); use smaller sizes`,
    );
  }
  return elements;
}

/** True for the RangeErrors V8 throws when an array or buffer cannot be allocated. */
export function isAllocationFailure(err: unknown): boolean {
  return err instanceof RangeError && /allocation failed|invalid typed array length|invalid array (buffer )?length|array buffer allocation/i.test(err.message);
}

/** Runs f; a JavaScript allocation failure becomes an OutOfMemoryError naming `op`. */
export function convertAllocationFailure<T>(op: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isAllocationFailure(err)) throw new OutOfMemoryError(`${op}: out of memory (${(err as Error).message})`);
    throw err;
  }
}
