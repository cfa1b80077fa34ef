/**
 * README.md's command-line reference is generated from the commander definitions
 * (lib/cli/cliReference.ts): this fails when a flag, default or description changed and
 * `npx tsx scripts/readme-cli.ts` was not run.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Option } from 'commander';
import { buildProgram } from '../../lib/cli/main.js';
import { CLI_REFERENCE_END, CLI_REFERENCE_START, cliReference, withCliReference } from '../../lib/cli/cliReference.js';

const silent = { out: () => {}, err: () => {} };
const readme = readFileSync(join(resolve(import.meta.dirname, '../..'), 'README.md'), 'utf8');

describe('README command-line reference', () => {
  it('is up to date with the CLI definitions (run: npx tsx scripts/readme-cli.ts)', () => {
    expect(readme).toContain(CLI_REFERENCE_START);
    expect(readme).toContain(CLI_REFERENCE_END);
    expect(withCliReference(readme, cliReference(buildProgram(silent)))).toBe(readme);
  });

  it('documents every command of the contract and their guard flags', () => {
    const reference = cliReference(buildProgram(silent));
    for (const command of ['train', 'eval', 'predict', 'plot', 'download omniglot', 'demo']) {
      expect(reference).toContain(`#### \`metalearn ${command} `);
    }
    for (const flag of ['--download', '--force', '--override', '--resume', '--data-root <dir>']) expect(reference).toContain(`\`${flag}`);
  });

  it('a changed flag makes the README stale', () => {
    const program = buildProgram(silent);
    program.commands.find((c) => c.name() === 'eval')!.addOption(new Option('--new-flag <n>', 'a flag the README does not know'));
    expect(withCliReference(readme, cliReference(program))).not.toBe(readme);
  });
});
