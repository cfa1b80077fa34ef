// npm run test:native: configures and builds the C++ tests of the native core in build-tests/
// with plain cmake (no cmake-js; node only converts test/ops/cases.json), then runs them with ctest.
// Exits non-zero on failure.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build-tests');
const jobs = String(Math.max(1, Math.min(4, cpus().length)));

function step(command, args) {
  console.log(`> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`test-native: cannot run ${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

step('cmake', ['-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release']);
step('cmake', ['--build', buildDir, '--parallel', jobs]);
step('ctest', ['--test-dir', buildDir, '--output-on-failure']);
