/**
 * Issue 19 §2 through the bundled all-in-one action: a `/preview wake` comment wakes a preview the
 * reaper put to sleep — only when GitHub says its author has write access — and the sticky
 * comment shows it ready again. Nothing is built or deployed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMarks } from '@preview-fleet/core';
import { SLEEP_NOTES, publishPreviewStatus } from '@preview-fleet/core/github';
import { kubectlTools, namespaceManifest, sleepNamespace } from '@preview-fleet/core/kube';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { exampleEvent } from '@preview-fleet/testkit/events';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';

const REPO = 'acme/web';
let sandbox: Sandbox;
let home: string;
const tools = toolPaths();
beforeAll(async () => {
  sandbox = await startSandbox({ only: ['kube', 'github'], repository: REPO });
  home = mkdtempSync(join(tmpdir(), 'pf-wake-'));
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({ ...sandbox.env, PATH: `${dirname(tools.v34.kubectl)}:${process.env.PATH ?? ''}`, HOME: home });
function commentEvent(pr: number, login: string) {
  const payload = exampleEvent('issue_comment', 'created');
  payload.comment.body = '/preview wake';
  payload.comment.user.login = login;
  payload.issue.number = pr;
  payload.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${pr}` };
  return payload;
}
const wakeRun = (pr: number, login: string) =>
  runActionProcess(repoRoot, {
    eventName: 'issue_comment',
    event: commentEvent(pr, login),
    repository: REPO,
    env: env(),
    secrets: [sandbox.env.GITHUB_TOKEN!],
    inputs: { services: 'app', chart: 'unused', 'github-token': sandbox.env.GITHUB_TOKEN! },
  });

describe('/preview wake (bundled all-in-one)', () => {
  it('a stranger changes nothing; a writer wakes the preview and the comment shows it ready', async () => {
    const gh = sandbox.github!;
    const kube = sandbox.kube!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const ns = `preview-pr-${pr.number}`;
    kube.store.create(
      kube.store.types.get('', 'v1', 'namespaces')!,
      namespaceManifest(
        ns,
        newMarks({ repository: REPO, pr: pr.number, service: 'app', now: Date.now(), ttlMs: 3_600_000 }),
      ) as any,
    );
    const labels = { app: 'web' };
    kube.store.create(kube.store.types.get('apps', 'v1', 'deployments')!, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'w', image: 'nginx' }] } },
      },
    });
    const cli = kubectlTools({ kubectl: tools.v34.kubectl, env: env() });
    await sleepNamespace(cli, ns, { repository: REPO, pr: pr.number }, new Date().toISOString());
    const octokit = getOctokit(sandbox.env.GITHUB_TOKEN!, { baseUrl: sandbox.env.GITHUB_API_URL });
    await publishPreviewStatus(octokit, {
      owner: 'acme',
      repo: 'web',
      pr: pr.number,
      serverUrl: 'https://github.com',
      author: 'github-actions[bot]',
      section: {
        service: 'app',
        state: 'sleeping',
        stateNote: SLEEP_NOTES.policy,
        url: `https://app-pr-${pr.number}.preview.example.com`,
        namespace: ns,
        runId: 5,
        runAttempt: 1,
        updatedAt: new Date().toISOString(),
      },
    });
    const replicas = () =>
      (kube.store.get(kube.store.types.get('apps', 'v1', 'deployments')!, ns, 'web')!.spec as { replicas: number })
        .replicas;
    const body = () => String(gh.comments(REPO, pr.number)[0]?.body);

    const stranger = await wakeRun(pr.number, 'stranger');
    expect(stranger.exitCode).toBe(1);
    expect(stranger.annotations.map((a) => a.message).join('\n')).toContain(
      `@stranger may not wake PR #${pr.number}'s preview`,
    );
    expect(replicas()).toBe(0);
    expect(body()).toContain('💤 sleeping');

    gh.setCollaborator(REPO, 'maintainer', 'maintain');
    const r = await wakeRun(pr.number, 'maintainer');
    expect(r.exitCode, r.log).toBe(0);
    expect(r.log).toContain(`Woke PR #${pr.number}: Deployment/web → 2`);
    expect(replicas()).toBe(2);
    expect(body()).toContain('| `app` | ✅ ready |');
    expect(body()).toContain("Woken by @maintainer's /preview wake.");
    expect(r.leaks).toEqual([]);
  });
});
