import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { startGitHub, type GitHubStandIn } from '../../src/github/index.js';
import { clientFor } from './client.js';

const clock = new FakeClock();
let gh: GitHubStandIn;
let n = 0;
/** Each test gets its own repository, so deployment rules see only its own deployments. */
const fresh = (): { owner: string; repo: string; full: string } => {
  n++;
  return { owner: 'acme', repo: `deploy-${n}`, full: `acme/deploy-${n}` };
};

beforeAll(async () => {
  gh = await startGitHub({ clock });
});
afterEach(() => gh.assertContract());
afterAll(async () => gh.stop());

async function deploy(
  r: { owner: string; repo: string },
  ref: string,
  environment: string,
  extra: Record<string, unknown> = {},
) {
  const { data } = await clientFor(gh).rest.repos.createDeployment({
    owner: r.owner,
    repo: r.repo,
    ref,
    environment,
    auto_merge: false,
    required_contexts: [],
    ...extra,
  });
  return (data as { id: number }).id;
}
async function status(
  r: { owner: string; repo: string },
  id: number,
  state: 'success' | 'failure' | 'inactive' | 'in_progress',
  extra: Record<string, unknown> = {},
) {
  return (
    await clientFor(gh).rest.repos.createDeploymentStatus({
      owner: r.owner,
      repo: r.repo,
      deployment_id: id,
      state,
      ...extra,
    })
  ).data;
}
const stateOf = (full: string, id: number): string | undefined => gh.deployments(full).find((d) => d.id === id)?.state;

describe('GitHub stand-in: deployments', () => {
  it('auto_inactive: a success marks earlier successful non-transient, non-production deployments of the same environment inactive, nothing else', async () => {
    const r = fresh();
    const pr = gh.openPullRequest(r.full);
    const old = await deploy(r, pr.head.sha, 'preview/pr-1');
    const failed = await deploy(r, pr.head.sha, 'preview/pr-1');
    const transient = await deploy(r, pr.head.sha, 'preview/pr-1', { transient_environment: true });
    const production = await deploy(r, pr.head.sha, 'preview/pr-1', { production_environment: true });
    const other = await deploy(r, pr.head.sha, 'preview/pr-2');
    await status(r, old, 'success');
    await status(r, failed, 'failure');
    await status(r, transient, 'success');
    await status(r, production, 'success');
    await status(r, other, 'success');

    const sha2 = gh.pushCommit(r.full, pr.number);
    const current = await deploy(r, sha2, 'preview/pr-1');
    const created = await status(r, current, 'success', {
      environment_url: 'https://web-pr-1.preview.example.com',
      log_url: 'https://github.com/acme/web/actions/runs/1',
    });
    expect(created).toMatchObject({
      state: 'success',
      environment: 'preview/pr-1',
      environment_url: 'https://web-pr-1.preview.example.com',
      log_url: 'https://github.com/acme/web/actions/runs/1',
    });

    expect(stateOf(r.full, old)).toBe('inactive');
    expect(stateOf(r.full, failed)).toBe('failure');
    expect(stateOf(r.full, transient)).toBe('success');
    expect(stateOf(r.full, production)).toBe('success');
    expect(stateOf(r.full, other)).toBe('success');
    expect(stateOf(r.full, current)).toBe('success');
    const statuses = await clientFor(gh).rest.repos.listDeploymentStatuses({
      owner: r.owner,
      repo: r.repo,
      deployment_id: old,
    });
    expect(statuses.data.map((s) => s.state)).toEqual(['inactive', 'success']);
  });

  it('auto_inactive: false leaves earlier deployments alone', async () => {
    const r = fresh();
    const pr = gh.openPullRequest(r.full);
    const a = await deploy(r, pr.head.sha, 'preview/pr-1');
    await status(r, a, 'success');
    const b = await deploy(r, pr.head.sha, 'preview/pr-1');
    await status(r, b, 'success', { auto_inactive: false });
    expect([stateOf(r.full, a), stateOf(r.full, b)]).toEqual(['success', 'success']);
  });

  it("deleting an active deployment is refused (422, GitHub's message); inactive ones go", async () => {
    const r = fresh();
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest(r.full);
    const a = await deploy(r, pr.head.sha, 'preview/pr-1');
    const b = await deploy(r, pr.head.sha, 'preview/pr-1');
    await status(r, a, 'success');
    const err = await octokit.rest.repos
      .deleteDeployment({ owner: r.owner, repo: r.repo, deployment_id: a })
      .catch((e: unknown) => e as any);
    expect(err.status).toBe(422);
    expect(err.response.data.message).toBe(
      'We cannot delete an active deployment unless it is the only deployment in a given environment.',
    );
    await status(r, a, 'inactive');
    await octokit.rest.repos.deleteDeployment({ owner: r.owner, repo: r.repo, deployment_id: a });
    // The only deployment left may go whatever its state (REST docs, "Delete a deployment").
    await octokit.rest.repos.deleteDeployment({ owner: r.owner, repo: r.repo, deployment_id: b });
    expect(gh.deployments(r.full)).toEqual([]);
    await expect(
      octokit.rest.repos.getDeployment({ owner: r.owner, repo: r.repo, deployment_id: a }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('required_contexts that are not all success answer 409 with the failing contexts', async () => {
    const r = fresh();
    const pr = gh.openPullRequest(r.full);
    gh.setCommitStatus(r.full, pr.head.sha, 'ci/build', 'success');
    gh.setCommitStatus(r.full, pr.head.sha, 'ci/lint', 'failure');
    const err = await clientFor(gh)
      .rest.repos.createDeployment({ owner: r.owner, repo: r.repo, ref: pr.head.sha, environment: 'preview/pr-1' })
      .catch((e: unknown) => e as any);
    expect(err.status).toBe(409);
    expect(err.response.data).toMatchObject({
      message: `Conflict: Commit status checks failed for ${pr.head.sha}.`,
      errors: [
        {
          field: 'required_contexts',
          contexts: [
            { context: 'ci/build', state: 'success' },
            { context: 'ci/lint', state: 'failure' },
          ],
        },
      ],
    });
    await expect(deploy(r, pr.head.sha, 'preview/pr-1', { required_contexts: ['ci/build'] })).resolves.toBeTypeOf(
      'number',
    );
    await expect(deploy(r, pr.head.sha, 'preview/pr-1', { required_contexts: ['ci/e2e'] })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('list filters by environment, sha and ref, newest first, paginated; payload and flags round-trip', async () => {
    const r = fresh();
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest(r.full);
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        await deploy(r, pr.head.sha, 'preview/pr-7', {
          payload: { service: `s${i}` },
          transient_environment: true,
          description: 'preview',
        }),
      );
    await deploy(r, 'main', 'staging');
    const all = await octokit.paginate(octokit.rest.repos.listDeployments, {
      owner: r.owner,
      repo: r.repo,
      environment: 'preview/pr-7',
      per_page: 2,
    });
    expect(all.map((d) => d.id)).toEqual([...ids].reverse());
    expect(all[0]).toMatchObject({
      environment: 'preview/pr-7',
      transient_environment: true,
      production_environment: false,
      payload: { service: 's2' },
      sha: pr.head.sha,
    });
    expect(
      (await octokit.rest.repos.listDeployments({ owner: r.owner, repo: r.repo, ref: 'main' })).data.map(
        (d) => d.environment,
      ),
    ).toEqual(['staging']);
    expect(
      (await octokit.rest.repos.listDeployments({ owner: r.owner, repo: r.repo, sha: pr.head.sha })).data,
    ).toHaveLength(3);
    await expect(deploy(r, 'no-such-branch', 'x')).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('No ref found for: no-such-branch'),
    });
  });

  it('environments: created by the first deployment, read and deleted by their URL-encoded name', async () => {
    const r = fresh();
    const octokit = clientFor(gh);
    const pr = gh.openPullRequest(r.full);
    await deploy(r, pr.head.sha, 'preview/pr-5');
    const { data: env } = await octokit.rest.repos.getEnvironment({
      owner: r.owner,
      repo: r.repo,
      environment_name: 'preview/pr-5',
    });
    expect(env.name).toBe('preview/pr-5');
    expect(gh.requestLog().at(-1)?.path).toBe(`/repos/${r.full}/environments/preview%2Fpr-5`);
    expect(gh.environments(r.full)).toEqual(['preview/pr-5']);
    await octokit.rest.repos.deleteAnEnvironment({ owner: r.owner, repo: r.repo, environment_name: 'preview/pr-5' });
    await expect(
      octokit.rest.repos.getEnvironment({ owner: r.owner, repo: r.repo, environment_name: 'preview/pr-5' }),
    ).rejects.toMatchObject({ status: 404 });
    expect(gh.environments(r.full)).toEqual([]);
  });
});
