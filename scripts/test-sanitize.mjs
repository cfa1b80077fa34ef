// npm run test:sanitize: the native core and the Node addon built with AddressSanitizer +
// UndefinedBehaviorSanitizer (cmake -DMETALEARN_SANITIZE=ON, see CMakeLists.txt), then
//   1. self-check: deliberate bugs (scripts/sanitize-canary.cpp) built with the same flags must
//      fail, as an executable and as a library loaded into Node under the same runtime options;
//   2. ctest (the C++ tests) under the sanitizers, built in build-sanitize/;
//   3. the vitest suite with the sanitized addon (built by cmake-js in build-sanitize-addon/)
//      loaded into Node through METALEARN_NATIVE_BINARY, the ASan runtime preloaded.
// Any sanitizer report fails the run: a reporting process exits with status 86 (no test expects
// it); ASan reports also go to files (log_path), checked after every step, which catches them in
// child processes whose exit status a test inspects; UBSan ignores log_path when combined with
// ASan (gcc 12), so the output of each step is also scanned for its "runtime error:" lines.
//
//   npm run test:sanitize                     everything (CI)
//   npm run test:sanitize -- --ctest-only     build, self-check and ctest (no addon, no vitest)
//   npm run test:sanitize -- --vitest-only test/native   vitest only, on these files/filters
// Linux with gcc (CXX may name another g++): it preloads the compiler's own libasan.so. Only
// libasan is preloaded, since it replaces malloc and must come first in the process; libubsan
// is loaded as the addon's own dependency when Node dlopen()s it, which UBSan supports.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testsBuild = join(root, 'build-sanitize');
const addonBuild = join(root, 'build-sanitize-addon');
const addonBinary = join(addonBuild, 'Release', 'metalearn.node');
const reportDir = join(testsBuild, 'sanitizer-reports');
const jobs = String(Math.max(1, Math.min(4, cpus().length)));
/** The exit status of a process that a sanitizer stopped (ASAN_OPTIONS / UBSAN_OPTIONS exitcode). */
const SANITIZER_EXIT = 86;
/** Per-test and per-hook limit for vitest under the sanitizers (see vitest()). */
const SANITIZED_TEST_TIMEOUT_MS = 600_000;
/** Lines the sanitizers print at the start of a report. */
const REPORT_MARKERS = [/ERROR: AddressSanitizer/, /runtime error: /];

const args = process.argv.slice(2);
const ctestOnly = args.includes('--ctest-only');
const vitestOnly = args.includes('--vitest-only');
const vitestFilters = args.filter((a) => !a.startsWith('--'));

function fail(message) {
  console.error(`test-sanitize: ${message}`);
  process.exit(1);
}

function run(command, commandArgs, env = process.env, capture = false) {
  console.log(`> ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: capture ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.error) fail(`cannot run ${command}: ${result.error.message}`);
  return result;
}

function mustRun(command, commandArgs, env) {
  const result = run(command, commandArgs, env);
  if (result.status !== 0) fail(`${command} ${commandArgs[0] ?? ''} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Runs a test step with its output shown live and kept, so that UBSan reports (which only go to
 * stderr) can be found in it afterwards. Resolves to { status, output }.
 */
function runWatched(command, commandArgs, env) {
  console.log(`> ${command} ${commandArgs.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => {
      chunks.push(chunk);
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      chunks.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', (err) => fail(`cannot run ${command}: ${err.message}`));
    child.on('close', (status, signal) => resolve({ status: status ?? signal, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** The compiler's own copy of a runtime library (what the sanitized objects were linked against). */
function runtimeLibrary(name) {
  const compiler = process.env.CXX || 'g++';
  const result = spawnSync(compiler, [`-print-file-name=${name}`], { encoding: 'utf8' });
  const path = (result.stdout ?? '').trim();
  // Without the library the compiler echoes the bare name back.
  if (result.status !== 0 || !path.startsWith('/') || !existsSync(path)) {
    fail(`${compiler} does not ship ${name} (install its sanitizer runtime, e.g. apt-get install libasan8 libubsan1)`);
  }
  return path;
}

/**
 * Runtime options, shared by every step (C++ tests, Node, Node's children).
 * ASAN_OPTIONS:
 *   detect_leaks=0        Node and V8 keep allocations alive until exit by design; LeakSanitizer
 *                         would report them at every exit and fail every run.
 *   halt_on_error=1       stop at the first error (the default for ASan; explicit, since a run
 *                         that carried on would give later reports about already-corrupt state).
 *   abort_on_error=0      exit with exitcode instead of SIGABRT: no core dumps, a plain failure.
 *   exitcode=86           a status no test expects, so a report is never mistaken for an
 *                         ordinary "exit 1" error path of the CLI.
 *   log_path=...          every report also lands in a file, checked after each step.
 *   detect_stack_use_after_return=1  also catches use of a dead frame's address (memory only).
 * UBSAN_OPTIONS:
 *   halt_on_error=1, print_stacktrace=1: a UB report ends the process (with the flag
 *                         -fno-sanitize-recover=undefined it cannot continue anyway) and says where.
 *   exitcode=86           as for ASan (UBSan reads its own copy of the common options).
 */
function sanitizerEnv(extra = {}) {
  mkdirSync(reportDir, { recursive: true });
  const asan = [
    'detect_leaks=0',
    'halt_on_error=1',
    'abort_on_error=0',
    `exitcode=${SANITIZER_EXIT}`,
    `log_path=${join(reportDir, 'asan')}`,
    'detect_stack_use_after_return=1',
  ].join(':');
  const ubsan = ['halt_on_error=1', 'print_stacktrace=1', `exitcode=${SANITIZER_EXIT}`].join(':');
  return { ...process.env, ASAN_OPTIONS: asan, UBSAN_OPTIONS: ubsan, ...extra };
}

/** ASan reports written (log_path) since the last clearReports(). */
function reportFiles() {
  if (!existsSync(reportDir)) return [];
  return readdirSync(reportDir).map((name) => join(reportDir, name));
}

function clearReports() {
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
}

/** Fails (printing them) when the step left ASan report files or printed a sanitizer report. */
function requireNoReports(step, output) {
  const files = reportFiles();
  for (const file of files) console.error(`\n--- ${file}\n${readFileSync(file, 'utf8')}`);
  const printed = output.split('\n').filter((line) => REPORT_MARKERS.some((marker) => marker.test(line)));
  if (files.length > 0 || printed.length > 0) {
    fail(`${step}: sanitizer reports: ${files.length} report file(s) (above), ${printed.length} printed, e.g. ${printed[0] ?? files[0]}`);
  }
}

async function timed(label, body) {
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  console.log(`test-sanitize: ${label} took ${seconds.toFixed(0)} s`);
  return { label, seconds };
}

function buildTests() {
  mustRun('cmake', ['-S', root, '-B', testsBuild, '-DCMAKE_BUILD_TYPE=Release', '-DMETALEARN_SANITIZE=ON']);
  mustRun('cmake', ['--build', testsBuild, '--parallel', jobs]);
  mustRun('cmake', ['--build', testsBuild, '--parallel', jobs, '--target', 'sanitize_canary', 'sanitize_canary_module']);
}

/** Each deliberate bug must end its process with a report: otherwise a clean run proves nothing. */
function selfCheck(preload) {
  const canary = join(testsBuild, 'sanitize_canary');
  const canaryModule = join(testsBuild, 'libsanitize_canary_module.so');
  const loadInNode = `try { process.dlopen({ exports: {} }, ${JSON.stringify(canaryModule)}); } catch {} console.log('survived');`;
  const cases = [
    { bug: 'heap', where: 'C++ executable', command: canary, commandArgs: [], env: {}, expect: 'heap-buffer-overflow' },
    { bug: 'ub', where: 'C++ executable', command: canary, commandArgs: [], env: {}, expect: 'signed integer overflow' },
    { bug: 'heap', where: 'library in Node', command: process.execPath, commandArgs: ['-e', loadInNode], env: { LD_PRELOAD: preload }, expect: 'heap-buffer-overflow' },
    { bug: 'ub', where: 'library in Node', command: process.execPath, commandArgs: ['-e', loadInNode], env: { LD_PRELOAD: preload }, expect: 'signed integer overflow' },
  ];
  for (const c of cases) {
    clearReports();
    const result = run(c.command, c.commandArgs, sanitizerEnv({ ...c.env, METALEARN_SANITIZE_CANARY: c.bug }), true);
    const text = [...reportFiles().map((file) => readFileSync(file, 'utf8')), result.stdout, result.stderr].join('\n');
    if (result.status !== SANITIZER_EXIT || !text.includes(c.expect)) {
      fail(`self-check: the deliberate ${c.bug} bug (${c.where}) did not fail the run as expected (exit ${result.status}, output: ${text.trim() || 'none'})`);
    }
    console.log(`self-check: deliberate ${c.bug} bug in a ${c.where} caught (exit ${result.status}, '${c.expect}')`);
  }
  clearReports();
}

async function ctest() {
  clearReports();
  const result = await runWatched('ctest', ['--test-dir', testsBuild, '--output-on-failure'], sanitizerEnv());
  requireNoReports('ctest', result.output);
  if (result.status !== 0) fail(`ctest failed under the sanitizers (exit ${result.status})`);
}

function buildAddon() {
  const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  mustRun(process.execPath, [cmakeJs, 'compile', '--out', addonBuild, '--CDMETALEARN_SANITIZE=ON', '--parallel', jobs]);
  if (!existsSync(addonBinary)) fail(`cmake-js did not produce ${addonBinary}`);
}

/**
 * The addon is only trusted once a Node process with the test environment loads exactly the
 * sanitized file (METALEARN_NATIVE_BINARY, no fallback) and has the ASan runtime mapped.
 */
function probeAddon(env) {
  const probe = `
    import { readFileSync } from 'node:fs';
    const { loadBinding } = await import('./lib/backend/native.ts');
    loadBinding().liveTensors();
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const mapped = (re) => [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5] ?? '').filter((p) => re.test(p)))];
    console.log(JSON.stringify({ addons: mapped(/metalearn.*\\.node$/), asan: mapped(/libasan/) }));`;
  const result = run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], env, true);
  if (result.status !== 0) fail(`the sanitized addon does not load in Node:\n${result.stderr}`);
  const { addons, asan } = JSON.parse(result.stdout.trim().split('\n').pop());
  if (addons.length !== 1 || addons[0] !== addonBinary) fail(`expected only ${addonBinary} loaded, got ${JSON.stringify(addons)}`);
  if (asan.length === 0) fail('the ASan runtime is not mapped into Node');
  console.log(`probe: Node loads ${addons[0]} with ${asan[0]}`);
}

/** The suite must have run its native tests: one skipped for lack of a binary would hide a failure. */
function requireNativeTestsRan(jsonReport) {
  const report = JSON.parse(readFileSync(jsonReport, 'utf8'));
  const titles = report.testResults.flatMap((file) => file.assertionResults.map((t) => t.fullName ?? t.title));
  const skippedNative = titles.filter((t) => t.includes('native binary not'));
  if (skippedNative.length > 0) fail(`${skippedNative.length} native tests were skipped (binary not loaded), e.g. '${skippedNative[0]}'`);
  console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped of ${report.numTotalTests}`);
}

async function vitest(preload) {
  const env = sanitizerEnv({ LD_PRELOAD: preload, METALEARN_NATIVE_BINARY: addonBinary });
  probeAddon(env);
  clearReports();
  const jsonReport = join(addonBuild, 'vitest-report.json');
  rmSync(jsonReport, { force: true });
  const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  // Sanitized native code runs about 3x slower: the heaviest finite-difference tests took
  // 78-112 s of vitest.config.ts's 120 s per test on 2 busy cores. A wider limit here keeps a
  // slow machine from failing the run; a hang still fails it.
  const timeouts = [`--testTimeout=${SANITIZED_TEST_TIMEOUT_MS}`, `--hookTimeout=${SANITIZED_TEST_TIMEOUT_MS}`];
  // The examples (test/examples) are user programs run in child processes: under the sanitized
  // core the Omniglot one trains for over 10 minutes, and they exercise library paths the rest of
  // the suite already covers here. They run in the plain `npm test`.
  const skipExamples = ['--exclude', 'test/examples/**'];
  const vitestArgs = ['run', ...timeouts, ...skipExamples, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonReport}`, ...vitestFilters];
  const result = await runWatched(process.execPath, [vitestBin, ...vitestArgs], env);
  requireNoReports('vitest', result.output);
  if (result.status !== 0) fail(`vitest failed under the sanitizers (exit ${result.status})`);
  requireNativeTestsRan(jsonReport);
}

async function main() {
  if (process.platform !== 'linux') fail('runs on Linux (gcc or clang with libasan/libubsan)');
  if (ctestOnly && vitestOnly) fail('--ctest-only and --vitest-only exclude each other');
  const preload = runtimeLibrary('libasan.so');
  const timings = [];
  timings.push(await timed('build of the sanitized C++ tests', buildTests));
  timings.push(await timed('self-check', () => selfCheck(preload)));
  if (!vitestOnly) timings.push(await timed('ctest under ASan+UBSan', ctest));
  if (!ctestOnly) {
    timings.push(await timed('build of the sanitized addon', buildAddon));
    timings.push(await timed('vitest under ASan+UBSan', () => vitest(preload)));
  }
  console.log(`test-sanitize: passed (${timings.map((t) => `${t.label} ${t.seconds.toFixed(0)} s`).join(', ')})`);
}

await main();
