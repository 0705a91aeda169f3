/**
 * The PR's own ECR repository: created once with our marks as tags, scan-on-push and a lifecycle
 * policy keeping the last N images; an existing repository is used only when it carries our
 * marks for this repository and PR, or when the caller explicitly adopts it.
 */
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  PutLifecyclePolicyCommand,
  TagResourceCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { fromEcrTags, isOwnedBy, toEcrTags, type OwnershipMarks } from '../marks.js';
import { ActionError } from '../runtime/index.js';
import { awsErrorName, type EcrSession } from './client.js';

/** ECR allows 1-1000 for countNumber in a lifecycle rule (the action's keep-images bounds). */
export const KEEP_IMAGES_MAX = 1000;

/** One rule: expire images beyond the newest `keep`, tagged or not (tagStatus any, imageCountMoreThan). */
export function lifecyclePolicy(keep: number): string {
  if (!Number.isInteger(keep) || keep < 1 || keep > KEEP_IMAGES_MAX)
    throw new RangeError(`keep must be 1-${KEEP_IMAGES_MAX}, got ${keep}`);
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `preview-fleet: keep the last ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

export interface EnsureRepositoryOptions {
  name: string;
  /** Stamped as tags on creation; their repository and PR decide whether an existing one is ours. */
  marks: OwnershipMarks;
  keepImages: number;
  /** Use an existing repository without our marks (never tagged, never later deleted by us). */
  adoptExisting?: boolean;
}

export interface EnsuredRepository {
  name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  uri: string;
  arn: string;
  /** This run created it. */
  created: boolean;
  /** It existed without our marks for this PR and was used because adopt-existing was set. */
  adopted: boolean;
}

async function describe(ecr: EcrSession, name: string): Promise<Repository | undefined> {
  try {
    const out = await ecr.call(`DescribeRepositories ${name}`, (c) =>
      c.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })),
    );
    return out.repositories?.[0];
  } catch (err) {
    if (awsErrorName(err) === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}

async function putPolicy(ecr: EcrSession, name: string, keep: number): Promise<void> {
  await ecr.call(`PutLifecyclePolicy ${name}`, (c) =>
    c.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: lifecyclePolicy(keep) })),
  );
}

/**
 * Moves expires-at forward (never back) and records the new head SHA, keeping the rest of the
 * marks; TagResource overwrites the keys it is given and leaves the others.
 */
async function renewExpiry(ecr: EcrSession, arn: string, current: OwnershipMarks, next: OwnershipMarks): Promise<void> {
  const later =
    next.expiresAt !== undefined &&
    (current.expiresAt === undefined || !(Date.parse(current.expiresAt) >= Date.parse(next.expiresAt)));
  const sha = next.headSha !== undefined && next.headSha !== current.headSha;
  if (!later && !sha) return;
  const tags = toEcrTags({
    ...current,
    expiresAt: later ? next.expiresAt : current.expiresAt,
    headSha: next.headSha ?? current.headSha,
  });
  await ecr.call(`TagResource ${arn}`, (c) => c.send(new TagResourceCommand({ resourceArn: arn, tags })));
}

/** The marks in a repository's tags, or undefined when it has none of ours. */
export async function repositoryMarks(ecr: EcrSession, arn: string): Promise<OwnershipMarks | undefined> {
  const out = await ecr.call(`ListTagsForResource ${arn}`, (c) =>
    c.send(new ListTagsForResourceCommand({ resourceArn: arn })),
  );
  return fromEcrTags(out.tags);
}

/**
 * Idempotent: creates the repository if missing; otherwise checks its marks. Two runs racing on
 * CreateRepository both succeed (the loser sees RepositoryAlreadyExistsException and re-reads).
 * The lifecycle policy is (re)applied on every run for a repository we own, so a changed
 * keep-images takes effect; an adopted repository's policy is left alone. An owned repository's
 * expires-at (and head-sha) tags are renewed from `marks` on every run, so the reaper reads the
 * same expiry here as on the namespace the last deploy refreshed; created-at is kept.
 */
export async function ensureRepository(ecr: EcrSession, o: EnsureRepositoryOptions): Promise<EnsuredRepository> {
  const owner = { repository: o.marks.repository, pr: o.marks.pr };
  let repo = await describe(ecr, o.name);
  let created = false;
  if (!repo) {
    try {
      const out = await ecr.call(`CreateRepository ${o.name}`, (c) =>
        c.send(
          new CreateRepositoryCommand({
            repositoryName: o.name,
            tags: toEcrTags(o.marks),
            imageScanningConfiguration: { scanOnPush: true },
            // The cache tag is rewritten on every build, so tags must stay mutable.
            imageTagMutability: 'MUTABLE',
          }),
        ),
      );
      repo = out.repository;
      created = true;
    } catch (err) {
      if (awsErrorName(err) !== 'RepositoryAlreadyExistsException') throw err;
      repo = await describe(ecr, o.name);
    }
  }
  if (!repo?.repositoryArn || !repo.repositoryUri)
    throw new ActionError(`ECR returned no ARN/URI for repository "${o.name}"`);
  if (created) {
    await putPolicy(ecr, o.name, o.keepImages);
    return { name: o.name, uri: repo.repositoryUri, arn: repo.repositoryArn, created: true, adopted: false };
  }
  const marks = await repositoryMarks(ecr, repo.repositoryArn);
  const whose = marks ? `is marked for ${marks.repository}#${marks.pr}` : 'carries no preview-fleet marks';
  if (isOwnedBy(marks, owner)) {
    await renewExpiry(ecr, repo.repositoryArn, marks!, o.marks);
    await putPolicy(ecr, o.name, o.keepImages);
    return { name: o.name, uri: repo.repositoryUri, arn: repo.repositoryArn, created: false, adopted: false };
  }
  if (!o.adoptExisting) {
    throw new ActionError(
      `ECR repository "${o.name}" already exists and ${whose}, so it is not ours to push to or later delete`,
      {
        hint: `Choose another repository template, or set adopt-existing: true to push into it (it is never tagged or deleted by preview-fleet)`,
      },
    );
  }
  return { name: o.name, uri: repo.repositoryUri, arn: repo.repositoryArn, created: false, adopted: true };
}
