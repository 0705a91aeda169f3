#!/usr/bin/env node
// Generates the inputs/outputs tables in each action's README.md from its action.yml, between
// <!-- inputs:start --> / <!-- inputs:end --> and <!-- outputs:start --> / <!-- outputs:end -->
// markers. `--check` changes nothing and exits 1 when a README disagrees with its action.yml.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .trim();

export function renderInputs(meta) {
  const rows = Object.entries(meta.inputs ?? {}).map(([name, spec]) => {
    const def = spec?.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``;
    return `| \`${name}\` | ${cell(spec?.description)} | ${def} | ${spec?.required ? 'yes' : 'no'} |`;
  });
  return ['| input | description | default | required |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function renderOutputs(meta) {
  const rows = Object.entries(meta.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec?.description)} |`);
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}

function replaceBlock(text, name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
}

/** Every action folder with an action.yml and a README.md: [{ dir, readme, expected, actual }]. */
export function docTargets() {
  const dirs = [];
  const actions = join(root, 'actions');
  if (existsSync(actions)) for (const n of readdirSync(actions).sort()) dirs.push(join(actions, n));
  dirs.push(root);
  const out = [];
  for (const dir of dirs) {
    const yml = join(dir, 'action.yml');
    // The all-in-one action's ~90 inputs get their own page rather than burying the README.
    const readme = dir === root ? join(root, 'docs', 'all-in-one.md') : join(dir, 'README.md');
    if (!existsSync(yml) || !existsSync(readme)) continue;
    const meta = parse(readFileSync(yml, 'utf8'));
    const actual = readFileSync(readme, 'utf8');
    let expected = replaceBlock(actual, 'inputs', renderInputs(meta));
    expected = expected === undefined ? undefined : replaceBlock(expected, 'outputs', renderOutputs(meta));
    out.push({ dir, readme, actual, expected });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let bad = 0;
  for (const t of docTargets()) {
    if (t.expected === undefined) {
      console.error(`${t.readme}: missing <!-- inputs:start/end --> or <!-- outputs:start/end --> markers`);
      bad++;
    } else if (t.expected !== t.actual) {
      if (check) {
        console.error(`${t.readme} disagrees with action.yml: run "npm run docs"`);
        bad++;
      } else {
        writeFileSync(t.readme, t.expected);
        console.log(`updated ${t.readme}`);
      }
    }
  }
  process.exit(bad ? 1 : 0);
}
