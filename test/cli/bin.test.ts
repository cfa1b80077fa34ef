import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${root}dist/cli/main.js`);

describe('bin/metalearn.js', () => {
  const title = 'runs the compiled CLI: --help exits 0, an unknown flag exits 1 with one error line';
  it.skipIf(!built)(built ? title : `${title} (skipped: dist/cli/main.js not built; run npm run build)`, () => {
    const help = spawnSync(process.execPath, ['bin/metalearn.js', '--help'], { cwd: root, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: metalearn');
    const bad = spawnSync(process.execPath, ['bin/metalearn.js', 'train', '--no-such-flag'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
