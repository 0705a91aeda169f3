/**
 * Issue 19 §3: max-previews slots arbitrated by a Lease, against the Kubernetes stand-in driven by
 * the real kubectl 1.34. The stand-in's `barrier` fault holds both racers' Lease reads until both
 * have asked, so the race (both read the same resourceVersion) happens on every run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { ANNOTATIONS, newMarks } from '../../src/index.js';
import { SLOTS_ANNOTATION, capLeaseName, claimPreviewSlot } from '../../src/kube/cap-lease.js';
import { namespaceManifest } from '../../src/kube/namespace.js';
import { SLEEPING_SINCE_ANNOTATION } from '../../src/kube/sleep.js';
import type { KubeTools } from '../../src/kube/tools.js';

const tools = toolPaths();
const H = 3_600_000;
let kube: KubeStandIn;
let home: string;
let cli: KubeTools;

const type = (g: string, v: string, r: string) => kube.store.types.get(g, v, r)!;
/** A preview as deploy-helm leaves it: marked namespace deployed `hAgo` hours ago, one running Deployment. */
function preview(repository: string, pr: number, hAgo: number): void {
  const m = newMarks({ repository, pr, service: 'app', now: Date.now() - hAgo * H, ttlMs: 72 * H });
  const ns = namespaceManifest(`${repository.split('/')[1]}-pr-${pr}`, m);
  kube.store.create(type('', 'v1', 'namespaces'), ns as any);
  const labels = { app: 'web' };
  kube.store.create(type('apps', 'v1', 'deployments'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns.metadata.name },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'w', image: 'nginx' }] } },
    },
  });
}
const sleeping = (name: string): boolean =>
  kube.store.get(type('', 'v1', 'namespaces'), undefined, name)!.metadata.annotations?.[SLEEPING_SINCE_ANNOTATION] !==
  undefined;
const record = (repository: string) =>
  JSON.parse(
    kube.store.get(type('coordination.k8s.io', 'v1', 'leases'), 'default', capLeaseName(repository))!.metadata
      .annotations![SLOTS_ANNOTATION]!,
  );
const claim = (repository: string, pr: number, max: number, policy: 'sleep' | 'fail') =>
  claimPreviewSlot(cli, { repository, pr, max, policy, leaseNamespace: 'default', now: Date.now });
/** Both racers' next Lease read is held until the other has asked too. */
const race = () =>
  kube.scenarios.injectFault({ method: 'GET', pathPattern: /\/leases\/preview-fleet-cap-/, barrier: 2, times: 2 });

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 20 });
  home = mkdtempSync(join(tmpdir(), 'pf-cap-'));
  cli = { kubectl: tools.v34.kubectl, helm: tools.v31.helm, env: { ...kube.env, HOME: home } };
});
afterAll(async () => {
  await kube.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('max-previews slots in a Lease (kubectl 1.34)', () => {
  it('a full cap puts the least recently deployed preview to sleep; a redeploy keeps its slot', async () => {
    const repo = 'acme/lru';
    preview(repo, 1, 3);
    preview(repo, 2, 1);
    expect(await claim(repo, 2, 2, 'sleep')).toMatchObject({ action: 'hold' });
    const r = await claim(repo, 3, 2, 'sleep');
    expect(r).toMatchObject({ action: 'evict', victim: { pr: 1, namespaces: ['lru-pr-1'] } });
    expect(r.slept).toEqual([{ kind: 'Deployment', name: 'web', from: 1, to: 0 }]);
    expect(sleeping('lru-pr-1')).toBe(true);
    expect(sleeping('lru-pr-2')).toBe(false);
    expect(Object.keys(record(repo).slots).sort()).toEqual(['2', '3']);
    const lease = kube.store.get(type('coordination.k8s.io', 'v1', 'leases'), 'default', capLeaseName(repo))!;
    expect(lease.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'preview-fleet' });
    expect(lease.metadata.annotations?.[ANNOTATIONS.repository]).toBe(repo);
  });

  it('two deploys racing for the last slot (cap-policy fail): exactly one wins, the other names the cap and its holders', async () => {
    const repo = 'acme/race';
    preview(repo, 10, 2);
    expect(await claim(repo, 10, 2, 'fail')).toMatchObject({ action: 'hold', attempts: 1 }); // the Lease exists now
    race();
    const results = await Promise.allSettled([claim(repo, 11, 2, 'fail'), claim(repo, 12, 2, 'fail')]);
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(kube.scenarios.firedFaults.filter((f) => f.action === 'barrier')).toHaveLength(2);
    const winner = results[0]!.status === 'fulfilled' ? 11 : 12;
    expect(String(lost[0]!.reason.message)).toMatch(
      new RegExp(
        `^The cap of 2 preview\\(s\\) is reached \\(2 awake\\); not deploying PR #${23 - winner}\\. Holding it: PR #10 \\(race-pr-10, .*\\), PR #${winner} \\(deploying now, `,
      ),
    );
    expect(Object.keys(record(repo).slots).sort()).toEqual(['10', String(winner)]);
  });

  it('two deploys racing with cap-policy sleep: both deploy, each evicting a different preview, so the cap still holds', async () => {
    const repo = 'acme/both';
    preview(repo, 20, 5);
    preview(repo, 21, 4);
    await claim(repo, 21, 2, 'sleep');
    race();
    const [a, b] = await Promise.all([claim(repo, 22, 2, 'sleep'), claim(repo, 23, 2, 'sleep')]);
    expect([a.action, b.action]).toEqual(['evict', 'evict']);
    expect([a.victim!.pr, b.victim!.pr].sort()).toEqual([20, 21]);
    expect(Math.max(a.attempts, b.attempts)).toBeGreaterThan(1); // the loser's write got 409 and it decided again
    expect(sleeping('both-pr-20') && sleeping('both-pr-21')).toBe(true);
    expect(Object.keys(record(repo).slots).sort()).toEqual(['22', '23']);
  });

  it('refuses a Lease of the same name that is not ours, changing nothing', async () => {
    const repo = 'acme/foreign';
    kube.store.create(type('coordination.k8s.io', 'v1', 'leases'), {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: capLeaseName(repo), namespace: 'default' },
      spec: { holderIdentity: 'someone' },
    });
    await expect(claim(repo, 1, 1, 'sleep')).rejects.toThrow(/does not carry preview-fleet's marks/);
  });
});
