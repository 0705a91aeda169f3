import { ECRClient } from '@aws-sdk/client-ecr';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, containsSecret } from '@preview-fleet/core';
import { buildAndPush, createEcrSession, registryLogin, type EcrSession } from '@preview-fleet/core/registry';
import { startLoopbackServer, type LoopbackServer } from '@preview-fleet/sandbox/http/server';
import { startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';
import { podmanEnv, startRegistry, systemToolsAvailable, type RegistryStandIn } from '@preview-fleet/sandbox/registry';

const tools = systemToolsAvailable();
const available = tools.podman && tools.registry;
if (!available) console.warn(`[skipped] core/registry podman tests: ${tools.reason}`);

let moto: MotoStandIn;
let registry: RegistryStandIn;
let flaky: LoopbackServer;
let ecr: EcrSession;
/** Manifest PUTs the flaky proxy still answers with 503 before passing requests through. */
let failManifestPuts = 0;
const dir = mkdtempSync(join(tmpdir(), 'pf-core-podman-'));

/** A pass-through proxy in front of the registry that can fail manifest uploads with 503 (a registry 5xx). */
async function startFlakyProxy(upstream: string): Promise<LoopbackServer> {
  const [host, port] = upstream.split(':');
  return startLoopbackServer(
    (req, res) =>
      new Promise<void>((done) => {
        if (req.method === 'PUT' && /\/manifests\//.test(req.url ?? '') && failManifestPuts > 0) {
          failManifestPuts--;
          req.resume();
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }));
          return done();
        }
        const up = request(
          { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            upRes.once('end', done);
          },
        );
        up.once('error', () => {
          res.destroy();
          done();
        });
        req.pipe(up);
      }),
  );
}

beforeAll(async () => {
  if (!available) return;
  [moto, registry] = await Promise.all([startMoto(), startRegistry()]);
  flaky = await startFlakyProxy(registry.host);
  ecr = createEcrSession({
    region: moto.region,
    clock: new FakeClock(),
    client: new ECRClient({
      region: moto.region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
  });
  writeFileSync(join(dir, 'hello.txt'), 'hi\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  writeFileSync(join(dir, 'broken.Dockerfile'), 'FROM scratch\nCOPY not-there.txt /x\n');
}, 60_000);

afterAll(async () => {
  ecr?.destroy();
  await Promise.all([moto?.stop(), registry?.stop(), flaky?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const proxyHost = () => flaky.url.replace('http://', '');

describe.skipIf(!available)('core/registry with the real podman', () => {
  it('registryLogin: the ECR password is masked and reaches podman on stdin only', async () => {
    const env = podmanEnv({ registryHost: registry.host, workDir: join(dir, 'login') });
    const login = await registryLogin(ecr, { builder: 'podman', host: registry.host, env });
    expect(login).toMatchObject({ host: registry.host, username: 'AWS' });
    expect(containsSecret('123456789012-auth-token')).toBe(true);
    const auth = JSON.parse(readFileSync(env.REGISTRY_AUTH_FILE!, 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(auth.auths[registry.host]!.auth, 'base64').toString()).toBe('AWS:123456789012-auth-token');
  });

  it('a registry 503 on the manifest push is retried (on the injected clock) and the pushed digest is reported', async () => {
    const host = proxyHost();
    const env = podmanEnv({ registryHost: host, workDir: join(dir, 'flaky') });
    await registryLogin(ecr, { builder: 'podman', host, env });
    const clock = new FakeClock();
    failManifestPuts = 1;
    const wd = mkdtempSync(join(dir, 'wd-'));
    const result = await buildAndPush({
      builder: 'podman',
      context: dir,
      file: join(dir, 'Dockerfile'),
      image: `${host}/retry-me:v1`,
      workDir: wd,
      env,
      clock,
    });
    expect(failManifestPuts).toBe(0);
    expect(clock.sleeps).toHaveLength(1);
    const head = await fetch(`http://${registry.host}/v2/retry-me/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(result.digest);
  });

  it("a registry that keeps failing ends the push with podman's last lines after the attempts", async () => {
    const host = proxyHost();
    const env = podmanEnv({ registryHost: host, workDir: join(dir, 'flaky') });
    await registryLogin(ecr, { builder: 'podman', host, env });
    const clock = new FakeClock();
    failManifestPuts = 100;
    const wd = mkdtempSync(join(dir, 'wd-'));
    const err = await buildAndPush({
      builder: 'podman',
      context: dir,
      file: join(dir, 'Dockerfile'),
      image: `${host}/never:v1`,
      workDir: wd,
      env,
      clock,
      attempts: 2,
    }).then(
      () => expect.unreachable(),
      (e: unknown) => e as Error,
    );
    failManifestPuts = 0;
    expect(err.message).toMatch(/^Push of ".*never:v1" with podman failed:\n/);
    expect(err.message).toMatch(/503|Service Unavailable/i);
    expect(clock.sleeps).toHaveLength(1);
  });

  it("a build error is not retried and carries the builder's last lines", async () => {
    const clock = new FakeClock();
    const wd = mkdtempSync(join(dir, 'wd-'));
    const err = await buildAndPush({
      builder: 'podman',
      context: dir,
      file: join(dir, 'broken.Dockerfile'),
      image: `${registry.host}/broken:v1`,
      workDir: wd,
      clock,
      env: podmanEnv({ registryHost: registry.host, workDir: join(dir, 'login') }),
    }).then(
      () => expect.unreachable(),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/^Build of ".*broken:v1" with podman failed:\n/);
    expect(err.message).toContain('not-there.txt');
    expect(clock.sleeps).toEqual([]);
  });
});
