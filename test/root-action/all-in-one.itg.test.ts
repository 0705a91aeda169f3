/**
 * The bundled all-in-one action, run as the runner runs it: a bad input for a late step
 * (deploy-helm, wait-ready) fails the job before an early step (comment, seed-vault, build-push)
 * has created anything; an event that starts no lifecycle does nothing and says why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';

const REPO = 'acme/web';
let sandbox: Sandbox;
let workspace: string;
beforeAll(async () => {
  sandbox = await startSandbox({ only: ['github', 'vault', 'ecr'], repository: REPO });
  workspace = mkdtempSync(join(tmpdir(), 'pf-all-in-one-'));
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

function run(event: unknown, inputs: Record<string, string>, eventName = 'pull_request') {
  return runActionProcess(repoRoot, {
    eventName,
    event,
    repository: REPO,
    env: sandbox.env,
    cwd: workspace,
    secrets: [sandbox.env.VAULT_TOKEN!, sandbox.env.GITHUB_TOKEN!],
    inputs: {
      services: 'app',
      chart: join(repoRoot, 'workflows-examples/charts/preview'),
      domain: 'preview.example.com',
      'vault-addr': sandbox.env.VAULT_ADDR!,
      role: 'preview',
      'github-token': sandbox.env.GITHUB_TOKEN!,
      'aws-region': 'us-east-1',
      ...inputs,
    },
  });
}

describe('all-in-one action (bundled)', () => {
  it.each([
    ['deploy-helm', { timeout: 'soon' }, 'timeout'],
    ['wait-ready', { 'expect-status': '2xx' }, 'expect-status'],
    ['deploy-helm', { set: 'replicaCount' }, 'set'],
    // One environment for every PR: one PR's teardown would reach every PR's deployments.
    ['comment-status', { environment: 'preview' }, 'environment'],
  ])('a bad %s input (%o) fails first: nothing commented, seeded, created or built', async (_step, bad, input) => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    gh.resetCounters();
    const ecrBefore = (await sandbox.ecr!.requestLog()).length;
    const vaultBefore = sandbox.vault!.requestLog.length;
    const r = await run(
      pullRequestEvent('opened', { number: pr.number, repository: REPO, headSha: pr.head.sha, labels: ['preview'] }),
      bad,
    );
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(
      errors.some((m) => m.includes(`Input "${input}"`)),
      errors.join('\n'),
    ).toBe(true);
    // Only the bad input is rejected (by each step that reads it: `timeout` is deploy-helm's and wait-ready's).
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const m of errors.slice(0, -1)) expect(m).toContain(`Input "${input}"`);
    expect(errors.at(-1)).toMatch(/inputs rejected by .*; nothing was created or deleted/);
    expect(gh.comments(REPO, pr.number)).toEqual([]);
    expect(gh.requestLog().filter((x) => x.method !== 'GET')).toEqual([]);
    expect((await sandbox.ecr!.requestLog()).length).toBe(ecrBefore);
    expect(sandbox.vault!.requestLog.length).toBe(vaultBefore);
    expect(r.leaks).toEqual([]);
  });

  it.each(['pull_request_target', 'pull_request'])(
    '%s from a fork is refused before any step: nothing commented, seeded, built or deployed (issue 14 item 14)',
    async (eventName) => {
      const gh = sandbox.github!;
      const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
      gh.resetCounters();
      const ecrBefore = (await sandbox.ecr!.requestLog()).length;
      const vaultBefore = sandbox.vault!.requestLog.length;
      const event = pullRequestEvent('labeled', {
        number: pr.number,
        repository: REPO,
        headSha: pr.head.sha,
        labels: ['preview'],
        label: 'preview',
        fork: true,
      });
      const r = await run(event, {}, eventName);
      expect(r.exitCode, r.log).toBe(1);
      expect(r.outputs.lifecycle).toBe('refused');
      const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(
        `Refusing to ${eventName === 'pull_request_target' ? 'build or deploy' : 'deploy'} PR #${pr.number}`,
      );
      expect(errors[0]).toContain('https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/');
      expect(gh.requestLog()).toEqual([]);
      expect(gh.comments(REPO, pr.number)).toEqual([]);
      expect((await sandbox.ecr!.requestLog()).length).toBe(ecrBefore);
      expect(sandbox.vault!.requestLog.length).toBe(vaultBefore);
      expect(r.leaks).toEqual([]);
    },
  );

  it('a label other than the opt-in one starts nothing, and says why', async () => {
    const gh = sandbox.github!;
    const pr = gh.openPullRequest(REPO, { labels: ['preview', 'bug'] });
    gh.resetCounters();
    const r = await run(
      pullRequestEvent('labeled', {
        number: pr.number,
        repository: REPO,
        headSha: pr.head.sha,
        labels: ['preview', 'bug'],
        label: 'bug',
      }),
      {},
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs.lifecycle).toBe('skipped');
    expect(r.log).toContain('label "bug" added; only "preview" starts a preview');
    expect(gh.requestLog()).toEqual([]);
  });
});
