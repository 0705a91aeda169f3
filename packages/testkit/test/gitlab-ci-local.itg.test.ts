import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitLab, type GitLabStandIn } from '@preview-fleet/sandbox/gitlab';
import { previewPolicy, startVault, type VaultStandIn } from '@preview-fleet/sandbox/vault';
import { runGitLabCiJob, type GitLabCiJobOptions } from '../src/gitlab-ci-local.js';
import { repoRoot } from '../src/tools.js';

const fixture = join(repoRoot, 'packages/testkit/test/fixtures/gitlab-ci');
let gl: GitLabStandIn;
let vault: VaultStandIn;
let projectId: number;

beforeAll(async () => {
  gl = await startGitLab();
  projectId = gl.createProject('acme/web').id as number;
  vault = await startVault({ oidc: { issuer: gl.url, jwksUrl: gl.idTokens.jwksUrl } });
  vault.writePolicy('preview', previewPolicy());
  vault.addJwtRole('preview', {
    policies: ['preview'],
    boundAudiences: [gl.url],
    boundClaims: { project_path: 'acme/web' },
    userClaim: 'user_login',
  });
});
afterAll(async () => {
  await vault?.stop();
  await gl?.stop();
});

/** The options a merge-request pipeline of `iid` gets: job token, ID tokens signed by the stand-in. */
function mrPipeline(iid: number, job: string): GitLabCiJobOptions {
  const mr = gl.mergeRequest(projectId, iid)!;
  return {
    dir: fixture,
    job,
    serverUrl: gl.url,
    projectId,
    projectPath: 'acme/web',
    mergeRequest: { iid, sha: mr.sha, sourceBranch: mr.source_branch, labels: mr.labels },
    jobToken: gl.createJobToken(projectId),
    idToken: (aud) => gl.issueIdToken(projectId, { aud, mergeRequestIid: iid, environment: `review/mr-${iid}` }),
    variables: { VAULT_ADDR: vault.url, VAULT_ROLE: 'preview' },
  };
}

describe('gitlab-ci-local harness: one job of a .gitlab-ci.yml, shell executor, MR pipeline variables', () => {
  it('runs a labelled MR’s deploy job: job token, id_tokens → Vault, environment URL, dotenv report', async () => {
    const { iid } = gl.openMergeRequest(projectId, { labels: ['preview'], sourceBranch: 'feat/login' });
    const r = await runGitLabCiJob(mrPipeline(iid as number, 'deploy'));
    try {
      expect(r.when).toBe('on_success');
      expect({ exitCode: r.exitCode, passed: r.passed }, r.log).toEqual({ exitCode: 0, passed: true });
      expect(r.jobLog).toContain(`deployed https://mr-${iid}.preview.example.com`);
      expect(r.dotenv).toEqual({
        MR_STATE: 'opened',
        MR_SHA_MATCHES: 'true',
        VAULT_POLICIES: 'default,preview',
        ENV_NAME: `review/mr-${iid}`,
        ENV_URL: `https://mr-${iid}.preview.example.com`,
        COMMIT_BRANCH: '',
        REF_NAME: 'feat/login',
        GITLAB_CI: 'true',
      });
      expect(gl.requestLog().some((l) => l.operation === 'MergeRequests.show' && l.token === 'job')).toBe(true);
      expect(vault.counters()['jwt-login']).toBeGreaterThanOrEqual(1);
      expect(r.log).not.toContain('Avoid overriding predefined variables');
      // gitlab-ci-local's own artifact copy went through rsync-subset.mjs (this machine has no rsync).
      expect(
        existsSync(join(r.workDir, '.gitlab-ci-local/artifacts/deploy/.gitlab-ci-reports/dotenv/deploy.env')),
      ).toBe(true);
    } finally {
      r.cleanup();
    }
    expect(existsSync(r.workDir)).toBe(false);
  });

  it('runs a manual stop job (action: stop) and hands back each job’s environment for the stand-in', async () => {
    const { iid } = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const deploy = await runGitLabCiJob(mrPipeline(iid as number, 'deploy'));
    deploy.cleanup();
    expect(deploy.passed, deploy.log).toBe(true);
    expect(deploy.environment).toEqual({
      name: `review/mr-${iid}`,
      url: `https://mr-${iid}.preview.example.com`,
      autoStopIn: '72 hours',
    });
    const live = gl.applyJobEnvironment(projectId, deploy.environment!);
    expect(live).toMatchObject({ state: 'available', external_url: `https://mr-${iid}.preview.example.com` });
    expect(Date.parse(live!.auto_stop_at as string) - Date.parse(live!.updated_at as string)).toBe(72 * 3600_000);

    const stop = await runGitLabCiJob(mrPipeline(iid as number, 'stop'));
    stop.cleanup();
    expect({ when: stop.when, passed: stop.passed }, stop.log).toEqual({ when: 'manual', passed: true });
    expect(stop.jobLog).toContain(`stopping review/mr-${iid}`);
    expect(gl.applyJobEnvironment(projectId, stop.environment!)).toMatchObject({ state: 'stopped' });
  });

  it('does not run a job its rules leave out (an MR without the label), as GitLab would not create it', async () => {
    const { iid } = gl.openMergeRequest(projectId, { labels: ['other'] });
    const r = await runGitLabCiJob(mrPipeline(iid as number, 'deploy'));
    r.cleanup();
    expect({ when: r.when, passed: r.passed, jobLog: r.jobLog }).toEqual({ when: 'never', passed: false, jobLog: '' });
  });

  it('returns a failing job’s exit code and log', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    const r = await runGitLabCiJob({ ...mrPipeline(iid as number, 'fail'), idToken: undefined });
    r.cleanup();
    expect(r.exitCode).not.toBe(0);
    expect(r.passed).toBe(false);
    expect(r.jobLog).toContain('about to fail');
    expect(r.log).toMatch(/FAIL\s+fail/);
  });

  it('runs the job’s node from `jobNode` (a runner image’s Node 20) while gitlab-ci-local keeps Node 24', async () => {
    const { iid } = gl.openMergeRequest(projectId);
    const own = await runGitLabCiJob({ ...mrPipeline(iid as number, 'node-version'), idToken: undefined });
    own.cleanup();
    expect(own.passed, own.log).toBe(true);
    expect(own.jobLog).toMatch(/\bv24\.\d+\.\d+/);
    const r = await runGitLabCiJob({
      ...mrPipeline(iid as number, 'node-version'),
      idToken: undefined,
      jobNode: '/usr/bin/node',
    });
    r.cleanup();
    expect(r.passed, r.log).toBe(true);
    expect(r.jobLog).toMatch(/\bv20\.\d+\.\d+/);
  });
});
