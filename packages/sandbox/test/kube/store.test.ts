import { describe, expect, it } from 'vitest';
import { FakeClock } from '@preview-fleet/core/clock';
import { ObjectStore, type KubeObject, type StoreEvent } from '../../src/kube/storage/store.js';

function setup() {
  const clock = new FakeClock();
  const store = new ObjectStore({ clock });
  const deployments = store.types.get('apps', 'v1', 'deployments')!;
  const configmaps = store.types.get('', 'v1', 'configmaps')!;
  const events: StoreEvent[] = [];
  store.subscribe((e) => events.push(e));
  const dep = (replicas: number, extra: Partial<KubeObject> = {}): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'app' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
    },
    ...extra,
  });
  return { clock, store, deployments, configmaps, events, dep };
}

describe('ObjectStore', () => {
  it('create assigns uid, rv, generation 1, creationTimestamp and the apiserver defaults', () => {
    const { store, deployments, dep } = setup();
    const d = store.create(deployments, dep(2));
    expect(d.metadata).toMatchObject({
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      resourceVersion: '2',
    });
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.spec).toMatchObject({
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect(
      (d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0],
    ).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
    expect(() => store.create(deployments, dep(2))).toThrow(/deployments.apps "web" already exists/);
  });

  it('a no-op write keeps the resourceVersion and emits nothing; generation moves only with the spec', () => {
    const { store, deployments, dep, events } = setup();
    const created = store.create(deployments, dep(2));
    const same = store.update(deployments, dep(2));
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
    const labelled = store.update(deployments, {
      ...dep(2),
      metadata: { name: 'web', namespace: 'app', labels: { a: 'b' } },
    });
    expect(labelled.metadata.generation).toBe(1);
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const scaled = store.update(deployments, { ...dep(3), metadata: { ...labelled.metadata } });
    expect(scaled.metadata.generation).toBe(2);
  });

  it('a stale resourceVersion is a 409 Conflict; main updates keep status, status updates keep spec', () => {
    const { store, deployments, dep } = setup();
    const created = store.create(deployments, dep(2));
    store.update(deployments, { ...dep(2), status: { readyReplicas: 2 } }, { status: true });
    expect(() => store.update(deployments, { ...dep(5), metadata: { ...created.metadata } })).toThrow(
      /the object has been modified/,
    );
    const afterMain = store.update(deployments, { ...dep(5), status: { readyReplicas: 99 } });
    expect(afterMain.status).toEqual({ readyReplicas: 2 });
    const afterStatus = store.update(deployments, { ...dep(7), status: { readyReplicas: 5 } }, { status: true });
    expect((afterStatus.spec as { replicas: number }).replicas).toBe(5);
    expect(afterStatus.status).toEqual({ readyReplicas: 5 });
  });

  it('keeps no generation for ConfigMaps, folds nothing into a no-op, and removes with a DELETED event', () => {
    const { store, configmaps, events } = setup();
    const cm = store.create(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'app' },
      data: { a: '1' },
    });
    expect(cm.metadata.generation).toBeUndefined();
    const removed = store.remove(configmaps, 'app', 'c');
    expect(removed?.metadata.resourceVersion).toBe(String(store.currentRv()));
    expect(store.remove(configmaps, 'app', 'c')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(store.history(Number(cm.metadata.resourceVersion)).map((e) => e.type)).toEqual(['DELETED']);
  });

  it('an object being deleted goes when its last finalizer is removed', () => {
    const { store, configmaps } = setup();
    store.create(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'app', finalizers: ['x'] },
    });
    const marked = store.update(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'app', finalizers: ['x'], deletionTimestamp: '2026-01-01T00:00:00Z' },
    });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    store.update(configmaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'app', finalizers: [] },
    });
    expect(store.get(configmaps, 'app', 'c')).toBeUndefined();
  });

  it('returns deep copies', () => {
    const { store, deployments, dep } = setup();
    store.create(deployments, dep(1));
    const got = store.get(deployments, 'app', 'web')!;
    (got.spec as { replicas: number }).replicas = 42;
    expect((store.get(deployments, 'app', 'web')!.spec as { replicas: number }).replicas).toBe(1);
  });
});
