/**
 * The content hash against a real git repository: git's tree for a clean context, the files'
 * own hash (with the reason) for a dirty, untracked or ignored one, and every other build input.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { computeContentHash, contextDigest, hashFiles, type BuildInputs } from '../../src/registry/content-hash.js';

const root = mkdtempSync(join(tmpdir(), 'pf-content-hash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let repo = '';
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    },
  });
let n = 0;

beforeEach(() => {
  repo = join(root, `repo-${n++}`);
  for (const s of ['api', 'web']) {
    mkdirSync(join(repo, 'services', s), { recursive: true });
    writeFileSync(join(repo, 'services', s, 'main.txt'), `${s} v1\n`);
    writeFileSync(join(repo, 'services', s, 'Dockerfile'), 'FROM scratch\nCOPY main.txt /main.txt\n');
  }
  writeFileSync(join(repo, 'shared.Dockerfile'), 'FROM scratch\nCOPY . /app\n');
  writeFileSync(join(repo, '.gitignore'), 'build/\n');
  execFileSync('git', ['init', '-q', repo]);
  git('add', '-A');
  git('commit', '-qm', 'one');
});

const inputs = (service: string, extra: Partial<BuildInputs> = {}): BuildInputs => ({
  context: join(repo, 'services', service),
  file: join(repo, 'services', service, 'Dockerfile'),
  builder: 'podman',
  ...extra,
});

describe('content hash of the build inputs', () => {
  it("a clean context is git's own tree hash at HEAD; a commit elsewhere in the repository leaves it unchanged", async () => {
    const api = await contextDigest(join(repo, 'services', 'api'));
    expect(api).toEqual({ kind: 'git-tree', hash: git('rev-parse', 'HEAD:services/api').trim() });
    const before = await computeContentHash(inputs('api'));
    writeFileSync(join(repo, 'services', 'web', 'main.txt'), 'web v2\n');
    git('commit', '-qam', 'web only');
    expect(await computeContentHash(inputs('api'))).toEqual(before);
    expect((await computeContentHash(inputs('web'))).hash).not.toBe((await computeContentHash(inputs('api'))).hash);
    // The repository root works too (HEAD:).
    expect((await contextDigest(repo)).kind).toBe('git-tree');
  });

  it('an uncommitted change, an untracked file or a git-ignored file falls back to hashing the files, and says why', async () => {
    const clean = await computeContentHash(inputs('api'));
    writeFileSync(join(repo, 'services', 'api', 'main.txt'), 'api v2 (not committed)\n');
    const dirty = await computeContentHash(inputs('api'));
    expect(dirty.context).toMatchObject({ kind: 'files', reason: expect.stringMatching(/git status lists 1 /) });
    expect(dirty.hash).not.toBe(clean.hash);
    git('checkout', '--', '.');
    mkdirSync(join(repo, 'services', 'api', 'build'));
    writeFileSync(join(repo, 'services', 'api', 'build', 'out.bin'), 'ignored by git, sent to the builder\n');
    const ignored = await computeContentHash(inputs('api'));
    expect(ignored.context.kind).toBe('files');
    writeFileSync(join(repo, 'services', 'api', 'build', 'out.bin'), 'changed\n');
    expect((await computeContentHash(inputs('api'))).hash).not.toBe(ignored.hash);
    rmSync(join(repo, 'services', 'api', 'build'), { recursive: true });
    expect(await computeContentHash(inputs('api'))).toEqual(clean);
  });

  it('outside git: the files are hashed, .git never is', async () => {
    const plain = join(root, `plain-${n++}`);
    mkdirSync(join(plain, '.git'), { recursive: true });
    writeFileSync(join(plain, 'a.txt'), 'a\n');
    const d = await contextDigest(plain);
    expect(d).toMatchObject({ kind: 'files', hash: hashFiles(plain), reason: expect.stringMatching(/^git could not/) });
    writeFileSync(join(plain, '.git', 'HEAD'), 'anything\n');
    expect(hashFiles(plain)).toBe(d.hash);
  });

  it('the Dockerfile (also outside the context), build args, target, platforms and secret ids change the hash; map order does not', async () => {
    const base = (await computeContentHash(inputs('api'))).hash;
    const variants: Array<Partial<BuildInputs>> = [
      { file: join(repo, 'shared.Dockerfile') },
      { buildArgs: new Map([['GREETING', 'hi']]) },
      { target: 'runtime' },
      { platforms: ['linux/arm64'] },
      { secretIds: ['npm_token'] },
      { builder: 'docker' },
    ];
    const hashes = await Promise.all(variants.map(async (v) => (await computeContentHash(inputs('api', v))).hash));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
    writeFileSync(join(repo, 'shared.Dockerfile'), 'FROM scratch\nCOPY . /srv\n');
    expect((await computeContentHash(inputs('api', variants[0]))).hash).not.toBe(hashes[0]);
    const ab = new Map([
      ['A', '1'],
      ['B', '2'],
    ]);
    const ba = new Map([
      ['B', '2'],
      ['A', '1'],
    ]);
    expect((await computeContentHash(inputs('api', { buildArgs: ab }))).hash).toBe(
      (await computeContentHash(inputs('api', { buildArgs: ba }))).hash,
    );
  });

  it('a build-arg value enters only as a one-way hash: not in the tag text, and a changed value changes the tag', async () => {
    const value = 'hunter2-very-secret';
    const a = await computeContentHash(inputs('api', { buildArgs: new Map([['TOKEN', value]]) }));
    const b = await computeContentHash(inputs('api', { buildArgs: new Map([['TOKEN', `${value}!`]]) }));
    expect(a.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(a.hash).not.toBe(b.hash);
    expect(a.hash).not.toContain(Buffer.from(value).toString('hex').slice(0, 8));
  });
});
