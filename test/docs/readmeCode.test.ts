/**
 * The README's TypeScript must work when pasted. Each ```ts block of README.md is written to
 * its own file inside the package (so `import ... from 'metalearn'` resolves through the
 * package's "exports" to dist/, as in a user's project), type-checked with the project's
 * strict settings, and the quick start (the first block of "A short example") is run.
 *
 * A block that is a fragment (it uses values the reader supplies, e.g. a support set) gets a
 * preamble of `declare` statements, listed in FRAGMENT_PREAMBLES and keyed by a line of the
 * block; every other block must stand alone. A preamble whose key matches no block fails the
 * test, so the list cannot go stale. Every standalone block that reads no data set is also run
 * (exit status 0), the quick start with a check of what it prints.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const blocksDir = join(root, 'test', 'docs', '.readme-blocks');

/** Values a fragment's reader brings: key = a line that occurs in the block. */
const FRAGMENT_PREAMBLES: Record<string, string> = {
  "const { learner, params } = loadLearner('runs/maml/checkpoint.safetensors');": [
    "import type { Tensor } from 'metalearn';",
    'declare const supportX: Tensor;     // [n, ...features]',
    'declare const supportY: Int32Array; // class ids (or a Tensor of regression targets)',
    'declare const queryX: Tensor;       // [m, ...features]',
  ].join('\n'),
};

interface Block {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  code: string;
  section: string;
}

/** The ```ts blocks of a Markdown text, with the heading they appear under. */
function typescriptBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i])) section = lines[i].replace(/^#+ /, '');
    if (lines[i].trim() !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) body.push(lines[i]);
    blocks.push({ line: start + 1, code: body.join('\n') + '\n', section });
  }
  return blocks;
}

const blocks = typescriptBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
const fileOf = (block: Block) => join(blocksDir, `readme-line-${block.line}.ts`);
const runTsx = (file: string) => promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), [file], { cwd: root });
/** Blocks that need nothing from the reader and no data files (Omniglot) run in the test. */
const runnable = (block: Block) => preambleFor(block) === '' && !block.code.includes('omniglot(');

function preambleFor(block: Block): string {
  const keys = Object.keys(FRAGMENT_PREAMBLES).filter((key) => block.code.includes(key));
  return keys.map((key) => FRAGMENT_PREAMBLES[key]).join('\n');
}

beforeAll(() => {
  mkdirSync(blocksDir, { recursive: true });
  for (const block of blocks) {
    const preamble = preambleFor(block);
    // The preamble comes first (TypeScript accepts imports after declarations): a diagnostic's
    // line in a fragment is its README line offset by the preamble's length.
    writeFileSync(fileOf(block), preamble === '' ? block.code : `${preamble}\n${block.code}`);
  }
});

afterAll(() => rmSync(blocksDir, { recursive: true, force: true }));

describe('README.md code blocks', () => {
  it('has the blocks this test knows about (quick start first under "A short example")', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.some((b) => b.section === 'A short example')).toBe(true);
    for (const key of Object.keys(FRAGMENT_PREAMBLES)) {
      expect(blocks.some((b) => b.code.includes(key)), `FRAGMENT_PREAMBLES key matches no README block: ${key}`).toBe(true);
    }
  });

  it('every ```ts block type-checks as pasted (strict, ESM, NodeNext)', () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    };
    const program = ts.createProgram(blocks.map(fileOf), options);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.replace(blocksDir + '/', '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });

  it('the quick start runs and prints the backend, a gradient shape and three Hessian-vector entries', async () => {
    const quickStart = blocks.find((b) => b.section === 'A short example')!;
    const { stdout } = await runTsx(fileOf(quickStart));
    // e.g. "native [ 40, 1 ] Float32Array(3) [ -0.368, 0, 0.0075 ]"
    expect(stdout).toMatch(/^(native|js) \[ 40, 1 \] Float32Array\(3\) \[( -?\d[\d.e+-]*,?){3} \]\n$/);
  });

  it('every standalone block that needs no data set runs (exit status 0)', async () => {
    const toRun = blocks.filter(runnable);
    expect(toRun.length).toBeGreaterThanOrEqual(3);
    for (const block of toRun) await expect(runTsx(fileOf(block)), `README.md line ${block.line}`).resolves.toBeDefined();
  });
});
