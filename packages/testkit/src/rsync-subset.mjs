/**
 * The subset of rsync that gitlab-ci-local 4.x calls on the shell executor, for machines without
 * rsync (CI's has none, and `.ci/run` installs nothing for this): `-a`/`-r`/`-R`, `--exclude`,
 * `--exclude-from`, `--files-from`, `--delete`/`--delete-excluded` (accepted; targets are fresh), and
 * "SRC... DEST" with rsync's trailing-slash rule. Run as `node rsync-subset.mjs <rsync args>`.
 */
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const args = process.argv.slice(2);
let relative = false;
let recursive = false;
const excludes = [];
let filesFrom;
const positional = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args[++i] ?? ''));
  if (a === '--delete' || a === '--delete-excluded') continue;
  else if (a.startsWith('--exclude-from')) excludes.push(...lines(value()));
  else if (a.startsWith('--exclude')) excludes.push(value());
  else if (a.startsWith('--files-from')) filesFrom = lines(value());
  else if (/^-[a-zA-Z]+$/.test(a)) {
    if (a.includes('a') || a.includes('r')) recursive = true;
    if (a.includes('R')) relative = true;
  } else if (a.startsWith('--')) fail(`unsupported option ${a}`);
  else positional.push(a);
}
if (positional.length < 2) fail('usage: SRC... DEST');
const dest = positional.pop();
const patterns = excludes.filter((p) => p !== '').map(toMatcher);

function fail(message) {
  process.stderr.write(`rsync-subset: ${message}\n`);
  process.exit(1);
}
function lines(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
/** rsync's pattern rules, simplified: leading "/" anchors at the transfer root, trailing "/" matches directories only. */
function toMatcher(pattern) {
  const dirOnly = pattern.endsWith('/');
  const anchored = pattern.startsWith('/');
  const body = pattern.replace(/^\/+|\/+$/g, '').replace(/^\.\//, '');
  const re = body
    .split(/(\*\*|\*|\?)/)
    .map((part) =>
      part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const regex = new RegExp(anchored ? `^${re}$` : `(^|/)${re}$`);
  return (rel, isDir) => (!dirOnly || isDir) && regex.test(rel);
}
const excluded = (rel, isDir) => patterns.some((m) => m(rel, isDir));

/** Copies `from` to `to` (files, symlinks as symlinks, directories recursively), skipping excluded paths. */
function copy(from, to, rel) {
  const st = lstatSync(from);
  const isDir = st.isDirectory();
  if (rel !== '' && excluded(rel, isDir)) return;
  mkdirSync(dirname(to), { recursive: true });
  if (st.isSymbolicLink()) {
    if (!existsSync(to)) symlinkSync(readlinkSync(from), to);
  } else if (isDir) {
    mkdirSync(to, { recursive: true });
    if (recursive || rel === '')
      for (const e of readdirSync(from)) copy(join(from, e), join(to, e), rel === '' ? e : `${rel}/${e}`);
  } else copyFileSync(from, to);
}

for (const src of positional) {
  if (filesFrom !== undefined) {
    for (const f of filesFrom) {
      const rel = f.replace(/^\.\//, '');
      if (existsSync(join(src, rel))) copy(join(src, rel), join(dest, rel), rel);
    }
  } else if (src.endsWith('/') || src.endsWith('/.') || src === '.') copy(resolve(src), resolve(dest), '');
  else {
    const rel = relative ? src.replace(/^\.\//, '') : basename(src);
    copy(resolve(src), join(resolve(dest), rel), rel);
  }
}
