/**
 * The GitLab lifecycle end to end: the example .gitlab-ci.yml's jobs run by gitlab-ci-local (shell
 * executor, through the testkit's `runGitLabCiJob`: MR pipeline variables, CI_JOB_TOKEN, `id_tokens:`,
 * rules honoured), each running the bundled CLI (packages/cli/dist/preview-fleet.mjs, `npm run build`)
 * against the sandbox (Kubernetes with real helm/kubectl, Vault, ECR) and the GitLab stand-in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { startGitLab, type GitLabStandIn } from '@preview-fleet/sandbox/gitlab';
import { runGitLabCiJob, type GitLabCiJobResult } from '@preview-fleet/testkit/gitlab-ci-local';
import {
  CLI_BUNDLE,
  exampleJob,
  writeStageSecrets,
  type PipelineMergeRequest,
  type PipelineWorld,
} from '@preview-fleet/testkit/gitlab-pipeline';

const MARKER = '<!-- preview-fleet:status v1 -->';
const IMAGE = 'registry.sandbox.test/app:prebuilt';
let sandbox: Sandbox;
let gl: GitLabStandIn;
const cleanups: Array<() => void> = [];
let projectId: number;
let token: string;
let bot: string;

beforeAll(async () => {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run "npm run build" first`);
  sandbox = await startSandbox({ only: ['kube', 'vault', 'ecr'], repository: 'acme/web' });
  gl = await startGitLab();
  projectId = gl.createProject('acme/web').id as number;
  ({
    token,
    user: { username: bot },
  } = gl.createProjectAccessToken(projectId));
  await writeStageSecrets(sandbox.env.VAULT_ADDR!, sandbox.env.VAULT_TOKEN!);
}, 180_000);
afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await gl?.stop();
  await sandbox?.stop();
});

/** Signs the example's `id_tokens:` as the sandbox's OIDC issuer (Vault's JWT role trusts it). */
const signer =
  (claims: Record<string, string> = {}): PipelineWorld['idToken'] =>
  (aud) =>
    sandbox.oidc!.issue(String(aud), { project_path: 'acme/web', ...claims });
const world = (): PipelineWorld => ({
  sandboxEnv: sandbox.env,
  gitlabUrl: gl.url,
  projectId,
  projectPath: 'acme/web',
  token,
  domain: sandbox.ingress!.domain,
  image: IMAGE,
  idToken: signer(),
  jobToken: gl.createJobToken(projectId),
});
/** The MR pipeline of `iid` at `sha` (default its head). */
const mrAt = (iid: number, sha?: string): PipelineMergeRequest => {
  const mr = gl.mergeRequest(projectId, iid)!;
  return {
    iid,
    sha: sha ?? (mr.sha as string),
    sourceBranch: mr.source_branch as string,
    labels: mr.labels as string[],
  };
};
/** Runs `job` of the example with runGitLabCiJob; its copy is removed after all tests. */
async function run(
  job: string,
  mr: PipelineMergeRequest | undefined,
  extra: Record<string, string> = {},
  o: Parameters<typeof exampleJob>[4] = {},
): Promise<GitLabCiJobResult> {
  const r = await runGitLabCiJob(exampleJob(world(), job, mr, extra, o));
  cleanups.push(r.cleanup);
  return r;
}

const namespaceExists = (n: number) =>
  sandbox.kube!.store.get(sandbox.kube!.store.types.byKind('Namespace')!, '', `preview-pr-${n}`) !== undefined;
async function vaultPathExists(n: number): Promise<boolean> {
  const r = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/metadata/preview/app-${n}`, {
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN! },
  });
  return r.status === 200;
}
const ourNotes = (iid: number) =>
  gl.notes(projectId, iid).filter((n) => String(n.body).startsWith(MARKER) && n.author.username === bot);

describe('GitLab merge requests through .gitlab-ci.yml and the bundled CLI', () => {
  it('labelled MR → preview with one note and the URL; a push redeploys under the same note; the stop job removes everything', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const forged = `${MARKER}\nforged by someone else`;
    const foreign = gl.addNote(projectId, mr.iid, forged, { author: 'mallory' });

    const d1 = await run('preview:deploy', mrAt(mr.iid));
    expect(d1.exitCode, d1.log).toBe(0);
    expect(d1.passed, d1.log).toBe(true);
    expect(d1.log).toMatch(/\bv24\.\d+\.\d+/);
    expect(namespaceExists(mr.iid)).toBe(true);
    expect(await vaultPathExists(mr.iid)).toBe(true);
    const url = `https://app-pr-${mr.iid}.${sandbox.ingress!.domain}`;
    let notes = ourNotes(mr.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(url);
    expect(notes[0]!.body).toContain(IMAGE);
    // The dotenv report `environment: url: $PREVIEW_URL` reads.
    const dotenv = readFileSync(join(d1.workDir, 'preview.env'), 'utf8');
    expect(dotenv).toContain(`PREVIEW_URL=${url}`);
    expect(d1.environment).toMatchObject({ name: `preview/mr-${mr.iid}`, url, autoStopIn: '72 hours' });

    const sha2 = gl.push(projectId, mr.iid);
    const d2 = await run('preview:deploy', mrAt(mr.iid, sha2));
    expect(d2.exitCode, d2.log).toBe(0);
    expect(d2.passed, d2.log).toBe(true);
    notes = ourNotes(mr.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(sha2.slice(0, 7));
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === foreign.id)!.body).toBe(forged);

    // `status` reads the note (ours only) and prints its table (async: the stand-ins answer from this process).
    const { stdout: status } = await promisify(execFile)(process.execPath, [CLI_BUNDLE, 'status'], {
      env: { ...process.env, ...d2.variables },
      encoding: 'utf8',
    });
    expect(status).toContain(`!${mr.iid}`);
    expect(status).toContain(url);
    expect(status).toContain('Ignored 1 marker note(s) not written by');

    const stop = await run('preview:stop', mrAt(mr.iid, sha2));
    expect(stop.exitCode, stop.log).toBe(0);
    // A manual job with allow_failure: exit code 0 either way, so the job itself must have passed.
    expect({ when: stop.when, passed: stop.passed }, stop.log).toEqual({ when: 'manual', passed: true });
    expect(namespaceExists(mr.iid)).toBe(false);
    expect(await vaultPathExists(mr.iid)).toBe(false);
    notes = ourNotes(mr.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/destroyed/);
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === foreign.id)!.body).toBe(forged);
    // No secret in any job log: the CLI prints no ::add-mask:: lines (they would print the value on GitLab).
    for (const log of [d1.log, d2.log, stop.log]) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(sandbox.env.VAULT_TOKEN!);
      expect(log).not.toContain('::add-mask::');
    }
    gl.assertContract();
  }, 600_000);

  it('an MR closed without its stop job: the scheduled reaper (CLI on Node 20) removes its preview; Vault by the id_token', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    // Vault by the job's OIDC id_token (`id_tokens: PREVIEW_FLEET_ID_TOKEN`), a JWT role bound to project_path.
    sandbox.vault!.addJwtRole('gitlab-preview', {
      policies: ['preview'],
      boundAudiences: ['vault'],
      boundClaims: { project_path: 'acme/web' },
    });
    // The example's `id_tokens:` (aud: vault) signed with these claims; Vault auth by JWT.
    const jwt = { PREVIEW_FLEET_AUTH_METHOD: 'jwt', PREVIEW_FLEET_ROLE: 'gitlab-preview', PREVIEW_FLEET_TOKEN: '' };
    const d = await run('preview:deploy', mrAt(mr.iid), jwt);
    expect(d.exitCode, d.log).toBe(0);
    expect(d.passed, d.log).toBe(true);
    expect(namespaceExists(mr.iid)).toBe(true);
    gl.closeMergeRequest(projectId, mr.iid);
    // Another project's id_token is refused by the role: the Vault path stays and the job fails; the
    // namespace of the MR GitLab confirms closed still goes (kinds that listed are reaped, as on GitHub).
    const foreign = await run('preview:reap', undefined, jwt, { idToken: signer({ project_path: 'evil/web' }) });
    expect(foreign.when).toBe('on_success');
    expect(foreign.exitCode).not.toBe(0);
    expect(await vaultPathExists(mr.iid)).toBe(true);
    const reap = await run('preview:reap', undefined, jwt, { jobNode: '/usr/bin/node' });
    expect(reap.exitCode, reap.log).toBe(0);
    expect(reap.passed, reap.log).toBe(true);
    expect(reap.log).toMatch(/\bv20\.\d+\.\d+/);
    expect(namespaceExists(mr.iid)).toBe(false);
    expect(await vaultPathExists(mr.iid)).toBe(false);
    expect(ourNotes(mr.iid)[0]!.body).toMatch(/destroyed/);
  }, 600_000);

  it('a bad input fails the job with a clear error before anything is created or noted', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    gl.resetCounters();
    const r = await run('preview:deploy', mrAt(mr.iid), { PREVIEW_FLEET_TIMEOUT: 'soon' });
    expect(r.when).toBe('on_success');
    expect(r.exitCode).not.toBe(0);
    expect(r.log).toContain('Input "timeout"');
    expect(r.log).toContain('"soon"');
    expect(r.log).toMatch(/nothing was created or deleted/);
    expect(namespaceExists(mr.iid)).toBe(false);
    expect(await vaultPathExists(mr.iid)).toBe(false);
    expect(gl.notes(projectId, mr.iid).filter((n) => !n.system)).toEqual([]);
    expect(gl.requestLog().filter((x) => x.method !== 'GET')).toEqual([]);
  }, 300_000);
});
