/**
 * Two repositories on one cluster whose namespace template forgets `{{repo}}`: acme/web PR #1 and
 * acme/api PR #1 plan the same namespace. Through the bundled all-in-one action (`npm run build`
 * first), acme/api's deploy must refuse the namespace carrying acme/web's marks (deploy-helm's
 * guardNamespace) and its teardown must leave it alone — docs/all-in-one.md's "Several repositories on
 * one cluster" rule, shown as what happens when it is broken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { e2eInventory } from './e2e-inventory.js';
import { runAllInOne } from './e2e-run.js';
import { POLICY } from './names.js';

let sandbox: Sandbox;
let work: string;

beforeAll(async () => {
  sandbox = await startSandbox({ repository: 'acme/web', controllerDelayMs: 100 });
  work = mkdtempSync(join(tmpdir(), 'pf-shared-cluster-'));
  const res = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/data/stage/app`, {
    method: 'POST',
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN!, 'content-type': 'application/json' },
    body: JSON.stringify({ data: { DATABASE_URL: 'postgres://stage-db/app' } }),
  });
  expect(res.ok).toBe(true);
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Vault path and ECR repository carry the repository; the namespace (the default template) does not. */
const inputs = { namespace: 'preview-pr-{{number}}' };

function prRun(repo: string, action: string, pr: number, runId: number) {
  const gh = sandbox.github!;
  const event = pullRequestEvent(action, {
    number: pr,
    repository: repo,
    headSha: String(gh.pull(repo, pr)!.head.sha),
    labels: gh.labels(repo, pr),
  });
  return runAllInOne({ sandbox, home: work, repo, runId, eventName: 'pull_request', event, helm: 4, inputs });
}

describe('two repositories, one cluster, a namespace template without {{repo}}', () => {
  it("refuses to deploy into the other repository's namespace, and its teardown leaves that namespace alone", async () => {
    const gh = sandbox.github!;
    const web = gh.openPullRequest('acme/web', { labels: [POLICY.label] }).number;
    const api = gh.openPullRequest('acme/api', { labels: [POLICY.label] }).number;
    expect(api).toBe(web); // the clash this test is about: same number, same namespace

    const deployed = await prRun('acme/web', 'opened', web, 9001);
    expect(deployed.exitCode, deployed.log.split('\n').slice(-15).join('\n')).toBe(0);

    const refused = await prRun('acme/api', 'opened', api, 9002);
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.map((a) => a.message).join('\n')).toContain(
      `Namespace "preview-pr-${web}" belongs to acme/web PR #${web}, not acme/api PR #${api}; refusing to deploy into it`,
    );

    gh.closePullRequest('acme/api', api);
    const teardown = await prRun('acme/api', 'closed', api, 9003);
    expect(teardown.exitCode, teardown.log).toBe(0);
    expect(teardown.log).toContain(`marked for acme/web#${web}, not acme/api#${api}`); // skipped (not ours)

    const inv = await e2eInventory(sandbox);
    expect(inv.namespaces).toContain(`preview-pr-${web}`);
    expect(inv.releases).toEqual([`preview-pr-${web}/app-pr-${web}`]);
  });
});
