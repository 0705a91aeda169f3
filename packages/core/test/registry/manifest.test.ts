/**
 * The registry-side tag lookup against a loopback server that answers like distribution/ECR:
 * Bearer token challenge, Basic challenge, 404, and answers we cannot interpret (→ build).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { findImageInRegistry, parseChallenge, registryBaseUrl } from '../../src/registry/manifest.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const basic = `Basic ${Buffer.from('AWS:s3cret').toString('base64')}`;

describe('findImageInRegistry (OCI distribution API)', () => {
  let server: Server;
  let host = '';
  const seen: string[] = [];
  /** What the `flaky/` repository answers next: a status, or "reset"; then 200. */
  const answers: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== basic) {
          res.writeHead(401).end();
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: `tok-for-${url.searchParams.get('scope')}` }));
        return;
      }
      if (url.pathname.startsWith('/v2/flaky/')) {
        const next = answers.shift();
        if (next === 'reset') req.socket.resetAndDestroy();
        else if (next === '429') res.writeHead(429, { 'retry-after': '2' }).end();
        else if (next) res.writeHead(Number(next)).end();
        else res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
        return;
      }
      const m = /^\/v2\/(bearer|basic|odd)\/([\w/-]+)\/manifests\/(.+)$/.exec(url.pathname);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const [, mode, , tag] = m;
      expect(req.headers.accept).toContain('application/vnd.oci.image.manifest.v1+json');
      if (mode === 'odd') {
        res.writeHead(500).end();
        return;
      }
      const ok =
        mode === 'bearer'
          ? req.headers.authorization === `Bearer tok-for-repository:${m[1]}/${m[2]}:pull`
          : req.headers.authorization === basic;
      if (!ok) {
        res
          .writeHead(401, {
            'www-authenticate':
              mode === 'bearer'
                ? `Bearer realm="http://${host}/token",service="registry.test",scope="repository:${m[1]}/${m[2]}:pull"`
                : 'Basic realm="ecr"',
          })
          .end();
        return;
      }
      if (tag !== 'present') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const creds = { username: 'AWS', password: 's3cret' };

  it('follows a Bearer challenge with the credentials and reads the digest', async () => {
    expect(
      await findImageInRegistry({ host, repository: 'bearer/app-preview-3', tag: 'present', credentials: creds }),
    ).toEqual({ found: true, digest: DIGEST });
    expect(seen.slice(-3).map((s) => s.split(' ')[0])).toEqual(['HEAD', 'GET', 'HEAD']);
  });

  it('answers a Basic challenge (ECR) and reports a missing tag as not found', async () => {
    expect(await findImageInRegistry({ host, repository: 'basic/app', tag: 'present', credentials: creds })).toEqual({
      found: true,
      digest: DIGEST,
    });
    expect(
      await findImageInRegistry({ host, repository: 'basic/app', tag: 'preview-abc', credentials: creds }),
    ).toEqual({ found: false });
  });

  it('"cannot tell" (no credentials for a challenge, a 500) means build, with the reason', async () => {
    expect(await findImageInRegistry({ host, repository: 'basic/app', tag: 'present' })).toEqual({
      found: false,
      reason: expect.stringContaining('credentials'),
    });
    const clock = new FakeClock();
    expect(await findImageInRegistry({ host, repository: 'odd/app', tag: 'present', clock })).toEqual({
      found: false,
      reason: 'the registry answered 500',
    });
    expect(clock.sleeps).toHaveLength(3); // a 500 is asked again three times first
    expect(
      await findImageInRegistry({
        host,
        repository: 'bearer/app',
        tag: 'present',
        credentials: { username: 'AWS', password: 'wrong' },
      }),
    ).toEqual({ found: false, reason: "the registry's token service answered 401" });
  });

  it('rides through a 503, a 429 (its Retry-After) and a reset; a registry that keeps resetting is named (fault matrix)', async () => {
    const clock = new FakeClock();
    answers.push('503', '429', 'reset');
    expect(await findImageInRegistry({ host, repository: 'flaky/app', tag: 'present', clock })).toEqual({
      found: true,
      digest: DIGEST,
    });
    expect(clock.sleeps[1]).toBe(2000); // the 429's Retry-After: 2
    answers.push('reset', 'reset', 'reset', 'reset');
    const err = await findImageInRegistry({ host, repository: 'flaky/app', tag: 'present', clock }).catch(
      (e: unknown) => e as Error,
    );
    expect((err as Error).message).toContain(
      `the registry at http://${host} failed on HEAD http://${host}/v2/flaky/app/manifests/present (4 tries)`,
    );
  });

  it('uses http only for loopback hosts, and parses challenges', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe(
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    });
  });
});
