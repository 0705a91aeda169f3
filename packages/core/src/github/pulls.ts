import { pullRequestFromPayload, type PullRequestInfo } from '../context.js';
import { ActionError } from '../runtime/errors.js';
import { type GitHubClient, statusOf } from './client.js';

const PER_PAGE = 100;

/** The PR as GitHub sees it now (state, head SHA, labels), or undefined when it does not exist. */
export async function getPullRequest(
  client: GitHubClient,
  repository: string,
  number: number,
): Promise<PullRequestInfo | undefined> {
  const [owner, repo] = repository.split('/') as [string, string];
  try {
    const { data } = await client.rest.pulls.get({ owner, repo, pull_number: number });
    return pullRequestFromPayload(data);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw new ActionError(`Cannot read pull request #${number} of ${repository}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Every open PR of the repository, 100 per page, oldest first: a page loop rather than Octokit's
 * `paginate`, whose iterator ends quietly (returning what it has) when a later page fails — a
 * partial list would make every PR it misses look closed. Any page failing throws, naming the call.
 * Oldest first (`sort=created&direction=asc`) so PRs opened during the listing land at the end
 * instead of shifting every page; a PR closed mid-listing can still shift one PR past us, which is
 * why the reaper confirms each PR it would reap for "closed or missing" with `getPullRequest`.
 */
export async function listOpenPullRequests(client: GitHubClient, repository: string): Promise<PullRequestInfo[]> {
  const [owner, repo] = repository.split('/') as [string, string];
  const all: PullRequestInfo[] = [];
  for (let page = 1; ; page++) {
    let res: Awaited<ReturnType<GitHubClient['rest']['pulls']['list']>>;
    try {
      res = await client.rest.pulls.list({
        owner,
        repo,
        state: 'open',
        sort: 'created',
        direction: 'asc',
        per_page: PER_PAGE,
        page,
      });
    } catch (err) {
      throw new ActionError(
        `Listing open pull requests of ${repository} failed at page ${page} (GET /repos/${repository}/pulls): ${(err as Error).message}`,
        {
          cause: err,
          hint: 'Without the complete list no PR can be called closed or missing, so nothing was reaped; the next run retries',
        },
      );
    }
    if (!Array.isArray(res.data))
      throw new ActionError(
        `Listing open pull requests of ${repository} (GET /repos/${repository}/pulls, page ${page}) returned no list`,
      );
    all.push(...res.data.map(pullRequestFromPayload));
    // GitHub's Link header has rel="next" while more pages follow; a short page is the last one.
    if (res.data.length < PER_PAGE || !/rel="next"/.test(res.headers.link ?? '')) break;
  }
  return all;
}
