/**
 * Content-addressed image tags (issue 18 §2): one hash over everything a build reads, so a push
 * that leaves a service's build inputs alone finds that service's image already in the registry.
 *
 * The build context is described by git's own tree hash (`git rev-parse HEAD:<path>`) when git
 * confirms the directory holds exactly the committed files: `git status` lists no modified,
 * staged, untracked or git-ignored path in it (ignored files are still sent to the builder, so a
 * tree that does not list them would not describe the context). Anything else — a dirty or
 * untracked file, an ignored file, no git, git refusing the repository — falls back to hashing
 * every file's path, executable bit and content ourselves, and the reason is reported. The two
 * kinds never give the same hash, so a fallback can cost one rebuild, never a wrong reuse.
 * `.git` directories are never hashed (keep them out of images with .dockerignore).
 *
 * Build-arg values and BuildKit secrets: a value enters only as its SHA-256 (one-way); secrets
 * enter by id only, their values not at all (they are not part of the image). A guessable
 * build-arg value can still be confirmed by someone who knows every other input — build args
 * are not for secrets (builders keep them in the image history anyway).
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { runCommand } from '../exec.js';

/** The placeholder a `content-tag` template must contain. */
export const CONTENT_HASH_VARIABLE = '{{content_hash}}';
/** Hex characters of the content hash put into tags (160 bits, as many as a git SHA). */
export const CONTENT_HASH_LENGTH = 40;

export interface ContextDigest {
  /** `git-tree`: git's tree object id for the context at HEAD; `files`: our hash of the files on disk. */
  kind: 'git-tree' | 'files';
  hash: string;
  /** Why git's tree was not used (kind `files`). */
  reason?: string;
}

export interface BuildInputs {
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile (inside the context or not). */
  file: string;
  buildArgs?: ReadonlyMap<string, string>;
  /** BuildKit secret ids (values never enter the hash). */
  secretIds?: readonly string[];
  target?: string;
  platforms?: readonly string[];
  builder: string;
}

export interface ContentHash {
  /** CONTENT_HASH_LENGTH hex characters. */
  hash: string;
  context: ContextDigest;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

async function git(cwd: string, args: string[]): Promise<string> {
  const res = await runCommand(['git', '-C', cwd, ...args], { waitingFor: 'git (hashing the build context)' });
  return res.stdout;
}

/** Git's tree hash of `context` when git confirms the directory is exactly the committed tree; else hashes the files. */
export async function contextDigest(context: string): Promise<ContextDigest> {
  let reason: string;
  try {
    const top = (await git(context, ['rev-parse', '--show-toplevel'])).trim();
    const rel = relative(top, context).split(sep).join('/');
    if (rel.startsWith('..')) throw new Error('the context is outside the work tree');
    const status = await git(top, [
      'status',
      '--porcelain=v1',
      '-z',
      '--untracked-files=all',
      '--ignored=matching',
      '--',
      rel === '' ? '.' : rel,
    ]);
    const changed = status.split('\0').filter((e) => e !== '').length;
    if (changed === 0) {
      const tree = (await git(top, ['rev-parse', '--verify', '--quiet', `HEAD:${rel}`])).trim();
      if (/^[0-9a-f]{40,64}$/.test(tree)) return { kind: 'git-tree', hash: tree };
      reason = 'the context is not a directory in the HEAD commit';
    } else {
      reason = `git status lists ${changed} uncommitted, untracked or ignored path(s) in the context`;
    }
  } catch (err) {
    reason = `git could not describe the context (${firstLine(err)})`;
  }
  return { kind: 'files', hash: hashFiles(context), reason };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** Every entry under `dir` but `.git`, sorted by path: type, path, executable bit and content (or link target). */
export function hashFiles(dir: string): string {
  const h = createHash('sha256');
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      if (name === '.git') continue;
      const path = join(abs, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) h.update(`l ${relPath}\0${readlinkSync(path)}\n`);
      else if (st.isDirectory()) {
        h.update(`d ${relPath}\n`);
        walk(path, relPath);
      } else if (st.isFile()) {
        h.update(`f ${relPath}\0${st.mode & 0o111 ? 'x' : '-'}${sha256(readFileSync(path))}\n`);
      }
    }
  };
  walk(dir, '');
  return h.digest('hex');
}

/** The hash of one build's inputs; identical inputs give the same hash on any machine. */
export async function computeContentHash(o: BuildInputs): Promise<ContentHash> {
  const context = await contextDigest(o.context);
  return { hash: contentHashOf(o, context), context };
}

/** Pure part of computeContentHash (the context already described). */
export function contentHashOf(o: BuildInputs, context: ContextDigest): string {
  // BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile in preference to the context's.
  const ignoreFile = `${o.file}.dockerignore`;
  const doc = {
    v: 1,
    context: `${context.kind}:${context.hash}`,
    dockerfile: sha256(readFileSync(o.file)),
    dockerignore: existsSync(ignoreFile) ? sha256(readFileSync(ignoreFile)) : null,
    buildArgs: [...(o.buildArgs ?? new Map<string, string>())]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sha256(`build-arg\0${v}`)]),
    secrets: [...(o.secretIds ?? [])].sort(),
    target: o.target ?? null,
    platforms: [...(o.platforms ?? [])].sort(),
    builder: o.builder,
  };
  return sha256(JSON.stringify(doc)).slice(0, CONTENT_HASH_LENGTH);
}

/** Renders a `content-tag` template: `{{content_hash}}` replaced (the caller renders the other variables). */
export function renderContentTag(template: string, hash: string): string {
  return template.split(CONTENT_HASH_VARIABLE).join(hash);
}
