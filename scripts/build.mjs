#!/usr/bin/env node
// Bundles each action's src/index.ts with @vercel/ncc into its committed dist/ (ESM: index.js +
// package.json {"type":"module"}, plus licenses.txt). Usage:
//   node scripts/build.mjs                 every action (actions/*), the all-in-one (src/) and the CLI
//   node scripts/build.mjs seed-vault ...  only these actions ("root" = the all-in-one, "cli" = the CLI)
//   node scripts/build.mjs --entry <dir> --out <dir>   any action folder (tests bundle fixtures)
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/** Bundles `<actionDir>/src/index.ts` into `outDir` (emptied first, so removed files disappear). */
export async function bundleAction(actionDir, outDir = join(actionDir, 'dist')) {
  const entry = join(actionDir, 'src', 'index.ts');
  if (!existsSync(entry)) throw new Error(`${entry} does not exist`);
  rmSync(outDir, { recursive: true, force: true });
  await run(
    process.execPath,
    [ncc, 'build', entry, '-o', outDir, '--license', 'licenses.txt', '--transpile-only', '-q'],
    {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return outDir;
}

/** The CLI's one committed file, run with plain `node` (packages/cli's npm bin). */
export const CLI_BUNDLE = join(root, 'packages', 'cli', 'dist', 'preview-fleet.mjs');

/**
 * Bundles packages/cli/src/index.ts into ONE file, CLI_BUNDLE (plus its licenses.txt). webpack
 * splits off chunks only for rate-limiter-flexible's async module context (its Drizzle limiter's
 * `import(\`${name}\`)`, which @gitbeaker never reaches: it uses the memory limiter); those chunks
 * are dropped, and the build fails if any other chunk loader appears.
 */
export async function bundleCli() {
  const dir = join(root, 'packages', 'cli');
  const tmp = join(dir, 'dist', '.ncc');
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run(
    process.execPath,
    [ncc, 'build', join(dir, 'src', 'index.ts'), '-o', tmp, '--license', 'licenses.txt', '--transpile-only', '-q'],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  const text = readFileSync(join(tmp, 'index.js'), 'utf8');
  const loaders = text.match(/webpackAsyncContext\(req\)/g)?.length ?? 0;
  const chunks = readdirSync(tmp).filter((f) => /^\d+\.index\.js$/.test(f));
  if (chunks.length > 0 && loaders !== 1)
    throw new Error(`the CLI bundle has chunks (${chunks.join(', ')}) beyond rate-limiter-flexible's async context`);
  renameSync(join(tmp, 'index.js'), CLI_BUNDLE);
  renameSync(join(tmp, 'licenses.txt'), join(dir, 'dist', 'licenses.txt'));
  rmSync(tmp, { recursive: true, force: true });
  return CLI_BUNDLE;
}

export function listTargets() {
  const targets = [];
  const actionsDir = join(root, 'actions');
  if (existsSync(actionsDir)) {
    for (const name of readdirSync(actionsDir).sort()) {
      if (existsSync(join(actionsDir, name, 'src', 'index.ts'))) targets.push({ name, dir: join(actionsDir, name) });
    }
  }
  if (existsSync(join(root, 'src', 'index.ts'))) targets.push({ name: 'root', dir: root });
  if (existsSync(join(root, 'packages', 'cli', 'src', 'index.ts'))) targets.push({ name: 'cli', cli: true });
  return targets;
}

async function cli(argv) {
  const i = argv.indexOf('--entry');
  if (i >= 0) {
    const o = argv.indexOf('--out');
    const dir = resolve(argv[i + 1]);
    await bundleAction(dir, o >= 0 ? resolve(argv[o + 1]) : undefined);
    return;
  }
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const targets = listTargets().filter((t) => wanted.length === 0 || wanted.includes(t.name));
  const missing = wanted.filter((w) => !targets.some((t) => t.name === w));
  if (missing.length) throw new Error(`no such action: ${missing.join(', ')}`);
  // Two at a time: ncc is CPU-bound and the machines have 2 cores.
  const queue = [...targets];
  const workers = Array.from({ length: 2 }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const started = Date.now();
      await (t.cli ? bundleCli() : bundleAction(t.dir));
      console.log(`built ${t.name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
  });
  await Promise.all(workers);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).catch((err) => {
    console.error(err.stderr || err.message || err);
    process.exit(1);
  });
}
