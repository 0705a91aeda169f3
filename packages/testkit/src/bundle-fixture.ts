/**
 * Bundles a test fixture action with the production build, for tests of the runner harness.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './tools.js';

/** Bundles `test/fixtures/<name>` with the production pipeline (scripts/build.mjs) into a temp action folder. */
export function bundleFixture(name: string): string {
  const src = resolve(repoRoot, 'test', 'fixtures', name);
  const dir = mkdtempSync(join(tmpdir(), `pf-${name}-`));
  copyFileSync(join(src, 'action.yml'), join(dir, 'action.yml'));
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--entry', src, '--out', join(dir, 'dist')], {
    cwd: repoRoot,
  });
  return dir;
}
