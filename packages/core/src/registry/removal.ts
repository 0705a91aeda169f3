/**
 * Removal and inventory for teardown and the reaper: a repository is deleted (with `force`, so
 * its images go too) only when its tags carry our marks for this repository and PR.
 */
import { DeleteRepositoryCommand, DescribeRepositoriesCommand, type Repository } from '@aws-sdk/client-ecr';
import { isOwnedBy, type OwnershipMarks } from '../marks.js';
import type { RemovalResult } from '../removal.js';
import { errorText } from '../runtime/index.js';
import { awsErrorName, type EcrSession } from './client.js';
import { repositoryMarks } from './repository.js';

export interface RemoveRepositoryOptions {
  name: string;
  owner: { repository: string; pr: number };
}

/** Deletes the repository if it is ours; 'already-gone' when absent; 'failed' (never throws) on errors. */
export async function removeEcrRepository(ecr: EcrSession, o: RemoveRepositoryOptions): Promise<RemovalResult> {
  const result = (status: RemovalResult['status'], reason?: string): RemovalResult => ({
    kind: 'ecr-repository',
    name: o.name,
    status,
    ...(reason ? { reason } : {}),
  });
  try {
    let repo: Repository | undefined;
    try {
      const out = await ecr.call(`DescribeRepositories ${o.name}`, (c) =>
        c.send(new DescribeRepositoriesCommand({ repositoryNames: [o.name] })),
      );
      repo = out.repositories?.[0];
    } catch (err) {
      if (awsErrorName(err) === 'RepositoryNotFoundException') return result('already-gone');
      throw err;
    }
    if (!repo?.repositoryArn) return result('already-gone');
    const marks = await repositoryMarks(ecr, repo.repositoryArn);
    const whose = marks
      ? `marked for ${marks.repository}#${marks.pr}, not ${o.owner.repository}#${o.owner.pr}`
      : 'no preview-fleet marks in its tags';
    if (!isOwnedBy(marks, o.owner)) return result('skipped-unmarked', whose);
    try {
      await ecr.call(`DeleteRepository ${o.name}`, (c) =>
        c.send(new DeleteRepositoryCommand({ repositoryName: o.name, force: true })),
      );
    } catch (err) {
      // Deleted by someone else between the read and the delete: the goal is reached.
      if (awsErrorName(err) === 'RepositoryNotFoundException') return result('already-gone');
      throw err;
    }
    return result('deleted');
  } catch (err) {
    return result('failed', errorText(err).split('\n')[0]);
  }
}

export interface MarkedRepository {
  name: string;
  uri: string;
  marks: OwnershipMarks;
}

/**
 * Every repository in the registry whose tags carry our marks for `repository` (all PRs), for the
 * reaper: DescribeRepositories page by page, then ListTagsForResource per repository. Repositories
 * deleted between the two calls are left out.
 */
export async function listMarkedRepositories(ecr: EcrSession, repository: string): Promise<MarkedRepository[]> {
  const out: MarkedRepository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr.call('DescribeRepositories', (c) =>
      c.send(new DescribeRepositoriesCommand({ nextToken, maxResults: 1000 })),
    );
    for (const repo of page.repositories ?? []) {
      if (!repo.repositoryArn || !repo.repositoryName) continue;
      let marks: OwnershipMarks | undefined;
      try {
        marks = await repositoryMarks(ecr, repo.repositoryArn);
      } catch (err) {
        if (awsErrorName(err) === 'RepositoryNotFoundException') continue;
        throw err;
      }
      if (marks && isOwnedBy(marks, { repository }))
        out.push({ name: repo.repositoryName, uri: repo.repositoryUri ?? '', marks });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}
