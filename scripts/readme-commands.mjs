#!/usr/bin/env node
// Prints the commands of README.md's first code block, comments stripped, so CI runs them exactly
// as a newcomer reads them (.ci/run). `node scripts/readme-commands.mjs WORD` prints the one
// command that contains `npm run WORD` or `npm WORD`, and fails unless exactly one does.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const block = /^```[\w-]*\n([\s\S]*?)^```/m.exec(readme);
if (!block) {
  console.error('README.md has no code block');
  process.exit(1);
}
// A `#` that starts a word begins a comment, as in sh.
const commands = block[1]
  .split('\n')
  .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
  .filter(Boolean);
const word = process.argv[2];
if (!word) {
  console.log(commands.join('\n'));
} else {
  const hits = commands.filter((c) =>
    c.split(/\s*&&\s*/).some((part) => part === `npm ${word}` || part === `npm run ${word}`),
  );
  if (hits.length !== 1) {
    console.error(
      `README.md's first code block has ${hits.length} commands running "npm run ${word}"; expected 1:\n${commands.join('\n')}`,
    );
    process.exit(1);
  }
  console.log(hits[0]);
}
