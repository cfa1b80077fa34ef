/**
 * The backends tests run on: 'js' always, 'native' when its binary loads (otherwise the
 * native suite is skipped with the reason in its title).
 */
import { describe, beforeAll } from 'vitest';
import { setBackend, nativeAvailable, type BackendName } from '../../lib/backend/index.js';

export interface BackendCase {
  name: BackendName;
  available: boolean;
  reason: string;
}

export function backendCases(): BackendCase[] {
  const native = nativeAvailable();
  return [
    { name: 'js', available: true, reason: '' },
    { name: 'native', available: native.ok, reason: native.ok ? '' : native.reason },
  ];
}

/** describe() once per backend with that backend selected; skipped (with reason) when unavailable. */
export function describeEachBackend(title: string, body: (name: BackendName) => void): void {
  for (const c of backendCases()) {
    const suffix = c.available ? '' : ` (skipped: native binary not available: ${c.reason})`;
    describe.skipIf(!c.available)(`${title} [${c.name}]${suffix}`, () => {
      beforeAll(() => setBackend(c.name));
      body(c.name);
    });
  }
}
