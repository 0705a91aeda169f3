import {
  CreateRepositoryCommand,
  GetLifecyclePolicyCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  DescribeRepositoriesCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, fromEcrTags, newMarks, toEcrTags } from '@preview-fleet/core';
import {
  createEcrSession,
  ensureRepository,
  findImage,
  lifecyclePolicy,
  listMarkedRepositories,
  removeEcrRepository,
  tagImageInEcr,
  type EcrSession,
} from '@preview-fleet/core/registry';
import { startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';

let moto: MotoStandIn;
let ecr: EcrSession;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  moto = await startMoto();
  // The session gets no endpoint: the SDK must find AWS_ENDPOINT_URL_ECR itself, as in the action's process.
  for (const [k, v] of Object.entries(moto.env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  ecr = createEcrSession({ clock: new FakeClock() });
}, 40_000);

afterAll(async () => {
  ecr?.destroy();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await moto?.stop();
});

const marks = (pr: number, repository = 'acme/web') =>
  newMarks({ repository, pr, service: 'app', headSha: 'a'.repeat(40), now: Date.parse('2026-01-01T00:00:00Z') });
const owner = (pr: number) => ({ repository: 'acme/web', pr });
const targets = async (from: number) => (await moto.requestLog()).slice(from).map((c) => c.target);
const manifest = () =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 7,
      digest: `sha256:${'a'.repeat(64)}`,
    },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32, digest: `sha256:${'1'.repeat(64)}` },
    ],
  });

describe('core/registry against moto (ECR API), endpoint from AWS_ENDPOINT_URL_ECR', () => {
  it('creates the repository with our marks as tags, scan on push and the lifecycle policy; a second call changes nothing', async () => {
    expect(ecr.region).toBe(moto.region);
    const first = await ensureRepository(ecr, { name: 'app-preview-7', marks: marks(7), keepImages: 6 });
    expect(first).toMatchObject({ name: 'app-preview-7', created: true, adopted: false });
    expect(first.uri).toMatch(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app-preview-7$/);
    const d = await ecr.client.send(new DescribeRepositoriesCommand({ repositoryNames: ['app-preview-7'] }));
    expect(d.repositories?.[0]?.imageScanningConfiguration?.scanOnPush).toBe(true);
    const tags = await ecr.client.send(new ListTagsForResourceCommand({ resourceArn: first.arn }));
    expect(fromEcrTags(tags.tags)).toEqual(marks(7));
    const policy = await ecr.client.send(new GetLifecyclePolicyCommand({ repositoryName: 'app-preview-7' }));
    expect(JSON.parse(policy.lifecyclePolicyText!)).toEqual(JSON.parse(lifecyclePolicy(6)));

    const n = (await moto.requestLog()).length;
    const again = await ensureRepository(ecr, { name: 'app-preview-7', marks: marks(7), keepImages: 3 });
    expect(again).toMatchObject({ created: false, adopted: false, arn: first.arn });
    expect(await targets(n)).toEqual(['DescribeRepositories', 'ListTagsForResource', 'PutLifecyclePolicy']);
    const updated = await ecr.client.send(new GetLifecyclePolicyCommand({ repositoryName: 'app-preview-7' }));
    expect(JSON.parse(updated.lifecyclePolicyText!).rules[0].selection.countNumber).toBe(3);
  });

  it('every later run renews expires-at (never backwards) and the head SHA in the tags; created-at stays', async () => {
    const at = (iso: string, sha: string) =>
      newMarks({
        repository: 'acme/renew',
        pr: 13,
        service: 'app',
        headSha: sha,
        now: Date.parse(iso),
        ttlMs: 72 * 3_600_000,
      });
    const first = await ensureRepository(ecr, {
      name: 'app-preview-13',
      marks: at('2026-01-01T00:00:00Z', 'a'.repeat(40)),
      keepImages: 6,
    });
    const read = async () =>
      fromEcrTags((await ecr.client.send(new ListTagsForResourceCommand({ resourceArn: first.arn }))).tags);
    await ensureRepository(ecr, {
      name: 'app-preview-13',
      marks: at('2026-01-05T00:00:00Z', 'b'.repeat(40)),
      keepImages: 6,
    });
    expect(await read()).toMatchObject({
      createdAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-08T00:00:00.000Z',
      headSha: 'b'.repeat(40),
      pr: 13,
    });
    // A re-run of an older workflow run does not pull the expiry back.
    await ensureRepository(ecr, {
      name: 'app-preview-13',
      marks: at('2026-01-02T00:00:00Z', 'b'.repeat(40)),
      keepImages: 6,
    });
    expect((await read())!.expiresAt).toBe('2026-01-08T00:00:00.000Z');
  });

  it('two concurrent first runs: exactly one creates, both get the same repository', async () => {
    const [a, b] = await Promise.all([
      ensureRepository(ecr, { name: 'app-preview-8', marks: marks(8), keepImages: 6 }),
      ensureRepository(ecr, { name: 'app-preview-8', marks: marks(8), keepImages: 6 }),
    ]);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
    expect(a.arn).toBe(b.arn);
  });

  it('refuses a repository without our marks, or marked for another PR, unless adopted (and then leaves it untagged)', async () => {
    await ecr.client.send(
      new CreateRepositoryCommand({ repositoryName: 'team-owned', tags: [{ Key: 'team', Value: 'payments' }] }),
    );
    await expect(ensureRepository(ecr, { name: 'team-owned', marks: marks(9), keepImages: 6 })).rejects.toThrow(
      'ECR repository "team-owned" already exists and carries no preview-fleet marks, so it is not ours to push to or later delete',
    );
    await ensureRepository(ecr, { name: 'app-preview-10', marks: marks(10), keepImages: 6 });
    await expect(ensureRepository(ecr, { name: 'app-preview-10', marks: marks(11), keepImages: 6 })).rejects.toThrow(
      'is marked for acme/web#10',
    );

    const n = (await moto.requestLog()).length;
    const adopted = await ensureRepository(ecr, {
      name: 'team-owned',
      marks: marks(9),
      keepImages: 6,
      adoptExisting: true,
    });
    expect(adopted).toMatchObject({ created: false, adopted: true });
    expect(await targets(n)).toEqual(['DescribeRepositories', 'ListTagsForResource']);
    const tags = await ecr.client.send(new ListTagsForResourceCommand({ resourceArn: adopted.arn }));
    expect(tags.tags).toEqual([{ Key: 'team', Value: 'payments' }]);
  });

  it("findImage: undefined before the tag exists, moto's digest after", async () => {
    await ensureRepository(ecr, { name: 'app-preview-12', marks: marks(12), keepImages: 6 });
    expect(await findImage(ecr, 'app-preview-12', 'preview-abc')).toBeUndefined();
    const put = await ecr.client.send(
      new PutImageCommand({ repositoryName: 'app-preview-12', imageTag: 'preview-abc', imageManifest: manifest() }),
    );
    const found = await findImage(ecr, 'app-preview-12', 'preview-abc');
    expect(found?.digest).toBe(put.image?.imageId?.imageDigest);
    expect(found?.tags).toEqual(['preview-abc']);
  });

  it('tagImageInEcr: a second tag on the same image without a push; again is success; a missing source is named', async () => {
    await ecr.client.send(new CreateRepositoryCommand({ repositoryName: 'app-preview-30' }));
    await ecr.client.send(
      new PutImageCommand({ repositoryName: 'app-preview-30', imageTag: 'build-1', imageManifest: manifest() }),
    );
    const before = (await moto.requestLog()).length;
    const digest = await tagImageInEcr(ecr, 'app-preview-30', 'build-1', 'preview-abc');
    expect(await targets(before)).toEqual(['BatchGetImage', 'PutImage']);
    expect(await tagImageInEcr(ecr, 'app-preview-30', 'build-1', 'preview-abc')).toBe(digest);
    const found = await findImage(ecr, 'app-preview-30', 'preview-abc');
    expect(found?.digest).toBe(digest);
    expect(found?.tags.sort()).toEqual(['build-1', 'preview-abc']);
    await expect(tagImageInEcr(ecr, 'app-preview-30', 'build-2', 'preview-def')).rejects.toThrow(
      /ECR has no image app-preview-30:build-2 to tag as preview-def/,
    );
  });

  it('removal deletes only repositories marked for this repository and PR (force: images go too); gone is success', async () => {
    await ensureRepository(ecr, { name: 'app-preview-20', marks: marks(20), keepImages: 6 });
    await ecr.client.send(
      new PutImageCommand({ repositoryName: 'app-preview-20', imageTag: 'preview-1', imageManifest: manifest() }),
    );
    await ecr.client.send(
      new CreateRepositoryCommand({ repositoryName: 'other-repo-20', tags: toEcrTags(marks(20, 'acme/other')) }),
    );
    await ecr.client.send(new CreateRepositoryCommand({ repositoryName: 'stage-app' }));

    expect(await removeEcrRepository(ecr, { name: 'app-preview-20', owner: owner(21) })).toEqual({
      kind: 'ecr-repository',
      name: 'app-preview-20',
      status: 'skipped-unmarked',
      reason: 'marked for acme/web#20, not acme/web#21',
    });
    expect(await removeEcrRepository(ecr, { name: 'other-repo-20', owner: owner(20) })).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'marked for acme/other#20, not acme/web#20',
    });
    expect(await removeEcrRepository(ecr, { name: 'stage-app', owner: owner(20) })).toMatchObject({
      status: 'skipped-unmarked',
      reason: 'no preview-fleet marks in its tags',
    });
    expect(await removeEcrRepository(ecr, { name: 'app-preview-20', owner: owner(20) })).toEqual({
      kind: 'ecr-repository',
      name: 'app-preview-20',
      status: 'deleted',
    });
    expect(await removeEcrRepository(ecr, { name: 'app-preview-20', owner: owner(20) })).toEqual({
      kind: 'ecr-repository',
      name: 'app-preview-20',
      status: 'already-gone',
    });

    const left = (await ecr.client.send(new DescribeRepositoriesCommand({}))).repositories!.map(
      (r) => r.repositoryName,
    );
    expect(left).toEqual(expect.arrayContaining(['other-repo-20', 'stage-app']));
    expect(left).not.toContain('app-preview-20');
  });

  it("listMarkedRepositories returns every PR's repository for this repository and nothing else", async () => {
    const listed = await listMarkedRepositories(ecr, 'acme/web');
    expect(listed.map((r) => [r.name, r.marks.pr]).sort()).toEqual([
      ['app-preview-10', 10],
      ['app-preview-12', 12],
      ['app-preview-7', 7],
      ['app-preview-8', 8],
    ]);
    expect(listed.every((r) => r.uri.endsWith(`/${r.name}`))).toBe(true);
    expect((await listMarkedRepositories(ecr, 'acme/other')).map((r) => r.name)).toEqual(['other-repo-20']);
  });
});
