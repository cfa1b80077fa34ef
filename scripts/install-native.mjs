// npm's install step: use a prebuilt or already-built binary if one loads, else build the
// native core with cmake-js. If building fails (no compiler, no cmake), warn and carry on:
// metalearn then runs on its pure-TypeScript core (see lib/backend/index.ts).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { NATIVE_BUILD_ADVICE } from './native-advice.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function binaryLoads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

if (process.env.METALEARN_SKIP_NATIVE_BUILD === '1') {
  console.warn('metalearn: METALEARN_SKIP_NATIVE_BUILD=1, not building the native core');
} else if (!binaryLoads()) {
  const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 || !binaryLoads()) {
    // npm hides this unless --foreground-scripts; the first import says it again (lib/backend/index.ts).
    console.warn(`metalearn: the native core could not be built; the pure-TypeScript core will be used.\n  ${NATIVE_BUILD_ADVICE}.`);
  }
}
