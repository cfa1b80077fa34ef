/**
 * Typed errors. Every error metalearn throws on bad input is a MetalearnError subclass whose
 * message names the operation and the offending shapes or values.
 */
export class MetalearnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the operation (rank, sizes, broadcasting). */
export class ShapeError extends MetalearnError {}

/** Mixed or unsupported dtypes. */
export class DTypeError extends MetalearnError {}

/** A value out of range: labels outside [0, classes), NaN where a number is required, bad options. */
export class ValueError extends MetalearnError {}

/** Use of a tensor after dispose(). */
export class DisposedError extends MetalearnError {}

/** The requested backend cannot be used (e.g. METALEARN_BACKEND=native with no binary). */
export class BackendError extends MetalearnError {}

/** A dataset, archive, checksum or split problem. */
export class DataError extends MetalearnError {}

/** A checkpoint that is missing, truncated, corrupt or from another model. */
export class CheckpointError extends MetalearnError {}

/**
 * Memory could not be had: a native allocation failed, or a run's estimated peak memory is above
 * the limit (free memory, or `--max-memory` / a `maxMemoryBytes` option). The message gives the
 * size asked for or the estimate, the limit, and what to reduce.
 */
export class OutOfMemoryError extends MetalearnError {}

/** An error inside the native core that is not the user's fault. */
export class InternalError extends MetalearnError {}

/** Maps the `code` of an error thrown by the native binding (binding.d.ts) to a typed error. */
export function fromNativeError(err: unknown): Error {
  if (!(err instanceof Error)) return new InternalError(String(err));
  const code = (err as Error & { code?: unknown }).code;
  switch (code) {
    case 'ERR_SHAPE':
      return new ShapeError(err.message);
    case 'ERR_DTYPE':
      return new DTypeError(err.message);
    case 'ERR_VALUE':
      return new ValueError(err.message);
    case 'ERR_DISPOSED':
      return new DisposedError(err.message);
    case 'ERR_OOM':
      return new OutOfMemoryError(err.message);
    case 'ERR_INTERNAL':
      return new InternalError(err.message);
    default:
      return err;
  }
}
