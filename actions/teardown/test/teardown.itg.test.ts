import { getOctokit } from '@actions/github';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseStatusComment, renderStatusComment } from '@preview-fleet/core/github';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { BAD_INPUTS } from './bad-inputs.js';
import { REPOSITORY, startWorld, teardownDir, type World } from './fixture.js';
import { expectInputRejected } from '@preview-fleet/testkit/bad-input';

let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterEach(() => {
  expect(w.gh.contractViolations()).toEqual([]);
  expect(w.vault.contractViolations).toEqual([]);
});
afterAll(async () => w?.stop());

interface Report {
  pr: number;
  failed: boolean;
  nothingFound: boolean;
  results: Array<{ kind: string; name: string; status: string; reason?: string }>;
}

function closed(pr: number, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return runActionProcess(teardownDir, {
    inputs: { ...w.inputs, ...inputs },
    event: pullRequestEvent('closed', { number: pr, repository: REPOSITORY, labels: ['preview'] }),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env: w.env,
    secrets: [w.vaultToken, w.gh.token],
    timeoutMs: 170_000,
  });
}
function dispatch(inputs: Record<string, string>): Promise<ActionRun> {
  return runActionProcess(teardownDir, {
    inputs: { ...w.inputs, ...inputs },
    event: { inputs },
    eventName: 'workflow_dispatch',
    repository: REPOSITORY,
    env: w.env,
    secrets: [w.vaultToken, w.gh.token],
    timeoutMs: 170_000,
  });
}
const report = (r: ActionRun): Report => JSON.parse(r.outputs.report!) as Report;
const rows = (r: ActionRun): string[] => report(r).results.map((x) => `${x.kind} ${x.name} ${x.status}`);

function untouched(): void {
  for (const n of ['default', 'kube-system', 'preview-pr-5']) expect(w.namespaceExists(n), n).toBe(true);
}

describe('teardown (bundled, runner-style: kube + helm 4 + kubectl, GitHub, Vault, moto)', () => {
  it('removes every kind of a deployed two-service PR in order, shows "destroyed" with the table; a second run finds all already gone', async () => {
    const { pr } = await w.deploy({ services: ['app', 'api'] });
    const ns = `preview-pr-${pr}`;
    expect(w.releases(ns).sort()).toEqual([`api-pr-${pr}`, `app-pr-${pr}`]);
    expect(w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${pr}`)).not.toHaveLength(0);

    const first = await closed(pr, { services: 'app,api' });
    expect(first.exitCode, first.log).toBe(0);
    expect(first.leaks).toEqual([]);
    expect(rows(first)).toEqual([
      `release ${ns}/app-pr-${pr} deleted`,
      `release ${ns}/api-pr-${pr} deleted`,
      `namespace ${ns} deleted`,
      `vault-path secret/preview/app-${pr} deleted`,
      `vault-path secret/preview/api-${pr} deleted`,
      `ecr-repository app-preview-${pr} deleted`,
      `ecr-repository api-preview-${pr} deleted`,
      ...report(first)
        .results.filter((x) => x.kind === 'deployment')
        .map((x) => `deployment ${x.name} deleted`),
    ]);
    expect(report(first).results.filter((x) => x.kind === 'deployment').length).toBeGreaterThan(0);
    expect(w.namespaceExists(ns)).toBe(false);
    expect(w.vaultPathExists(`preview/app-${pr}`)).toBe(false);
    expect(await w.repositoryExists(`app-preview-${pr}`)).toBe(false);
    expect(await w.repositoryExists(`api-preview-${pr}`)).toBe(false);
    expect(w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${pr}`)).toEqual([]);
    const comments = w.gh.comments(REPOSITORY, pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('🗑️ destroyed');
    expect(comments[0]!.body).toContain(`| namespace | \`${ns}\` | 🗑️ deleted |`);
    expect(first.summary).toContain(`The preview of PR #${pr} is destroyed.`);
    untouched();

    const second = await dispatch({ 'pr-number': String(pr), services: 'app,api' });
    expect(second.exitCode, second.log).toBe(0);
    expect(report(second)).toMatchObject({ failed: false, nothingFound: true });
    expect(report(second).results.every((x) => x.status === 'already-gone')).toBe(true);
    expect(second.summary).toContain('Nothing to remove');
    expect(w.gh.comments(REPOSITORY, pr)).toHaveLength(1);
    untouched();
  });

  it('a service deployed as "App Server" (release app-server-pr-N) is torn down by that same name (issue 14 item 18)', async () => {
    // deploy-helm, seed-vault and build-push normalise "App Server" to app-server (test/naming/service-names.test.ts).
    const { pr } = await w.deploy({ services: ['app-server'] });
    const ns = `preview-pr-${pr}`;
    expect(w.releases(ns)).toEqual([`app-server-pr-${pr}`]);
    const r = await closed(pr, { services: 'App Server' });
    expect(r.exitCode, r.log).toBe(0);
    expect(rows(r)).toEqual(
      expect.arrayContaining([
        `release ${ns}/app-server-pr-${pr} deleted`,
        `namespace ${ns} deleted`,
        `vault-path secret/preview/app-server-${pr} deleted`,
        `ecr-repository app-server-preview-${pr} deleted`,
      ]),
    );
    expect(w.vaultPathExists(`preview/app-server-${pr}`)).toBe(false);
    expect(await w.repositoryExists(`app-server-preview-${pr}`)).toBe(false);
    untouched();
  });

  it('Vault 503 in one step: every other resource is still removed, the job fails naming it, the comment says failed with the table', async () => {
    const { pr } = await w.deploy();
    w.vault.injectFault({ pathPattern: new RegExp(`/v1/secret/metadata/preview/app-${pr}$`), status: 503 });
    const r = await closed(pr);
    w.vault.clearFaults();
    expect(r.exitCode).toBe(1);
    expect(r.leaks).toEqual([]);
    const vaultRow = report(r).results.find((x) => x.kind === 'vault-path')!;
    expect(vaultRow).toMatchObject({ status: 'failed', name: `secret/preview/app-${pr}` });
    expect(vaultRow.reason).toMatch(/503/);
    expect(
      report(r)
        .results.filter((x) => x.kind !== 'vault-path')
        .every((x) => x.status === 'deleted'),
    ).toBe(true);
    expect(w.namespaceExists(`preview-pr-${pr}`)).toBe(false);
    expect(await w.repositoryExists(`app-preview-${pr}`)).toBe(false);
    expect(w.vaultPathExists(`preview/app-${pr}`)).toBe(true);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(
      `Teardown of PR #${pr} failed for 1 resource(s): vault-path secret/preview/app-${pr}`,
    );
    const body = w.gh.comments(REPOSITORY, pr)[0]!.body as string;
    expect(body).toContain('❌ failed');
    expect(body).toContain(`| vault-path | \`secret/preview/app-${pr}\` | ❌ failed |`);

    // Once Vault is back, a re-run finishes the job.
    const again = await closed(pr);
    expect(again.exitCode, again.log).toBe(0);
    expect(rows(again)).toContain(`vault-path secret/preview/app-${pr} deleted`);
  });

  it('a namespace stuck Terminating fails the job with the finalizer holding it; everything else still goes', async () => {
    const { pr } = await w.deploy();
    w.kube.scenarios.holdNamespace(`preview-pr-${pr}`, 'example.com/stuck-operator');
    // `timeout` bounds the whole step; the namespace wait gets what is left less a reserve for the later steps.
    const r = await closed(pr, { timeout: '15s' });
    expect(r.exitCode, r.log).toBe(1);
    const row = report(r).results.find((x) => x.kind === 'namespace')!;
    expect(row.status).toBe('failed');
    expect(row.reason).toMatch(
      /stuck Terminating; finalizers holding it: .*example\.com\/stuck-operator.*\(waited \d+s\)/,
    );
    expect(
      report(r)
        .results.filter((x) => x.kind !== 'namespace')
        .every((x) => x.status === 'deleted'),
    ).toBe(true);
    expect(await w.repositoryExists(`app-preview-${pr}`)).toBe(false);
    expect(r.annotations.filter((a) => a.level === 'error')[0]!.message).toContain('example.com/stuck-operator');
    expect(w.gh.comments(REPOSITORY, pr)[0]!.body).toContain('example.com/stuck-operator');
  });

  it('a PR that never had a preview is a no-op: no error, no comment created', async () => {
    const pull = w.gh.openPullRequest(REPOSITORY, { labels: [] });
    const r = await closed(pull.number as number);
    expect(r.exitCode, r.log).toBe(0);
    expect(report(r)).toMatchObject({ failed: false, nothingFound: true });
    expect(w.gh.comments(REPOSITORY, pull.number as number)).toEqual([]);
    expect(r.log).toContain('has no preview');
  });

  it('a look-alike namespace without marks (preview-pr-5) is reported skipped-unmarked and left in place', async () => {
    const r = await dispatch({ 'pr-number': '5' });
    expect(r.exitCode, r.log).toBe(0);
    expect(report(r).results.find((x) => x.kind === 'namespace')).toMatchObject({
      name: 'preview-pr-5',
      status: 'skipped-unmarked',
      reason: 'no preview-fleet marks in its labels/annotations',
    });
    expect(report(r).results.find((x) => x.kind === 'release')).toMatchObject({ status: 'skipped-unmarked' });
    untouched();
  });

  it("PR A's teardown leaves PR B's deployments alone (even one in A's environment) and never edits another user's marker comment", async () => {
    const a = await w.deploy();
    const b = await w.deploy();
    const envA = `preview/pr-${a.pr}`;
    const envB = `preview/pr-${b.pr}`;
    const plain = getOctokit(w.gh.token, { baseUrl: w.gh.url });
    // PR B's deployment in PR A's environment: its marks name B, so A's teardown must keep it.
    const stray = (
      await plain.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: b.sha,
        environment: envA,
        required_contexts: [],
        auto_merge: false,
        transient_environment: true,
        payload: { 'managed-by': 'preview-fleet', repository: REPOSITORY, pr: b.pr },
      })
    ).data as { id: number };
    const mallory = getOctokit(w.gh.createToken({ actor: { login: 'mallory', id: 6660003, type: 'User' } }), {
      baseUrl: w.gh.url,
    });
    const planted = renderStatusComment(
      [
        {
          service: 'app',
          state: 'ready',
          url: 'https://phish.example.net/',
          runId: Number.MAX_SAFE_INTEGER,
          runAttempt: 1,
          updatedAt: '2099-01-01T00:00:00Z',
        },
      ],
      { serverUrl: 'https://github.com', repository: REPOSITORY },
    );
    const theirs = (
      await mallory.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: a.pr, body: planted })
    ).data;
    const bBefore = w.gh
      .deployments(REPOSITORY)
      .filter((d) => d.environment === envB)
      .map((d) => [d.id, d.state, d.statuses.length]);
    expect(bBefore).not.toHaveLength(0);

    const r = await closed(a.pr);
    expect(r.exitCode, r.log).toBe(0);
    const deploymentRows = report(r).results.filter((x) => x.kind === 'deployment');
    expect(deploymentRows).toContainEqual({
      kind: 'deployment',
      name: `${envA}#${stray.id}`,
      status: 'skipped-unmarked',
      reason: `marked for PR #${b.pr}, not #${a.pr}`,
    });
    expect(deploymentRows.filter((x) => x.status === 'deleted').length).toBeGreaterThan(0);
    expect(
      w.gh
        .deployments(REPOSITORY)
        .filter((d) => d.environment === envA)
        .map((d) => [d.id, d.state]),
    ).toEqual([[stray.id, 'pending']]);
    expect(
      w.gh
        .deployments(REPOSITORY)
        .filter((d) => d.environment === envB)
        .map((d) => [d.id, d.state, d.statuses.length]),
    ).toEqual(bBefore);

    const comments = w.gh.comments(REPOSITORY, a.pr);
    const foreign = comments.find((c) => c.id === theirs.id);
    expect(foreign).toMatchObject({ body: planted, updated_at: theirs.updated_at });
    const ours = comments.filter((c) => c.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    expect(parseStatusComment(ours[0].body).map((x) => x.state)).toEqual(['destroyed']);
    expect(w.namespaceExists(`preview-pr-${b.pr}`)).toBe(true);
  });

  it('an unlabeled event for another label does nothing', async () => {
    const { pr } = await w.deploy();
    const r = await runActionProcess(teardownDir, {
      inputs: w.inputs,
      event: pullRequestEvent('unlabeled', { number: pr, repository: REPOSITORY, labels: ['preview'], label: 'bug' }),
      eventName: 'pull_request',
      repository: REPOSITORY,
      env: w.env,
      secrets: [w.vaultToken],
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain('Label "bug" was removed, not "preview"');
    expect(w.namespaceExists(`preview-pr-${pr}`)).toBe(true);
  });

  it(`refuses ${BAD_INPUTS.length} bad inputs through the bundle, each with one ::error:: and nothing deleted`, async () => {
    const before = {
      kube: w.kube.counters()['delete namespaces'] ?? 0,
      gh: w.gh.requestLog().length,
      vault: w.vault.requestLog.length,
    };
    for (const c of BAD_INPUTS) {
      const vaultInputs: Record<string, string> = c.inputs['vault-addr'] === '' ? {} : { 'vault-addr': w.vault.url };
      const r = c.dispatch
        ? await dispatch({ ...c.inputs, ...vaultInputs })
        : await closed(6, { ...c.inputs, ...vaultInputs });
      expectInputRejected(r, c);
    }
    expect(w.kube.counters()['delete namespaces'] ?? 0).toBe(before.kube);
    expect(w.gh.requestLog().length).toBe(before.gh);
    expect(w.vault.requestLog.length).toBe(before.vault);
  });
});
