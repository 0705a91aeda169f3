import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { isReadOnlyTokenError } from '@preview-fleet/core/github';
import { startGitHub, type GitHubStandIn } from '../../src/github/index.js';
import { clientFor, repo } from './client.js';

const clock = new FakeClock();
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHub({ clock });
});
afterEach(() => {
  gh.clearFaults();
  gh.assertContract();
});
afterAll(async () => gh.stop());

describe('GitHub stand-in: tokens', () => {
  it('no token is 401 "Requires authentication"; an unknown one 401 "Bad credentials"', async () => {
    const none = await fetch(`${gh.url}/repos/acme/web`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      message: 'Requires authentication',
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
    });
    await expect(clientFor(gh, 'ghs_not-a-token').rest.repos.get(repo)).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('Bad credentials'),
    });
    expect(
      gh
        .requestLog()
        .slice(-2)
        .map((r) => [r.status, r.token]),
    ).toEqual([
      [401, 'none'],
      [401, 'unknown'],
    ]);
  });

  it('a fork PR\'s read-only token reads, and every write is 403 "Resource not accessible by integration"', async () => {
    const pr = gh.openPullRequest('acme/web');
    const ro = clientFor(gh, gh.readOnlyToken);
    expect((await ro.rest.pulls.get({ ...repo, pull_number: pr.number })).data.head.sha).toBe(pr.head.sha);
    const writes = [
      ro.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'x' }),
      ro.rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: ['preview'] }),
      ro.rest.repos.createDeployment({ ...repo, ref: pr.head.sha, environment: 'preview/pr-1', required_contexts: [] }),
      ro.rest.pulls.update({ ...repo, pull_number: pr.number, state: 'closed' }),
    ];
    for (const w of writes) {
      const err = await w.catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 403 });
      expect(isReadOnlyTokenError(err)).toBe(true);
    }
    expect(gh.comments('acme/web', pr.number)).toEqual([]);
    expect(gh.pull('acme/web', pr.number)?.state).toBe('open');
  });
});

describe('GitHub stand-in: rate limits and faults', () => {
  it('x-ratelimit-* headers count every request of the window', async () => {
    const octokit = clientFor(gh);
    const a = await octokit.rest.repos.get({ owner: 'acme', repo: 'rl' });
    const b = await octokit.rest.repos.get({ owner: 'acme', repo: 'rl' });
    expect(a.headers['x-ratelimit-limit']).toBe('5000');
    expect(a.headers['x-ratelimit-resource']).toBe('core');
    expect(Number(b.headers['x-ratelimit-used'])).toBe(Number(a.headers['x-ratelimit-used']) + 1);
    expect(Number(b.headers['x-ratelimit-remaining'])).toBe(5000 - Number(b.headers['x-ratelimit-used']));
    expect(Number(a.headers['x-ratelimit-reset']) * 1000).toBeGreaterThan(clock.now());
  });

  it('a secondary limit (429 with retry-after) injected once is retried by the throttling plugin and succeeds', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/web');
    gh.resetCounters();
    gh.injectFault({
      method: 'POST',
      pathPattern: /\/issues\/\d+\/comments$/,
      status: 429,
      secondary: true,
      retryAfter: 7,
      times: 1,
    });
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'queued' });
    expect(data.body).toBe('queued');
    expect(gh.requestLog().map((r) => r.status)).toEqual([429, 201]);
    expect(gh.counters()).toEqual({ 'issues/create-comment': 2 });
    expect(gh.comments('acme/web', pr.number)).toHaveLength(1);
  });

  it("a secondary limit as 403 carries GitHub's message; past the retries the error surfaces", async () => {
    const octokit = clientFor(gh);
    gh.injectFault({ pathPattern: '/repos/acme/limited', status: 403, secondary: true, retryAfter: 1 });
    const err = await octokit.rest.repos.get({ owner: 'acme', repo: 'limited' }).catch((e: unknown) => e as any);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/You have exceeded a secondary rate limit/);
    expect(err.response.headers['retry-after']).toBe('1');
    expect(gh.requestLog().filter((r) => r.path === '/repos/acme/limited')).toHaveLength(4); // first try + 3 retries
  });

  it("5xx is retried by the retry plugin; latency waits on the stand-in's clock", async () => {
    const octokit = clientFor(gh);
    gh.injectFault({ method: 'GET', pathPattern: /^\/repos\/acme\/flaky$/, status: 502, times: 2, latencyMs: 250 });
    const sleepsBefore = clock.sleeps.length;
    const { status } = await octokit.rest.repos.get({ owner: 'acme', repo: 'flaky' });
    expect(status).toBe(200);
    expect(
      gh
        .requestLog()
        .filter((r) => r.path === '/repos/acme/flaky')
        .map((r) => r.status),
    ).toEqual([502, 502, 200]);
    expect(clock.sleeps.slice(sleepsBefore)).toEqual([250, 250]);
  });

  it('a reset fault cuts the connection without an answer (ECONNRESET), logged with status 0; the next request is served', async () => {
    gh.injectFault({ method: 'GET', pathPattern: /^\/repos\/acme\/cut$/, reset: true, times: 1 });
    const err = await fetch(`${gh.url}/repos/acme/cut`, { headers: { authorization: `token ${gh.token}` } }).catch(
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    const ok = await fetch(`${gh.url}/repos/acme/cut`, { headers: { authorization: `token ${gh.token}` } });
    expect(ok.status).toBe(200);
    expect(
      gh
        .requestLog()
        .filter((r) => r.path === '/repos/acme/cut')
        .map((r) => [r.status, r.operationId]),
    ).toEqual([
      [0, 'connection reset'],
      [200, 'repos/get'],
    ]);
  });

  it('an exhausted primary budget is 403 with x-ratelimit-remaining 0', async () => {
    const small = await startGitHub({ clock, rateLimit: 2 });
    try {
      const octokit = createLimited(small);
      await octokit.rest.repos.get(repo);
      await octokit.rest.repos.get(repo);
      const err = await octokit.rest.repos.get(repo).catch((e: unknown) => e as any);
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/API rate limit exceeded/);
      expect(err.response.headers['x-ratelimit-remaining']).toBe('0');
      small.assertContract();
    } finally {
      await small.stop();
    }
  });
});

/** No rate-limit retries: the test wants to see the 403 itself. */
function createLimited(s: GitHubStandIn) {
  return clientFor(s, s.token, 0);
}
