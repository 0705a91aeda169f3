/**
 * Nothing hangs, and "don't know" deletes nothing: teardown with the Kubernetes API behind a TCP
 * tarpit ends within its `timeout` (generous slack for a loaded machine) naming the Kubernetes
 * API, and every resource of the preview is still there; a namespace read that fails once with a
 * 5xx from the stand-in is retried and the teardown completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { startTarpit, writeTarpitKubeconfig, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';
import { REPOSITORY, startWorld, teardownDir, type World } from './fixture.js';

let w: World;
let tarpit: TarpitStandIn;
let dir: string;
beforeAll(async () => {
  [w, tarpit] = await Promise.all([startWorld(), startTarpit()]);
  dir = mkdtempSync(join(tmpdir(), 'pf-teardown-tarpit-'));
}, 120_000);
afterEach(() => {
  expect(w.gh.contractViolations()).toEqual([]);
  expect(w.vault.contractViolations).toEqual([]);
});
afterAll(async () => {
  await Promise.all([w?.stop(), tarpit?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function closed(pr: number, inputs: Record<string, string>, env: Record<string, string> = {}): Promise<ActionRun> {
  return runActionProcess(teardownDir, {
    inputs: { ...w.inputs, ...inputs },
    event: pullRequestEvent('closed', { number: pr, repository: REPOSITORY, labels: ['preview'] }),
    eventName: 'pull_request',
    repository: REPOSITORY,
    env: { ...w.env, ...env },
    secrets: [w.vaultToken, w.gh.token],
    timeoutMs: 120_000,
  });
}

describe('teardown timeouts (bundled, runner-style)', () => {
  it('Kubernetes API at a tarpit: exit 1 within timeout + slack, naming the Kubernetes API; nothing of the preview is deleted', async () => {
    const { pr } = await w.deploy();
    const ns = `preview-pr-${pr}`;
    const deployments = w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${pr}`).length;
    const r = await closed(
      pr,
      { timeout: '20s', 'request-timeout': '5s' },
      { KUBECONFIG: writeTarpitKubeconfig(tarpit, dir) },
    );
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(20_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(0);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`the Kubernetes API at ${tarpit.url('https')} did not answer within 20s`);
    expect(w.namespaceExists(ns)).toBe(true);
    expect(w.releases(ns)).toEqual([`app-pr-${pr}`]);
    expect(w.vaultPathExists(`preview/app-${pr}`)).toBe(true);
    expect(await w.repositoryExists(`app-preview-${pr}`)).toBe(true);
    expect(w.gh.deployments(REPOSITORY).filter((d) => d.environment === `preview/pr-${pr}`)).toHaveLength(deployments);
    expect(r.leaks).toEqual([]);
  }, 90_000);

  it('a namespace read answered once with 500 by the stand-in is retried, and the teardown completes', async () => {
    const { pr } = await w.deploy();
    const ns = `preview-pr-${pr}`;
    const fired = w.kube.scenarios.firedFaults.length;
    w.kube.scenarios.injectFault({
      pathPattern: new RegExp(`^/api/v1/namespaces/${ns}$`),
      method: 'GET',
      watch: false,
      status: 500,
      times: 1,
    });
    const r = await closed(pr, {});
    w.kube.scenarios.clearFaults();
    expect(w.kube.scenarios.firedFaults.slice(fired)).toEqual([
      { method: 'GET', path: `/api/v1/namespaces/${ns}`, action: '500' },
    ]);
    expect(r.exitCode, r.log).toBe(0);
    expect(w.namespaceExists(ns)).toBe(false);
    expect(w.vaultPathExists(`preview/app-${pr}`)).toBe(false);
  }, 120_000);
});
