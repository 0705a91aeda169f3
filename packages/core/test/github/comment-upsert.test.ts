/**
 * The sticky comment and deployments against the GitHub stand-in (in-process, stateful,
 * contract-checked). Clients here are plain Octokit: the throttling plugin spaces writes a
 * second apart, which the runner-style tests exercise through the bundle instead.
 */
import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitHub, type GitHubStandIn } from '@preview-fleet/sandbox/github';
import {
  COMMENT_MARKER,
  deactivateAndDeleteDeployments,
  findStatusComments,
  listPreviewEnvironments,
  parseStatusComment,
  publishPreviewStatus,
  renderStatusComment,
  upsertStatusComment,
  type GitHubClient,
  type ServiceSection,
} from '../../src/github/index.js';

const REPO = 'acme/web';
const ctx = { serverUrl: 'https://github.com', repository: REPO };
let gh: GitHubStandIn;
let client: GitHubClient;
beforeAll(async () => {
  gh = await startGitHub();
  client = getOctokit(gh.token, { baseUrl: gh.url });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

const section = (over: Partial<ServiceSection> = {}): ServiceSection => ({
  service: 'app',
  state: 'deploying',
  runId: 100,
  runAttempt: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  runUrl: 'https://github.com/acme/web/actions/runs/100',
  ...over,
});
const BOT = 'github-actions[bot]';
const target = (pr: number) => ({ owner: 'acme', repo: 'web', issueNumber: pr, author: BOT });
const calls = () => Object.values(gh.counters()).reduce((a, b) => a + b, 0);

async function seedComments(pr: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await client.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: pr, body: `chatter ${i}` });
}

describe('upsertStatusComment (GitHub stand-in)', () => {
  it('creates once, then patches the same comment; an unchanged body sends no PATCH', async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    const a = await upsertStatusComment(client, target(pr), section(), ctx);
    expect(a.action).toBe('created');
    gh.resetCounters();
    const b = await upsertStatusComment(
      client,
      target(pr),
      section({ state: 'ready', url: 'https://app.example.com', runId: 101 }),
      ctx,
    );
    expect(b).toMatchObject({ action: 'updated', commentId: a.commentId, applied: true });
    expect(gh.counters()).toEqual({ 'issues/list-comments': 1, 'issues/update-comment': 1 });
    gh.resetCounters();
    const c = await upsertStatusComment(
      client,
      target(pr),
      section({ state: 'ready', url: 'https://app.example.com', runId: 101, updatedAt: '2026-01-01T00:09:00.000Z' }),
      ctx,
    );
    expect(c.action).toBe('unchanged');
    expect(gh.counters()).toEqual({ 'issues/list-comments': 1 });
    const comments = gh.comments(REPO, pr);
    expect(comments).toHaveLength(1);
    expect(parseStatusComment(comments[0].body)).toMatchObject([{ state: 'ready', runId: 101 }]);
  });

  it('finds its comment past the first 100 (150 seeded before it) and costs one list call per page', async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    await seedComments(pr, 150);
    const first = await upsertStatusComment(client, target(pr), section(), ctx);
    gh.resetCounters();
    const again = await upsertStatusComment(client, target(pr), section({ service: 'api', runId: 102 }), ctx);
    expect(again.commentId).toBe(first.commentId);
    // Two pages, one PATCH, and one read-back because service app changed moments ago.
    expect(gh.counters()).toEqual({ 'issues/list-comments': 2, 'issues/update-comment': 1, 'issues/get-comment': 1 });
    expect(gh.comments(REPO, pr).filter((c) => c.body.startsWith(COMMENT_MARKER))).toHaveLength(1);
  });

  it("collapses a race: keeps the oldest, merges the others' sections into it, deletes them", async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    const body = (s: ServiceSection) => renderStatusComment([s], ctx);
    const made = [];
    for (const s of [
      section({ service: 'app', runId: 200 }),
      section({ service: 'api', runId: 201 }),
      section({ service: 'app', runId: 199, state: 'queued' }),
    ]) {
      made.push(
        (await client.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: pr, body: body(s) })).data
          .id,
      );
    }
    const r = await upsertStatusComment(
      client,
      target(pr),
      section({ service: 'worker', runId: 202, state: 'building' }),
      ctx,
    );
    expect(r.commentId).toBe(made[0]);
    expect(r.deletedDuplicates.sort()).toEqual(made.slice(1).sort());
    const left = gh.comments(REPO, pr);
    expect(left.map((c) => c.id)).toEqual([made[0]]);
    expect(parseStatusComment(left[0].body).map((s) => [s.service, s.state, s.runId])).toEqual([
      ['api', 'deploying', 201],
      ['app', 'deploying', 200],
      ['worker', 'building', 202],
    ]);
  });

  it('two services writing at the same moment: the row a concurrent PATCH dropped is read back and written again', async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    const now = '2026-01-01T00:10:00.000Z';
    await upsertStatusComment(client, target(pr), section({ service: 'api', runId: 700, updatedAt: now }), ctx);
    await upsertStatusComment(client, target(pr), section({ service: 'app', runId: 700, updatedAt: now }), ctx);
    // Another job (service api) lands its PATCH right after ours, from a body it read before ours.
    const racing = getOctokit(gh.token, { baseUrl: gh.url });
    let raced = false;
    racing.hook.wrap('request', async (request, options) => {
      const res = await request(options);
      if (options.method === 'PATCH' && !raced) {
        raced = true;
        const theirs = renderStatusComment(
          [
            section({ service: 'api', runId: 700, state: 'ready', url: 'https://api.example.com', updatedAt: now }),
            section({ service: 'app', runId: 700, updatedAt: now }),
          ],
          ctx,
        );
        await client.rest.issues.updateComment({
          owner: 'acme',
          repo: 'web',
          comment_id: (res.data as { id: number }).id,
          body: theirs,
        });
      }
      return res;
    });
    gh.resetCounters();
    const r = await upsertStatusComment(
      racing,
      target(pr),
      section({
        service: 'app',
        runId: 700,
        state: 'ready',
        url: 'https://app.example.com',
        updatedAt: '2026-01-01T00:11:00.000Z',
      }),
      ctx,
    );
    expect(raced).toBe(true);
    expect(gh.counters()).toMatchObject({ 'issues/get-comment': 2, 'issues/update-comment': 3 });
    const final = parseStatusComment(gh.comments(REPO, pr)[0].body);
    expect(final.map((s) => [s.service, s.state])).toEqual([
      ['api', 'ready'],
      ['app', 'ready'],
    ]);
    expect(r.sections).toEqual(final);
  });

  it('a single service pays no read-back', async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    await upsertStatusComment(client, target(pr), section(), ctx);
    gh.resetCounters();
    await upsertStatusComment(client, target(pr), section({ state: 'ready', runId: 101 }), ctx);
    expect(gh.counters()).toEqual({ 'issues/list-comments': 1, 'issues/update-comment': 1 });
  });

  it("a quoted marker in someone's comment is not ours", async () => {
    const pr = gh.openPullRequest(REPO).number as number;
    await client.rest.issues.createComment({
      owner: 'acme',
      repo: 'web',
      issue_number: pr,
      body: `> ${renderStatusComment([section()], ctx)}`,
    });
    await upsertStatusComment(client, target(pr), section(), ctx);
    expect(gh.comments(REPO, pr)).toHaveLength(2);
    expect(
      findStatusComments(
        gh.comments(REPO, pr).map((c) => ({ id: c.id, body: c.body, createdAt: c.created_at, author: c.user?.login })),
        BOT,
      ),
    ).toHaveLength(1);
  });
});

describe('deployments (GitHub stand-in)', () => {
  it('one deployment per head SHA: in_progress then success with environment_url and log_url; a new commit gets a new one', async () => {
    const pr = gh.openPullRequest(REPO);
    const env = `preview/pr-${pr.number}`;
    const opts = {
      owner: 'acme',
      repo: 'web',
      pr: pr.number as number,
      serverUrl: 'https://github.com',
      author: BOT,
      environment: env,
    };
    const sha = pr.head.sha as string;
    const a = await publishPreviewStatus(client, { ...opts, section: section({ sha, runId: 300 }) });
    gh.resetCounters();
    const b = await publishPreviewStatus(client, {
      ...opts,
      section: section({
        sha,
        runId: 300,
        state: 'ready',
        url: 'https://app-pr.example.com',
        updatedAt: '2026-01-01T00:01:00.000Z',
      }),
    });
    expect(calls()).toBeLessThanOrEqual(5);
    expect(a.deploymentId).toBe(b.deploymentId);
    expect(b.problems).toEqual([]);
    const mine = gh.deployments(REPO).filter((d) => d.environment === env);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      sha,
      transient_environment: true,
      production_environment: false,
      state: 'success',
      payload: { 'managed-by': 'preview-fleet', repository: REPO, pr: pr.number },
    });
    expect(mine[0].statuses.map((s: any) => [s.state, s.environment_url, s.log_url])).toEqual([
      ['success', 'https://app-pr.example.com', 'https://github.com/acme/web/actions/runs/100'],
      ['in_progress', '', 'https://github.com/acme/web/actions/runs/100'],
    ]);
    const sha2 = gh.pushCommit(REPO, pr.number);
    const c = await publishPreviewStatus(client, { ...opts, section: section({ sha: sha2, runId: 301 }) });
    expect(c.deploymentId).not.toBe(a.deploymentId);
    expect(gh.deployments(REPO).filter((d) => d.environment === env)).toHaveLength(2);
  });

  it("the comment remembers the SHA's deployment: the next update posts its status without a lookup; a deleted one is recreated", async () => {
    const pr = gh.openPullRequest(REPO);
    const environment = `preview/pr-${pr.number}`;
    const opts = {
      owner: 'acme',
      repo: 'web',
      pr: pr.number as number,
      serverUrl: 'https://github.com',
      author: BOT,
      environment,
    };
    const first = await publishPreviewStatus(client, { ...opts, section: section({ sha: pr.head.sha, runId: 800 }) });
    expect(parseStatusComment(gh.comments(REPO, pr.number)[0].body)[0]).toMatchObject({
      environment,
      deploymentId: first.deploymentId,
    });
    gh.resetCounters();
    const second = await publishPreviewStatus(client, {
      ...opts,
      section: section({
        sha: pr.head.sha,
        runId: 800,
        state: 'ready',
        url: 'https://x.example.com',
        updatedAt: '2026-01-01T00:02:00.000Z',
      }),
    });
    expect(second.deploymentId).toBe(first.deploymentId);
    expect(gh.counters()).toEqual({
      'issues/list-comments': 1,
      'repos/get-deployment': 1,
      'repos/create-deployment-status': 1,
      'issues/update-comment': 1,
    });

    await deactivateAndDeleteDeployments(client, { owner: 'acme', repo: 'web', environment, pr: pr.number });
    gh.resetCounters();
    const third = await publishPreviewStatus(client, { ...opts, section: section({ sha: pr.head.sha, runId: 801 }) });
    expect(third.problems).toEqual([]);
    expect(third.deploymentId).not.toBe(first.deploymentId);
    expect(gh.counters()).toMatchObject({
      'repos/get-deployment': 1,
      'repos/create-deployment-status': 1,
      'repos/list-deployments': 1,
      'repos/create-deployment': 1,
    });
    expect(
      gh
        .deployments(REPO)
        .filter((d) => d.environment === environment)
        .map((d) => d.id),
    ).toEqual([third.deploymentId]);
  });

  it('a stale update (older run) touches neither the comment nor the deployment', async () => {
    const pr = gh.openPullRequest(REPO);
    const opts = {
      owner: 'acme',
      repo: 'web',
      pr: pr.number as number,
      serverUrl: 'https://github.com',
      author: BOT,
      environment: `preview/pr-${pr.number}`,
    };
    await publishPreviewStatus(client, {
      ...opts,
      section: section({ sha: pr.head.sha, runId: 500, state: 'ready', url: 'https://x.example.com' }),
    });
    gh.resetCounters();
    const late = await publishPreviewStatus(client, {
      ...opts,
      section: section({ sha: pr.head.sha, runId: 499, state: 'deploying' }),
    });
    expect(late.comment).toMatchObject({ applied: false, action: 'unchanged' });
    expect(late.deploymentId).toBeUndefined();
    expect(gh.counters()).toEqual({ 'issues/list-comments': 1 });
  });

  it("destroyed and teardown deactivate only this PR's environment; unmarked deployments are reported and kept", async () => {
    const mk = async () => {
      const pr = gh.openPullRequest(REPO);
      const environment = `preview/pr-${pr.number}`;
      await publishPreviewStatus(client, {
        owner: 'acme',
        repo: 'web',
        pr: pr.number,
        serverUrl: 'https://github.com',
        author: BOT,
        environment,
        section: section({ sha: pr.head.sha, state: 'ready', url: 'https://x.example.com', runId: 600 }),
      });
      return environment;
    };
    const mine = await mk();
    const other = await mk();
    // Someone else's deployment in our environment name, without our marks: reported, kept.
    const foreign = (
      await client.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: 'main',
        environment: mine,
        required_contexts: [],
        auto_merge: false,
      })
    ).data as { id: number };
    const results = await deactivateAndDeleteDeployments(client, {
      owner: 'acme',
      repo: 'web',
      environment: mine,
      pr: Number(mine.split('-').at(-1)),
    });
    expect(results.map((r) => r.status).sort()).toEqual(['deleted', 'skipped-unmarked']);
    expect(results.find((r) => r.status === 'skipped-unmarked')?.name).toBe(`${mine}#${foreign.id}`);
    expect(
      gh
        .deployments(REPO)
        .filter((d) => d.environment === other)
        .map((d) => d.state),
    ).toEqual(['success']);
    expect(
      await deactivateAndDeleteDeployments(client, {
        owner: 'acme',
        repo: 'web',
        environment: `preview/pr-99999`,
        pr: 99999,
      }),
    ).toEqual([]);

    const envs = await listPreviewEnvironments(client, REPO);
    expect(envs.find((e) => e.environment === other)).toMatchObject({
      marked: true,
      deployments: [expect.objectContaining({ environment: other })],
    });
    expect(envs.find((e) => e.environment === mine)).toMatchObject({ marked: false });
  });

  it('a read-only token (fork PR): one problem explaining the 403 and how to opt in, no comment call after it, nothing written', async () => {
    const pr = gh.openPullRequest(REPO);
    const readOnly = getOctokit(gh.readOnlyToken, { baseUrl: gh.url });
    gh.resetCounters();
    const r = await publishPreviewStatus(readOnly, {
      owner: 'acme',
      repo: 'web',
      pr: pr.number,
      serverUrl: 'https://github.com',
      author: BOT,
      environment: `preview/pr-${pr.number}`,
      section: section({ sha: pr.head.sha }),
    });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ step: 'deployment', status: 403, forbidden: true, readOnly: true });
    expect(r.problems[0].message).toMatch(
      /read-only.*forks.*workflow_run.*GitHub App.*PR comment was not attempted either/s,
    );
    expect(gh.counters()).toEqual({
      'issues/list-comments': 1,
      'repos/list-deployments': 1,
      'repos/create-deployment': 1,
    });
    expect(gh.comments(REPO, pr.number)).toEqual([]);
  });
});
