import { pullRequestFromPayload, type PullRequestInfo } from '../context.js';
import { ActionError } from '../runtime/errors.js';
import { type GitHubClient, statusOf } from './client.js';

/** The PR as GitHub sees it now (state, head SHA, labels), or undefined when it does not exist. */
export async function getPullRequest(client: GitHubClient, repository: string, number: number): Promise<PullRequestInfo | undefined> {
  const [owner, repo] = repository.split('/') as [string, string];
  try {
    const { data } = await client.rest.pulls.get({ owner, repo, pull_number: number });
    return pullRequestFromPayload(data);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw new ActionError(`Cannot read pull request #${number} of ${repository}: ${(err as Error).message}`, { cause: err });
  }
}

/** Every open PR of the repository, 100 per page (one call per 100 PRs). */
export async function listOpenPullRequests(client: GitHubClient, repository: string): Promise<PullRequestInfo[]> {
  const [owner, repo] = repository.split('/') as [string, string];
  const all = await client.paginate(client.rest.pulls.list, { owner, repo, state: 'open', per_page: 100 });
  return all.map(pullRequestFromPayload);
}
