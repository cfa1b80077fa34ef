// npm run prebuild: builds the native addon with cmake-js and copies it to prebuildify's layout,
// prebuilds/<platform>-<arch>/node.napi.node, where node-gyp-build finds it in a copy of the
// package that has no build/ directory and no build tools.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');

const build = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error(`prebuild: cmake-js compile failed (exit ${build.status})`);
  process.exit(1);
}
const binary = join(root, 'build', 'Release', 'metalearn.node');
if (!existsSync(binary)) {
  console.error(`prebuild: ${binary} was not produced`);
  process.exit(1);
}
const targetDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(targetDir, { recursive: true });
const target = join(targetDir, 'node.napi.node');
copyFileSync(binary, target);
console.log(`prebuild: ${target}`);
