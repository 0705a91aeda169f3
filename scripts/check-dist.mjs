#!/usr/bin/env node
// Rebuilds every bundle and fails when the committed dist/ differs (the runner executes dist,
// not src, so a stale bundle ships old code).
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
const status = execFileSync(
  'git',
  ['status', '--porcelain', '--untracked-files=all', '--', 'dist', 'actions', 'packages/cli'],
  {
    cwd: root,
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter((l) => /(^|\/)dist\//.test(l));
if (status.length > 0) {
  console.error('dist/ is stale: rebuild with "npm run build" and commit the result. Changed files:');
  console.error(status.join('\n'));
  process.exit(1);
}
console.log('dist/ is fresh');
