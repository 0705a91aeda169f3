/**
 * request-timeout against the GitHub stand-in (found by the fault matrix, issue 17 §3): a GET that
 * stalls past the timeout once is retried with a fresh timeout — before the fix every retry reused
 * the first attempt's aborted signal and failed at once, so one slow page failed the reaper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import { createGitHubClient, listOpenPullRequests } from '@preview-fleet/core/github';

let gh: GitHubStandIn;
beforeAll(async () => {
  gh = await startGitHub();
});
afterAll(async () => gh?.stop());

describe('GitHub client request-timeout', () => {
  it('a GET that stalls past request-timeout once is retried and succeeds (the stand-in answers the retry)', async () => {
    const pr = gh.openPullRequest('acme/slow', { labels: ['preview'] });
    gh.injectFault({ method: 'GET', pathPattern: /\/repos\/acme\/slow\/pulls$/, latencyMs: 1500, times: 1 });
    const client = createGitHubClient(gh.token, { baseUrl: gh.url, requestTimeoutMs: 300, retryAfterBaseMs: 1 });
    const prs = await listOpenPullRequests(client, 'acme/slow');
    expect(prs.map((p) => p.number)).toEqual([pr.number]);
  });

  it('a GET that always stalls fails naming the GitHub API and the timeout', async () => {
    gh.injectFault({ method: 'GET', pathPattern: /\/repos\/acme\/stuck\/pulls$/, latencyMs: 1000 });
    const client = createGitHubClient(gh.token, { baseUrl: gh.url, requestTimeoutMs: 300, retryAfterBaseMs: 1 });
    await expect(listOpenPullRequests(client, 'acme/stuck')).rejects.toThrow(
      `The GitHub API at ${gh.url} did not answer within 300ms`,
    );
    gh.clearFaults();
  });
});

describe('GitHub client errors name the GitHub API (fault matrix, issue 17 §3)', () => {
  it('an answer names the API, its status and the call; a reset says "failed on"; status and plugins unchanged', async () => {
    const client = createGitHubClient(gh.token, { baseUrl: gh.url, retryAfterBaseMs: 1 });
    gh.injectFault({ method: 'GET', pathPattern: /\/repos\/acme\/down\/pulls$/, status: 503 });
    const answered = await client.rest.pulls.list({ owner: 'acme', repo: 'down' }).catch((e: unknown) => e as any);
    expect(answered.status).toBe(503);
    expect(answered.message).toMatch(
      new RegExp(
        `^The GitHub API at ${gh.url} answered 503 to GET /repos/\\{owner\\}/\\{repo\\}/pulls: Service Unavailable`,
      ),
    );
    gh.injectFault({ method: 'GET', pathPattern: /\/repos\/acme\/cut\/pulls$/, reset: true });
    const reset = await client.rest.pulls.list({ owner: 'acme', repo: 'cut' }).catch((e: unknown) => e as any);
    expect(reset.message).toMatch(
      new RegExp(`^The GitHub API at ${gh.url} failed on GET /repos/\\{owner\\}/\\{repo\\}/pulls: `),
    );
    // plugin-retry tried each again (first try + 3 retries), as before
    const tries = (repo: string) => gh.requestLog().filter((r) => r.path.startsWith(`/repos/acme/${repo}/pulls`));
    expect(tries('down')).toHaveLength(4);
    expect(tries('cut')).toHaveLength(4);
    gh.clearFaults();
  });
});
