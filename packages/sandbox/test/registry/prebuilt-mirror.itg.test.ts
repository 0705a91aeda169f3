import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorToMoto, startMoto, type MotoStandIn } from '../../src/ecr/index.js';
import { prebuiltImage, startRegistry, systemToolsAvailable, type RegistryStandIn } from '../../src/registry/index.js';

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
