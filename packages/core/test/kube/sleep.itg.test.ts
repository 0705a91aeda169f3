/**
 * Policy sleep and wake against the Kubernetes stand-in, driven by the real kubectl 1.34: the
 * replica counts are remembered on each workload, only our PR's namespace is touched, and a
 * workload changed since it was read is never overwritten (409 from the resourceVersion).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeStandIn } from '@preview-fleet/sandbox/kube';
import { toolPaths } from '@preview-fleet/testkit/tools';
import { newMarks, toKubeAnnotations, toKubeLabels } from '../../src/index.js';
import {
  REPLICAS_BEFORE_SLEEP_ANNOTATION,
  SLEEPING_SINCE_ANNOTATION,
  listWorkloads,
  sleepNamespace,
  wakeNamespace,
} from '../../src/kube/sleep.js';
import type { KubeTools } from '../../src/kube/tools.js';

const tools = toolPaths();
const REPO = 'acme/web';
let kube: KubeStandIn;
let home: string;
let cli: KubeTools;

const type = (group: string, version: string, resource: string) => kube.store.types.get(group, version, resource)!;
function namespace(name: string, marks?: { repository: string; pr: number }): void {
  const m = marks && newMarks({ ...marks, service: 'app', now: Date.now(), ttlMs: 3_600_000 });
  kube.store.create(type('', 'v1', 'namespaces'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(m ? { labels: toKubeLabels(m), annotations: toKubeAnnotations(m) } : {}) },
  });
}
function workload(ns: string, kind: 'Deployment' | 'StatefulSet', name: string, replicas: number): void {
  const labels = { app: name };
  kube.store.create(type('apps', 'v1', kind === 'Deployment' ? 'deployments' : 'statefulsets'), {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  });
}
const replicasOf = (ns: string, resource: string, name: string) =>
  (kube.store.get(type('apps', 'v1', resource), ns, name)!.spec as { replicas: number }).replicas;
const annotationsOf = (ns: string, resource: string, name: string) =>
  kube.store.get(type('apps', 'v1', resource), ns, name)!.metadata.annotations ?? {};
const nsAnnotations = (name: string) =>
  kube.store.get(type('', 'v1', 'namespaces'), undefined, name)!.metadata.annotations ?? {};

beforeAll(async () => {
  kube = await startKube({ controllerDelayMs: 20 });
  home = mkdtempSync(join(tmpdir(), 'pf-sleep-'));
  cli = { kubectl: tools.v34.kubectl, helm: tools.v31.helm, env: { ...kube.env, HOME: home } };
});
afterAll(async () => {
  await kube.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('policy sleep (kubectl 1.34)', () => {
  it('scales Deployments and StatefulSets to 0 remembering each count, and wakes them to it; both idempotent', async () => {
    namespace('preview-pr-1', { repository: REPO, pr: 1 });
    workload('preview-pr-1', 'Deployment', 'web', 3);
    workload('preview-pr-1', 'StatefulSet', 'db', 1);
    workload('preview-pr-1', 'Deployment', 'idle', 0);
    const owner = { repository: REPO, pr: 1 };

    const slept = await sleepNamespace(cli, 'preview-pr-1', owner, '2026-03-01T10:00:00.000Z');
    expect(slept).toEqual([
      { kind: 'Deployment', name: 'web', from: 3, to: 0 },
      { kind: 'StatefulSet', name: 'db', from: 1, to: 0 },
    ]);
    expect(replicasOf('preview-pr-1', 'deployments', 'web')).toBe(0);
    expect(replicasOf('preview-pr-1', 'statefulsets', 'db')).toBe(0);
    expect(annotationsOf('preview-pr-1', 'deployments', 'web')[REPLICAS_BEFORE_SLEEP_ANNOTATION]).toBe('3');
    expect(annotationsOf('preview-pr-1', 'deployments', 'idle')[REPLICAS_BEFORE_SLEEP_ANNOTATION]).toBeUndefined();
    expect(nsAnnotations('preview-pr-1')[SLEEPING_SINCE_ANNOTATION]).toBe('2026-03-01T10:00:00.000Z');
    // Again: nothing runs, so nothing changes (the remembered 3 is not overwritten with 0).
    expect(await sleepNamespace(cli, 'preview-pr-1', owner, '2026-03-01T11:00:00.000Z')).toEqual([]);
    expect(annotationsOf('preview-pr-1', 'deployments', 'web')[REPLICAS_BEFORE_SLEEP_ANNOTATION]).toBe('3');
    expect(nsAnnotations('preview-pr-1')[SLEEPING_SINCE_ANNOTATION]).toBe('2026-03-01T10:00:00.000Z');

    const woken = await wakeNamespace(cli, 'preview-pr-1', owner);
    expect(woken).toEqual([
      { kind: 'Deployment', name: 'web', from: 0, to: 3 },
      { kind: 'StatefulSet', name: 'db', from: 0, to: 1 },
    ]);
    expect(replicasOf('preview-pr-1', 'deployments', 'web')).toBe(3);
    expect(replicasOf('preview-pr-1', 'deployments', 'idle')).toBe(0);
    expect(annotationsOf('preview-pr-1', 'deployments', 'web')[REPLICAS_BEFORE_SLEEP_ANNOTATION]).toBeUndefined();
    expect(nsAnnotations('preview-pr-1')[SLEEPING_SINCE_ANNOTATION]).toBeUndefined();
    expect(await wakeNamespace(cli, 'preview-pr-1', owner)).toEqual([]);
  });

  it("never scales in an unmarked namespace or another PR's; a namespace that is gone is nothing to do", async () => {
    namespace('preview-pr-2');
    workload('preview-pr-2', 'Deployment', 'web', 2);
    namespace('preview-pr-3', { repository: REPO, pr: 4 });
    workload('preview-pr-3', 'Deployment', 'web', 2);
    await expect(sleepNamespace(cli, 'preview-pr-2', { repository: REPO, pr: 2 }, 'x')).rejects.toThrow(
      /does not carry preview-fleet's marks/,
    );
    await expect(sleepNamespace(cli, 'preview-pr-3', { repository: REPO, pr: 3 }, 'x')).rejects.toThrow(/PR #3/);
    expect(replicasOf('preview-pr-2', 'deployments', 'web')).toBe(2);
    expect(replicasOf('preview-pr-3', 'deployments', 'web')).toBe(2);
    expect(await sleepNamespace(cli, 'preview-pr-404', { repository: REPO, pr: 404 }, 'x')).toEqual([]);
    expect(await wakeNamespace(cli, 'preview-pr-404', { repository: REPO, pr: 404 })).toEqual([]);
  });

  it('a workload changed since it was read is not overwritten: the patch carries its resourceVersion (409)', async () => {
    namespace('preview-pr-5', { repository: REPO, pr: 5 });
    workload('preview-pr-5', 'Deployment', 'web', 2);
    const [read] = await listWorkloads(cli, 'preview-pr-5');
    // A deploy scales it meanwhile.
    const t = type('apps', 'v1', 'deployments');
    const cur = kube.store.get(t, 'preview-pr-5', 'web')!;
    kube.store.update(t, { ...cur, spec: { ...(cur.spec as object), replicas: 4 } });
    const { runKubectl } = await import('../../src/kube/tools.js');
    await expect(
      runKubectl(cli, [
        'patch',
        'deployment/web',
        '--namespace',
        'preview-pr-5',
        '--type',
        'merge',
        '--patch',
        JSON.stringify({ metadata: { resourceVersion: read!.resourceVersion }, spec: { replicas: 0 } }),
      ]),
    ).rejects.toThrow(/Conflict|modified/);
    expect(replicasOf('preview-pr-5', 'deployments', 'web')).toBe(4);
  });
});
