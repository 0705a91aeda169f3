import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorToMoto, startMoto, type MotoStandIn } from '../../src/ecr/index.js';
import {
  prebuiltImage,
  startRegistry,
  startRegistryProxy,
  systemToolsAvailable,
  type RegistryStandIn,
} from '../../src/registry/index.js';

const tools = systemToolsAvailable();
if (!tools.registry) console.warn(`[skipped] registry tests: ${tools.reason}`);

let registry: RegistryStandIn;
let ecr: MotoStandIn;

beforeAll(async () => {
  if (!tools.registry) return;
  [registry, ecr] = await Promise.all([startRegistry(), startMoto()]);
}, 40_000);

afterAll(async () => {
  await registry?.stop();
  await ecr?.stop();
});

describe.skipIf(!tools.registry)('an image without podman, mirrored into moto', () => {
  it('pushes a hand-made OCI image and makes its tag visible to DescribeImages', async () => {
    const pushed = await prebuiltImage({
      registryHost: registry.host,
      repository: 'web-preview-3',
      tag: 'preview-123',
    });
    expect(pushed.image).toBe(`${registry.host}/web-preview-3:preview-123`);
    const head = await fetch(`http://${registry.host}/v2/web-preview-3/manifests/preview-123`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(head.headers.get('docker-content-digest')).toBe(pushed.digest);

    const client = new ECRClient({
      region: ecr.region,
      endpoint: ecr.endpoint,
      credentials: { accessKeyId: ecr.accessKeyId, secretAccessKey: ecr.secretAccessKey },
    });
    try {
      await client.send(new CreateRepositoryCommand({ repositoryName: 'web-preview-3' }));
      const motoDigest = await mirrorToMoto(ecr, {
        registryHost: registry.host,
        repository: 'web-preview-3',
        tag: 'preview-123',
      });
      const out = await client.send(
        new DescribeImagesCommand({ repositoryName: 'web-preview-3', imageIds: [{ imageTag: 'preview-123' }] }),
      );
      expect(out.imageDetails?.[0]?.imageDigest).toBe(motoDigest);
      expect(out.imageDetails?.[0]?.imageTags).toEqual(['preview-123']);
    } finally {
      client.destroy();
    }
  });
});

describe.skipIf(!tools.registry)('the registry behind the fault proxy', () => {
  it('forwards pushes and lookups, answers 429 with Retry-After and 503 in the spec body, resets, then serves again', async () => {
    const proxy = await startRegistryProxy(registry.host);
    try {
      const pushed = await prebuiltImage({ registryHost: proxy.host, repository: 'proxied', tag: 't1' });
      const url = `http://${proxy.host}/v2/proxied/manifests/t1`;
      const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
      proxy.injectFault({ method: 'GET', pathPattern: /\/manifests\//, status: 429, retryAfter: 2, times: 1 });
      proxy.injectFault({ method: 'GET', pathPattern: /\/manifests\//, status: 503, times: 1 });
      proxy.injectFault({ method: 'GET', pathPattern: /\/manifests\//, reset: true, times: 1 });
      const r429 = await fetch(url, { headers: accept });
      expect([r429.status, r429.headers.get('retry-after')]).toEqual([429, '2']);
      expect(await r429.json()).toEqual({
        errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests', detail: null }],
      });
      const r503 = await fetch(url, { headers: accept });
      expect([r503.status, ((await r503.json()) as { errors: Array<{ code: string }> }).errors[0]!.code]).toEqual([
        503,
        'UNAVAILABLE',
      ]);
      const reset = (await fetch(url, { headers: accept }).catch((e: unknown) => e)) as Error & {
        cause?: { code?: string };
      };
      expect(reset.cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
      const ok = await fetch(url, { headers: accept });
      expect([ok.status, ok.headers.get('docker-content-digest')]).toEqual([200, pushed.digest]);
      expect(
        proxy
          .requestLog()
          .filter((e) => e.method === 'GET')
          .map((e) => e.status),
      ).toEqual([429, 503, 0, 200]);
    } finally {
      await proxy.stop();
    }
  });
});
