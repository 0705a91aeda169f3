import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { startGitHub, type GitHubStandIn } from '../../src/github/index.js';
import { clientFor, repo } from './client.js';

const clock = new FakeClock();
let gh: GitHubStandIn;

beforeAll(async () => {
  gh = await startGitHub({ clock });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

describe('GitHub stand-in: issue comments through Octokit', () => {
  it('a created comment is listed on page 2 of 3, following Link headers that point at the stand-in', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/web', { labels: ['preview'] });
    for (const body of ['one', 'two', 'three'])
      await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body });
    const { data: mine } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: '<!-- preview-fleet -->\nqueued',
    });
    await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'five' });

    const page2 = await octokit.rest.issues.listComments({ ...repo, issue_number: pr.number, per_page: 2, page: 2 });
    expect(page2.data.map((c) => c.body)).toEqual(['three', '<!-- preview-fleet -->\nqueued']);
    const links = page2.headers.link!;
    for (const rel of ['prev', 'next', 'last', 'first']) expect(links).toContain(`rel="${rel}"`);
    expect(links).toContain(`<${gh.url}/repos/acme/web/issues/${pr.number}/comments?per_page=2&page=3>; rel="next"`);

    gh.resetCounters();
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: pr.number,
      per_page: 2,
    });
    expect(all.map((c) => c.id)).toContain(mine.id);
    expect(all).toHaveLength(5);
    expect(gh.counters()).toEqual({ 'issues/list-comments': 3 });
    expect(gh.requestLog().map((r) => r.path)).toEqual(
      [1, 2, 3].map((p) => `/repos/acme/web/issues/${pr.number}/comments?per_page=2${p === 1 ? '' : `&page=${p}`}`),
    );
    expect(mine.user?.login).toBe('github-actions[bot]');
    expect(mine.html_url).toBe(`https://github.com/acme/web/pull/${pr.number}#issuecomment-${mine.id}`);
  });

  it('each token is an identity: a comment records who wrote it (another user can plant one), and an edit by someone else keeps the author', async () => {
    const bot = clientFor(gh);
    const mallory = clientFor(gh, gh.createToken({ actor: { login: 'mallory', id: 6660004, type: 'User' } }));
    const pr = gh.openPullRequest('acme/web');
    const { data: planted } = await mallory.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: '<!-- preview-fleet:status v1 -->\nmine now',
    });
    const { data: ours } = await bot.rest.issues.createComment({
      ...repo,
      issue_number: pr.number,
      body: '<!-- preview-fleet:status v1 -->\nqueued',
    });
    expect([planted.user?.login, planted.user?.type, ours.user?.login, ours.user?.type]).toEqual([
      'mallory',
      'User',
      'github-actions[bot]',
      'Bot',
    ]);
    await bot.rest.issues.updateComment({ ...repo, comment_id: planted.id, body: 'edited by the bot' });
    const listed = (await bot.rest.issues.listComments({ ...repo, issue_number: pr.number })).data;
    expect(listed.map((c) => [c.id, c.user?.login])).toEqual([
      [planted.id, 'mallory'],
      [ours.id, 'github-actions[bot]'],
    ]);
    expect(gh.comments('acme/web', pr.number).map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]']);
  });

  it('update, get and delete act on the same state; updated_at of the comment and the PR bumps on activity', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/web');
    const before = (await octokit.rest.issues.get({ ...repo, issue_number: pr.number })).data.updated_at;
    clock.advance(60_000);
    const { data: c } = await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'queued' });
    const afterComment = (await octokit.rest.issues.get({ ...repo, issue_number: pr.number })).data;
    expect(Date.parse(afterComment.updated_at) - Date.parse(before)).toBe(60_000);
    expect(afterComment.comments).toBe(1);

    clock.advance(5_000);
    const { data: edited } = await octokit.rest.issues.updateComment({ ...repo, comment_id: c.id, body: 'ready' });
    expect(edited.body).toBe('ready');
    expect(Date.parse(edited.updated_at) - Date.parse(edited.created_at)).toBe(5_000);
    expect((await octokit.rest.issues.getComment({ ...repo, comment_id: c.id })).data.body).toBe('ready');
    expect(gh.comments('acme/web', pr.number).map((x) => x.body)).toEqual(['ready']);

    await octokit.rest.issues.deleteComment({ ...repo, comment_id: c.id });
    expect(gh.comments('acme/web', pr.number)).toEqual([]);
    await expect(octokit.rest.issues.getComment({ ...repo, comment_id: c.id })).rejects.toMatchObject({ status: 404 });
  });

  it('bad input is answered like GitHub: 422 Validation Failed with errors[], surfaced in the Octokit error', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/web');
    const tooLong = 'x'.repeat(65537);
    const err = await octokit.rest.issues
      .createComment({ ...repo, issue_number: pr.number, body: tooLong })
      .catch((e: unknown) => e as any);
    expect(err.status).toBe(422);
    expect(err.response.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
    });
    expect(err.message).toContain('body is too long (maximum is 65536 characters)');
    await expect(
      octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: '' }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('Body cannot be blank') });
    expect(gh.comments('acme/web', pr.number)).toEqual([]);
    // exactly the limit is accepted
    await octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: 'x'.repeat(65536) });
  });

  it('a missing issue or comment is 404 Not Found with documentation_url', async () => {
    const octokit = clientFor(gh);
    const err = await octokit.rest.issues.listComments({ ...repo, issue_number: 9999 }).catch((e: unknown) => e as any);
    expect(err.status).toBe(404);
    expect(err.response.data).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/issues/comments#list-issue-comments',
      status: '404',
    });
    await expect(octokit.rest.issues.deleteComment({ ...repo, comment_id: 424242 })).rejects.toMatchObject({
      status: 404,
    });
  });

  it('labels: add, list, remove (404 "Label does not exist" when absent); issues list filters by label and marks PRs', async () => {
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest('acme/labels');
    const issueRepo = { owner: 'acme', repo: 'labels' };
    const added = await octokit.rest.issues.addLabels({
      ...issueRepo,
      issue_number: pr.number,
      labels: ['preview', 'keep'],
    });
    expect(added.data.map((l) => l.name)).toEqual(['preview', 'keep']);
    const listed = await octokit.rest.issues.listForRepo({ ...issueRepo, labels: 'preview', state: 'open' });
    expect(listed.data.map((i) => [i.number, i.pull_request?.url])).toEqual([
      [pr.number, `${gh.url}/repos/acme/labels/pulls/${pr.number}`],
    ]);
    const removed = await octokit.rest.issues.removeLabel({ ...issueRepo, issue_number: pr.number, name: 'preview' });
    expect(removed.data.map((l) => l.name)).toEqual(['keep']);
    await expect(
      octokit.rest.issues.removeLabel({ ...issueRepo, issue_number: pr.number, name: 'preview' }),
    ).rejects.toMatchObject({ status: 404, message: expect.stringContaining('Label does not exist') });
    expect(
      (await octokit.rest.issues.listLabelsOnIssue({ ...issueRepo, issue_number: pr.number })).data.map((l) => l.name),
    ).toEqual(['keep']);
    expect((await octokit.rest.issues.listForRepo({ ...issueRepo, labels: 'preview' })).data).toEqual([]);
    expect(gh.labels('acme/labels', pr.number)).toEqual(['keep']);
  });
});
