/**
 * Issue 19 §2: a preview the reaper put to sleep (replicas 0, counts remembered) is woken by the
 * next push's deploy, bundled and runner-style with the real Helm 3 and 4: the counts come back,
 * the notes are removed and helm's upgrade then succeeds on a running workload.
 */
import { describe, expect, it } from 'vitest';
import { kubectlTools } from '@preview-fleet/core/kube';
import { REPLICAS_BEFORE_SLEEP_ANNOTATION, SLEEPING_SINCE_ANNOTATION, sleepNamespace } from '@preview-fleet/core/kube';
import { deploy, ok, openPr, useWorld } from './deploy-helm-suite.js';
import { REPOSITORY } from './fixture.js';

const world = useWorld();
const deployed: number[] = [];

describe('a sleeping preview wakes on the next deploy', () => {
  for (const major of [3, 4] as const) {
    it(`Helm ${major}: replicas back to the remembered count, sleep notes removed`, async () => {
      const pr = openPr();
      const ns = `preview-pr-${pr.number}`;
      ok(await deploy(major, pr, { set: 'replicaCount=2' }));
      const cli = kubectlTools({ kubectl: world().kubectl(major), env: world().env(major) });
      const slept = await sleepNamespace(cli, ns, { repository: REPOSITORY, pr: pr.number }, new Date().toISOString());
      expect(slept.map((s) => [s.kind, s.from, s.to])).toEqual([['Deployment', 2, 0]]);
      const dep = () => world().get('deployments', ns, `app-pr-${pr.number}`)!;
      expect((dep().spec as { replicas: number }).replicas).toBe(0);

      const headSha = world().gh.pushCommit(REPOSITORY, pr.number);
      const r = ok(await deploy(major, { ...pr, headSha }, { set: 'replicaCount=2' }, headSha));
      expect(r.log).toContain(`Woke ${ns}: Deployment/app-pr-${pr.number} → 2`);
      expect((dep().spec as { replicas: number }).replicas).toBe(2);
      expect(dep().metadata.annotations?.[REPLICAS_BEFORE_SLEEP_ANNOTATION]).toBeUndefined();
      expect(
        world().get('namespaces', undefined, ns)!.metadata.annotations?.[SLEEPING_SINCE_ANNOTATION],
      ).toBeUndefined();
      expect(r.outputs.status).toBe('deployed');
      deployed.push(pr.number);
    });
  }

  it('max-previews reached (cap-policy sleep, the default): the least recently deployed preview sleeps to make room', async () => {
    const [oldest, newer] = deployed as [number, number];
    const pr = openPr();
    const r = ok(await deploy(4, pr, { 'max-previews': '2' }));
    expect(r.log).toMatch(
      new RegExp(
        `max-previews 2 reached: put PR #${oldest}'s preview \\(preview-pr-${oldest}, last deployed [^)]+\\) to sleep to make room for PR #${pr.number}`,
      ),
    );
    const replicas = (n: number) =>
      (world().get('deployments', `preview-pr-${n}`, `app-pr-${n}`)!.spec as { replicas: number }).replicas;
    expect(replicas(oldest)).toBe(0);
    expect(replicas(newer)).toBe(2);
    expect(
      world().get('namespaces', undefined, `preview-pr-${oldest}`)!.metadata.annotations?.[SLEEPING_SINCE_ANNOTATION],
    ).toBeTruthy();
    expect(r.outputs.status).toBe('deployed');
  });

  it('with prices, the cost output prices the requests × replicas (the comment shows it)', async () => {
    const pr = openPr();
    const r = ok(
      await deploy(4, pr, {
        set: 'replicaCount=2',
        'price-vcpu-hour': '1',
        'price-gib-hour': '1',
        'spot-discount': '0',
      }),
    );
    // 2 × (10m CPU, 16Mi): 0.02 vCPU × $1 + 0.03125 GiB × $1.
    expect(r.outputs.cost).toBe('≈ $0.051/h (0.02 vCPU, 0.03 GiB, 0 GiB storage)');
  });
});
