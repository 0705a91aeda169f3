import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, newMarks, toEcrTags } from '@preview-fleet/core';
import {
  createEcrSession,
  ensureRepository,
  findImage,
  listMarkedRepositories,
  removeEcrRepository,
  type EcrSession,
} from '@preview-fleet/core/registry';
import { awsError, startFakeEcr, type FakeEcr } from './fake-ecr.js';

let fake: FakeEcr;
let clock: FakeClock;
let ecr: EcrSession;
beforeAll(async () => {
  fake = await startFakeEcr();
});
afterAll(async () => fake.server.close());
afterEach(() => {
  ecr?.destroy();
  fake.calls.length = 0;
});

function session(attempts = 5): EcrSession {
  clock = new FakeClock();
  ecr = createEcrSession({ region: 'us-east-1', client: fake.client(), clock, retry: { attempts, random: () => 0.5 } });
  return ecr;
}

const marks = newMarks({ repository: 'acme/web', pr: 7, service: 'app', now: Date.parse('2026-01-01T00:00:00Z') });
const repo = (name: string) => ({
  repositoryName: name,
  repositoryArn: `arn:aws:ecr:us-east-1:123456789012:repository/${name}`,
  repositoryUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}`,
});

describe('ECR calls through the session (scripted endpoint, fake clock)', () => {
  it('throttling and 5xx are retried on the injected clock, then the answer is used', async () => {
    fake.script('DescribeImages', awsError('ThrottlingException'), awsError('ServerException', 500), {
      body: { imageDetails: [{ imageDigest: `sha256:${'d'.repeat(64)}`, imageTags: ['preview-1'] }] },
    });
    const found = await findImage(session(), 'app-preview-7', 'preview-1');
    expect(found).toMatchObject({ digest: `sha256:${'d'.repeat(64)}`, tags: ['preview-1'] });
    expect(fake.targets()).toEqual(['DescribeImages', 'DescribeImages', 'DescribeImages']);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('throttled on every attempt: an error naming the operation and the AWS error, after the whole schedule', async () => {
    fake.script('DescribeImages', awsError('ThrottlingException', 400, 'Rate exceeded'));
    const err = await findImage(session(3), 'app-preview-7', 'preview-1').then(
      () => expect.unreachable(),
      (e: unknown) => e as Error,
    );
    expect(err.message).toBe('ECR DescribeImages app-preview-7:preview-1 failed: ThrottlingException: Rate exceeded');
    expect(clock.sleeps).toHaveLength(2);
  });

  it('ImageNotFoundException is "no image", not an error and not retried', async () => {
    fake.script('DescribeImages', awsError('ImageNotFoundException'));
    expect(await findImage(session(), 'app-preview-7', 'preview-2')).toBeUndefined();
    expect(fake.targets()).toEqual(['DescribeImages']);
  });

  it("a lost CreateRepository race re-reads the winner's repository and accepts it when it carries our marks", async () => {
    fake.script('DescribeRepositories', awsError('RepositoryNotFoundException'), {
      body: { repositories: [repo('app-preview-7')] },
    });
    fake.script('CreateRepository', awsError('RepositoryAlreadyExistsException'));
    fake.script('ListTagsForResource', {
      body: { tags: toEcrTags({ ...marks, createdAt: '2025-12-31T00:00:00.000Z' }) },
    });
    fake.script('PutLifecyclePolicy', { body: {} });
    const got = await ensureRepository(session(), { name: 'app-preview-7', marks, keepImages: 6 });
    expect(got).toMatchObject({ name: 'app-preview-7', created: false, adopted: false });
    expect(fake.targets()).toEqual([
      'DescribeRepositories',
      'CreateRepository',
      'DescribeRepositories',
      'ListTagsForResource',
      'PutLifecyclePolicy',
    ]);
    const create = fake.calls[1]!.body;
    expect(create).toMatchObject({
      repositoryName: 'app-preview-7',
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'MUTABLE',
    });
    expect(create.tags).toEqual(toEcrTags(marks));
  });

  it('access denied fails at once with the permissions the role needs', async () => {
    fake.script(
      'DescribeRepositories',
      awsError('AccessDeniedException', 400, 'not authorized to perform ecr:DescribeRepositories'),
    );
    const err = await ensureRepository(session(), { name: 'app-preview-7', marks, keepImages: 6 }).then(
      () => expect.unreachable(),
      (e: unknown) => e as Error & { hint?: string },
    );
    expect(err.message).toMatch(
      /^ECR DescribeRepositories app-preview-7 failed: AccessDeniedException: not authorized/,
    );
    expect(err.hint).toMatch(/ecr:DescribeRepositories, CreateRepository/);
    expect(clock.sleeps).toEqual([]);
  });

  it('listMarkedRepositories follows nextToken and keeps only repositories marked for this repository', async () => {
    fake.script(
      'DescribeRepositories',
      { body: { repositories: [repo('app-preview-1'), repo('unmarked')], nextToken: 'page-2' } },
      { body: { repositories: [repo('other-repo-pr'), repo('app-preview-2'), repo('vanished')] } },
    );
    const tagsFor: Record<string, unknown> = {
      'app-preview-1': toEcrTags({ ...marks, pr: 1 }),
      unmarked: [{ Key: 'team', Value: 'x' }],
      'other-repo-pr': toEcrTags({ ...marks, repository: 'acme/other', pr: 3 }),
      'app-preview-2': toEcrTags({ ...marks, pr: 2 }),
    };
    fake.script('ListTagsForResource', (body) => {
      const name = String(body.resourceArn).split('/').pop()!;
      return name in tagsFor ? { body: { tags: tagsFor[name] } } : awsError('RepositoryNotFoundException');
    });
    const listed = await listMarkedRepositories(session(), 'acme/web');
    expect(listed.map((r) => [r.name, r.marks.pr])).toEqual([
      ['app-preview-1', 1],
      ['app-preview-2', 2],
    ]);
    const describes = fake.calls.filter((c) => c.target === 'DescribeRepositories').map((c) => c.body.nextToken);
    expect(describes).toEqual([undefined, 'page-2']);
  });

  it('removal never throws: a denied delete is "failed" with the reason; a 5xx on describe is retried', async () => {
    fake.script('DescribeRepositories', awsError('ServerException', 500), {
      body: { repositories: [repo('app-preview-7')] },
    });
    fake.script('ListTagsForResource', { body: { tags: toEcrTags(marks) } });
    fake.script(
      'DeleteRepository',
      awsError('AccessDeniedException', 400, 'not authorized to perform ecr:DeleteRepository'),
    );
    const r = await removeEcrRepository(session(), { name: 'app-preview-7', owner: { repository: 'acme/web', pr: 7 } });
    expect(r).toEqual({
      kind: 'ecr-repository',
      name: 'app-preview-7',
      status: 'failed',
      reason:
        'ECR DeleteRepository app-preview-7 failed: AccessDeniedException: not authorized to perform ecr:DeleteRepository',
    });
    expect(fake.targets()).toEqual([
      'DescribeRepositories',
      'DescribeRepositories',
      'ListTagsForResource',
      'DeleteRepository',
    ]);
    expect(fake.calls[3]!.body).toEqual({ repositoryName: 'app-preview-7', force: true });
  });

  it('removal: a repository deleted between the read and the delete is already gone', async () => {
    fake.script('DescribeRepositories', { body: { repositories: [repo('app-preview-7')] } });
    fake.script('ListTagsForResource', { body: { tags: toEcrTags(marks) } });
    fake.script('DeleteRepository', awsError('RepositoryNotFoundException'));
    expect(
      await removeEcrRepository(session(), { name: 'app-preview-7', owner: { repository: 'acme/web', pr: 7 } }),
    ).toEqual({ kind: 'ecr-repository', name: 'app-preview-7', status: 'already-gone' });
  });

  it('no region anywhere is a clear error before any call', () => {
    expect(() => createEcrSession({ env: {} })).toThrow(/No AWS region: set the aws-region input or AWS_REGION/);
  });
});
