/**
 * The registry-side alias tag against a small stateful registry that wants a Bearer token with
 * push scope (as distribution behind a token service, GHCR or Docker Hub do), and the builder's
 * saved login that build-push uses for it with `ecr: false`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savedCredentials } from '../../src/registry/auth-file.js';
import { tagImageInRegistry } from '../../src/registry/manifest.js';

const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const basic = `Basic ${Buffer.from('robot:pa55word').toString('base64')}`;

describe('tagImageInRegistry (GET + PUT of the manifest bytes)', () => {
  let server: Server;
  let host = '';
  const tags = new Map<string, { body: Buffer; type: string }>([
    ['build-1', { body: Buffer.from(MANIFEST), type: 'application/vnd.oci.image.manifest.v1+json' }],
  ]);
  const scopes: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/token') {
        scopes.push(url.searchParams.get('scope') ?? '');
        if (req.headers.authorization !== basic) return void res.writeHead(401).end();
        return void res.writeHead(200).end(JSON.stringify({ token: `t:${url.searchParams.get('scope')}` }));
      }
      const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname)!;
      const want = `t:repository:${m[1]}:pull,push`;
      if (req.headers.authorization !== `Bearer ${want}`)
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token"` }).end();
      if (req.method === 'GET') {
        const t = tags.get(m[2]!);
        if (!t) return void res.writeHead(404).end();
        return void res.writeHead(200, { 'content-type': t.type, 'docker-content-digest': DIGEST }).end(t.body);
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        tags.set(m[2]!, { body, type: req.headers['content-type'] ?? '' });
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        res.writeHead(201, { 'docker-content-digest': digest }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const credentials = { username: 'robot', password: 'pa55word' };

  it('asks for pull,push, stores the same bytes and media type under the alias, and is idempotent', async () => {
    const q = { host, repository: 'acme/web', credentials, from: 'build-1', to: 'preview-abc' };
    expect(await tagImageInRegistry(q)).toBe(DIGEST);
    expect(scopes).toContain('repository:acme/web:pull,push');
    expect(tags.get('preview-abc')).toEqual(tags.get('build-1'));
    expect(await tagImageInRegistry(q)).toBe(DIGEST);
  });

  it('names what failed: a missing source tag, refused credentials, none at all (with the login hint)', async () => {
    await expect(
      tagImageInRegistry({ host, repository: 'acme/web', credentials, from: 'build-2', to: 'preview-x' }),
    ).rejects.toThrow(/Could not read acme\/web:build-2 to tag .*preview-x: the registry answered 404/);
    await expect(
      tagImageInRegistry({
        host,
        repository: 'acme/web',
        credentials: { username: 'robot', password: 'nope' },
        from: 'build-1',
        to: 'preview-y',
      }),
    ).rejects.toThrow(/token service answered 401/);
    expect(tags.has('preview-y')).toBe(false);
  });
});

describe('savedCredentials (the login a workflow step saved for the builder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-auth-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("podman's REGISTRY_AUTH_FILE first, then docker's config; a credential helper gives nothing", () => {
    const podmanFile = join(dir, 'auth.json');
    writeFileSync(
      podmanFile,
      JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('me:tok3n').toString('base64') } } }),
    );
    mkdirDocker(dir, { auths: { 'ghcr.io': { auth: Buffer.from('docker:other').toString('base64') } } });
    const env = { REGISTRY_AUTH_FILE: podmanFile, DOCKER_CONFIG: join(dir, 'docker') };
    expect(savedCredentials('podman', 'ghcr.io', env)).toEqual({ username: 'me', password: 'tok3n' });
    expect(savedCredentials('docker', 'ghcr.io', env)).toEqual({ username: 'docker', password: 'other' });
    expect(savedCredentials('docker', 'quay.io', env)).toBeUndefined();
    mkdirDocker(dir, { credsStore: 'desktop', auths: { 'ghcr.io': {} } });
    expect(savedCredentials('docker', 'ghcr.io', env)).toBeUndefined();
  });
});

/** Writes `<dir>/docker/config.json` (what DOCKER_CONFIG points at). */
function mkdirDocker(dir: string, config: unknown): void {
  mkdirSync(join(dir, 'docker'), { recursive: true });
  writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify(config));
}
