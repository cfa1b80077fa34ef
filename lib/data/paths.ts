/** Where datasets live by default: $METALEARN_DATA, else ~/.cache/metalearn. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataRoot(): string {
  const fromEnv = process.env.METALEARN_DATA;
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.cache', 'metalearn');
}
