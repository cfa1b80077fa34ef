/**
 * Prints bench/results/*.json as Markdown tables, for bench/RESULTS.md.
 *   npx tsx bench/results-tables.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, type CaseFigure, type MachineInfo } from './harness.js';

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

function load(suite: string): (Record<string, unknown> & { machine: MachineInfo }) | null {
  const file = join(RESULTS_DIR, `${suite}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { machine: MachineInfo }) : null;
}

function figureTable(figures: CaseFigure[]): string {
  const extraKeys = [...new Set(figures.flatMap((f) => Object.keys(f.extra ?? {})))];
  const head = ['case', 'ops/s', '±%', 'samples', 'CPU ms/call', ...extraKeys];
  const rows = figures.map((f) => [
    f.name,
    fmt(f.opsPerSec),
    Number.isFinite(f.marginPct) ? f.marginPct.toFixed(1) : '—',
    String(f.samples),
    f.cpuMsPerCall === undefined ? '—' : fmt(f.cpuMsPerCall),
    ...extraKeys.map((k) => (f.extra?.[k] === undefined ? '' : fmt(f.extra[k]))),
  ]);
  return markdown(head, rows);
}

function ratioTable(ratios: Record<string, number>): string {
  return markdown(['ratio', 'value'], Object.entries(ratios).map(([k, v]) => [k, v.toFixed(2)]));
}

function markdown(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function machineLine(m: MachineInfo): string {
  return `_${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${m.load1.toFixed(2)} at the start, ${m.date}_`;
}

function main(): void {
  const core = load('core');
  if (core) {
    console.log(`## core\n${machineLine(core.machine)}\n`);
    for (const key of ['matmul', 'conv', 'hvp']) console.log(figureTable(core[key] as CaseFigure[]) + '\n');
    console.log(ratioTable(core.ratios as Record<string, number>) + '\n');
    console.log('```\n' + JSON.stringify(core.leaks, null, 1) + '\n```\n');
  }
  for (const suite of ['maml', 'maml-sinusoid', 'maml-conv4']) {
    const maml = load(suite);
    if (!maml) continue;
    console.log(`## ${suite}\n${machineLine(maml.machine)}\n`);
    for (const key of ['sinusoidResults', 'conv4Results']) {
      const part = maml[key] as { figures: CaseFigure[]; ratios: Record<string, number> } | undefined;
      if (part) console.log(`### ${key}\n` + figureTable(part.figures) + '\n\n' + ratioTable(part.ratios) + '\n');
    }
  }
  const memory = load('maml-memory');
  if (memory) console.log(`## maml-memory\n${machineLine(memory.machine)}\n\n` + '```\n' + JSON.stringify({ reports: memory.reports, summary: memory.summary, failures: memory.failures }, null, 1) + '\n```\n');
  const metric = load('metric');
  if (metric) {
    console.log(`## metric\n${machineLine(metric.machine)}\n`);
    for (const key of ['distance', 'episodes']) console.log(figureTable(metric[key] as CaseFigure[]) + '\n');
    console.log(ratioTable(metric.ratios as Record<string, number>) + '\n');
  }
}

main();
