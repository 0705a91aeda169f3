/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (default all) and updates BENCHMARKS.md.
 * Every `bench/<name>.ts` that exports `run(): Promise<string>` is a benchmark called `<name>`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SUPPORT = new Set(['run', 'report']);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .filter((n) => !SUPPORT.has(n))
  .sort();

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !names.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${names.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : names) {
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: () => Promise<string> };
  if (typeof mod.run !== 'function') {
    console.error(`bench/${name}.ts exports no run()`);
    process.exit(2);
  }
  console.log(`# ${name}`);
  console.log(await mod.run());
}
