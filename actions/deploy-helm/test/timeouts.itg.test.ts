/**
 * Nothing hangs (issue 14 item 9), bundled and runner-style: deploy-helm's `timeout` bounds the
 * whole step. With the Kubernetes API behind a TCP tarpit the job fails within its timeout (plus
 * generous slack for a loaded machine) naming the Kubernetes API, its kubectl/helm children are
 * gone and nothing was created; a release that never gets ready fails with helm's diagnostics
 * before the step's bound, because helm's own wait gets only what is left of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { startTarpit, writeTarpitKubeconfig, type TarpitStandIn } from '@preview-fleet/sandbox/tarpit';
import { deploy, errorOf, openPr, useWorld } from './deploy-helm-suite.js';
import { actionDir, chartDir, REPOSITORY } from './fixture.js';

const world = useWorld();
let tarpit: TarpitStandIn;
let dir: string;
beforeAll(async () => {
  tarpit = await startTarpit();
  dir = mkdtempSync(join(tmpdir(), 'pf-deploy-tarpit-'));
});
afterAll(async () => {
  await tarpit?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy-helm timeouts (bundled, runner-style)', () => {
  it('Kubernetes API at a tarpit: exit 1 within timeout + slack naming the Kubernetes API; no child left, nothing created', async () => {
    const pr = openPr();
    const ghWrites = world()
      .gh.requestLog()
      .filter((r) => r.method !== 'GET').length;
    // request-timeout stays at its 30 s default and client-go gives up a TLS handshake after 10 s:
    // only the step's bound can end this within 8 s.
    const r = await runActionProcess(actionDir, {
      inputs: { chart: chartDir, 'github-token': world().gh.token, domain: 'preview.example.com', timeout: '8s' },
      event: pullRequestEvent('synchronize', {
        number: pr.number,
        repository: REPOSITORY,
        headSha: pr.headSha,
        labels: ['preview'],
      }),
      eventName: 'pull_request',
      repository: REPOSITORY,
      env: { ...world().env(3), KUBECONFIG: writeTarpitKubeconfig(tarpit, dir) },
      secrets: [world().gh.token],
      timeoutMs: 120_000,
    });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(8_000 + 15_000);
    expect(tarpit.accepted).toBeGreaterThan(0);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`the Kubernetes API at ${tarpit.url('https')} did not answer within 8s`);
    // The deadline killed kubectl and helm: their connections to the tarpit are closed.
    await vi.waitFor(() => expect(tarpit.open).toBe(0), { timeout: 10_000, interval: 100 });
    expect(world().get('namespaces', undefined, `preview-pr-${pr.number}`)).toBeUndefined();
    expect(
      world()
        .gh.requestLog()
        .filter((q) => q.method !== 'GET'),
    ).toHaveLength(ghWrites);
    expect(r.leaks).toEqual([]);
  }, 90_000);

  it("a never-ready release fails with helm's diagnostics before the step's bound (helm waits only for what is left)", async () => {
    const pr = openPr();
    const r = await deploy(3, pr, { set: 'scenario=image-pull-backoff\nimage.tag=does-not-exist', timeout: '30s' });
    expect(r.exitCode, r.log).toBe(1);
    expect(r.durationMs).toBeLessThan(30_000 + 5_000);
    expect(r.outputs.status).toBe('failed');
    expect(r.outputs.diagnostics).toContain('ImagePullBackOff');
    expect(errorOf(r)).toMatch(/Helm 3 upgrade of .* failed — .*ImagePullBackOff/);
    expect(errorOf(r)).not.toContain('did not answer');
  }, 90_000);
});
