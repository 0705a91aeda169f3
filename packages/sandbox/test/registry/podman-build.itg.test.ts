import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  podmanEnv,
  prebuiltImage,
  startRegistry,
  systemToolsAvailable,
  type RegistryStandIn,
} from '../../src/registry/index.js';

const run = promisify(execFile);
const tools = systemToolsAvailable();
const available = tools.podman && tools.registry;
if (!available) console.warn(`[skipped] podman build/push tests: ${tools.reason}`);

let registry: RegistryStandIn;
let dir: string;

beforeAll(async () => {
  if (!available) return;
  registry = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), 'pf-podman-'));
  await writeFile(join(dir, 'hello.txt'), 'hello from preview-fleet\n');
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
}, 30_000);

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The command lines build-push uses in production, with only the environment differing. */
async function buildAndPush(storage: string, tag: string): Promise<{ output: string; digest: string }> {
  const env = { ...process.env, ...podmanEnv({ registryHost: registry.host, workDir: join(dir, storage) }) };
  const image = `${registry.host}/app-preview-7:${tag}`;
  await new Promise<void>((done, fail) => {
    const login = spawn('podman', ['login', '--username', 'AWS', '--password-stdin', registry.host], {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    login.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    login.once('exit', (code) => (code === 0 ? done() : fail(new Error(`podman login: ${err}`))));
    login.stdin.end('not-a-real-ecr-password\n');
  });
  const cache = `${registry.host}/app-preview-7`;
  const build = await run(
    'podman',
    [
      'buildx',
      'build',
      '--tag',
      image,
      '--cache-from',
      cache,
      '--cache-to',
      cache,
      '--file',
      join(dir, 'Dockerfile'),
      dir,
    ],
    { env },
  );
  const digestFile = join(dir, `${tag}.digest`);
  await run('podman', ['push', '--digestfile', digestFile, image], { env });
  return { output: build.stdout + build.stderr, digest: (await readFile(digestFile, 'utf8')).trim() };
}

async function registryDigest(tag: string): Promise<string | null> {
  const res = await fetch(`http://${registry.host}/v2/app-preview-7/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return res.headers.get('docker-content-digest');
}

describe.skipIf(!available)('podman builds and pushes to the loopback docker-registry', () => {
  it('pushes a FROM-scratch image whose --digestfile digest is the registry manifest digest', async () => {
    const first = await buildAndPush('storage-a', 'preview-abc');
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest('preview-abc')).toBe(first.digest);
    expect(first.output).toContain('Pushing cache');
  }, 60_000);

  it('a second build from empty local storage takes its layer from the registry cache', async () => {
    const second = await buildAndPush('storage-b', 'preview-def');
    expect(second.output).toContain('Using cache');
    expect(await registryDigest('preview-def')).toBe(second.digest);
    const tags = (await (await fetch(`http://${registry.host}/v2/app-preview-7/tags/list`)).json()) as {
      tags: string[];
    };
    // podman stores cache entries as 64-hex tags next to the image tags.
    expect(tags.tags).toEqual(expect.arrayContaining(['preview-abc', 'preview-def']));
    expect(tags.tags.some((t) => /^[0-9a-f]{64}$/.test(t))).toBe(true);
  }, 60_000);

  it('builds FROM a base image pulled over plain http from the loopback registry', async () => {
    const base = await prebuiltImage({ registryHost: registry.host, repository: 'base', tag: '1', content: 'base\n' });
    const ctx = join(dir, 'from-base');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${base.image}\nCOPY app.txt /app.txt\n`);
    await writeFile(join(ctx, 'app.txt'), 'app\n');
    const env = { ...process.env, ...podmanEnv({ registryHost: registry.host, workDir: join(dir, 'storage-c') }) };
    const image = `${registry.host}/app-preview-8:preview-1`;
    await run('podman', ['build', '--tag', image, '--file', join(ctx, 'Dockerfile'), ctx], { env });
    const inspect = await run('podman', ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', image], { env });
    expect(inspect.stdout.trim()).toBe('2');
  }, 60_000);
});
