/** `npm run bench [-- name ...]`: runs the named benchmarks (default all) and updates BENCHMARKS.md. */
import { benchColdStart } from './cold-start.js';

const BENCHES: Record<string, () => Promise<string>> = {
  'cold-start': benchColdStart,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`# ${name}`);
  console.log(await BENCHES[name]!());
}
