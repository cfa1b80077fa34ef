// npm run prebuild (and npm pack, through prepack): builds the native addon for shipping and
// copies it to prebuildify's layout, prebuilds/<platform>-<arch>/node.napi.node, where
// node-gyp-build finds it in an installed package that has no build/ directory and no build tools.
//
// Why a build directory of its own (build-prebuild/, not build/): what ships must not depend on
// how a developer last configured build/ (a Debug or CUDA build, other flags). This one is always
// Release, CPU-only, baseline x86-64 (CMakeLists.txt has no -march=native; the AVX2/AVX-512 GEMM
// kernels are chosen at run time), with no extra linker flags.
//
// Why libstdc++ stays dynamic: linked statically (-static-libstdc++ -static-libgcc), Debian 12's
// libstdc++.a raises the binary's glibc floor from 2.32 to 2.36 (pthread_create@2.34,
// _dl_find_object@2.35, arc4random@2.36), which shuts out Ubuntu 22.04 and RHEL 9; dynamic, it
// needs glibc >= 2.32 and libstdc++ >= GCC 11 (GLIBCXX_3.4.29), which those have.
//
// Usage: node scripts/prebuild.mjs [--skip-if-present]
//   --skip-if-present  keep an existing prebuilds/<platform>-<arch>/node.napi.node (CI builds it once)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const buildDir = join(root, 'build-prebuild');
const target = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'node.napi.node');

/** cmake-js arguments of one step: a build directory of its own, Release, no custom definitions. */
function cmakeJsArgs(command) {
  return [cmakeJs, command, '--out', buildDir, '--config', 'Release'];
}

/** Loads the built binary in a child process (a .node file cannot be unloaded) and returns its buildInfo(). */
function buildInfoOf(binary) {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(binary)}).buildInfo()))`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`prebuild: ${binary} does not load:\n${child.stderr}`);
  return JSON.parse(child.stdout);
}

function main() {
  if (process.argv.includes('--skip-if-present') && existsSync(target)) {
    console.log(`prebuild: keeping ${target}`);
    return;
  }
  for (const command of ['configure', 'build']) {
    const step = spawnSync(process.execPath, cmakeJsArgs(command), { cwd: root, stdio: 'inherit' });
    if (step.status !== 0) {
      console.error(`prebuild: cmake-js ${command} failed (exit ${step.status})`);
      process.exit(1);
    }
  }
  const binary = join(buildDir, 'Release', 'metalearn.node');
  if (!existsSync(binary)) {
    console.error(`prebuild: ${binary} was not produced`);
    process.exit(1);
  }
  // A CUDA build needs the CUDA runtime on the user's machine: it never goes in the CPU prebuild.
  const info = buildInfoOf(binary);
  if (info.cuda) {
    console.error('prebuild: the binary was built with CUDA; prebuilds/<platform>-<arch>/ holds CPU-only builds');
    process.exit(1);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(binary, target);
  console.log(`prebuild: ${target} (${info.compiler}; SIMD dispatch: ${info.simd})`);
}

main();
