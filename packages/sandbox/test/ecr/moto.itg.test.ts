import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  ImageNotFoundException,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoStandIn } from '../../src/ecr/index.js';

let ecr: MotoStandIn;
let client: ECRClient;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  ecr = await startMoto();
  // The SDK must find the endpoint through the environment, as the action's child process will.
  for (const [k, v] of Object.entries(ecr.env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  client = new ECRClient({});
}, 40_000);

afterAll(async () => {
  client?.destroy();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await ecr?.stop();
});

const policy = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'keep last 6',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 6 },
      action: { type: 'expire' },
    },
  ],
});

describe('ECR on moto with the real SDK', () => {
  it('creates a tagged, scan-on-push repository with a lifecycle policy and deletes it with force', async () => {
    const created = await client.send(
      new CreateRepositoryCommand({
        repositoryName: 'app-preview-7',
        tags: [
          { Key: 'preview-fleet/owner', Value: 'acme/web' },
          { Key: 'preview-fleet/pr', Value: '7' },
        ],
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    const repo = created.repository!;
    expect(repo.repositoryUri).toMatch(/\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app-preview-7$/);
    expect(repo.imageScanningConfiguration?.scanOnPush).toBe(true);

    await client.send(new PutLifecyclePolicyCommand({ repositoryName: 'app-preview-7', lifecyclePolicyText: policy }));
    const got = await client.send(new GetLifecyclePolicyCommand({ repositoryName: 'app-preview-7' }));
    expect(JSON.parse(got.lifecyclePolicyText!)).toEqual(JSON.parse(policy));

    const described = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app-preview-7'] }));
    expect(described.repositories?.[0]?.repositoryArn).toBe(repo.repositoryArn);
    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
    expect(tags.tags).toEqual(expect.arrayContaining([{ Key: 'preview-fleet/pr', Value: '7' }]));

    await expect(
      client.send(
        new DescribeImagesCommand({ repositoryName: 'app-preview-7', imageIds: [{ imageTag: 'preview-abc' }] }),
      ),
    ).rejects.toBeInstanceOf(ImageNotFoundException);

    // An image makes a plain delete fail; force removes it anyway.
    await client.send(
      new PutImageCommand({ repositoryName: 'app-preview-7', imageTag: 'preview-abc', imageManifest: manifest() }),
    );
    await expect(client.send(new DeleteRepositoryCommand({ repositoryName: 'app-preview-7' }))).rejects.toThrow();
    await client.send(new DeleteRepositoryCommand({ repositoryName: 'app-preview-7', force: true }));
    await expect(
      client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app-preview-7'] })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
    await expect(
      client.send(new DeleteRepositoryCommand({ repositoryName: 'app-preview-7', force: true })),
    ).rejects.toBeInstanceOf(RepositoryNotFoundException);
  });

  it('finds a PutImage manifest with DescribeImages (how a pushed image is mirrored for the skip path)', async () => {
    await client.send(new CreateRepositoryCommand({ repositoryName: 'mirror-1' }));
    const body = manifest();
    await client.send(
      new PutImageCommand({ repositoryName: 'mirror-1', imageTag: 'preview-def', imageManifest: body }),
    );
    const out = await client.send(
      new DescribeImagesCommand({ repositoryName: 'mirror-1', imageIds: [{ imageTag: 'preview-def' }] }),
    );
    const detail = out.imageDetails![0]!;
    expect(detail.imageTags).toContain('preview-def');
    // moto hashes its own re-serialisation of the manifest, not the bytes sent: a digest from
    // moto is NOT the registry's Docker-Content-Digest (mirrorToMoto callers must not compare them).
    expect(detail.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(detail.imageDigest).not.toBe(`sha256:${createHash('sha256').update(body).digest('hex')}`);
    await client.send(new DeleteRepositoryCommand({ repositoryName: 'mirror-1', force: true }));
  });

  it('issues an authorization token that decodes to AWS:<password>', async () => {
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData![0]!;
    const decoded = Buffer.from(data.authorizationToken!, 'base64').toString();
    expect(decoded).toMatch(/^AWS:.+/);
    expect(data.proxyEndpoint).toMatch(/^https:\/\/.+\.dkr\.ecr\.us-east-1\.amazonaws\.com$/);
    expect(data.expiresAt).toBeInstanceOf(Date);
  });

  it('logs every call by operation and delays calls when latency is injected', async () => {
    const before = (await ecr.requestLog()).length;
    ecr.injectLatency(150);
    const started = performance.now();
    await expect(client.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] }))).rejects.toBeInstanceOf(
      RepositoryNotFoundException,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    ecr.injectLatency(0);
    const log = await ecr.requestLog();
    expect(log.slice(before).map((c) => c.target)).toEqual(['DescribeRepositories']);
    expect(log.map((c) => c.target)).toEqual(
      expect.arrayContaining(['CreateRepository', 'PutLifecyclePolicy', 'GetAuthorizationToken', 'DeleteRepository']),
    );
  });

  it('answers injected faults as ECR does: ThrottlingException, ServerException; resets; then serves again', async () => {
    const bare = new ECRClient({ maxAttempts: 1 });
    try {
      ecr.injectFault({ target: 'DescribeRepositories', error: 'ThrottlingException', times: 1 });
      ecr.injectFault({ target: 'DescribeRepositories', error: 'ServerException', times: 1 });
      ecr.injectFault({ target: 'DescribeRepositories', reset: true, times: 1 });
      const describe = () => bare.send(new DescribeRepositoriesCommand({}));
      await expect(describe()).rejects.toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(describe()).rejects.toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500 } });
      await expect(describe()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
      await expect(describe()).resolves.toMatchObject({ repositories: expect.any(Array) });
      // The SDK's standard retry strategy rides through one throttle.
      ecr.injectFault({ target: 'DescribeRepositories', error: 'ThrottlingException', times: 1 });
      await expect(client.send(new DescribeRepositoriesCommand({}))).resolves.toMatchObject({
        $metadata: { attempts: 2 },
      });
    } finally {
      ecr.clearFaults();
      bare.destroy();
    }
  });
});

function manifest(): string {
  const blob = (n: number) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 32,
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  });
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 7023,
      digest: `sha256:${'a'.repeat(64)}`,
    },
    layers: [blob(1)],
  });
}
