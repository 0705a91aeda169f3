/**
 * Issue 19 §2: the reaper's sleep policy, bundled and runner-style against the sandboxed world
 * (kube + real kubectl 1.34 / helm 4, GitHub, Vault, moto): an open, labelled preview idle for
 * `sleep-after` is scaled to 0 with its counts remembered and its comment says how to wake it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLEEP_NOTES } from '@preview-fleet/core/github';
import { runActionProcess, type ActionRun } from '@preview-fleet/testkit/run-action-process';
import { REPOSITORY, reaperDir, startWorld, type World } from '@preview-fleet/action-teardown/test/fixture';

const H = 3_600_000;
let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 120_000);
afterEach(() => expect(w.gh.contractViolations()).toEqual([]));
afterAll(async () => w?.stop());

const reap = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
  runActionProcess(reaperDir, {
    inputs: { ...w.inputs, ...inputs },
    event: {},
    eventName: 'schedule',
    repository: REPOSITORY,
    env: w.env,
    secrets: [w.vaultToken, w.gh.token],
    timeoutMs: 170_000,
  });
const json = (r: ActionRun, name: string): unknown => JSON.parse(r.outputs[name]!);
const type = (g: string, v: string, r: string) => w.kube.store.types.get(g, v, r)!;

/** The deploy's stamps a real deploy-helm leaves: `deployed-at` on the namespace, and a running Deployment. */
function deployedAgo(pr: number, ms: number, replicas = 2): void {
  const ns = `preview-pr-${pr}`;
  const nsT = type('', 'v1', 'namespaces');
  const cur = w.kube.store.get(nsT, undefined, ns)!;
  const annotations = {
    ...cur.metadata.annotations,
    'preview-fleet.dev/deployed-at': new Date(Date.now() - ms).toISOString(),
  };
  w.kube.store.update(nsT, { ...cur, metadata: { ...cur.metadata, annotations } });
  const labels = { app: 'web' };
  w.kube.store.create(type('apps', 'v1', 'deployments'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '500m', memory: '512Mi' } } }],
        },
      },
    },
  });
  w.kube.store.create(type('', 'v1', 'persistentvolumeclaims'), {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: ns },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  });
}
const web = (pr: number) => w.kube.store.get(type('apps', 'v1', 'deployments'), `preview-pr-${pr}`, 'web')!;
const comment = (pr: number): string =>
  String(w.gh.comments(REPOSITORY, pr).find((c) => String(c.body).startsWith('<!-- preview-fleet:status'))?.body);

describe('reap-orphans sleep-after (bundled)', () => {
  it('sleeps only the open, labelled preview idle for sleep-after; off by default; idempotent', async () => {
    const idle = (await w.deploy({ expiresInMs: 48 * H })).pr;
    const busy = (await w.deploy({ expiresInMs: 48 * H })).pr;
    deployedAgo(idle, 3 * H);
    deployedAgo(busy, 10 * 60_000);

    const off = await reap();
    expect(off.exitCode, off.log).toBe(0);
    expect(json(off, 'slept')).toEqual([]);
    expect((web(idle).spec as { replicas: number }).replicas).toBe(2);

    const prices = { 'price-vcpu-hour': '0.04', 'price-gib-hour': '0.005', 'price-storage-gib-hour': '0.0001' };
    const r = await reap({ 'sleep-after': '1h', ...prices });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    expect(json(r, 'slept')).toEqual([idle]);
    expect(json(r, 'sleeping')).toEqual([idle]);
    // Awake: 2 × (0.5 vCPU, 0.5 GiB) at $0.04 / $0.005 + 10 GiB × $0.0001; asleep: its 10 GiB only.
    expect(r.summary).toContain('2 previews, 1 sleeping, ≈ $0.047/h (1 put to sleep this run).');
    expect(Number(r.outputs['cost-per-hour'])).toBeCloseTo(0.047, 6);
    expect((web(idle).spec as { replicas: number }).replicas).toBe(0);
    expect(web(idle).metadata.annotations?.['preview-fleet.dev/replicas-before-sleep']).toBe('2');
    expect(w.namespace(`preview-pr-${idle}`)!.metadata.annotations?.['preview-fleet.dev/sleeping-since']).toBeTruthy();
    expect((web(busy).spec as { replicas: number }).replicas).toBe(2);
    expect(comment(idle)).toContain(`| \`app\` | 💤 sleeping — ${SLEEP_NOTES.policy} |`);
    // Asleep, it costs its storage only.
    expect(comment(idle)).toContain('💰 `app`: ≈ $0.0010/h (0 vCPU, 0 GiB, 10 GiB storage)');
    // The link stays: the preview still exists.
    expect(comment(idle)).toContain(`https://app-pr-${idle}.preview.example.com`);
    expect(comment(busy)).toContain('✅ ready');

    const again = await reap({ 'sleep-after': '1h' });
    expect(again.exitCode, again.log).toBe(0);
    expect(json(again, 'slept')).toEqual([]);
    expect(json(again, 'sleeping')).toEqual([idle]);
    expect(web(idle).metadata.annotations?.['preview-fleet.dev/replicas-before-sleep']).toBe('2');
  });
});
