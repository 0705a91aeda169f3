/**
 * Nobody else steers our GitHub writes (issue 14 items 4 and 5), against the GitHub stand-in, which
 * knows which login each token is and records every comment's author: a comment is ours only when
 * our login wrote it; a deployment id is used or removed only when its marks name this repository
 * and this PR.
 */
import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError, parseEnvironmentTemplate } from '../../src/index.js';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import {
  deactivateAndDeleteDeployments,
  parseCommentAuthor,
  parseStatusComment,
  publishPreviewStatus,
  renderStatusComment,
  upsertStatusComment,
  type GitHubClient,
  type ServiceSection,
} from '../../src/github/index.js';

const REPO = 'acme/web';
const BOT = 'github-actions[bot]';
const ctx = { serverUrl: 'https://github.com', repository: REPO };
let gh: GitHubStandIn;
let client: GitHubClient;
let mallory: GitHubClient;
beforeAll(async () => {
  gh = await startGitHub();
  client = getOctokit(gh.token, { baseUrl: gh.url });
  mallory = getOctokit(gh.createToken({ actor: { login: 'mallory', id: 6660001, type: 'User' } }), { baseUrl: gh.url });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

const section = (over: Partial<ServiceSection> = {}): ServiceSection => ({
  service: 'app',
  state: 'deploying',
  runId: 100,
  runAttempt: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const publishOpts = (pr: number) => ({
  owner: 'acme',
  repo: 'web',
  pr,
  serverUrl: 'https://github.com',
  environment: `preview/pr-${pr}`,
  author: BOT,
});

/** A ready preview of a fresh PR (its deployment id). */
async function readyPreview(): Promise<{ pr: number; sha: string; deploymentId: number }> {
  const p = gh.openPullRequest(REPO);
  const r = await publishPreviewStatus(client, {
    ...publishOpts(p.number),
    section: section({ sha: p.head.sha, state: 'ready', url: 'https://x.example.com' }),
  });
  return { pr: p.number, sha: p.head.sha, deploymentId: r.deploymentId! };
}

describe('only our own comments count', () => {
  it('a marker comment another user planted (huge runId, fake URL, foreign deploymentId) is ignored: ours is created beside it, theirs untouched', async () => {
    const victim = await readyPreview();
    const p = gh.openPullRequest(REPO);
    const planted = renderStatusComment(
      [
        section({
          state: 'ready',
          url: 'https://evil.example.net/',
          runId: Number.MAX_SAFE_INTEGER,
          sha: p.head.sha,
          environment: `preview/pr-${p.number}`,
          deploymentId: victim.deploymentId,
        }),
      ],
      ctx,
    );
    const theirs = (
      await mallory.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: p.number, body: planted })
    ).data;
    const victimStatuses = gh.deployments(REPO).find((d) => d.id === victim.deploymentId)!.statuses.length;

    const r = await publishPreviewStatus(client, {
      ...publishOpts(p.number),
      section: section({ sha: p.head.sha, runId: 5000 }),
    });
    expect(r.problems).toEqual([]);
    expect(r.foreign).toEqual([{ id: theirs.id, author: 'mallory' }]);
    expect(r.comment).toMatchObject({ action: 'created', applied: true });
    expect(r.comment!.commentId).not.toBe(theirs.id);
    expect(r.deploymentId).not.toBe(victim.deploymentId);

    const comments = gh.comments(REPO, p.number);
    expect(comments.map((c) => [c.id, c.user.login])).toEqual([
      [theirs.id, 'mallory'],
      [r.comment!.commentId, BOT],
    ]);
    expect(comments[0]).toMatchObject({ body: planted, updated_at: theirs.updated_at });
    expect(parseStatusComment(comments[1].body)).toMatchObject([{ state: 'deploying', runId: 5000 }]);
    expect(comments[1].body).not.toContain('evil.example.net');
    // No status went to the deployment the planted JSON named.
    expect(gh.deployments(REPO).find((d) => d.id === victim.deploymentId)!.statuses).toHaveLength(victimStatuses);
  });

  it('the race collapse deletes only our own duplicates, never a foreign marker comment', async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    const body = (s: ServiceSection) => renderStatusComment([s], ctx);
    const foreign = (
      await mallory.rest.issues.createComment({
        owner: 'acme',
        repo: 'web',
        issue_number: pr,
        body: body(section({ service: 'api', runId: 1 })),
      })
    ).data.id;
    const mine = [];
    for (const runId of [200, 201])
      mine.push(
        (
          await client.rest.issues.createComment({
            owner: 'acme',
            repo: 'web',
            issue_number: pr,
            body: body(section({ runId })),
          })
        ).data.id,
      );
    const r = await upsertStatusComment(
      client,
      { owner: 'acme', repo: 'web', issueNumber: pr, author: BOT },
      section({ service: 'worker', runId: 202 }),
      ctx,
    );
    expect(r.commentId).toBe(mine[0]);
    expect(r.deletedDuplicates).toEqual([mine[1]]);
    expect(gh.comments(REPO, pr).map((c) => c.id)).toEqual([foreign, mine[0]]);
    expect(r.sections.map((s) => s.service)).toEqual(['app', 'worker']);
  });

  it('a token that writes as another login than comment-author: the created comment says who we are, and the problem says what to set', async () => {
    const app = getOctokit(gh.createToken({ actor: { login: 'preview-app[bot]', id: 7770001, type: 'Bot' } }), {
      baseUrl: gh.url,
    });
    const p = gh.openPullRequest(REPO);
    const r = await publishPreviewStatus(app, {
      ...publishOpts(p.number),
      environment: undefined,
      section: section({ sha: p.head.sha }),
    });
    expect(r.comment?.createdAs).toBe('preview-app[bot]');
    expect(r.problems.map((x) => x.message)).toEqual([
      expect.stringMatching(
        /written as "preview-app\[bot\]", but comment-author is "github-actions\[bot\]".*Set comment-author: preview-app\[bot\]/,
      ),
    ]);
    const right = await publishPreviewStatus(app, {
      ...publishOpts(p.number),
      environment: undefined,
      author: 'Preview-App[bot]',
      section: section({ sha: p.head.sha, runId: 101 }),
    });
    expect(right.problems).toEqual([]);
    expect(right.comment).toMatchObject({ action: 'updated', commentId: r.comment!.commentId });
  });

  it('comment-author accepts GitHub logins only', () => {
    for (const ok of ['github-actions[bot]', 'my-app[bot]', 'octocat', 'a'])
      expect(parseCommentAuthor('comment-author', ok)).toBe(ok);
    for (const bad of ['', ' ', '*', 'two words', '-lead', 'x'.repeat(40), 'bot]', 'a[bot][bot]']) {
      expect(() => parseCommentAuthor('comment-author', bad)).toThrow(InputError);
    }
  });
});

describe('deployment ids and removal check the PR', () => {
  it("a deploymentId in our own comment is used only when that deployment is this PR's (repository, PR, environment, commit)", async () => {
    const other = await readyPreview();
    const p = gh.openPullRequest(REPO);
    const first = await publishPreviewStatus(client, {
      ...publishOpts(p.number),
      section: section({ sha: p.head.sha, runId: 300 }),
    });
    // Someone with write access edits our comment so its hidden JSON names PR `other`'s deployment.
    const ours = gh.comments(REPO, p.number)[0];
    const tampered = String(ours.body).replace(
      `"deploymentId":${first.deploymentId}`,
      `"deploymentId":${other.deploymentId}`,
    );
    expect(tampered).not.toBe(ours.body);
    await client.rest.issues.updateComment({ owner: 'acme', repo: 'web', comment_id: ours.id, body: tampered });
    const before = gh.deployments(REPO).find((d) => d.id === other.deploymentId)!.statuses.length;

    const r = await publishPreviewStatus(client, {
      ...publishOpts(p.number),
      section: section({
        sha: p.head.sha,
        runId: 300,
        state: 'ready',
        url: 'https://y.example.com',
        updatedAt: '2026-01-01T00:05:00.000Z',
      }),
    });
    expect(r.problems).toEqual([]);
    expect(r.deploymentId).toBe(first.deploymentId);
    expect(gh.deployments(REPO).find((d) => d.id === other.deploymentId)!.statuses).toHaveLength(before);
    expect(gh.deployments(REPO).find((d) => d.id === first.deploymentId)!.state).toBe('success');
  });

  it("teardown of one PR leaves another PR's deployments alone, even in the same environment; destroyed deactivates only this PR's", async () => {
    const a = await readyPreview();
    const b = await readyPreview();
    const envA = `preview/pr-${a.pr}`;
    // PR b's deployment in PR a's environment (marks name b).
    const stray = (
      await client.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: b.sha,
        environment: envA,
        required_contexts: [],
        auto_merge: false,
        transient_environment: true,
        payload: { 'managed-by': 'preview-fleet', repository: REPO, pr: b.pr },
      })
    ).data as { id: number };

    const destroyed = await publishPreviewStatus(client, {
      ...publishOpts(a.pr),
      section: section({ sha: a.sha, runId: 900, state: 'destroyed' }),
    });
    expect(destroyed.deactivated).toEqual([a.deploymentId]);
    const results = await deactivateAndDeleteDeployments(client, {
      owner: 'acme',
      repo: 'web',
      environment: envA,
      pr: a.pr,
    });
    expect(results).toEqual(
      expect.arrayContaining([
        { kind: 'deployment', name: `${envA}#${a.deploymentId}`, status: 'deleted' },
        {
          kind: 'deployment',
          name: `${envA}#${stray.id}`,
          status: 'skipped-unmarked',
          reason: `marked for PR #${b.pr}, not #${a.pr}`,
        },
      ]),
    );
    const left = gh.deployments(REPO);
    expect(left.find((d) => d.id === a.deploymentId)).toBeUndefined();
    expect(left.find((d) => d.id === stray.id)?.state).toBe('pending');
    expect(left.find((d) => d.id === b.deploymentId)?.state).toBe('success');
  });

  it('an environment template without {{number}} is refused (preview, production); with it, accepted', () => {
    for (const bad of ['preview', 'production', 'preview/{{service}}', '{{head_sha}}', '']) {
      expect(() => parseEnvironmentTemplate('environment', bad)).toThrow(
        /Input "environment".*must (contain \{\{number\}\}|not be empty)/,
      );
    }
    expect(parseEnvironmentTemplate('environment', ' review/{{ number }} ')).toBe('review/{{ number }}');
  });
});
