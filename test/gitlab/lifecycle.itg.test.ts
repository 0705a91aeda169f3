/**
 * The GitLab lifecycle end to end: the example .gitlab-ci.yml's jobs run by gitlab-ci-local (shell
 * executor), each running the bundled CLI (packages/cli/dist/preview-fleet.mjs, `npm run build`)
 * against the sandbox (Kubernetes with real helm/kubectl, Vault, ECR) and the GitLab stand-in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { startGitLab, type GitLabStandIn } from '@preview-fleet/sandbox/gitlab';
import {
  CLI_BUNDLE,
  checkout,
  jobVariables,
  writeStageSecrets,
  type Checkout,
} from '@preview-fleet/testkit/gitlab-pipeline';

const MARKER = '<!-- preview-fleet:status v1 -->';
const IMAGE = 'registry.sandbox.test/app:prebuilt';
let sandbox: Sandbox;
let gl: GitLabStandIn;
let co: Checkout;
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
  co = checkout();
  await writeStageSecrets(sandbox.env.VAULT_ADDR!, sandbox.env.VAULT_TOKEN!);
}, 180_000);
afterAll(async () => {
  co?.remove();
  await gl?.stop();
  await sandbox?.stop();
});

const vars = (mr: { iid: number; sha: string; labels: string[] } | undefined, extra: Record<string, string> = {}) =>
  jobVariables(
    {
      sandboxEnv: sandbox.env,
      gitlabUrl: gl.url,
      projectId,
      projectPath: 'acme/web',
      token,
      domain: sandbox.ingress!.domain,
      image: IMAGE,
      home: co.dir,
    },
    mr,
    extra,
  );

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

    const d1 = await co.run('preview:deploy', vars({ iid: mr.iid, sha: mr.sha, labels: ['preview'] }));
    expect(d1.exitCode, d1.log).toBe(0);
    expect(d1.log).toMatch(/\bv24\.\d+\.\d+/);
    expect(namespaceExists(mr.iid)).toBe(true);
    expect(await vaultPathExists(mr.iid)).toBe(true);
    const url = `https://app-pr-${mr.iid}.${sandbox.ingress!.domain}`;
    let notes = ourNotes(mr.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(url);
    expect(notes[0]!.body).toContain(IMAGE);
    // The dotenv report `environment: url: $PREVIEW_URL` reads.
    const dotenv = readFileSync(join(co.dir, 'preview.env'), 'utf8');
    expect(dotenv).toContain(`PREVIEW_URL=${url}`);

    const sha2 = gl.push(projectId, mr.iid);
    const d2 = await co.run('preview:deploy', vars({ iid: mr.iid, sha: sha2, labels: ['preview'] }));
    expect(d2.exitCode, d2.log).toBe(0);
    notes = ourNotes(mr.iid);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(sha2.slice(0, 7));
    expect(gl.notes(projectId, mr.iid).find((n) => n.id === foreign.id)!.body).toBe(forged);

    // `status` reads the note (ours only) and prints its table (async: the stand-ins answer from this process).
    const { stdout: status } = await promisify(execFile)(process.execPath, [CLI_BUNDLE, 'status'], {
      env: { ...process.env, ...vars({ iid: mr.iid, sha: sha2, labels: ['preview'] }) },
      encoding: 'utf8',
    });
    expect(status).toContain(`!${mr.iid}`);
    expect(status).toContain(url);
    expect(status).toContain('Ignored 1 marker note(s) not written by');

    const stop = await co.run('preview:stop', vars({ iid: mr.iid, sha: sha2, labels: ['preview'] }), { manual: true });
    expect(stop.exitCode, stop.log).toBe(0);
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
    const jwt = (extra: Record<string, string> = {}) => ({
      PREVIEW_FLEET_AUTH_METHOD: 'jwt',
      PREVIEW_FLEET_ROLE: 'gitlab-preview',
      PREVIEW_FLEET_TOKEN: '',
      PREVIEW_FLEET_ID_TOKEN: sandbox.oidc!.issue('vault', { project_path: 'acme/web', ...extra }),
    });
    const d = await co.run('preview:deploy', vars({ iid: mr.iid, sha: mr.sha, labels: ['preview'] }, jwt()));
    expect(d.exitCode, d.log).toBe(0);
    expect(namespaceExists(mr.iid)).toBe(true);
    gl.closeMergeRequest(projectId, mr.iid);
    // Another project's id_token is refused by the role: the Vault path stays and the job fails; the
    // namespace of the MR GitLab confirms closed still goes (kinds that listed are reaped, as on GitHub).
    const foreign = await co.run('preview:reap', vars(undefined, jwt({ project_path: 'evil/web' })));
    expect(foreign.exitCode).not.toBe(0);
    expect(await vaultPathExists(mr.iid)).toBe(true);
    const reap = await co.run('preview:reap', vars(undefined, jwt()), { node: '/usr/bin/node' });
    expect(reap.exitCode, reap.log).toBe(0);
    expect(reap.log).toMatch(/\bv20\.\d+\.\d+/);
    expect(namespaceExists(mr.iid)).toBe(false);
    expect(await vaultPathExists(mr.iid)).toBe(false);
    expect(ourNotes(mr.iid)[0]!.body).toMatch(/destroyed/);
  }, 600_000);

  it('a bad input fails the job with a clear error before anything is created or noted', async () => {
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'] });
    gl.resetCounters();
    const r = await co.run(
      'preview:deploy',
      vars({ iid: mr.iid, sha: mr.sha, labels: ['preview'] }, { PREVIEW_FLEET_TIMEOUT: 'soon' }),
    );
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
