/** Applies --backend (the environment's METALEARN_BACKEND otherwise, then the library default). */
import { setBackend, type BackendName } from '../backend/index.js';

export function chooseBackend(name: string | undefined): void {
  if (name !== undefined) setBackend(name as BackendName);
}
