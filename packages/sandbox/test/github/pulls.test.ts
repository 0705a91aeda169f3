import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { getPullRequest, listOpenPullRequests } from '@preview-fleet/core/github';
import { startGitHub, type GitHubStandIn } from '../../src/github/index.js';
import { clientFor } from './client.js';

const clock = new FakeClock();
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHub({ clock });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

describe('GitHub stand-in: repositories and pull requests', () => {
  it('any owner/name is served; a repository comes into being on first use', async () => {
    const { data } = await clientFor(gh).rest.repos.get({ owner: 'someone', repo: 'anything' });
    expect(data).toMatchObject({
      full_name: 'someone/anything',
      default_branch: 'main',
      html_url: 'https://github.com/someone/anything',
      owner: { login: 'someone' },
    });
  });

  it('create, get, list (state, per_page, page), close and reopen, merge', async () => {
    const octokit = clientFor(gh);
    const r = { owner: 'acme', repo: 'pulls' };
    const { data: created } = await octokit.rest.pulls.create({
      ...r,
      title: 'Add cache',
      head: 'cache',
      base: 'main',
    });
    expect(created).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      head: { ref: 'cache', repo: { full_name: 'acme/pulls' } },
      base: { ref: 'main' },
    });
    await expect(
      octokit.rest.pulls.create({ ...r, title: 'again', head: 'cache', base: 'main' }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists for acme:cache.'),
    });

    for (let i = 0; i < 4; i++) gh.openPullRequest('acme/pulls');
    const page2 = await octokit.rest.pulls.list({ ...r, state: 'open', per_page: 2, page: 2 });
    expect(page2.data.map((p) => p.number)).toEqual([3, 2]); // newest first by default
    await octokit.rest.pulls.update({ ...r, pull_number: 2, state: 'closed' });
    const merged = await octokit.rest.pulls.merge({ ...r, pull_number: 3 });
    expect(merged.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    await expect(octokit.rest.pulls.merge({ ...r, pull_number: 3 })).rejects.toMatchObject({ status: 405 });
    expect((await octokit.rest.pulls.list({ ...r, state: 'closed' })).data.map((p) => p.number).sort()).toEqual([2, 3]);
    expect((await octokit.rest.pulls.list({ ...r })).data.map((p) => p.number)).toEqual([5, 4, 1]);
    const three = await octokit.rest.pulls.get({ ...r, pull_number: 3 });
    expect(three.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.data.sha });
    await octokit.rest.pulls.update({ ...r, pull_number: 2, state: 'open' });
    expect(gh.pull('acme/pulls', 2)?.state).toBe('open');
    await expect(octokit.rest.pulls.get({ ...r, pull_number: 99 })).rejects.toMatchObject({ status: 404 });
  });

  it('pushCommit advances the head SHA and updated_at; core reads PRs as the actions do', async () => {
    const pr = gh.openPullRequest('acme/core', { labels: ['preview'], head: 'feature/login', title: 'Login' });
    clock.advance(90_000);
    const sha = gh.pushCommit('acme/core', pr.number);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sha).not.toBe(pr.head.sha);
    const octokit = clientFor(gh);
    const info = await getPullRequest(octokit, 'acme/core', pr.number);
    expect(info).toMatchObject({
      number: pr.number,
      state: 'open',
      headSha: sha,
      headRef: 'feature/login',
      labels: ['preview'],
      isFork: false,
      author: 'octocat',
    });
    expect(Date.parse(info!.updatedAt!) - Date.parse(pr.created_at)).toBe(90_000);
    expect(await getPullRequest(octokit, 'acme/core', 404)).toBeUndefined();
    gh.openPullRequest('acme/core', { fork: 'mallory/core' });
    const open = await listOpenPullRequests(octokit, 'acme/core');
    expect(open.map((p) => [p.number, p.isFork])).toEqual([
      [1, false],
      [2, true],
    ]); // oldest first: stable under new PRs
  });

  it('fault injection by query and skip: a later page of pulls.list answers 409; core fails the whole list, naming the call', async () => {
    const octokit = clientFor(gh);
    for (let i = 0; i < 205; i++) gh.openPullRequest('acme/many');
    const full = await listOpenPullRequests(octokit, 'acme/many');
    expect(full.map((p) => p.number)).toEqual(Array.from({ length: 205 }, (_x, i) => i + 1));
    // Any page after the first, for good (the client's own retries of a 409 hit it too). Octokit's
    // paginate ends quietly on a 409 and hands back a partial list: the bug core's page loop avoids.
    const laterPages = {
      method: 'GET',
      pathPattern: /\/pulls$/,
      query: { page: /^([2-9]|\d\d+)$/ },
      status: 409,
    } as const;
    gh.injectFault(laterPages);
    const partial = await octokit.paginate(octokit.rest.pulls.list, {
      owner: 'acme',
      repo: 'many',
      state: 'open',
      per_page: 100,
    });
    expect(partial).toHaveLength(100);
    await expect(listOpenPullRequests(octokit, 'acme/many')).rejects.toThrow(
      /Listing open pull requests of acme\/many failed at page 2 \(GET \/repos\/acme\/many\/pulls\): The GitHub API at \S+ answered 409 to GET \/repos\/\{owner\}\/\{repo\}\/pulls: Conflict/,
    );
    gh.clearFaults();
    // skip: the first two matching requests pass, every later one fails (page 3 here, whatever the PR numbers).
    gh.injectFault({
      method: 'GET',
      pathPattern: /\/pulls$/,
      query: { state: 'open' },
      skip: 2,
      status: 502,
      message: 'Bad Gateway',
    });
    const log = gh.requestLog().length;
    await expect(listOpenPullRequests(octokit, 'acme/many')).rejects.toThrow(/failed at page 3 .*Bad Gateway/);
    expect(
      gh
        .requestLog()
        .slice(log)
        .map((r) => r.status),
    ).toEqual([200, 200, 502, 502, 502, 502]);
    gh.clearFaults();
  });
});

describe('GitHub stand-in: issues endpoint on a PR', () => {
  it('issues/update closes a PR and replaces its labels; environments list is paginated', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/issues', { labels: ['preview', 'old'] });
    const { data } = await octokit.rest.issues.update({
      owner: 'acme',
      repo: 'issues',
      issue_number: pr.number,
      state: 'closed',
      labels: ['stale'],
    });
    expect(data).toMatchObject({ state: 'closed', labels: [{ name: 'stale' }], pull_request: { merged_at: null } });
    expect(gh.pull('acme/issues', pr.number)).toMatchObject({ state: 'closed', merged: false });
    for (const n of [1, 2, 3]) {
      await octokit.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'issues',
        ref: 'main',
        environment: `preview/pr-${n}`,
        required_contexts: [],
        auto_merge: false,
      });
    }
    const envs = await octokit.rest.repos.getAllEnvironments({ owner: 'acme', repo: 'issues', per_page: 2, page: 2 });
    expect(envs.data).toMatchObject({ total_count: 3, environments: [{ name: 'preview/pr-3' }] });
    expect(envs.headers.link).toContain('rel="first"');
  });
});
