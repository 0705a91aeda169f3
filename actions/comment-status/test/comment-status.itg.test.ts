/**
 * comment-status through its bundled dist, as the runner runs it, against the GitHub stand-in
 * (stateful, contract-checked against @octokit/openapi).
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
import { BAD_INPUTS } from './bad-inputs.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

const actionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = 'acme/web';
let gh: GitHubStandIn;
let seed: ReturnType<typeof getOctokit>;

beforeAll(async () => {
  gh = await startGitHub();
  // Plain Octokit for setting the scene (the action's client spaces writes a second apart).
  seed = getOctokit(gh.token, { baseUrl: gh.url });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

interface RunOptions {
  runId?: number;
  runAttempt?: number;
  token?: string;
  fork?: boolean;
  headSha?: string;
  eventName?: string;
}

function run(pr: Record<string, any>, inputs: Record<string, string>, o: RunOptions = {}): Promise<ActionRun> {
  const token = o.token ?? gh.token;
  const dispatch = o.eventName === 'workflow_dispatch';
  return runActionProcess(actionDir, {
    inputs: { 'github-token': token, ...inputs },
    event: dispatch
      ? { inputs: {} }
      : pullRequestEvent('synchronize', {
          number: pr.number,
          repository: REPO,
          headSha: o.headSha ?? pr.head.sha,
          fork: o.fork,
        }),
    eventName: o.eventName ?? 'pull_request',
    repository: REPO,
    runId: o.runId ?? 1000,
    runAttempt: o.runAttempt ?? 1,
    env: { GITHUB_API_URL: gh.url },
    secrets: [gh.token, gh.readOnlyToken],
    timeoutMs: 60_000,
  });
}

function ok(r: ActionRun): ActionRun {
  expect(r.exitCode, r.log).toBe(0);
  expect(r.leaks).toEqual([]);
  expect(
    r.annotations.filter((a) => a.level === 'error' || a.level === 'warning'),
    r.log,
  ).toEqual([]);
  return r;
}

const statusComments = (pr: number) => gh.comments(REPO, pr).filter((c) => String(c.body).startsWith(COMMENT_MARKER));
const sectionsOf = (pr: number) => parseStatusComment(statusComments(pr)[0]?.body ?? '');
const deploymentsOf = (env: string) => gh.deployments(REPO).filter((d) => d.environment === env);
const runUrl = (id: number) => `https://github.com/${REPO}/actions/runs/${id}`;

describe('comment-status (bundled, runner-style, GitHub stand-in)', () => {
  it('one comment and one deployment per head SHA through a whole lifecycle, re-runs and a second service', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const env = `preview/pr-${pr.number}`;
    const url = `https://app-pr-${pr.number}.preview.example.com/`;
    const first = ok(await run(pr, { state: 'queued' }, { runId: 1000 }));
    expect(first.outputs['comment-url']).toContain(`#issuecomment-${first.outputs['comment-id']}`);
    for (const state of ['building', 'deploying']) {
      const r = ok(
        await run(
          pr,
          {
            state,
            image: `123.dkr.ecr.eu-west-1.amazonaws.com/app-preview-${pr.number}:preview-${pr.head.sha}`,
            namespace: `preview-pr-${pr.number}`,
          },
          { runId: 1000 },
        ),
      );
      expect(r.outputs['comment-id']).toBe(first.outputs['comment-id']);
      expect(r.outputs['deployment-id']).toBe(first.outputs['deployment-id']);
    }
    gh.resetCounters();
    const ready = ok(
      await run(
        pr,
        {
          state: 'ready',
          url,
          namespace: `preview-pr-${pr.number}`,
          'vault-url': 'https://vault.example.com/ui/vault/secrets/secret/kv/preview%2Fapp-12',
        },
        { runId: 1000 },
      ),
    );
    const calls = Object.values(gh.counters()).reduce((a, b) => a + b, 0);
    expect(calls).toBeLessThanOrEqual(5);
    // A re-run of the same run (attempt 2) and a second service in the same comment.
    ok(await run(pr, { state: 'ready', url }, { runId: 1000, runAttempt: 2 }));
    ok(
      await run(
        pr,
        { state: 'ready', service: 'api', url: `https://api-pr-${pr.number}.preview.example.com/` },
        { runId: 1001 },
      ),
    );

    expect(statusComments(pr.number)).toHaveLength(1);
    expect(gh.comments(REPO, pr.number)).toHaveLength(1);
    expect(sectionsOf(pr.number).map((s) => [s.service, s.state, s.runId, s.runAttempt])).toEqual([
      ['api', 'ready', 1001, 1],
      ['app', 'ready', 1000, 2],
    ]);
    const body = statusComments(pr.number)[0].body as string;
    expect(body).toContain(`[\`${pr.head.sha.slice(0, 7)}\`](https://github.com/${REPO}/commit/${pr.head.sha})`);
    expect(body).toContain(`[run (attempt 2)](${runUrl(1000)})`);
    expect(ready.summary).toContain('| service | state | preview | commit | image | namespace | links |');
    expect(ready.summary).toContain('✅ ready');

    const deps = deploymentsOf(env);
    expect(deps).toHaveLength(1);
    expect(deps[0]).toMatchObject({
      sha: pr.head.sha,
      transient_environment: true,
      production_environment: false,
      state: 'success',
      payload: { 'managed-by': 'preview-fleet', repository: REPO, pr: pr.number },
    });
    expect(String(deps[0].id)).toBe(ready.outputs['deployment-id']);
    const statuses = [...deps[0].statuses].reverse().map((s: any) => s.state);
    expect(statuses).toEqual(['queued', 'in_progress', 'in_progress', 'success', 'success', 'success']);
    for (const s of deps[0].statuses.filter((x: any) => x.state === 'success')) {
      expect(s.environment_url).toMatch(/^https:\/\/(app|api)-pr-\d+\.preview\.example\.com\/$/);
      expect(s.log_url).toMatch(new RegExp(`^${runUrl(100)}\\d$`));
    }

    // A new commit: a new deployment for the new head SHA, the same comment.
    const sha2 = gh.pushCommit(REPO, pr.number);
    const next = ok(await run(pr, { state: 'deploying' }, { runId: 1002, headSha: sha2 }));
    expect(next.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(next.outputs['deployment-id']).not.toBe(ready.outputs['deployment-id']);
    expect(deploymentsOf(env).map((d) => d.sha)).toEqual([sha2, pr.head.sha]);
    expect(statusComments(pr.number)).toHaveLength(1);
  });

  it('keeps "View deployment": every status of a redeploy carries the last known environment_url (per service); a new preview\'s first statuses have none', async () => {
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const env = `preview/pr-${pr.number}`;
    const appUrl = `https://app-pr-${pr.number}.preview.example.com/`;
    const apiUrl = `https://api-pr-${pr.number}.preview.example.com/`;
    for (const state of ['queued', 'deploying']) ok(await run(pr, { state }, { runId: 2000 }));
    ok(await run(pr, { state: 'ready', url: appUrl }, { runId: 2000 }));
    ok(await run(pr, { state: 'ready', service: 'api', url: apiUrl }, { runId: 2001 }));
    // A push: the new head SHA's deployment goes through queued → building → deploying without a URL input.
    const sha2 = gh.pushCommit(REPO, pr.number);
    for (const state of ['queued', 'building', 'deploying'])
      ok(await run(pr, { state }, { runId: 2002, headSha: sha2 }));
    ok(await run(pr, { state: 'deploying', service: 'api' }, { runId: 2003, headSha: sha2 }));
    ok(await run(pr, { state: 'failed', service: 'api' }, { runId: 2003, headSha: sha2 }));

    const [second, first] = deploymentsOf(env);
    expect(second!.sha).toBe(sha2);
    const urls = (d: any) =>
      [...d.statuses].reverse().map((s: any) => [s.state, s.description.split(':')[0], s.environment_url]);
    expect(urls(first)).toEqual([
      ['queued', 'app', ''],
      ['in_progress', 'app', ''],
      ['success', 'app', appUrl],
      ['success', 'api', apiUrl],
    ]);
    expect(urls(second)).toEqual([
      ['queued', 'app', appUrl],
      ['in_progress', 'app', appUrl],
      ['in_progress', 'app', appUrl],
      ['in_progress', 'api', apiUrl],
      ['failure', 'api', apiUrl],
    ]);
    // Destroyed: inactive statuses carry no URL (the button should go).
    ok(await run(pr, { state: 'destroyed' }, { runId: 2004, headSha: sha2 }));
    for (const d of deploymentsOf(env)) expect(d.statuses[0]).toMatchObject({ state: 'inactive', environment_url: '' });
  });

  it('collapses a race: two marker comments created directly → one left, the oldest, holding every section', async () => {
    const pr = gh.openPullRequest(REPO);
    const ctx = { serverUrl: 'https://github.com', repository: REPO };
    const s = (service: string, runId: number): ServiceSection => ({
      service,
      state: 'deploying',
      runId,
      runAttempt: 1,
      updatedAt: '2026-01-01T00:00:00Z',
    });
    const ids: number[] = [];
    for (const [service, runId] of [
      ['app', 900],
      ['api', 901],
    ] as const) {
      ids.push(
        (
          await seed.rest.issues.createComment({
            owner: 'acme',
            repo: 'web',
            issue_number: pr.number,
            body: renderStatusComment([s(service, runId)], ctx),
          })
        ).data.id,
      );
    }
    const r = ok(await run(pr, { state: 'building', service: 'worker', deployment: 'false' }, { runId: 902 }));
    expect(r.outputs['comment-id']).toBe(String(ids[0]));
    expect(statusComments(pr.number).map((c) => c.id)).toEqual([ids[0]]);
    expect(sectionsOf(pr.number).map((x) => [x.service, x.state])).toEqual([
      ['api', 'deploying'],
      ['app', 'deploying'],
      ['worker', 'building'],
    ]);
    expect(r.log).toContain('collapsed 1 duplicate');
  });

  it('older-run guard: a late "deploying" from an older run never replaces "ready" (comment and deployment unchanged)', async () => {
    const pr = gh.openPullRequest(REPO);
    const env = `preview/pr-${pr.number}`;
    ok(await run(pr, { state: 'ready', url: 'https://app.example.com/' }, { runId: 2000 }));
    const before = { body: statusComments(pr.number)[0].body, statuses: deploymentsOf(env)[0].statuses.length };
    gh.resetCounters();
    const late = await run(pr, { state: 'deploying' }, { runId: 1999, runAttempt: 3 });
    expect(late.exitCode).toBe(0);
    expect(late.annotations).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining('run 2000 (attempt 1) already recorded "app" as ready'),
      }),
    ]);
    expect(statusComments(pr.number)[0].body).toBe(before.body);
    expect(deploymentsOf(env)[0].statuses).toHaveLength(before.statuses);
    expect(gh.counters()).toEqual({ 'issues/list-comments': 1 });
  });

  it('finds the comment past 100 others (150 seeded): one comment, two list calls per update', async () => {
    const pr = gh.openPullRequest(REPO);
    for (let i = 0; i < 150; i++)
      await seed.rest.issues.createComment({
        owner: 'acme',
        repo: 'web',
        issue_number: pr.number,
        body: `review note ${i}`,
      });
    const a = ok(await run(pr, { state: 'queued', deployment: 'false' }, { runId: 3000 }));
    gh.resetCounters();
    const b = ok(await run(pr, { state: 'building', deployment: 'false' }, { runId: 3000 }));
    expect(b.outputs['comment-id']).toBe(a.outputs['comment-id']);
    expect(gh.counters()).toEqual({ 'issues/list-comments': 2, 'issues/update-comment': 1 });
    expect(statusComments(pr.number)).toHaveLength(1);
    expect(gh.comments(REPO, pr.number)).toHaveLength(151);
  });

  it('failed shows the details collapsed; details over 65,536 characters are cut with a note, never a failure', async () => {
    const pr = gh.openPullRequest(REPO);
    const details = `Helm upgrade of "app-pr-${pr.number}" failed:\n\n\`\`\`\n${'ImagePullBackOff: back-off pulling image\n'.repeat(3000)}\`\`\``;
    const r = ok(await run(pr, { state: 'failed', details }, { runId: 4000 }));
    const body = statusComments(pr.number)[0].body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    // Booleans, not toMatch: a failure would print the 65 kB body.
    expect(body.includes('<details><summary><code>app</code>: why it failed</summary>')).toBe(true);
    expect(/_… truncated: the first \d+ of \d{6} characters are shown/.test(body)).toBe(true);
    expect(body.endsWith('</sub>')).toBe(true);
    expect(gh.deployments(REPO).find((d) => d.environment === `preview/pr-${pr.number}`)?.state).toBe('failure');
    expect(r.outputs['deployment-id']).toMatch(/^\d+$/);
  });

  it("destroyed marks only this PR's deployments inactive; another PR's stay active", async () => {
    const a = gh.openPullRequest(REPO);
    const b = gh.openPullRequest(REPO);
    ok(await run(a, { state: 'ready', url: 'https://a.example.com/' }, { runId: 5000 }));
    ok(await run(b, { state: 'ready', url: 'https://b.example.com/' }, { runId: 5001 }));
    ok(await run(a, { state: 'destroyed' }, { runId: 5002 }));
    expect(deploymentsOf(`preview/pr-${a.number}`).map((d) => d.state)).toEqual(['inactive']);
    expect(deploymentsOf(`preview/pr-${b.number}`).map((d) => d.state)).toEqual(['success']);
    expect(sectionsOf(a.number)[0].state).toBe('destroyed');
  });

  it("workflow_dispatch with pr-number: reads the PR's head and deploys it", async () => {
    const pr = gh.openPullRequest(REPO);
    const r = ok(
      await run(
        pr,
        { state: 'deploying', 'pr-number': String(pr.number) },
        { runId: 6000, eventName: 'workflow_dispatch' },
      ),
    );
    expect(deploymentsOf(`preview/pr-${pr.number}`)[0]).toMatchObject({ sha: pr.head.sha, state: 'in_progress' });
    expect(sectionsOf(pr.number)[0]).toMatchObject({ sha: pr.head.sha, runUrl: runUrl(6000) });
    expect(r.outputs['comment-id']).toMatch(/^\d+$/);
  });

  it('fork PR with a read-only token: a warning that says why and how to opt in, exit 0; fail-on-error makes it exit 1', async () => {
    const pr = gh.openPullRequest(REPO);
    const r = await run(pr, { state: 'deploying' }, { runId: 7000, fork: true, token: gh.readOnlyToken });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    const warnings = r.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(
      /HTTP 403.*read-only.*forks get a read-only GITHUB_TOKEN.*workflow_run.*GitHub App.*PR comment was not attempted either/s,
    );
    expect(gh.deployments(REPO).filter((d) => d.environment === `preview/pr-${pr.number}`)).toEqual([]);
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.outputs).toEqual({});
    expect(gh.comments(REPO, pr.number)).toHaveLength(0);

    const strict = await run(
      pr,
      { state: 'deploying', 'fail-on-error': 'true' },
      { runId: 7000, fork: true, token: gh.readOnlyToken },
    );
    expect(strict.exitCode).toBe(1);
    const errors = strict.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/read-only/);
    expect(strict.leaks).toEqual([]);
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs, each with one clear ::error:: and no request to GitHub`, async () => {
    const pr = gh.openPullRequest(REPO);
    gh.resetCounters();
    for (const c of BAD_INPUTS) {
      const r = await run(pr, c.inputs, { runId: 8000, eventName: c.dispatch ? 'workflow_dispatch' : 'pull_request' });
      expectInputRejected(r, c);
    }
    expect(gh.requestLog()).toEqual([]);
    expect(gh.comments(REPO, pr.number)).toHaveLength(0);
  });

  it('validate-only mode (the all-in-one action checks every step first): inputs checked, nothing sent', async () => {
    const pr = gh.openPullRequest(REPO);
    gh.resetCounters();
    const env = { GITHUB_API_URL: gh.url, PREVIEW_FLEET_VALIDATE_ONLY: 'true' };
    const event = pullRequestEvent('synchronize', { number: pr.number, repository: REPO, headSha: pr.head.sha });
    const good = await runActionProcess(actionDir, {
      inputs: { 'github-token': gh.token, state: 'queued' },
      event,
      repository: REPO,
      env,
      secrets: [gh.token],
    });
    expect(good.exitCode, good.log).toBe(0);
    const bad = await runActionProcess(actionDir, {
      inputs: { 'github-token': gh.token, state: 'done' },
      event,
      repository: REPO,
      env,
      secrets: [gh.token],
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations.filter((a) => a.level === 'error')[0].message).toContain('Input "state"');
    expect(gh.requestLog()).toEqual([]);
    expect([...good.leaks, ...bad.leaks]).toEqual([]);
  });

  it('a secondary rate limit and a 502 are ridden out by the Octokit throttling and retry plugins', async () => {
    const pr = gh.openPullRequest(REPO);
    gh.injectFault({
      method: 'GET',
      pathPattern: `/issues/${pr.number}/comments`,
      status: 403,
      secondary: true,
      retryAfter: 1,
      times: 1,
    });
    gh.injectFault({ method: 'POST', pathPattern: '/deployments', status: 502, times: 1 });
    const r = await run(pr, { state: 'deploying' }, { runId: 9100 });
    gh.clearFaults();
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    expect(r.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/secondary rate limit on GET .*retrying after 1s/),
      }),
    ]);
    expect(statusComments(pr.number)).toHaveLength(1);
    expect(deploymentsOf(`preview/pr-${pr.number}`)).toHaveLength(1);
    expect(r.outputs['deployment-id']).toMatch(/^\d+$/);
  });
});
