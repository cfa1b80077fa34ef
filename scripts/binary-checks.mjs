// Checks of a shipped Linux binary (prebuilds/linux-<arch>/node.napi.node), shared by
// scripts/check-prebuild.mjs and scripts/check-tarball.mjs. They read the ELF with objdump
// (binutils, present wherever a C++ toolchain is).
//   dependencyProblems(binary) -> { glibcMax, glibcxxMax, hostGlibc, needed, problems }
//   baselineIsaProblems(buildDir) -> { problems, wideObjects }
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Object files allowed to hold AVX2/AVX-512 code: their functions carry target attributes and run only after a CPU check. */
const DISPATCHED_OBJECTS = new Set(['gemm_avx2.cpp.o', 'gemm_avx512.cpp.o']);

function objdump(args) {
  const result = spawnSync('objdump', args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error || result.status !== 0) {
    throw new Error(`objdump ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout;
}

/** -1, 0, 1 for dotted versions ('2.34' < '2.36'). */
export function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The highest version among 'PREFIX_x.y[.z]' symbol versions in objdump -T output, or null. */
function maxVersion(dynamicSymbols, prefix) {
  const versions = [...dynamicSymbols.matchAll(new RegExp(`\\b${prefix}_([0-9][0-9.]*)`, 'g'))].map((m) => m[1]);
  return versions.reduce((max, v) => (max === null || compareVersions(v, max) > 0 ? v : max), null);
}

/**
 * What the binary needs from the system: its highest GLIBC_ and GLIBCXX_ (libstdc++) symbol
 * versions, which must not exceed this machine's (the toolchain's) glibc, and its DT_NEEDED
 * libraries. Returns the versions so the checks can report the floor users need.
 */
export function dependencyProblems(binary) {
  const dynamicSymbols = objdump(['-T', binary]);
  const headers = objdump(['-p', binary]);
  const needed = [...headers.matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
  const glibcMax = maxVersion(dynamicSymbols, 'GLIBC');
  const glibcxxMax = maxVersion(dynamicSymbols, 'GLIBCXX');
  const hostGlibc = process.report.getReport().header.glibcVersionRuntime ?? null;
  const problems = [];
  if (glibcMax !== null && hostGlibc !== null && compareVersions(glibcMax, hostGlibc) > 0) {
    problems.push(`needs GLIBC_${glibcMax}, newer than this machine's glibc ${hostGlibc}`);
  }
  const unexpected = needed.filter((lib) => !/^(libc|libm|libstdc\+\+|libgcc_s|ld-linux[-\w]*)\.so/.test(lib));
  if (unexpected.length > 0) problems.push(`links libraries a user may not have: ${unexpected.join(' ')}`);
  return { glibcMax, glibcxxMax, hostGlibc, needed, problems };
}

function objectFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.o'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * Baseline x86-64: only the run-time dispatched GEMM kernels may hold VEX/EVEX code (AVX, AVX2,
 * AVX-512: any v-prefixed SIMD mnemonic or a ymm/zmm register). Reads the object files of the
 * prebuild's build directory, so a stray -mavx2 or -march=native anywhere else fails here.
 */
export function baselineIsaProblems(buildDir) {
  const problems = [];
  const wideObjects = [];
  for (const object of objectFiles(buildDir)) {
    const text = objdump(['-d', '--no-show-raw-insn', object]);
    const wide = text.split('\n').filter((line) => /^\s+[0-9a-f]+:\s+v[a-z0-9]+\s/.test(line) || /%[yz]mm\d/.test(line)).length;
    if (wide === 0) continue;
    wideObjects.push({ object: basename(object), instructions: wide });
    if (!DISPATCHED_OBJECTS.has(basename(object))) {
      problems.push(`${object}: ${wide} AVX/AVX2/AVX-512 instructions outside the run-time dispatched kernels`);
    }
  }
  if (!wideObjects.some((o) => DISPATCHED_OBJECTS.has(o.object))) {
    problems.push(`no AVX2/AVX-512 kernel found under ${buildDir}: the run-time dispatch was not built`);
  }
  return { problems, wideObjects };
}
