/**
 * Who frees a tensor or handle that crosses a call, said in the types. Both aliases are the
 * type itself (no runtime cost); they document the contract at the boundaries:
 * - Borrowed<T>: the receiver reads it and must not free it; its owner outlives the call. The
 *   caller's params are borrowed by every learner call, and so are learned inner rates (MetaSGD's
 *   'lr/...' and MAML++'s 'lr/.../step<j>' entries ARE params).
 * - Owned<T>: the receiver frees it (or hands it on, owned). Fast weights a learner returns
 *   (adaptParams / AdaptedParams) are owned by the caller; rates and class-id tensors a call
 *   makes for itself (scalar rates, CAVIA's zero context) are owned by that call, which frees
 *   them before it returns (disposeTemporaries); MAML++'s new running statistics
 *   (MetaStepResult.buffers) are owned by the trainer.
 */
import type { Backend, Handle } from '../backend/types.js';
import { Tensor } from './tensor.js';

export type Borrowed<T> = T;
export type Owned<T> = T;

/** Frees raw handles the caller owns. */
export function disposeHandles(backend: Backend, handles: readonly Owned<Handle>[]): void {
  for (const h of handles) backend.dispose(h);
}

/**
 * Frees the tensors a call made for itself (scalar rates, CAVIA's zero context, class ids as
 * floats), i.e. those of `made` that are not borrowed from the caller (`theirs`), each once.
 */
export function disposeTemporaries(made: readonly unknown[], theirs: readonly Borrowed<unknown>[]): void {
  const keep = new Set(theirs);
  for (const t of new Set(made)) if (t instanceof Tensor && !keep.has(t) && !t.isDisposed) t.dispose();
}
