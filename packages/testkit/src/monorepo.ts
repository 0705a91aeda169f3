/**
 * A monorepo checkout for the content-tag tests and the rebuild-monorepo benchmark: six services,
 * each a context directory with its own file and Dockerfile (the sixth's Dockerfile lives outside
 * its context), committed with real git so build-push hashes git's own trees.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SERVICES = ['cart', 'catalog', 'checkout', 'payments', 'search', 'users'] as const;
export type Service = (typeof SERVICES)[number];

export interface Monorepo {
  dir: string;
  /** The HEAD commit's SHA. */
  head(): string;
  /** Writes `files` (paths relative to the checkout), commits them, returns the new HEAD. */
  commit(files: Record<string, string>, message: string): string;
  /** build-push's per-service inputs (context, file, cache none so the registry holds only images). */
  inputs(service: Service): Record<string, string>;
  remove(): void;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'preview-fleet test',
  GIT_AUTHOR_EMAIL: 'test@preview-fleet.invalid',
  GIT_COMMITTER_NAME: 'preview-fleet test',
  GIT_COMMITTER_EMAIL: 'test@preview-fleet.invalid',
};

/**
 * Six services, one commit. `payloadBytes` gives each image an incompressible layer of that size
 * (`payload.bin`), so a build costs what compressing and pushing a real application's layer does.
 */
export function makeMonorepo(options: { payloadBytes?: number } = {}): Monorepo {
  const dir = mkdtempSync(join(tmpdir(), 'pf-monorepo-'));
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
  const write = (files: Record<string, string | Buffer>): void => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  const files: Record<string, string | Buffer> = { 'README.md': '# shop\n' };
  const payload = options.payloadBytes ? 'COPY payload.bin /srv/payload.bin\n' : '';
  for (const s of SERVICES) {
    files[`services/${s}/main.txt`] = `${s} v1\n`;
    if (options.payloadBytes) files[`services/${s}/payload.bin`] = randomBytes(options.payloadBytes);
    const dockerfile = `FROM scratch\n${payload}COPY main.txt /srv/${s}.txt\n`;
    if (s === 'users') files['dockerfiles/users.Dockerfile'] = dockerfile;
    else files[`services/${s}/Dockerfile`] = dockerfile;
  }
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  write(files);
  git('add', '-A');
  git('commit', '-qm', 'six services');
  return {
    dir,
    head: () => git('rev-parse', 'HEAD'),
    commit(changed, message) {
      write(changed);
      git('add', '-A');
      git('commit', '-qm', message);
      return git('rev-parse', 'HEAD');
    },
    inputs: (s) => ({
      service: s,
      context: `services/${s}`,
      ...(s === 'users' ? { file: 'dockerfiles/users.Dockerfile' } : {}),
      cache: 'none',
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The tags of `repository` in the registry (GET /v2/<name>/tags/list), sorted; [] when it has none. */
export async function registryTags(host: string, repository: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repository}/tags/list`);
  if (res.status === 404) return [];
  const body = (await res.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** The manifest digest `repository:tag` holds in the registry, or null. */
export async function registryDigest(host: string, repository: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}
