/**
 * The shared benchmark harness: runs cases side by side in one benny suite with small
 * sample budgets (two shared cores), prints ops/s and ratios, and saves a JSON record under
 * bench/results/ that bench/RESULTS.md is written from.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import b from 'benny';

export interface BenchCase {
  name: string;
  /** One unit of work; may be async. */
  fn: () => unknown;
}

export interface CaseFigure {
  name: string;
  opsPerSec: number;
  /** Relative margin of error, percent. */
  marginPct: number;
  samples: number;
  /** CPU time per call (process user + system, all threads), ms. */
  cpuMsPerCall?: number;
  /** Extra figures a case reports (GFLOP/s, ms per iteration). */
  extra?: Record<string, number>;
}

/** Options kept small on purpose: each case takes a few seconds at most. */
export interface SuiteBudget {
  minSamples?: number;
  maxTime?: number;
}

const DEFAULT_BUDGET: Required<SuiteBudget> = { minSamples: 5, maxTime: 2 };

/** Runs the cases side by side in one benny suite and returns their figures. */
export async function runSuite(name: string, cases: BenchCase[], budget: SuiteBudget = {}): Promise<CaseFigure[]> {
  const options = { ...DEFAULT_BUDGET, ...budget };
  console.log(`running "${name}": ${cases.length} cases side by side`);
  const summary = await b.suite(
    name,
    // Never return the case's value: benny treats a returned function as a set-up step.
    ...cases.map((c) =>
      b.add(c.name, () => {
        const result = c.fn();
        return result instanceof Promise ? result.then(() => undefined) : undefined;
      }),
    ),
    b.configure({ cases: { minSamples: options.minSamples, maxTime: options.maxTime, delay: 0.05 } }),
  );
  return summary.results.map((r) => ({
    name: r.name,
    // Not r.ops: benny rounds it to its display precision (2.4 ops/s would read 2).
    opsPerSec: 1 / r.details.mean,
    marginPct: r.details.relativeMarginOfError,
    samples: r.samples,
  }));
}

/** Process CPU time (user + system, all threads) in ms since `since`. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/**
 * CPU milliseconds per call over about `wallMs` of calls. On a shared machine this is a
 * steadier guide than wall time for single-threaded work (multi-threaded work sums its threads).
 */
export async function cpuMsPerCall(fn: () => unknown, wallMs = 300): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  do {
    await fn();
    calls++;
  } while (performance.now() - t0 < wallMs);
  return cpuMsSince(cpu0) / calls;
}

/** Times `fn` for at least `minRuns` runs and `minSeconds` (after one warm-up call): for cases too slow for benny. */
export async function timeCase(name: string, fn: () => unknown, minRuns = 2, minSeconds = 1): Promise<CaseFigure> {
  await fn();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minSeconds * 1000) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const cpuMs = cpuMsSince(cpu0) / times.length;
  const meanMs = times.reduce((a, t) => a + t, 0) / times.length;
  const sd = Math.sqrt(times.reduce((a, t) => a + (t - meanMs) ** 2, 0) / Math.max(1, times.length - 1));
  const figure: CaseFigure = {
    name, opsPerSec: 1000 / meanMs, marginPct: (100 * sd) / meanMs / Math.sqrt(times.length), samples: times.length, cpuMsPerCall: cpuMs,
  };
  console.log(`  ${name}: ${figure.opsPerSec.toFixed(3)} ops/s (${meanMs.toFixed(1)} ms, ${times.length} runs)`);
  return figure;
}

/** A case whose warm-up call takes longer than this is timed by timeCase instead of benny. */
const SLOW_CASE_SECONDS = 0.5;
/** A case whose warm-up call takes longer than this is not repeated: the warm-up is its one sample. */
const VERY_SLOW_CASE_SECONDS = 20;

/**
 * Runs the cases side by side: fast ones in one benny suite, slow ones (a single call over
 * SLOW_CASE_SECONDS, e.g. the TS twin on a conv net) by a plain timer with few runs, so that
 * the whole suite stays within a few minutes on two shared cores.
 */
export async function runSideBySide(title: string, cases: BenchCase[], budget: SuiteBudget = {}): Promise<CaseFigure[]> {
  const fast: BenchCase[] = [];
  const slow: BenchCase[] = [];
  const figures: CaseFigure[] = [];
  const cpuOfFast = new Map<string, number>();
  for (const c of cases) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await c.fn();
    const seconds = (performance.now() - t0) / 1000;
    if (seconds > VERY_SLOW_CASE_SECONDS) {
      console.log(`  ${c.name}: one call took ${seconds.toFixed(1)} s; that call is its only sample`);
      figures.push({ name: c.name, opsPerSec: 1 / seconds, marginPct: NaN, samples: 1, cpuMsPerCall: cpuMsSince(cpu0) });
    } else if (seconds > SLOW_CASE_SECONDS) {
      slow.push(c);
    } else {
      fast.push(c);
      cpuOfFast.set(c.name, await cpuMsPerCall(c.fn));
    }
  }
  if (fast.length > 0) {
    const timed = await runSuite(title, fast, budget);
    for (const f of timed) f.cpuMsPerCall = cpuOfFast.get(f.name);
    figures.push(...timed);
  }
  if (slow.length > 0) console.log(`timing slow cases of "${title}" directly:`);
  for (const c of slow) figures.push(await timeCase(c.name, c.fn, 2, 2));
  // Keep the caller's order.
  return cases.map((c) => figures.find((f) => f.name === c.name)).filter((f): f is CaseFigure => f !== undefined);
}

export function figureOf(figures: CaseFigure[], name: string): CaseFigure | undefined {
  return figures.find((f) => f.name === name);
}

/** opsPerSec(faster) / opsPerSec(slower), or NaN when either is missing. */
export function ratio(figures: CaseFigure[], numerator: string, denominator: string): number {
  const a = figureOf(figures, numerator);
  const d = figureOf(figures, denominator);
  return a && d ? a.opsPerSec / d.opsPerSec : NaN;
}

export function printTable(title: string, figures: CaseFigure[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    const extra = f.extra ? '  ' + Object.entries(f.extra).map(([k, v]) => `${k}=${fmt(v)}`).join(' ') : '';
    const cpu = f.cpuMsPerCall === undefined ? '' : `  cpu ${fmt(f.cpuMsPerCall)} ms/call`;
    console.log(`  ${f.name.padEnd(48)} ${fmt(f.opsPerSec).padStart(12)} ops/s  ±${f.marginPct.toFixed(1)}%  (${f.samples} samples)${cpu}${extra}`);
  }
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  load1: number;
  date: string;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = execSync('lscpu', { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Model name:'));
    if (line) cpu = line.slice('Model name:'.length).trim();
  } catch {
    // lscpu missing: keep os.cpus()'s model name.
  }
  return { cpu, cores: os.cpus().length, node: process.version, load1: os.loadavg()[0], date: new Date().toISOString() };
}

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes bench/results/<suite>.json: the machine, the figures and any notes. */
export function saveResults(suite: string, record: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${suite}.json`);
  writeFileSync(file, JSON.stringify({ suite, machine: machineInfo(), ...record }, null, 2) + '\n');
  console.log(`\nsaved ${file}`);
  return file;
}

/** A one-line warning when the machine is busy (other engineers compiling). */
export function warnIfBusy(): void {
  const load = os.loadavg()[0];
  if (load >= 1.5) console.warn(`warning: load average ${load.toFixed(2)} >= 1.5; figures will be noisy`);
}
