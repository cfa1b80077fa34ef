// npm run check:tarball: what a user gets from `npm install metalearn`, checked for real.
//   1. npm pack (prepack builds prebuilds/<platform>-<arch>/node.napi.node, prepare compiles dist/)
//      and checks the tarball holds the prebuilt binary, LICENSE and dist/;
//   2. installs the tarball into an empty project, offline, with a PATH that holds only node, npm
//      and npx (no cc, c++, g++, cmake, make): the install must not try to compile (no build/);
//   3. there, `import('metalearn')` must choose the native core silently, and `npx metalearn demo`
//      (shortened) must run and write its figure;
//   4. without the prebuilt binary, the first import must say on stderr, once, which command builds
//      the core; with --rebuild (needs a C++ toolchain) that command is run from the project and
//      the native core must load afterwards.
//
// Usage: node scripts/check-tarball.mjs [--tarball FILE.tgz] [--rebuild] [--keep] [--strict-offline]
//   --tarball  check this tarball instead of packing one
//   --strict-offline  fail, rather than retry with --prefer-offline, when npm's cache lacks metadata
//   --rebuild  also run the advised rebuild command with the full PATH (compiles: minutes)
//   --keep     leave the temp folder (printed) for inspection
// Offline: every dependency must already be in npm's cache (tarballs and full packuments).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { dependencyProblems } from './binary-checks.mjs';
import { NATIVE_BUILD_COMMAND } from './native-advice.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const platformDir = `${process.platform}-${process.arch}`;
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const tarballArg = args.includes('--tarball') ? args[args.indexOf('--tarball') + 1] : undefined;

const work = mkdtempSync(join(tmpdir(), 'metalearn-tarball-'));
const started = Date.now();
const timings = [];

function fail(message) {
  console.error(`check-tarball: FAIL: ${message}`);
  console.error(`check-tarball: files kept in ${work}`);
  process.exit(1);
}

/** Runs one step, timing it; returns { status, stdout, stderr }. */
function step(label, command, commandArgs, options) {
  const t0 = Date.now();
  console.log(`check-tarball: ${label}: ${command} ${commandArgs.join(' ')}`);
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  const seconds = (Date.now() - t0) / 1000;
  timings.push(`${label} ${seconds.toFixed(1)} s`);
  if (result.error) fail(`${label}: ${result.error.message}`);
  return result;
}

function expectOk(label, result) {
  if (result.status !== 0) fail(`${label} exited ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/** The caller's environment without npm's script variables (they would steer the inner npm) or metalearn's. */
function cleanEnv(path) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|METALEARN_|NODE_OPTIONS$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: path, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

/** A folder with node, npm, npx and sh only (npm runs scripts with `sh` from PATH): no compiler, no cmake, no make. */
function bareToolbox() {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const nodeDir = dirname(process.execPath);
  symlinkSync(process.execPath, join(bin, 'node'));
  for (const tool of ['npm', 'npx']) {
    if (!existsSync(join(nodeDir, tool))) fail(`${tool} is not beside ${process.execPath}`);
    symlinkSync(join(nodeDir, tool), join(bin, tool));
  }
  symlinkSync('/bin/sh', join(bin, 'sh'));
  return bin;
}

function packTarball() {
  if (tarballArg) return tarballArg;
  const out = join(work, 'pack');
  mkdirSync(out);
  const result = step('npm pack', 'npm', ['pack', '--json', '--pack-destination', out], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  expectOk('npm pack', result);
  // prepack/prepare print to stdout before npm's JSON: the JSON is the last '[' block.
  const json = JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('\n[') + 1));
  return join(out, json[0].filename);
}

function checkTarballContents(tarball) {
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  const binaryEntry = `package/prebuilds/${platformDir}/node.napi.node`;
  for (const entry of [binaryEntry, 'package/LICENSE', 'package/dist/index.js', 'package/bin/metalearn.js', 'package/scripts/install-native.mjs']) {
    if (!listing.includes(entry)) fail(`${basename(tarball)} lacks ${entry}`);
  }
  const stray = listing.filter((e) => e.startsWith('package/build/') || e.startsWith('package/build-'));
  if (stray.length > 0) fail(`${basename(tarball)} holds build output: ${stray.slice(0, 5).join(', ')}`);
  console.log(`check-tarball: ${basename(tarball)}: ${listing.filter(Boolean).length} files, with ${binaryEntry} and LICENSE`);
  if (process.platform === 'linux') {
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, binaryEntry]);
    const deps = dependencyProblems(join(unpacked, binaryEntry));
    console.log(`check-tarball: the shipped binary needs GLIBC_${deps.glibcMax} and GLIBCXX_${deps.glibcxxMax} (this machine: glibc ${deps.hostGlibc}); NEEDED ${deps.needed.join(' ')}`);
    if (deps.problems.length > 0) fail(`the shipped binary: ${deps.problems.join('; ')}`);
  }
}

function makeProject(tarball, env) {
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'tarball-check', version: '1.0.0', private: true, type: 'module' }, null, 2));
  let install = step('npm install (offline, no compiler)', 'npm', ['install', tarball, '--offline', '--foreground-scripts'], { cwd: project, env });
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr) && !flag('--strict-offline')) {
    // npm 11 asks for full packuments here, while an install from a lockfile caches only the
    // abbreviated ones: the first run may need the registry once; after it --offline works.
    console.log('check-tarball: NOTE: npm cache lacks metadata for --offline (ENOTCACHED); retrying with --prefer-offline');
    install = step('npm install (prefer-offline, no compiler)', 'npm', ['install', tarball, '--prefer-offline', '--foreground-scripts'], { cwd: project, env: { ...env, npm_config_offline: 'false' } });
  }
  expectOk('npm install', install);
  const pkg = join(project, 'node_modules', 'metalearn');
  // The install script must find the prebuilt binary and not start cmake-js (which creates build/).
  if (existsSync(join(pkg, 'build'))) fail(`npm install tried to compile: ${join(pkg, 'build')} exists\n${install.stdout}\n${install.stderr}`);
  if (!existsSync(join(pkg, 'prebuilds', platformDir, 'node.napi.node'))) fail(`the installed package lacks prebuilds/${platformDir}`);
  return project;
}

const probe = `import('metalearn').then((m) => console.log(m.getBackend()))`;

function checkNativeLoads(project, env, label) {
  const result = step(label, 'node', ['-e', probe], { cwd: project, env });
  expectOk(label, result);
  if (result.stdout.trim() !== 'native') fail(`${label}: getBackend() printed '${result.stdout.trim()}', expected native\n${result.stderr}`);
  if (/metalearn:/.test(result.stderr)) fail(`${label}: unexpected notice on stderr: ${result.stderr}`);
}

function checkDemo(project, env) {
  const figure = join(project, 'demo.svg');
  const demoArgs = ['metalearn', 'demo', '--iterations', '200', '--test-tasks', '10', '--no-baselines', '--no-progress', '--out', figure];
  const result = step('npx metalearn demo (shortened)', 'npx', demoArgs, { cwd: project, env });
  expectOk('npx metalearn demo', result);
  if (!existsSync(figure) || !readFileSync(figure, 'utf8').startsWith('<svg')) fail(`the demo wrote no SVG figure at ${figure}\n${result.stdout}`);
  console.log(result.stdout.trim().split('\n').map((l) => `  | ${l}`).join('\n'));
}

/** Without a binary: the JS core, and one stderr line naming the command that builds the native one. */
function checkMissingBinaryMessage(project, env) {
  rmSync(join(project, 'node_modules', 'metalearn', 'prebuilds'), { recursive: true, force: true });
  const result = step('import without a binary', 'node', ['-e', probe], { cwd: project, env });
  expectOk('import without a binary', result);
  if (result.stdout.trim() !== 'js') fail(`without a binary getBackend() printed '${result.stdout.trim()}', expected js`);
  const notices = result.stderr.split('\n').filter((l) => l.startsWith('metalearn:'));
  if (notices.length !== 1) fail(`expected one 'metalearn:' notice on stderr, got ${notices.length}:\n${result.stderr}`);
  if (!notices[0].includes(NATIVE_BUILD_COMMAND)) fail(`the notice does not name \`${NATIVE_BUILD_COMMAND}\`:\n${notices[0]}`);
  console.log(`check-tarball: what the user sees without a binary:\n  ${notices[0]}`);
}

/** Runs the advised command from the user's project, with the real PATH (a toolchain): native must load after. */
function checkAdvisedRebuild(project) {
  const env = cleanEnv(process.env.PATH ?? '');
  const [command, ...commandArgs] = NATIVE_BUILD_COMMAND.split(' ');
  const result = step('advised rebuild (compiles)', command, commandArgs, { cwd: project, env });
  expectOk(NATIVE_BUILD_COMMAND, result);
  checkNativeLoads(project, env, 'import after the advised rebuild');
}

function main() {
  const toolbox = bareToolbox();
  const bareEnv = cleanEnv(toolbox);
  const tarball = packTarball();
  checkTarballContents(tarball);
  const project = makeProject(tarball, bareEnv);
  checkNativeLoads(project, bareEnv, 'import metalearn');
  checkDemo(project, bareEnv);
  checkMissingBinaryMessage(project, bareEnv);
  if (flag('--rebuild')) checkAdvisedRebuild(project);
  console.log(`check-tarball: OK in ${((Date.now() - started) / 1000).toFixed(1)} s (${timings.join(', ')})`);
  if (flag('--keep')) console.log(`check-tarball: files kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

main();
