/**
 * Rewrites README.md's command-line reference (between the cli-reference markers) from the
 * CLI's commander definitions. `--check`: exit 1 if the README is stale, write nothing.
 *
 *   npx tsx scripts/readme-cli.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../lib/cli/main.js';
import { cliReference, withCliReference } from '../lib/cli/cliReference.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(readmePath, 'utf8');
const updated = withCliReference(readme, cliReference(buildProgram({ out: () => {}, err: () => {} })));
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md: the command-line reference is stale; run npx tsx scripts/readme-cli.ts');
    process.exit(1);
  }
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('README.md: command-line reference updated');
}
