import { MetalearnError } from '../errors.js';

/**
 * Training stopped because the meta-loss, the meta-gradient or the updated parameters became
 * NaN or infinite. The message names the iteration and the last good checkpoint, which is
 * never overwritten by the bad state.
 */
export class DivergenceError extends MetalearnError {
  constructor(
    message: string,
    /** Iteration (1-based) at which the non-finite value appeared. */
    readonly iteration: number,
    /** Path of the last good checkpoint, if one was written. */
    readonly lastCheckpoint: string | undefined,
  ) {
    super(message);
  }
}
