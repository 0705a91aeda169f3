/**
 * Nobody else steers comment-status (issue 14 item 4), through the bundled dist as the runner runs
 * it: a comment another user wrote with our marker and hidden JSON is ignored and left untouched,
 * and a deployment id is used only when its marks name this repository and this PR.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import {
  COMMENT_MARKER,
  parseStatusComment,
  renderStatusComment,
  type ServiceSection,
} from '@preview-fleet/core/github';

const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = 'acme/web';
const BOT = 'github-actions[bot]';
let gh: GitHubStandIn;
let seed: ReturnType<typeof getOctokit>;
let mallory: ReturnType<typeof getOctokit>;

beforeAll(async () => {
  gh = await startGitHub();
  seed = getOctokit(gh.token, { baseUrl: gh.url });
  // Anyone who can comment on a PR: a user of their own, with their own token.
  mallory = getOctokit(gh.createToken({ actor: { login: 'mallory', id: 6660002, type: 'User' } }), { baseUrl: gh.url });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

function run(
  pr: Record<string, any>,
  inputs: Record<string, string>,
  runId: number,
  token = gh.token,
): Promise<ActionRun> {
  return runActionProcess(actionDir, {
    inputs: { 'github-token': token, ...inputs },
    event: pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha }),
    eventName: 'pull_request',
    repository: REPO,
    runId,
    runAttempt: 1,
    env: { GITHUB_API_URL: gh.url },
    secrets: [gh.token, token],
    timeoutMs: 60_000,
  });
}

const ok = (r: ActionRun): ActionRun => {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  expect(
    r.annotations.filter((a) => a.level === 'error' || a.level === 'warning'),
    r.log,
  ).toEqual([]);
  return r;
};
const deployment = (id: number) => gh.deployments(REPO).find((d) => d.id === id)!;

/** PR `victim`'s ready preview: the deployment a planted comment will try to steer. */
async function victimDeployment(): Promise<number> {
  const v = gh.openPullRequest(REPO, { labels: ['preview'] });
  const r = ok(
    await run(v, { state: 'ready', url: `https://app-pr-${v.number}.preview.example.com/` }, 2000 + v.number),
  );
  return Number(r.outputs['deployment-id']);
}

describe('comment-status: only our own comment counts (bundled, runner-style, GitHub stand-in)', () => {
  it("another user's marker comment (huge runId, fake URL, foreign deploymentId): ours is created beside it, theirs untouched, no status on the foreign deployment", async () => {
    const foreignId = await victimDeployment();
    const foreignStatuses = deployment(foreignId).statuses.length;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const env = `preview/pr-${pr.number}`;
    const planted: ServiceSection = {
      service: 'app',
      state: 'ready',
      url: 'https://phish.example.net/login',
      runId: Number.MAX_SAFE_INTEGER,
      runAttempt: 1,
      updatedAt: '2099-01-01T00:00:00Z',
      sha: pr.head.sha,
      environment: env,
      deploymentId: foreignId,
    };
    const body = renderStatusComment([planted], { serverUrl: 'https://github.com', repository: REPO });
    const theirs = (
      await mallory.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: pr.number, body })
    ).data;

    const first = ok(await run(pr, { state: 'deploying' }, 3000));
    expect(first.outputs['comment-id']).not.toBe(String(theirs.id));
    expect(
      first.annotations
        .filter((a) => a.level === 'notice')
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(/Ignored 1 comment\(s\).*mallory, not github-actions\[bot\]/);
    const url = `https://app-pr-${pr.number}.preview.example.com/`;
    const ready = ok(await run(pr, { state: 'ready', url }, 3000));
    expect(ready.outputs['comment-id']).toBe(first.outputs['comment-id']);

    // Theirs: exactly as written, never edited, never collapsed away.
    const comments = gh.comments(REPO, pr.number);
    expect(comments.map((c) => [c.id, c.user.login])).toEqual([
      [theirs.id, 'mallory'],
      [Number(first.outputs['comment-id']), BOT],
    ]);
    expect(comments[0]).toMatchObject({ body, updated_at: theirs.updated_at });
    // Ours: our run's facts, not theirs.
    expect(String(comments[1].body).startsWith(COMMENT_MARKER)).toBe(true);
    expect(comments[1].body).not.toContain('phish.example.net');
    expect(parseStatusComment(comments[1].body)).toMatchObject([{ service: 'app', state: 'ready', runId: 3000, url }]);
    // The deployment named in their JSON got nothing; ours is this PR's own.
    expect(deployment(foreignId).statuses).toHaveLength(foreignStatuses);
    const mine = deployment(Number(ready.outputs['deployment-id']));
    expect(mine).toMatchObject({
      environment: env,
      sha: pr.head.sha,
      state: 'success',
      payload: { repository: REPO, pr: pr.number },
    });
    expect(mine.statuses[0].environment_url).toBe(url);
  });

  it("our own comment whose hidden JSON names another PR's deployment (edited by someone with write access): that deployment is left alone", async () => {
    const foreignId = await victimDeployment();
    const foreignStatuses = deployment(foreignId).statuses.length;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const first = ok(await run(pr, { state: 'deploying' }, 4000));
    const ours = gh.comments(REPO, pr.number)[0];
    const tampered = String(ours.body).replace(
      `"deploymentId":${first.outputs['deployment-id']}`,
      `"deploymentId":${foreignId}`,
    );
    expect(tampered).not.toBe(ours.body);
    await seed.rest.issues.updateComment({ owner: 'acme', repo: 'web', comment_id: ours.id, body: tampered });

    const ready = ok(await run(pr, { state: 'ready', url: `https://app-pr-${pr.number}.preview.example.com/` }, 4000));
    expect(ready.outputs['deployment-id']).toBe(first.outputs['deployment-id']);
    expect(deployment(foreignId).statuses).toHaveLength(foreignStatuses);
    expect(deployment(Number(first.outputs['deployment-id'])).state).toBe('success');
  });

  it('a token that writes as a GitHub App: with comment-author set, its one comment is found again; without, a warning says what to set', async () => {
    const appToken = gh.createToken({ actor: { login: 'preview-app[bot]', id: 7770002, type: 'Bot' } });
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const a = ok(await run(pr, { state: 'queued', 'comment-author': 'preview-app[bot]' }, 5000, appToken));
    const b = ok(await run(pr, { state: 'deploying', 'comment-author': 'preview-app[bot]' }, 5000, appToken));
    expect(b.outputs['comment-id']).toBe(a.outputs['comment-id']);
    expect(gh.comments(REPO, pr.number)).toHaveLength(1);

    const other = gh.openPullRequest(REPO, { labels: ['preview'] });
    const wrong = await run(other, { state: 'queued' }, 5001, appToken);
    expect(wrong.exitCode, wrong.log).toBe(0);
    expect(wrong.annotations.filter((x) => x.level === 'warning').map((x) => x.message)).toEqual([
      expect.stringMatching(
        /written as "preview-app\[bot\]", but comment-author is "github-actions\[bot\]".*Set comment-author: preview-app\[bot\]/,
      ),
    ]);
  });
});
