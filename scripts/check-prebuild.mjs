// Checks that the prebuilt binary in prebuilds/<platform>-<arch>/ loads on its own: copies the
// package (dist, prebuilds, package.json; node_modules by link) into a temp folder with no build/
// directory and no build tools on the path, then loads the native backend from there.
// On Linux it also checks what the binary needs from the system (glibc version, no libstdc++)
// and, on x86-64, that only the run-time dispatched kernels of build-prebuild/ use AVX2/AVX-512
// (scripts/binary-checks.mjs).
import { cpSync, mkdtempSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { baselineIsaProblems, dependencyProblems } from './binary-checks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prebuildDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
if (!existsSync(prebuildDir)) {
  console.error(`check-prebuild: ${prebuildDir} does not exist; run npm run prebuild first`);
  process.exit(1);
}
if (process.platform === 'linux') {
  const binary = join(prebuildDir, 'node.napi.node');
  const deps = dependencyProblems(binary);
  console.log(`check-prebuild: ${binary} needs GLIBC_${deps.glibcMax} and GLIBCXX_${deps.glibcxxMax} (this machine: glibc ${deps.hostGlibc}); NEEDED ${deps.needed.join(' ')}`);
  const problems = [...deps.problems];
  const buildDir = join(root, 'build-prebuild');
  if (process.arch === 'x64' && existsSync(buildDir)) {
    const isa = baselineIsaProblems(buildDir);
    console.log(`check-prebuild: AVX/AVX2/AVX-512 code only in ${isa.wideObjects.map((o) => `${o.object} (${o.instructions})`).join(', ')}`);
    problems.push(...isa.problems);
  }
  if (problems.length > 0) {
    console.error(`check-prebuild: ${binary} is not fit to ship:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
}
const copy = mkdtempSync(join(tmpdir(), 'metalearn-prebuild-'));
try {
  for (const entry of ['package.json', 'dist', 'prebuilds']) cpSync(join(root, entry), join(copy, entry), { recursive: true });
  // Dependencies by link: the point is that no build/ directory and no compiler are involved.
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const script = `
    const m = await import('./dist/index.js');
    m.setBackend('native');
    const x = m.tensor([1, 2, 3, 4], [2, 2]);
    const y = m.ops.matmul(x, x).toArray();
    if (Array.from(y).join(',') !== '7,10,15,22') throw new Error('wrong matmul from prebuilt binary: ' + Array.from(y));
    console.log('prebuilt binary loads from ' + process.cwd());
  `;
  // PATH without compilers: the copy must not need any build tool.
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: copy,
    stdio: 'inherit',
    env: { ...process.env, PATH: dirname(process.execPath), METALEARN_BACKEND: 'native' },
  });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}
